// The DaemonSet controller as its own OS process (`everynode controller --kubeconfig …`), under
// a supervisor that restarts it whenever it ends, as a kubelet restarts a static pod: SIGKILLed
// by the chaos, refused to start by its preflight check (a fault hit it), or crashed. A crash —
// an exit after it reported running that nobody asked for — is what the run must never see.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { atTermination } from './cleanup.js';

export interface ControllerExit { code: number | null; signal: NodeJS.Signals | null; killedByChaos: boolean; afterRunning: boolean; lastLines: string[] }

/**
 * The line `everynode controller` prints once it leads and its controllers run: "everynode:
 * DaemonSet controller running against URL", or "… DaemonSet and DaemonSetRollout controllers
 * running against URL" (matching the first form only made every later exit look like a preflight
 * refusal, so a crash could not be seen).
 */
export const announcesRunning = (line: string) => /\bcontrollers? running against /.test(line);

/**
 * Why a controller process ended that nobody asked to end: before it ran, its preflight refused
 * (a fault hit a check); after, a lost Lease (a renewal failed for the whole renew deadline: the
 * process exits as kube-controller-manager does, for its supervisor to restart it) or a crash.
 */
export function unaskedExit(afterRunning: boolean, lastLines: readonly string[]): 'preflight' | 'leadershipLost' | 'crash' {
  if (!afterRunning) return 'preflight';
  return lastLines.some((l) => /leaderelection lost|leadership lost/.test(l)) ? 'leadershipLost' : 'crash';
}

export class SupervisedController {
  kills = 0;
  starts = 0;
  preflightRefusals = 0;
  /** Exits because a renewal failed for the whole renew deadline: upstream's controllers exit then too. */
  leadershipLosses = 0;
  readonly crashes: ControllerExit[] = [];
  #child?: ChildProcess;
  #stopping = false;
  #exited: Promise<void> = Promise.resolve();

  constructor(private readonly kubeconfigPath: string, private readonly namespace: string, private readonly log: (line: string) => void = () => {}) {}

  start(): void {
    if (this.#stopping) return;
    // Run whichever form of the CLI we are: compiled dist/main.js, or src/main.ts under tsx.
    const fromTs = import.meta.url.endsWith('.ts');
    const main = fileURLToPath(new URL(fromTs ? '../../main.ts' : '../../main.js', import.meta.url));
    const args = [...(fromTs ? ['--import', 'tsx'] : []), main, 'controller', '--kubeconfig', this.kubeconfigPath, '--namespace', this.namespace];
    const spawnedAt = Date.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.starts++;
    this.#child = child;
    // However the runner ends (a signal, an exception), this process must not outlive it.
    const forget = atTermination(() => { child.kill('SIGKILL'); });
    if (child.pid !== undefined) this.log(`controller process ${child.pid} started (start ${this.starts})`);
    let running = false;
    let killed = false;
    const lines: string[] = [];
    child.stderr?.on('data', (d: Buffer) => {
      for (const l of d.toString().split('\n')) {
        if (!l.trim()) continue;
        if (!running && announcesRunning(l)) {
          running = true;
          this.log(`controller process ${child.pid} leading after ${((Date.now() - spawnedAt) / 1000).toFixed(1)} s`);
        }
        if (process.env.CHAOS_CONTROLLER_LOG) appendFileSync(process.env.CHAOS_CONTROLLER_LOG, `${new Date().toISOString()} [${this.starts}] ${l}\n`);
        lines.push(l);
        if (lines.length > 20) lines.shift();
      }
    });
    (child as ChildProcess & { chaosKill?: () => void }).chaosKill = () => { killed = true; };
    this.#exited = new Promise((resolve) => child.once('exit', (code, signal) => {
      forget();
      if (this.#child === child) this.#child = undefined;
      if (!killed && !this.#stopping) {
        const kind = unaskedExit(running, lines);
        if (kind === 'crash') this.crashes.push({ code, signal, killedByChaos: false, afterRunning: true, lastLines: lines });
        else if (kind === 'leadershipLost') this.leadershipLosses++;
        else this.preflightRefusals++;
        setTimeout(() => this.start(), 200).unref();
      }
      resolve();
    }));
  }

  /** SIGKILL the running controller and start a new one at once. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    (child as ChildProcess & { chaosKill?: () => void }).chaosKill?.();
    this.kills++;
    const exited = this.#exited;
    child.kill('SIGKILL');
    await exited;
    this.start();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    const exited = this.#exited;
    this.#child?.kill('SIGKILL');
    await exited;
  }
}

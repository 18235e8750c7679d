// `everynode up` as a real child process: one node process, so SIGKILL hits the API server and
// its storage at once, as a crash would. Shared by `npm run crash` and test/e2e/durability.test.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const READY = /everynode: cluster ready at (https:\/\/\S+)/;
const KUBECONFIG_WRITTEN = /kubeconfig written to/;

export interface UpOptions {
  dataDir: string;
  /** Extra `everynode up` flags, e.g. ['--fsync', 'always']. */
  args?: string[];
  /** Give up (and kill the child) when it is not ready by then. */
  readyTimeoutMs?: number;
}

export interface RunningServer {
  child: ChildProcess;
  url: string;
  token: string;
  caCertPem: string;
  /** The kubeconfig the server wrote, for @kubernetes/client-node. */
  kubeconfig: string;
  /** Everything the child wrote to stderr so far (its log). */
  stderr(): string;
}

/** What `everynode up` did when it did not become ready: its exit code and output. */
export class UpFailed extends Error {
  constructor(message: string, readonly code: number | null, readonly stdout: string, readonly stderrText: string) {
    super(message);
  }
}

/** Starts `everynode up --port 0` on dataDir (no controller, no scheduler) and waits for its ready line. */
export function startUp(o: UpOptions): Promise<RunningServer> {
  const child = spawn(process.execPath, [
    '--import', 'tsx', 'src/main.ts', 'up', '--port', '0', '--address', '127.0.0.1', '--data-dir', o.dataDir,
    '--no-controller', '--no-scheduler', ...(o.args ?? []),
  ], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => { err += d; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new UpFailed(`everynode up was not ready after ${o.readyTimeoutMs} ms:\n${out}\n${err}`, null, out, err));
    }, o.readyTimeoutMs ?? 60_000);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      // 'exit' may come before the pipes drain; give them a turn so the error line is included.
      setImmediate(() => reject(new UpFailed(`everynode up exited (${code}) before it was ready:\n${out}\n${err}`, code, out, err)));
    };
    child.once('exit', onExit);
    child.stdout!.on('data', (d: string) => {
      out += d;
      const m = READY.exec(out);
      if (!m || !KUBECONFIG_WRITTEN.test(out)) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout!.removeAllListeners('data');
      child.stdout!.resume(); // keep draining so the child never blocks on a full pipe
      try {
        const kubeconfig = readFileSync(join(o.dataDir, 'kubeconfig'), 'utf8');
        resolve({ child, url: m[1], kubeconfig, ...credentials(kubeconfig), stderr: () => err });
      } catch (e) {
        child.kill('SIGKILL');
        reject(e);
      }
    });
  });
}

/** The bearer token and CA of the kubeconfig `everynode up` wrote (also with --in-memory, which keeps no PKI files). */
function credentials(kubeconfig: string): { token: string; caCertPem: string } {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  const token = kc.getCurrentUser()?.token;
  const caData = kc.getCurrentCluster()?.caData;
  if (!token || !caData) throw new Error('the kubeconfig everynode up wrote has no token or CA');
  return { token, caCertPem: Buffer.from(caData, 'base64').toString('utf8') };
}

/** SIGKILL, and resolve once the process is gone. */
export function killHard(child: ChildProcess): Promise<void> {
  return stopWith(child, 'SIGKILL');
}

/** SIGTERM (a clean shutdown), and resolve once the process is gone. */
export function stopGracefully(child: ChildProcess): Promise<void> {
  return stopWith(child, 'SIGTERM');
}

function stopWith(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

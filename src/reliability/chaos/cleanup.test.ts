// The chaos runner's clean-up: however it is stopped (SIGTERM, Ctrl-C, its parent gone), the
// processes it started do not survive it. Driven through a stand-in runner (cleanup.fixture.ts)
// that starts one child; test/e2e/chaos-sigterm.test.ts does the same with the real runner.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { atTermination, exitCodeFor, runTerminationTasks } from './cleanup.js';

const fixture = fileURLToPath(new URL('./cleanup.fixture.ts', import.meta.url));

/** Alive means neither gone nor a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  try { process.kill(pid, 0); } catch { return false; }
  try { return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; }
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (cond()) return true;
  return cond();
}

/** Collects a process's stdout; `pid(label)` waits for the number printed after `label`. */
function stdoutOf(p: ChildProcess) {
  let out = '';
  let ended = false;
  p.stdout!.setEncoding('utf8');
  p.stdout!.on('data', (d: string) => { out += d; });
  p.once('exit', () => { ended = true; });
  return {
    async pid(label: string): Promise<number> {
      const re = new RegExp(`${label} (\\d+)`);
      await until(() => re.test(out) || ended, 30_000);
      const m = re.exec(out);
      if (!m) throw new Error(`no "${label}" printed: ${out}`);
      return Number(m[1]);
    },
  };
}

const exitOf = (p: ChildProcess) => new Promise<number | null>((r) => {
  if (p.exitCode !== null || p.signalCode !== null) r(p.exitCode);
  else p.once('exit', (code) => r(code));
});

describe('chaos runner clean-up', () => {
  it('runs every task once, even when one throws', () => {
    const ran: string[] = [];
    atTermination(() => ran.push('a'));
    atTermination(() => { throw new Error('boom'); });
    const forget = atTermination(() => ran.push('forgotten'));
    atTermination(() => ran.push('c'));
    forget();
    runTerminationTasks();
    runTerminationTasks();
    assert.deepEqual(ran, ['a', 'c']);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} kills the runner's child and exits ${exitCodeFor(signal)}`, async () => {
      const runner = spawn(process.execPath, ['--import', 'tsx', fixture], { stdio: ['ignore', 'pipe', 'ignore'] });
      const child = await stdoutOf(runner).pid('child');
      try {
        assert.ok(alive(child));
        runner.kill(signal);
        assert.equal(await exitOf(runner), exitCodeFor(signal));
        assert.ok(await until(() => !alive(child), 10_000), `child ${child} survived`);
      } finally {
        runner.kill('SIGKILL');
        if (alive(child)) process.kill(child, 'SIGKILL');
      }
    });
  }

  it('a runner whose parent dies (npm → sh → runner, SIGTERM to npm) stops and kills its child', async () => {
    // The shell stands for npm's `sh -c`: it is SIGKILLed, so nothing is passed on to the runner.
    const sh = spawn('sh', ['-c', `"${process.execPath}" --import tsx "${fixture}" & echo "runner $!"; wait`], { stdio: ['ignore', 'pipe', 'ignore'] });
    const out = stdoutOf(sh);
    const runnerPid = await out.pid('runner');
    let child: number | undefined;
    try {
      child = await out.pid('child');
      sh.kill('SIGKILL');
      await exitOf(sh);
      assert.ok(await until(() => !alive(runnerPid), 10_000), `the orphaned runner ${runnerPid} kept running`);
      assert.ok(await until(() => !alive(child!), 10_000), `child ${child} survived`);
    } finally {
      sh.kill('SIGKILL');
      if (alive(runnerPid)) process.kill(runnerPid, 'SIGKILL');
      if (child !== undefined && alive(child)) process.kill(child, 'SIGKILL');
    }
  });
});

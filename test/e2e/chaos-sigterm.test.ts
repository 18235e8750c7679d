// `npm run chaos` stopped by SIGTERM must take its DaemonSet controller process with it, and its
// run directory: before the fix the controller, a process of its own, kept running, orphaned (and
// so did the runner: npm passes the signal to its `sh -c`, which dies without passing it on). The
// runner is started as a user starts it, through npm, and npm is signalled as soon as the runner
// reports the controller's pid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));

/** Alive means neither gone nor a zombie waiting for init to reap it. */
function alive(pid: number): boolean {
  try { process.kill(pid, 0); } catch { return false; }
  try { return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; }
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (cond()) return true;
  return cond();
}

test('SIGTERM of npm run chaos stops the controller process and removes the run directory', { timeout: 180_000 }, async (t) => {
  // A TMPDIR of its own, so the run directory (everynode-chaos-*) can be looked for afterwards.
  const tmp = mkdtempSync(join(tmpdir(), 'chaos-sigterm-'));
  const runner = spawn('npm', ['run', '--silent', 'chaos', '--', '--runs', '1', '--seed', '11', '--chaos-ms', '1000', '--converge-ms', '120000'], {
    cwd: repo, env: { ...process.env, TMPDIR: tmp }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  runner.stdout.setEncoding('utf8');
  runner.stdout.on('data', (d: string) => { stdout += d; });
  const runnerPid = () => Number(/runner pid (\d+)/.exec(stdout)?.[1] ?? NaN);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => runner.once('exit', (code, signal) => r({ code, signal })));
  const controllerPid = await new Promise<number | undefined>((resolve) => {
    runner.stderr.setEncoding('utf8');
    runner.stderr.on('data', (d: string) => {
      stderr += d;
      const m = /controller process (\d+) started/.exec(stderr);
      if (m) resolve(Number(m[1]));
    });
    void exited.then(() => resolve(undefined));
  });
  t.after(() => {
    // Whatever the outcome, nothing of this test may outlive it.
    if (runner.exitCode === null && runner.signalCode === null) runner.kill('SIGKILL');
    for (const pid of [runnerPid(), controllerPid]) if (pid !== undefined && !Number.isNaN(pid) && alive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(tmp, { recursive: true, force: true });
  });
  assert.ok(controllerPid !== undefined, `the runner never started a controller:\n${stderr}`);
  assert.ok(alive(controllerPid));
  assert.ok(await until(() => !Number.isNaN(runnerPid()), 10_000), stdout);
  assert.ok(readdirSync(tmp).some((e) => e.startsWith('everynode-chaos-')), 'the run directory exists while the run does');

  runner.kill('SIGTERM');
  const end = await exited;
  // npm itself ends by the signal; what matters is what it leaves behind.
  assert.ok(end.signal === 'SIGTERM' || end.code === 143, `${JSON.stringify(end)}\n${stderr}`);
  assert.ok(await until(() => !alive(runnerPid()), 10_000), `the runner ${runnerPid()} outlived npm`);
  // SIGKILL is sent before the runner exits; the kernel needs a moment to tear the process down.
  assert.ok(await until(() => !alive(controllerPid), 10_000), `controller process ${controllerPid} survived the runner`);
  assert.ok(await until(() => readdirSync(tmp).every((e) => !e.startsWith('everynode-chaos-')), 10_000), 'the run directory was left behind');
});

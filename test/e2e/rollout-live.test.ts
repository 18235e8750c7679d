// The live view as a user sees it: `everynode rollout status` and `everynode top` run in a real
// terminal (a tmux pane of 120x40, read back with capture-pane) against the embedded cluster of the
// README's rollout walkthrough (examples/rollout/, ten nodes, bake time 0 here), while the rollout
// controller rolls a new image wave by wave. Piped to a file, the same commands print plain lines.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, hasKubectl, kubectl, startTestCluster, type TestCluster } from '../helpers/cluster.js';

const repo = new URL('../..', import.meta.url).pathname;
const BIN = join(repo, 'bin/everynode.mjs');
const hasTmux = spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status === 0;
// A server of our own: never the user's tmux, nor another test's.
const SOCKET = `everynode-test-${process.pid}`;
const tmux = (...args: string[]) => spawnSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8', timeout: 10_000 });
const screen = (pane: string) => tmux('capture-pane', '-p', '-t', pane).stdout ?? '';

const PAUSED_ROLLOUT = readFileSync(join(repo, 'examples/rollout/rollout.yaml'), 'utf8').replace(/bakeSeconds: \d+/, 'bakeSeconds: 0').replace(/^spec:\n/m, 'spec:\n  paused: true\n');

describe('the live view of a rollout, in a terminal', { skip: (!hasKubectl && 'kubectl is not installed') || (!hasTmux && 'tmux is not installed') }, () => {
  let c: TestCluster;
  const ok = async (args: string[], input?: string) => { const r = await kubectl(c, args, input); assert.equal(r.code, 0, r.stderr); return r.stdout; };
  /** Runs the command in a fresh 120x40 pane; the shell says EXIT=<code> when it ends. */
  const start = (pane: string, args: string[]) => {
    const env = `KUBECONFIG=${c.kubeconfigPath} HOME=${c.dir} LANG=C.UTF-8`;
    const r = tmux('new-session', '-d', '-s', pane, '-x', '120', '-y', '40', `bash -c 'env ${env} ${process.execPath} ${BIN} ${args.join(' ')}; echo EXIT=$?; sleep 60'`);
    assert.equal(r.status, 0, r.stderr);
  };

  let piped: { child: ChildProcess; stdout(): string; done: Promise<{ code: number | null; stdout: string }> };
  /** `everynode top` with stdout to a pipe (even with FORCE_COLOR), until it is sent SIGINT. */
  const pipedTop = () => {
    const child = spawn(process.execPath, [BIN, 'top', '-n', 'monitoring', '--timeout', '90s'], { env: { ...process.env, KUBECONFIG: c.kubeconfigPath, HOME: c.dir, FORCE_COLOR: '1' }, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
    return { child, stdout: () => stdout, done: new Promise<{ code: number | null; stdout: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout }))) };
  };

  before(async () => {
    c = await startTestCluster({ configFile: join(repo, 'examples/rollout/cluster.yaml'), scheduler: true, controller: true });
    await eventually(async () => (await kubectl(c, ['get', 'daemonsetrollouts', '-A'])).code === 0, 60_000, 'the DaemonSetRollout kind served');
    await ok(['apply', '-f', join(repo, 'examples/rollout/node-exporter.yaml')]);
    // Paused from the start, so that the view is up (tsx takes seconds to start) before anything moves.
    await ok(['apply', '-f', '-'], PAUSED_ROLLOUT);
    await eventually(async () => (await kubectl(c, ['get', 'ds', 'node-exporter', '-n', 'monitoring', '-o', 'jsonpath={.status.numberReady}'])).stdout === '10', 120_000, 'node-exporter Ready on the ten nodes');
  });
  after(async () => { tmux('kill-server'); if (piped?.child.exitCode === null) piped.child.kill(); await c?.stop(); });

  test('rollout status redraws in place while the waves advance, and exits 0 on Complete', async () => {
    await ok(['set', 'image', 'ds/node-exporter', '-n', 'monitoring', 'node-exporter=quay.io/prometheus/node-exporter:v1.9.0']);
    start('status', ['rollout', 'status', 'node-exporter', '-n', 'monitoring']);
    // The other views start now too, so that their start-up overlaps (tsx compiles for seconds).
    start('top', ['top', '-n', 'monitoring']);
    piped = pipedTop();
    await eventually(() => /^node-exporter \(monitoring\) {2}Paused/m.test(screen('status')), 120_000, 'the live view, paused');
    const paused = screen('status');
    assert.match(paused, /paused \(spec\.paused\)/);
    assert.match(paused, /^[> ] canary +\[░+\] 0\/2 updated, 0 ready, 0 failed, 0 quarantined {2}\w+$/m);
    assert.match(paused, /^nodes █ done ▓ updating ░ waiting X blocked Q quarantined$/m);

    await ok(['patch', 'dsr', 'node-exporter', '-n', 'monitoring', '--type=merge', '-p', '{"spec":{"paused":false}}']);
    // Every screen seen until the command ends: which wave was current, in what order.
    const current: string[] = [];
    const final = await eventually(() => {
      const s = screen('status');
      const wave = /^> (\S+)/m.exec(s)?.[1];
      if (wave && current[current.length - 1] !== wave) current.push(wave);
      return /^EXIT=\d+$/m.test(s) ? s : undefined;
    }, 120_000, 'rollout status to end');
    assert.match(final, /^EXIT=0$/m, final);
    assert.ok(current.length >= 2, `the current wave moved: ${current.join(' -> ')}`);
    assert.deepEqual(current.filter((w) => w !== 'canary').slice(-1), ['zone-eu-west-1b'], current.join(' -> '));
    // The frame stays on screen once done: every wave full, the verdict last. Redrawn in place:
    // one frame, not a scroll of them.
    for (const [w, n] of [['canary', 2], ['zone-eu-west-1a', 4], ['zone-eu-west-1b', 4]] as const) {
      assert.match(final, new RegExp(`^.{2}${w} +\\[█+\\] ${n}/${n} updated, ${n} ready, 0 failed, 0 quarantined {2}Complete$`, 'm'));
    }
    assert.match(final, /^ {2}zone-eu-west-1b +████$/m);
    assert.match(final, /^rollout "node-exporter" successfully rolled out \(revision \w+\)\nEXIT=0$/m);
    assert.equal(final.match(/^node-exporter \(monitoring\)/gm)?.length, 1, final);
    for (const line of final.split('\n')) assert.ok([...line].length <= 120);
  });

  test('top shows every rollout of the namespace, follows a resize; Ctrl-C restores the cursor and exits 130', async () => {
    await eventually(() => /^node-exporter \(monitoring\) {2}Complete/m.test(screen('top')), 30_000, 'top showing the rollout');
    // A resize (SIGWINCH) redraws to the new size: shorter words, nothing wider than the pane.
    tmux('resize-window', '-t', 'top', '-x', '60', '-y', '20');
    const narrow = await eventually(() => { const t = screen('top'); return / 4\/4 upd 4 rdy 0 fail 0 q Complete$/m.test(t) ? t : undefined; }, 20_000, 'top redrawn at 60 columns');
    for (const line of narrow.split('\n')) assert.ok([...line].length <= 60, line);
    assert.equal(narrow.match(/^node-exporter \(monitoring\)/gm)?.length, 1, narrow);
    tmux('send-keys', '-t', 'top', 'C-c');
    const s = await eventually(() => { const t = screen('top'); return /^(\^C)?EXIT=\d+$/m.test(t) ? t : undefined; }, 20_000, 'top to stop');
    assert.match(s, /^(\^C)?EXIT=130$/m, s);
    assert.match(s, /^rollout "node-exporter" successfully rolled out/m, 'the last frame stays');
    // The cursor is shown again (log-update hid it while drawing).
    assert.equal(tmux('display-message', '-p', '-t', 'top', '#{cursor_flag}').stdout.trim(), '1');
  });

  test('piped to a file: plain lines, one per change, no escape codes', async () => {
    // Once it printed the end of the rollout: what Ctrl-C would send.
    await eventually(() => /: Complete, wave zone-eu-west-1b/.test(piped.stdout()), 30_000, 'top, piped, to see the rollout Complete');
    piped.child.kill('SIGINT');
    const top = await piped.done;
    assert.equal(top.code, 130);
    assert.doesNotMatch(top.stdout, /\x1b/);
    const lines = top.stdout.trim().split('\n');
    for (const l of lines) assert.match(l, /^monitoring\/node-exporter: \w+(, wave \S+)?, \d+\/10 updated, \d+ ready, \d+ failed, \d+ blocked/);
    assert.equal(new Set(lines).size, lines.length, 'a line only when something changed');
    assert.match(lines[lines.length - 1], /^monitoring\/node-exporter: Complete, wave zone-eu-west-1b, 10\/10 updated, 10 ready, 0 failed, 0 blocked: rollout "node-exporter" successfully rolled out/);
  });
});

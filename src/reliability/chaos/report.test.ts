import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseChaosArgs } from './args.js';
import { details, runLine, summarize, summaryLine } from './report.js';
import { runFailed, type RunReport } from './run.js';
import { announcesRunning, unaskedExit } from './controllerproc.js';

const base: RunReport = {
  seed: 7, plan: '15 nodes, agent-a(maxUnavailable 2)', faults: { error500: 3, watchCut: 0, 'node-stop': 1 }, kills: 2, controllerStarts: 3,
  preflightRefusals: 0, leadershipLosses: 0, crashes: [], violations: [], checkerEvents: 400, peakDown: { 'agent-a': '2/2' }, convergeMs: 2_500, gaps: [], totalMs: 30_000,
};

test('a clean run is ok and reports seed, faults, kills and convergence', () => {
  assert.equal(runFailed(base), false);
  const l = runLine(base);
  assert.match(l, /^seed 7: ok \| 15 nodes/);
  assert.match(l, /faults error500=3 node-stop=1 \|/);
  assert.match(l, /kills 2 .* violations 0, peak down\/budget agent-a 2\/2 \| converged in 2.5 s/);
});

test('a violation, a crash, non-convergence or an error each fail the run', () => {
  const v = { ...base, violations: [{ kind: 'budget' as const, daemonSet: 'chaos/agent-a', detail: '3 nodes…', atMs: 1_000, count: 2 }] };
  assert.equal(runFailed(v), true);
  assert.match(details(v)[0], /violation at 1.0 s \(seen 2x\): budget chaos\/agent-a/);
  assert.equal(runFailed({ ...base, crashes: [{ code: 1, signal: null, killedByChaos: false, afterRunning: true, lastLines: ['boom'] }] }), true);
  const stuck = { ...base, convergeMs: undefined, gaps: ['agent-a: node n1 has 2 pods'] };
  assert.equal(runFailed(stuck), true);
  assert.match(runLine(stuck), /FAIL .* NOT CONVERGED: agent-a: node n1 has 2 pods/);
  assert.equal(runFailed({ ...base, error: 'x' }), true);
});

test('summary adds faults and kills up and takes median and max convergence', () => {
  const s = summarize([base, { ...base, convergeMs: 500, faults: { error500: 1 } }, { ...base, convergeMs: 9_000 }]);
  assert.deepEqual(s.faults, { error500: 7, watchCut: 0, 'node-stop': 2 });
  assert.deepEqual(s.convergeMs, { median: 2_500, max: 9_000 });
  assert.equal(s.kills, 6);
  assert.match(summaryLine(s), /3 runs, 0 failed, 0 violations, 6 controller kills; convergence median 2.5 s, max 9.0 s/);
});

test('arguments: defaults, and one-line errors for bad values', () => {
  assert.deepEqual(parseChaosArgs([]), { runs: 100, seed: 1, chaosMs: 12_000, convergeMs: 60_000, runTimeoutMs: 282_000 });
  assert.equal(parseChaosArgs(['--runs', '3', '--seed', '40']).seed, 40);
  assert.throws(() => parseChaosArgs(['--runs', '0']), /--runs must be an integer >= 1, got "0"/);
  assert.throws(() => parseChaosArgs(['--seed', 'x']), /--seed must be an integer/);
  assert.throws(() => parseChaosArgs(['--bogus']), /Unknown option/);
});

test('the running line is recognised in both forms; an unasked exit after it is a crash unless the lease was lost', () => {
  assert.ok(announcesRunning('everynode: DaemonSet controller running against https://127.0.0.1:1 (namespace chaos)'));
  assert.ok(announcesRunning('everynode: DaemonSet and DaemonSetRollout controllers running against https://127.0.0.1:1 (namespace chaos)'));
  assert.ok(!announcesRunning('leaderelection: attempting to acquire lease kube-system/everynode-controller'));
  assert.equal(unaskedExit(false, ['everynode: cannot check the controller\'s permissions (…)']), 'preflight');
  assert.equal(unaskedExit(true, ['manager: leadership lost; stopping', 'everynode: leaderelection lost (lease kube-system/everynode-controller)']), 'leadershipLost');
  assert.equal(unaskedExit(true, ['TypeError: x is not a function']), 'crash');
});

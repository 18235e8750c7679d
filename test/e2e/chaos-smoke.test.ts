// One short seeded chaos run, so the proxy, the controller kills, the node faults and the
// checker keep working together: the run must inject faults, kill the controller, see no
// violation, and converge with an exact status. No timing is asserted beyond the run's bounds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runOnce, runFailed } from '../../src/reliability/chaos/run.js';
import { details, runLine } from '../../src/reliability/chaos/report.js';

test('chaos smoke: one seeded run with faults and kills converges without a violation', { timeout: 240_000 }, async () => {
  const log: string[] = [];
  const r = await runOnce(11, { chaosMs: 8_000, convergeTimeoutMs: 60_000, log: (l) => log.push(l) });
  const why = [runLine(r), ...details(r), ...log].join('\n');
  assert.equal(runFailed(r), false, why);
  assert.ok(r.kills >= 1, why);
  const proxyFaults = ['error500', 'error503', 'throttle429', 'resetBefore', 'resetAfter', 'latency', 'watchCut', 'watchStall', 'watchDrop']
    .reduce((n, k) => n + (r.faults[k] ?? 0), 0);
  assert.ok(proxyFaults > 0 && (r.faults.rollout ?? 0) > 0, why);
  assert.ok(r.checkerEvents > 0, why);
});

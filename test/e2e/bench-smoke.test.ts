// A tiny run of the benchmark suite, so the harness and its correctness checks keep working.
// No timing is asserted: only that every scenario ran and every check held.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runBench } from '../../src/bench/run.js';

test('bench smoke: every scenario runs on a small fleet and every correctness check holds', { timeout: 240_000 }, async () => {
  const log: string[] = [];
  const rows = await runBench({
    nodes: [60], onDisk: false, compareStorage: true, footprint: true, idleMs: 1_000, reactionCount: 10,
    // Two nodes per zone, pods Ready in a fraction of a second: the scenario's plumbing, not its figure.
    rehearsal: { nodes: 8, pods: { startupDelay: { uniform: { min: 100, max: 300 } }, readinessDelay: { uniform: { min: 100, max: 300 } } }, seeds: 2, maxUnavailable: '50%' },
    log: (l) => log.push(l),
  });
  const failed = rows.filter((r) => r.problems.length);
  assert.deepEqual(failed, [], `failed rows:\n${JSON.stringify(failed, null, 1)}\nlog tail:\n${log.slice(-20).join('\n')}`);
  assert.deepEqual(rows.map((r) => `${r.scenario}@${r.storage}`), [
    'converge@memory', 'raw create baseline@memory', 'rolling update, maxUnavailable 10 %@memory', 'rolling update, maxSurge 10 %@memory',
    'reaction (label → pod), 10 nodes@memory', 'DaemonSetRollout, 4 zone waves vs RollingUpdate@memory', 'DaemonSetRollout status writes@memory',
    'converge@sqlite', 'converge (controller in own process)@memory',
    'footprint: controller@memory', 'footprint: server + simulator@memory', 'controller /metrics scrape@memory', 'controller API requests per node change@memory',
    'rehearsal vs real (DaemonSetRollout, 4 zone waves)@memory',
  ]);
  const scraped = rows.find((r) => r.scenario === 'controller /metrics scrape')!;
  assert.match(scraped.detail, /over 10 scrapes after convergence; [\d.]+ KiB, \d+ series in \d+ families/, 'scraped from the controller process\'s /metrics');
  const waves = rows.find((r) => r.scenario.startsWith('DaemonSetRollout, 4 zone waves'))!;
  assert.match(waves.detail, /waves of 15\/15\/15\/15 nodes/, 'one wave per zone of the zoned fleet');
  assert.match(waves.detail, /peak unavailable \d+\/6,/, 'the budget is 10 % of the fleet, rounded up');
  const writes = rows.find((r) => r.scenario === 'DaemonSetRollout status writes')!;
  assert.match(writes.result, /^\d+\.\d\/s$/);
  const rehearsal = rows.find((r) => r.scenario.startsWith('rehearsal vs real'))!;
  assert.match(rehearsal.result, /^ratio \d+\.\d\d$/, 'both durations measured');
  const perChange = rows.find((r) => r.scenario === 'controller API requests per node change')!;
  assert.match(perChange.result, /^\d+\.\d\d \/ change$/, 'counted from the controller process\'s own metrics');
  const surge = rows.find((r) => r.scenario.includes('maxSurge'))!;
  assert.match(surge.detail, /peak unavailable 0\/0/, 'surge keeps every node available');
});

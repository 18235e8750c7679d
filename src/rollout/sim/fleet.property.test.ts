// Whole rollouts on random fleets: budgets hold at every simulated step and the fleet completes;
// a crash-looping image never gets past the first wave.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { scaleIntOrPercent } from '../api/intorpercent.js';
import { simulate, type SimNode } from './fleet.js';

const fleetArb = fc.record({
  zones: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }),
  maxUnavailable: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.constantFrom('25%', '50%', '100%')),
  readyAfterMs: fc.integer({ min: 1_000, max: 20_000 }),
  twoDaemons: fc.boolean(),
  bakeSeconds: fc.constantFrom(0, 30),
});

function nodesOf(zones: number[]): SimNode[] {
  return zones.flatMap((count, z) => Array.from({ length: count }, (_, i) => ({ name: `z${z}-n${i}`, labels: { zone: `z${z}` } })));
}

test('random zone rollouts complete, one zone at a time, each within its budget at every step', () => {
  fc.assert(fc.property(fleetArb, (f) => {
    const daemonSets = f.twoDaemons ? [{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:1' }] : [{ name: 'a', image: 'a:1' }];
    const result = simulate({
      nodes: nodesOf(f.zones), daemonSets, readyAfterMs: f.readyAfterMs, stepMs: 5_000, maxSteps: 600,
      rollout: { selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['a', 'b'] }] }, waves: [{ name: 'z', splitBy: 'zone', maxUnavailable: f.maxUnavailable, bakeSeconds: f.bakeSeconds }] },
      script: daemonSets.map((d) => ({ atMs: 5_000, daemonSet: d.name, image: `${d.name}:2` })),
    });
    assert.equal(result.rollout.status?.phase, 'Complete', JSON.stringify(result.rollout.status?.blockedNodes));
    for (const step of result.steps) {
      const byZone = new Map<string, number>();
      for (const n of step.unavailableNodes) { const z = n.split('-')[0]; byZone.set(z, (byZone.get(z) ?? 0) + 1); }
      assert.ok(byZone.size <= 1, `two zones at once at ${step.atMs}`);
      for (const [z, k] of byZone) {
        const size = f.zones[Number(z.slice(1))];
        assert.ok(k <= scaleIntOrPercent(f.maxUnavailable, size, true)!, `${z}: ${k} unavailable at ${step.atMs}`);
      }
      for (const k of Object.values(step.unavailablePerNode)) assert.ok(k <= 1);
    }
  }), { numRuns: 12 });
});

test('a crash-looping image trips the gate inside the first wave, whatever the fleet', () => {
  fc.assert(fc.property(fleetArb, (f) => {
    const result = simulate({
      nodes: nodesOf(f.zones), daemonSets: [{ name: 'a', image: 'a:1' }], readyAfterMs: f.readyAfterMs, stepMs: 5_000, maxSteps: 400,
      crashImages: ['a:bad'], crashEveryMs: 5_000,
      rollout: { targetRef: { name: 'a' }, waves: [{ name: 'z', splitBy: 'zone', maxUnavailable: f.maxUnavailable }], health: { maxRestarts: 1 } },
      script: [{ atMs: 5_000, daemonSet: 'a', image: 'a:bad' }],
    });
    assert.equal(result.rollout.status?.phase, 'Failed');
    const touched = result.steps.flatMap((s) => s.actions.flatMap((a) => (a.type === 'DeletePod' ? [a.node] : [])));
    assert.ok(touched.length > 0);
    assert.ok(touched.every((n) => n.startsWith('z0-')), `outside the first wave: ${touched}`);
  }), { numRuns: 12 });
});

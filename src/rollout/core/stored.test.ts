// The stored status is memory the core trusts only after storedStatus: junk in it never throws,
// and every status the core itself writes survives storedStatus unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { planRollout } from './plan.js';
import { storedStatus } from './stored.js';
import { daemonSet, input, node, pod, rollout, T0 } from './testkit.js';
import { simulate, zonedFleet, type SimConfig } from '../sim/fleet.js';

const FIELDS = ['phase', 'currentWave', 'fromRevision', 'toRevision', 'observedGeneration', 'targets', 'waves', 'blockedNodes',
  'blockedNodesTotal', 'blockedByReason', 'quarantinedNodes', 'unselectedNodes', 'updatedNodes', 'readyNodes', 'lastProgressAt',
  'baseline', 'failure', 'rolledBackFrom', 'conditions'];
const junk = fc.oneof(fc.jsonValue(), fc.array(fc.oneof(fc.constant(null), fc.jsonValue(), fc.dictionary(fc.constantFrom('name', 'node', 'type', 'status', 'nodes', 'state'), fc.jsonValue()))));

test('a stored status of any shape never makes planRollout throw', () => {
  const ds = daemonSet('agent');
  const nodes = [node('n-0'), node('n-1', { notReadySinceMs: T0 - 60_000 })];
  fc.assert(fc.property(fc.dictionary(fc.constantFrom(...FIELDS), junk), (status) => {
    const r = rollout({ targetRef: { name: 'agent' }, waves: [{ name: 'all', maxUnavailable: 1 }] }, status as never);
    planRollout(input(r, [ds], nodes, [pod(ds, 'n-0'), pod(ds, 'n-1')]), T0);
  }), { numRuns: 1_000 });
});

test('what the core writes is what storedStatus keeps, through whole rollouts', () => {
  const base: SimConfig = {
    nodes: zonedFleet(['zone-a', 'zone-b'], 4, 1),
    daemonSets: [{ name: 'agent', image: 'agent:1' }],
    rollout: { targetRef: { name: 'agent' }, waves: [{ name: 'canary', nodeSelector: { matchLabels: { 'everynode.dev/canary': 'true' } } }, { name: 'rest', maxUnavailable: 2 }], onFailure: 'Rollback', health: { maxRestarts: 1 } },
    readyAfterMs: 5_000, stepMs: 5_000, maxSteps: 200, crashImages: ['agent:bad'], crashEveryMs: 5_000,
    script: [{ atMs: 5_000, daemonSet: 'agent', image: 'agent:2' }],
  };
  const bad: SimConfig = { ...base, script: [{ atMs: 5_000, daemonSet: 'agent', image: 'agent:bad' }] };
  for (const [cfg, tripped] of [[base, false], [bad, true]] as const) {
    const status = simulate(cfg).rollout.status!;
    // Every kind of field is there to be kept: lists, counts, the baseline, and a failure once tripped.
    assert.ok(status.waves?.length && status.conditions?.length && status.targets?.length && status.baseline);
    assert.equal(status.failure !== undefined, tripped);
    assert.deepEqual(storedStatus(status), status);
  }
});

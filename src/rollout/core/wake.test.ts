import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { rfc3339 } from '../../api/meta.js';
import type { DaemonSetRolloutSpec, DaemonSetRolloutStatus } from '../api/types.js';
import { ACTIVE_RESYNC_MS, nextWakeMs } from './wake.js';

const T = Date.parse('2026-01-01T12:00:00Z');
const spec: DaemonSetRolloutSpec = { targetRef: { name: 'a' }, waves: [{ name: 'zone', splitBy: 'z', bakeSeconds: 3 }], quarantine: { afterSeconds: 2 } };

test('settled phases wake on object changes only', () => {
  for (const phase of ['Complete', 'Failed', 'Idle', 'Paused', 'WaitingApproval'] as const) assert.equal(nextWakeMs({ phase }, spec, T), undefined);
  assert.equal(nextWakeMs(undefined, spec, T), undefined);
});

test('a baking wave wakes at its bake end (splitBy waves by their spec name)', () => {
  const s: DaemonSetRolloutStatus = { phase: 'Baking', waves: [{ name: 'zone-a', state: 'Baking', completedAt: rfc3339(T - 1000), nodes: 1, updated: 1, ready: 1, failed: 0, quarantined: 0 }] };
  assert.equal(nextWakeMs(s, spec, T), T + 2000);
});

test('a blocked node wakes at its quarantine time; the progress deadline counts too', () => {
  const s: DaemonSetRolloutStatus = { phase: 'Progressing', lastProgressAt: rfc3339(T), blockedNodes: [{ node: 'n', wave: 'zone-a', reason: 'NodeNotReady', message: '', since: rfc3339(T - 1000), cause: 'Node' }] };
  assert.equal(nextWakeMs(s, spec, T), T + 1000);
  assert.equal(nextWakeMs({ phase: 'Progressing', lastProgressAt: rfc3339(T - 1_799_000) }, spec, T), T + 1001);
});

test('property: while active the wake is in the future and at most ACTIVE_RESYNC_MS away', () => {
  fc.assert(fc.property(fc.constantFrom('Progressing', 'Baking', 'RollingBack' as const), fc.integer({ min: -10_000_000, max: 10_000_000 }), fc.integer({ min: -10_000, max: 10_000 }), (phase, progress, since) => {
    const s: DaemonSetRolloutStatus = { phase, lastProgressAt: rfc3339(T + progress), blockedNodes: [{ node: 'n', wave: 'w', reason: 'NotReady', message: '', since: rfc3339(T + since), cause: 'Revision' }] };
    const w = nextWakeMs(s, spec, T)!;
    return w > T && w <= T + ACTIVE_RESYNC_MS;
  }));
});

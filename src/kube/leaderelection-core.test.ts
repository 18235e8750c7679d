import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Lease } from '../api/types.js';
import {
  DEFAULT_TIMINGS, acquireDelay, afterFailedRenew, decide, observe, recordOf, releasedLease, validateTimings, type ElectionInput,
} from './leaderelection-core.js';

const T0 = Date.parse('2026-12-03T10:00:00Z');
const lease = (spec: Lease['spec'], rv = '7'): Lease => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'el', namespace: 'kube-system', resourceVersion: rv }, spec });
const held = (holder: string, transitions = 3) => lease({ holderIdentity: holder, leaseDurationSeconds: 15, acquireTime: '2026-12-03T09:00:00.000000Z', renewTime: '2026-12-03T09:59:59.000000Z', leaseTransitions: transitions });
const input = (o: Partial<ElectionInput>): ElectionInput => ({ lease: undefined, observedAtMs: T0, nowMs: T0, identity: 'me_1', timings: DEFAULT_TIMINGS, namespace: 'kube-system', name: 'el', ...o });

describe('decide (tryAcquireOrRenew)', () => {
  test('no lease: create it holding it, zero transitions, microsecond times', () => {
    const d = decide(input({}));
    assert.equal(d.kind, 'create');
    assert.deepEqual(d.kind === 'create' && d.lease, {
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'el', namespace: 'kube-system' },
      spec: { holderIdentity: 'me_1', leaseDurationSeconds: 15, acquireTime: '2026-12-03T10:00:00.000000Z', renewTime: '2026-12-03T10:00:00.000000Z', leaseTransitions: 0 },
    });
  });

  test('held by another and not expired by our clock: wait until observed time + its duration', () => {
    const d = decide(input({ lease: held('other_2'), observedAtMs: T0 - 14_999 }));
    assert.deepEqual(d, { kind: 'held', holder: 'other_2', expiresAtMs: T0 + 1 });
  });

  test("the record's renewTime does not matter, only when we observed it (no clock-skew trust)", () => {
    const skewed = held('other_2');
    skewed.spec!.renewTime = '2020-01-01T00:00:00.000000Z';
    assert.equal(decide(input({ lease: skewed, observedAtMs: T0 })).kind, 'held');
  });

  test('held by another but expired: take over with a new acquireTime and one more transition, keeping resourceVersion', () => {
    const d = decide(input({ lease: held('other_2', 3), observedAtMs: T0 - 15_000 }));
    assert.equal(d.kind, 'update');
    if (d.kind !== 'update') return;
    assert.equal(d.transition, true);
    assert.equal(d.lease.metadata?.resourceVersion, '7');
    assert.deepEqual(d.lease.spec, { holderIdentity: 'me_1', leaseDurationSeconds: 15, acquireTime: '2026-12-03T10:00:00.000000Z', renewTime: '2026-12-03T10:00:00.000000Z', leaseTransitions: 4 });
  });

  test('released (empty holder): take over at once even though just observed', () => {
    const d = decide(input({ lease: lease({ holderIdentity: '', leaseDurationSeconds: 1, leaseTransitions: 5 }), observedAtMs: T0 }));
    assert.equal(d.kind === 'update' && d.lease.spec?.leaseTransitions, 6);
  });

  test('held by me: renew keeps acquireTime and transitions, moves renewTime', () => {
    const d = decide(input({ lease: held('me_1', 3), observedAtMs: T0 }));
    assert.equal(d.kind, 'update');
    if (d.kind !== 'update') return;
    assert.equal(d.transition, false);
    assert.deepEqual(d.lease.spec, { holderIdentity: 'me_1', leaseDurationSeconds: 15, acquireTime: '2026-12-03T09:00:00.000000Z', renewTime: '2026-12-03T10:00:00.000000Z', leaseTransitions: 3 });
  });

  test('a malformed stored spec reads as zero values and never throws', () => {
    const bad = lease({ holderIdentity: 42, leaseDurationSeconds: 'x', leaseTransitions: null } as unknown as Lease['spec']);
    assert.deepEqual(recordOf(bad), { holderIdentity: '', leaseDurationSeconds: 0, acquireTime: undefined, renewTime: undefined, leaseTransitions: 0 });
    assert.equal(decide(input({ lease: bad })).kind, 'update');
    assert.equal(decide(input({ lease: lease(undefined) })).kind, 'update');
  });

  test('property: never takes a lease another holds within its observed duration; always keeps its own', () => {
    fc.assert(fc.property(
      fc.constantFrom('', 'me_1', 'other_2'), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 120_000 }), fc.integer({ min: 0, max: 1000 }),
      (holder, durS, sinceObserved, transitions) => {
        const l = lease({ holderIdentity: holder, leaseDurationSeconds: durS, leaseTransitions: transitions });
        const d = decide(input({ lease: l, observedAtMs: T0 - sinceObserved }));
        const valid = sinceObserved < durS * 1000;
        if (holder === 'other_2' && valid) return d.kind === 'held';
        if (d.kind !== 'update') return false;
        const transitionsOk = d.lease.spec?.leaseTransitions === (holder === 'me_1' ? transitions : transitions + 1);
        return d.lease.spec?.holderIdentity === 'me_1' && transitionsOk && d.transition === (holder !== 'me_1');
      }));
  });
});

describe('observe', () => {
  test('the observed time moves only when the record changes; resourceVersion alone does not count', () => {
    const a = observe(undefined, held('x'), 100)!;
    assert.equal(a.atMs, 100);
    assert.equal(observe(a, { ...held('x'), metadata: { ...held('x').metadata, resourceVersion: '8' } }, 200), a);
    assert.equal(observe(a, held('y'), 300)!.atMs, 300);
    assert.equal(observe(a, undefined, 400), undefined);
  });
});

describe('releasedLease (ReleaseOnCancel)', () => {
  test('clears the holder with a 1 s duration, keeping transitions and resourceVersion', () => {
    const r = releasedLease(held('me_1', 3), 'me_1', T0)!;
    assert.deepEqual(r.spec, { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: '2026-12-03T10:00:00.000000Z', renewTime: '2026-12-03T10:00:00.000000Z', leaseTransitions: 3 });
    assert.equal(r.metadata?.resourceVersion, '7');
  });
  test("never releases someone else's lease, or none", () => {
    assert.equal(releasedLease(held('other_2'), 'me_1', T0), undefined);
    assert.equal(releasedLease(undefined, 'me_1', T0), undefined);
  });
});

describe('renewal rounds and timings', () => {
  test('a failed renewal retries every retry period until the renew deadline, then leadership is lost', () => {
    assert.deepEqual(afterFailedRenew(T0, T0, DEFAULT_TIMINGS), { kind: 'retry', afterMs: 2000 });
    assert.deepEqual(afterFailedRenew(T0, T0 + 9_000, DEFAULT_TIMINGS), { kind: 'retry', afterMs: 1000 });
    assert.deepEqual(afterFailedRenew(T0, T0 + 10_000, DEFAULT_TIMINGS), { kind: 'lost' });
    assert.deepEqual(afterFailedRenew(T0, T0 + 60_000, DEFAULT_TIMINGS), { kind: 'lost' });
  });
  test('acquire attempts are jittered within [retry, 2.2 × retry)', () => {
    assert.equal(acquireDelay(DEFAULT_TIMINGS, 0), 2000);
    assert.equal(acquireDelay(DEFAULT_TIMINGS, 0.999999), 4399);
  });
  test("NewLeaderElector's checks", () => {
    assert.equal(validateTimings(DEFAULT_TIMINGS), undefined);
    assert.match(validateTimings({ leaseDurationMs: 10_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 })!, /leaseDuration must be greater than renewDeadline/);
    assert.match(validateTimings({ leaseDurationMs: 15_000, renewDeadlineMs: 2_400, retryPeriodMs: 2_000 })!, /renewDeadline must be greater than retryPeriod\*1.2/);
    assert.match(validateTimings({ leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 0 })!, /greater than zero/);
    assert.match(validateTimings({ leaseDurationMs: Number.NaN, renewDeadlineMs: 10_000, retryPeriodMs: 1 })!, /greater than zero/);
  });
});

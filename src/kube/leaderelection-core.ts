// Leader election's decisions, as client-go's leaderelection package makes them on a
// coordination.k8s.io/v1 Lease (LeaderElector.tryAcquireOrRenew, release, renew): pure
// functions of the lease as last read, when we first saw it in that state, the time and our
// identity. The shell in leaderelection.ts only reads and writes the Lease.
//
// Validity is judged by *our* clock from when we first observed the record unchanged, never by
// the renewTime written by another process, so clock skew between replicas cannot make two
// leaders (client-go's observedTime).
import type { Lease } from '../api/types.js';
import { rfc3339Micro } from '../api/meta.js';

export interface ElectionTimings {
  /** How long a non-leader waits after the last observed change before taking over (client-go LeaseDuration). */
  leaseDurationMs: number;
  /** How long the leader keeps retrying a failed renewal before it gives up leading (RenewDeadline). */
  renewDeadlineMs: number;
  /** How often every candidate tries to acquire or renew (RetryPeriod). */
  retryPeriodMs: number;
}

/** client-go's and controller-runtime's defaults. */
export const DEFAULT_TIMINGS: ElectionTimings = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };
/** client-go's JitterFactor: acquire attempts are spread over [RetryPeriod, 2.2 × RetryPeriod). */
export const JITTER_FACTOR = 1.2;

/** NewLeaderElector's checks; a message for the first one that fails. */
export function validateTimings(t: ElectionTimings): string | undefined {
  if (!(t.leaseDurationMs > 0) || !(t.renewDeadlineMs > 0) || !(t.retryPeriodMs > 0)) return 'lease duration, renew deadline and retry period must all be greater than zero';
  if (t.leaseDurationMs <= t.renewDeadlineMs) return 'leaseDuration must be greater than renewDeadline';
  if (t.renewDeadlineMs <= JITTER_FACTOR * t.retryPeriodMs) return `renewDeadline must be greater than retryPeriod*${JITTER_FACTOR}`;
  return undefined;
}

/** The Lease's holder record (client-go's LeaderElectionRecord), as this process last read it. */
export interface ElectionRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions: number;
}

/** A Lease's spec as a record; fields absent or of the wrong type read as their zero value. */
export function recordOf(lease: Lease): ElectionRecord {
  const s = (lease.spec ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  return {
    holderIdentity: str(s.holderIdentity) ?? '',
    leaseDurationSeconds: num(s.leaseDurationSeconds),
    acquireTime: str(s.acquireTime), renewTime: str(s.renewTime),
    leaseTransitions: num(s.leaseTransitions),
  };
}

/** When this process first saw the lease's record in its current state. */
export interface Observation { record: string; atMs: number }

/** The observation after reading `lease` at `nowMs`: its time moves only when the record changed. */
export function observe(prev: Observation | undefined, lease: Lease | undefined, nowMs: number): Observation | undefined {
  if (!lease) return undefined;
  const record = JSON.stringify(recordOf(lease));
  return prev && prev.record === record ? prev : { record, atMs: nowMs };
}

export interface ElectionInput {
  /** The lease as just read; undefined when it does not exist. */
  lease: Lease | undefined;
  /** observe()'s time for this lease. */
  observedAtMs: number;
  nowMs: number;
  identity: string;
  timings: ElectionTimings;
  namespace: string;
  name: string;
}

export type ElectionDecision =
  /** No lease yet: create it holding it ourselves. */
  | { kind: 'create'; lease: Lease }
  /** Write this lease (with the read resourceVersion, so a concurrent writer makes it fail with 409). */
  | { kind: 'update'; lease: Lease; transition: boolean }
  /** Someone else holds a lease that has not expired by our clock. */
  | { kind: 'held'; holder: string; expiresAtMs: number };

/** One tryAcquireOrRenew decision. */
export function decide(i: ElectionInput): ElectionDecision {
  const now = rfc3339Micro(i.nowMs);
  const leaseDurationSeconds = Math.ceil(i.timings.leaseDurationMs / 1000);
  if (!i.lease) {
    return {
      kind: 'create',
      lease: {
        apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: i.name, namespace: i.namespace },
        spec: { holderIdentity: i.identity, leaseDurationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 },
      },
    };
  }
  const old = recordOf(i.lease);
  const mine = old.holderIdentity === i.identity;
  const expiresAtMs = i.observedAtMs + old.leaseDurationSeconds * 1000;
  // An empty holder is a released lease: anyone may take it at once.
  if (old.holderIdentity !== '' && !mine && expiresAtMs > i.nowMs) return { kind: 'held', holder: old.holderIdentity, expiresAtMs };
  const spec = mine
    ? { holderIdentity: i.identity, leaseDurationSeconds, acquireTime: old.acquireTime ?? now, renewTime: now, leaseTransitions: old.leaseTransitions }
    : { holderIdentity: i.identity, leaseDurationSeconds, acquireTime: now, renewTime: now, leaseTransitions: old.leaseTransitions + 1 };
  return { kind: 'update', lease: { ...i.lease, spec: { ...i.lease.spec, ...spec } }, transition: !mine };
}

/**
 * ReleaseOnCancel: the lease with an empty holder, so that a standby acquires it on its next try
 * instead of waiting out the lease duration; undefined when we do not hold it (nothing to give up).
 */
export function releasedLease(lease: Lease | undefined, identity: string, nowMs: number): Lease | undefined {
  if (!lease || recordOf(lease).holderIdentity !== identity) return undefined;
  const now = rfc3339Micro(nowMs);
  // client-go writes a 1 s duration and fresh times with the transition count kept.
  return { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: recordOf(lease).leaseTransitions } };
}

export type RenewStep = { kind: 'retry'; afterMs: number } | { kind: 'lost' };

/**
 * After a failed renewal in a round that began at `roundStartMs`: try again after the retry period
 * (or what is left of the deadline), or give up leading once the renew deadline has passed.
 */
export function afterFailedRenew(roundStartMs: number, nowMs: number, t: ElectionTimings): RenewStep {
  const left = roundStartMs + t.renewDeadlineMs - nowMs;
  if (left <= 0) return { kind: 'lost' };
  return { kind: 'retry', afterMs: Math.min(t.retryPeriodMs, left) };
}

/** Delay before the next acquire attempt: RetryPeriod spread by JitterFactor (wait.Jitter); `random` in [0, 1). */
export function acquireDelay(t: ElectionTimings, random: number): number {
  return t.retryPeriodMs + Math.floor(random * JITTER_FACTOR * t.retryPeriodMs);
}

// Leader election's shell (client-go's LeaderElector with a LeaseLock): reads and writes one
// coordination.k8s.io/v1 Lease; every decision is leaderelection-core.ts's. Each write carries the
// resourceVersion it was decided on, so of two candidates acting on the same read one gets 409.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Lease } from '../api/types.js';
import { isConflict, isNotFound, type RawClient } from './client.js';
import { realClock, sleepOn, type Clock } from './clock.js';
import type { Leadership } from './manager.js';
import {
  acquireDelay, afterFailedRenew, decide, observe, releasedLease, type ElectionTimings, type Observation,
} from './leaderelection-core.js';

export interface LeaderElectorOptions {
  namespace: string;
  name: string;
  identity: string;
  timings: ElectionTimings;
  log?: (line: string) => void;
  /** Called with true when we start leading and false when we stop (leader_election_master_status). */
  onLeading?: (leading: boolean) => void;
  clock?: Clock;
}

/** controller-runtime's identity: the hostname (the pod name in a cluster) and a random suffix. */
export function defaultIdentity(): string { return `${hostname()}_${randomUUID()}`; }

export class LeaderElector implements Leadership {
  #observed: Observation | undefined;
  /** The lease as last read or written by us. */
  #lease: Lease | undefined;
  #leading = false;
  #lastRenewMs = 0;

  readonly #clock: Clock;

  constructor(private readonly client: RawClient, readonly o: LeaderElectorOptions) { this.#clock = o.clock ?? realClock; }

  get path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.o.namespace)}/leases/${encodeURIComponent(this.o.name)}`;
  }

  isLeading(): boolean { return this.#leading; }
  /** When the last successful acquire or renewal happened (for the health check). */
  lastRenewMs(): number { return this.#lastRenewMs; }

  /** Tries until we hold the lease (true) or `signal` aborts (false). */
  async acquire(signal: AbortSignal): Promise<boolean> {
    let waitingFor = '';
    this.o.log?.(`leaderelection: attempting to acquire lease ${this.o.namespace}/${this.o.name} as ${this.o.identity}`);
    while (!signal.aborted) {
      const r = await this.#tryAcquireOrRenew(signal, this.o.timings.renewDeadlineMs);
      if (r === true) {
        this.o.log?.(`leaderelection: successfully acquired lease ${this.o.namespace}/${this.o.name}`);
        this.#setLeading(true);
        return true;
      }
      if (typeof r === 'string' && r !== waitingFor) { waitingFor = r; this.o.log?.(`leaderelection: lease is held by ${r}, waiting`); }
      await sleepOn(this.#clock, acquireDelay(this.o.timings, Math.random()), signal);
    }
    return false;
  }

  /**
   * Renews every retry period while leading. Resolves 'lost' when a renewal round has not
   * succeeded within the renew deadline, 'stopped' when `signal` aborts (the caller then releases).
   */
  async renew(signal: AbortSignal): Promise<'lost' | 'stopped'> {
    const t = this.o.timings;
    while (!signal.aborted) {
      await sleepOn(this.#clock, t.retryPeriodMs, signal);
      if (signal.aborted) break;
      const roundStart = this.#clock.now();
      for (;;) {
        const left = roundStart + t.renewDeadlineMs - this.#clock.now();
        const ok = left > 0 && (await this.#tryAcquireOrRenew(signal, left)) === true;
        if (signal.aborted) return 'stopped';
        if (ok) break;
        const step = afterFailedRenew(roundStart, this.#clock.now(), t);
        if (step.kind === 'lost') {
          this.#setLeading(false);
          this.o.log?.(`leaderelection: failed to renew lease ${this.o.namespace}/${this.o.name}: timed out waiting for the condition`);
          return 'lost';
        }
        await sleepOn(this.#clock, step.afterMs, signal);
      }
    }
    return 'stopped';
  }

  /** The manager's name for renew: hold the lease until lost or stopped. */
  hold(signal: AbortSignal): Promise<'lost' | 'stopped'> { return this.renew(signal); }

  /** ReleaseOnCancel: clears holderIdentity if we hold the lease, so a standby takes over at once. */
  async release(timeoutMs = this.o.timings.renewDeadlineMs): Promise<void> {
    const wasLeading = this.#leading;
    this.#setLeading(false);
    if (!wasLeading) return;
    const released = releasedLease(this.#lease, this.o.identity, this.#clock.now());
    if (!released) return;
    try {
      this.#lease = await this.client.request<Lease>('PUT', this.path, released, undefined, { timeoutMs });
      this.o.log?.(`leaderelection: released lease ${this.o.namespace}/${this.o.name}`);
    } catch (err) {
      this.o.log?.(`leaderelection: failed to release lease: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** One attempt: true when we hold the lease afterwards, the holder's name when another does, false on an error. */
  async #tryAcquireOrRenew(signal: AbortSignal, timeoutMs: number): Promise<true | string | false> {
    const call = { signal, timeoutMs };
    let current: Lease | undefined;
    try {
      current = await this.client.request<Lease>('GET', this.path, undefined, undefined, call);
    } catch (err) {
      if (!isNotFound(err)) { this.#logError('get', err, signal); return false; }
    }
    const nowMs = this.#clock.now();
    this.#observed = observe(this.#observed, current, nowMs);
    this.#lease = current;
    const d = decide({ lease: current, observedAtMs: this.#observed?.atMs ?? nowMs, nowMs, identity: this.o.identity, timings: this.o.timings, namespace: this.o.namespace, name: this.o.name });
    if (d.kind === 'held') return d.holder;
    try {
      const written = d.kind === 'create'
        ? await this.client.request<Lease>('POST', `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.o.namespace)}/leases`, d.lease, undefined, call)
        : await this.client.request<Lease>('PUT', this.path, d.lease, undefined, call);
      this.#lease = written;
      this.#observed = observe(this.#observed, written, this.#clock.now());
      this.#lastRenewMs = this.#clock.now();
      return true;
    } catch (err) {
      // 409 (someone wrote first) and 409 AlreadyExists on create are the ordinary race.
      if (!isConflict(err)) this.#logError(d.kind, err, signal);
      return false;
    }
  }

  #logError(what: string, err: unknown, signal: AbortSignal): void {
    if (signal.aborted) return;
    this.o.log?.(`leaderelection: error on ${what} of lease ${this.o.namespace}/${this.o.name}: ${err instanceof Error ? err.message : String(err)}`);
  }

  #setLeading(leading: boolean): void {
    if (this.#leading === leading) return;
    this.#leading = leading;
    this.o.onLeading?.(leading);
  }
}

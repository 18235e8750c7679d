// Records core/v1 Events about DaemonSets, with client-go's spam filter (a burst of 25 per
// object, then one per 5 minutes) so a 10,000-node rollout does not write 10,000 events.
import { randomBytes } from 'node:crypto';
import type { DaemonSet } from '../api/types.js';
import { rfc3339 } from '../api/meta.js';
import type { EventSink } from '../kube/eventsink.js';
import type { CoreEvent } from './core/manage.js';

const burst = 25;
const refillMs = 5 * 60_000;

export class EventRecorder {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  constructor(private readonly sink: EventSink, private readonly component: string, private readonly now: () => number = Date.now) {}

  record(ds: DaemonSet, e: CoreEvent): void {
    const uid = ds.metadata?.uid ?? '';
    if (!this.take(uid)) return;
    const ns = ds.metadata?.namespace ?? 'default';
    const t = rfc3339(this.now());
    const body = {
      apiVersion: 'v1', kind: 'Event',
      metadata: { name: `${ds.metadata?.name}.${randomBytes(8).toString('hex')}`, namespace: ns },
      involvedObject: { apiVersion: 'apps/v1', kind: 'DaemonSet', namespace: ns, name: ds.metadata?.name, uid, resourceVersion: ds.metadata?.resourceVersion },
      reason: e.reason, message: e.message, type: e.type,
      source: { component: this.component }, reportingComponent: this.component, reportingInstance: this.component,
      firstTimestamp: t, lastTimestamp: t, count: 1,
    };
    // Best effort, as in client-go: never awaited, on connections of their own, a failure dropped.
    this.sink.post(ns, body);
  }

  private take(uid: string): boolean {
    const now = this.now();
    const b = this.#buckets.get(uid) ?? { tokens: burst, at: now };
    const refill = Math.floor((now - b.at) / refillMs);
    if (refill > 0) { b.tokens = Math.min(burst, b.tokens + refill); b.at = now; }
    if (b.tokens <= 0) { this.#buckets.set(uid, b); return false; }
    b.tokens--;
    this.#buckets.set(uid, b);
    return true;
  }
}

// Records core/v1 Events about DaemonSets, with client-go's spam filter (a burst of 25 per
// object, then one per 5 minutes) so a 10,000-node rollout does not write 10,000 events.
import type { DaemonSet } from '../api/types.js';
import { coreEvent, type EventRegarding, type EventSink } from '../kube/eventsink.js';
import type { CoreEvent } from './core/manage.js';

const burst = 25;
const refillMs = 5 * 60_000;

export class EventRecorder {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  constructor(private readonly sink: EventSink, private readonly component: string, private readonly now: () => number = Date.now) {}

  record(ds: DaemonSet, e: CoreEvent): void {
    const m = ds.metadata ?? {};
    this.recordAbout({ apiVersion: 'apps/v1', kind: 'DaemonSet', namespace: m.namespace ?? 'default', name: m.name ?? '', uid: m.uid ?? '', resourceVersion: m.resourceVersion }, e);
  }

  /** An Event about any object (a malformed pod or node the controller had to skip), under the same spam filter. */
  recordAbout(regarding: EventRegarding, e: CoreEvent): void {
    if (!this.take(regarding.uid || `${regarding.kind}/${regarding.namespace ?? ''}/${regarding.name}`)) return;
    const { namespace, body } = coreEvent(regarding, e, this.component, this.now());
    // Best effort, as in client-go: never awaited, on connections of their own, a failure dropped.
    this.sink.post(namespace, body);
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

// Best-effort, asynchronous Event writes, as client-go's event broadcaster makes them: recording
// never waits for the API, events go out on connections of their own (so they never queue in
// front of the writes that matter, like a kubelet's pod status), a bounded backlog drops the
// newest when full, and a failed write is not retried.
import type { KubeConfig } from '@kubernetes/client-node';
import { RawClient } from './client.js';
import { randomBytes } from 'node:crypto';
import { Limiter } from './limiter.js';
import { rfc3339 } from '../api/meta.js';

export interface EventSinkOptions {
  /** Event writes in flight at once. Default 4. */
  concurrency?: number;
  /** Events waiting beyond this many are dropped (client-go's broadcaster queue holds 1,000 per process). Default 10,000. */
  maxBacklog?: number;
  /** The User-Agent of the events' writes: the component's own (RawClientOptions.userAgent). */
  userAgent?: string;
}

export class EventSink {
  readonly #client: RawClient;
  readonly #limit: Limiter;
  readonly #maxBacklog: number;
  #waiting = 0;
  #dropped = 0;
  #closed = false;

  constructor(kc: KubeConfig, o: EventSinkOptions = {}) {
    const concurrency = o.concurrency ?? 4;
    this.#client = new RawClient(kc, { maxSockets: concurrency, userAgent: o.userAgent });
    this.#limit = new Limiter(concurrency);
    this.#maxBacklog = o.maxBacklog ?? 10_000;
  }

  /** Events dropped because the backlog was full. */
  get dropped(): number { return this.#dropped; }
  get backlog(): number { return this.#waiting; }

  /** Queues a core/v1 Event for `namespace`; returns at once. */
  post(namespace: string, event: object): void {
    if (this.#closed) return;
    if (this.#waiting >= this.#maxBacklog) { this.#dropped++; return; }
    this.#waiting++;
    void this.#limit.run(async () => {
      this.#waiting--;
      if (this.#closed) return;
      await this.#client.request('POST', `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`, event).catch(() => {});
    });
  }

  /** Stops sending; queued events are dropped. */
  close(): void {
    this.#closed = true;
    this.#client.close();
  }
}

/** The object an Event is about (core/v1 ObjectReference). */
export interface EventRegarding { apiVersion: string; kind: string; namespace?: string; name: string; uid?: string; resourceVersion?: string }

/**
 * A core/v1 Event about any object. Cluster-scoped objects' events go to "default", as
 * client-go's recorder puts them.
 */
export function coreEvent(regarding: EventRegarding, e: { type: 'Normal' | 'Warning'; reason: string; message: string }, component: string, nowMs: number): { namespace: string; body: object } {
  const namespace = regarding.namespace || 'default';
  const t = rfc3339(nowMs);
  // The name only has to be unique and valid; a malformed object's own name may be neither.
  const base = /^[a-z0-9]([-a-z0-9.]{0,200}[a-z0-9])?$/.test(regarding.name) ? regarding.name : 'invalid-object';
  return {
    namespace,
    body: {
      apiVersion: 'v1', kind: 'Event',
      metadata: { name: `${base}.${randomBytes(8).toString('hex')}`, namespace },
      involvedObject: { ...regarding },
      reason: e.reason, message: e.message.slice(0, 1024), type: e.type,
      source: { component }, reportingComponent: component, reportingInstance: component,
      firstTimestamp: t, lastTimestamp: t, count: 1,
    },
  };
}

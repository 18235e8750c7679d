// Best-effort, asynchronous Event writes, as client-go's event broadcaster makes them: recording
// never waits for the API, events go out on connections of their own (so they never queue in
// front of the writes that matter, like a kubelet's pod status), a bounded backlog drops the
// newest when full, and a failed write is not retried.
import type { KubeConfig } from '@kubernetes/client-node';
import { RawClient } from './client.js';
import { Limiter } from './limiter.js';

export interface EventSinkOptions {
  /** Event writes in flight at once. Default 4. */
  concurrency?: number;
  /** Events waiting beyond this many are dropped (client-go's broadcaster queue holds 1,000 per process). Default 10,000. */
  maxBacklog?: number;
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
    this.#client = new RawClient(kc, { maxSockets: concurrency });
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

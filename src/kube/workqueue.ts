// client-go's work queue promises in TypeScript: fair (FIFO), stingy (a key is never processed
// twice at once and repeated adds collapse), delayed adds, and per-key exponential back-off,
// optionally combined with an overall token bucket (client-go's default controller limiter).
// Node is single-threaded but reconciles await I/O, so two async workers could interleave on
// one key without the processing set. Written here rather than taken from a library because no
// npm queue has the dirty/processing semantics controllers rely on.

import { realClock, type Clock } from './clock.js';

/** The queue's time source: the runtime's one clock (clock.ts). */
export type QueueClock = Clock;
export const realQueueClock: QueueClock = realClock;

/**
 * What a named queue reports (client-go's workqueue MetricsProvider). Installed process-wide with
 * setWorkQueueMetricsProvider; a queue without a name or provider reports nothing and pays nothing.
 * The reconcile metrics are the controller loop's (controllerloop.ts).
 */
export interface WorkQueueMetrics {
  /** A key became pending (workqueue_adds_total). */
  added(): void;
  /** Keys waiting to be handed out (workqueue_depth). */
  depth(n: number): void;
  /** Seconds a key waited between add and get (workqueue_queue_duration_seconds). */
  queued(seconds: number): void;
  /** Seconds between get and done (workqueue_work_duration_seconds). */
  worked(seconds: number): void;
  /** addRateLimited (workqueue_retries_total). */
  retried(): void;
  /**
   * Hands over a reader of the work in progress, read when metrics are scraped
   * (workqueue_unfinished_work_seconds and workqueue_longest_running_processor_seconds: client-go
   * updates them every 500 ms; reading on scrape gives the same values without a timer).
   */
  inFlight?(read: () => InFlightWork): void;
}

/** Keys taken and not yet done: their summed and their longest time in processing, in seconds. */
export interface InFlightWork { unfinishedSeconds: number; longestSeconds: number }

let metricsProvider: ((name: string) => WorkQueueMetrics) | undefined;
/** client-go's workqueue.SetProvider: queues constructed with a name afterwards report to it. */
export function setWorkQueueMetricsProvider(p: ((name: string) => WorkQueueMetrics) | undefined): void { metricsProvider = p; }

export interface WorkQueueOptions {
  /** Names the queue's metrics (client-go's queue name; controller-runtime uses the controller's name). */
  name?: string;
  /** Per-key exponential back-off: first retry delay (client-go: 5 ms). */
  baseDelayMs?: number;
  /** Per-key back-off cap (client-go: 1000 s). */
  maxDelayMs?: number;
  /** Overall retry budget shared by all keys; addRateLimited waits for the longer of the two. */
  bucket?: { qps: number; burst: number };
  clock?: QueueClock;
}

export class WorkQueue<K = string> {
  #order: K[] = [];
  #head = 0;
  readonly #dirty = new Set<K>();
  readonly #processing = new Set<K>();
  readonly #waiters: ((k: K | undefined) => void)[] = [];
  readonly #failures = new Map<K, number>();
  readonly #timers = new Map<K, { at: number; cancel: () => void }>();
  #shuttingDown = false;
  readonly #base: number;
  readonly #max: number;
  readonly #clock: QueueClock;
  readonly #bucket?: { qps: number; burst: number; tokens: number; at: number };
  readonly #metrics: WorkQueueMetrics | undefined;
  /** With metrics only: when each pending key was added, and when each processing key was taken. */
  readonly #addedAt = new Map<K, number>();
  readonly #takenAt = new Map<K, number>();

  constructor(o: WorkQueueOptions = {}) {
    this.#base = o.baseDelayMs ?? 5;
    this.#max = o.maxDelayMs ?? 1_000_000;
    this.#clock = o.clock ?? realQueueClock;
    this.#metrics = o.name !== undefined ? metricsProvider?.(o.name) : undefined;
    this.#metrics?.inFlight?.(() => this.#inFlight());
    if (o.bucket) this.#bucket = { ...o.bucket, tokens: o.bucket.burst, at: this.#clock.now() };
  }

  add(k: K): void { this.#add(k, true); }

  /** `counted`: false for done()'s re-queue of a key added while it was processing (already counted then). */
  #add(k: K, counted: boolean): void {
    if (this.#shuttingDown || this.#dirty.has(k)) return;
    this.#dirty.add(k);
    if (this.#metrics && counted) { this.#metrics.added(); if (!this.#addedAt.has(k)) this.#addedAt.set(k, this.#clock.now()); }
    if (this.#processing.has(k)) return; // done() queues it again
    const w = this.#waiters.shift();
    if (w) { this.#take(k); w(k); } else { this.#order.push(k); this.#metrics?.depth(this.len()); }
  }

  /** Adds after a delay; an earlier pending delay for the same key wins. */
  addAfter(k: K, ms: number): void {
    if (this.#shuttingDown) return;
    if (ms <= 0) return this.add(k);
    const at = this.#clock.now() + ms;
    const cur = this.#timers.get(k);
    if (cur && cur.at <= at) return;
    cur?.cancel();
    const cancel = this.#clock.setTimer(() => { this.#timers.delete(k); this.add(k); }, ms);
    this.#timers.set(k, { at, cancel });
  }

  /** Re-adds after this key's exponential back-off (base doubling up to the maximum) or the bucket's wait, whichever is longer. */
  addRateLimited(k: K): void {
    this.#metrics?.retried();
    this.addAfter(k, this.whenRetry(k));
  }

  /** The delay addRateLimited uses now (and records the failure). */
  whenRetry(k: K): number {
    const n = this.#failures.get(k) ?? 0;
    this.#failures.set(k, n + 1);
    // 2 ** n overflows to Infinity for large n; Math.min still caps it.
    return Math.max(Math.min(this.#base * 2 ** n, this.#max), this.#bucketDelay());
  }

  /** Clears the failure history of a key (after a successful reconcile). */
  forget(k: K): void { this.#failures.delete(k); }
  numRequeues(k: K): number { return this.#failures.get(k) ?? 0; }

  /**
   * Next key, or undefined once shut down. Unlike client-go we do not hand out keys still queued
   * at shutdown: our workers stop with the process, and reconciling then would only race the
   * API server's own shutdown.
   */
  get(): Promise<K | undefined> {
    if (this.#shuttingDown) return Promise.resolve(undefined);
    if (this.#head < this.#order.length) {
      const k = this.#order[this.#head++];
      if (this.#head > 1024 && this.#head * 2 > this.#order.length) { this.#order = this.#order.slice(this.#head); this.#head = 0; }
      this.#take(k);
      this.#metrics?.depth(this.len());
      return Promise.resolve(k);
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  done(k: K): void {
    if (this.#metrics) {
      const at = this.#takenAt.get(k);
      if (at !== undefined) { this.#takenAt.delete(k); this.#metrics.worked((this.#clock.now() - at) / 1000); }
    }
    this.#processing.delete(k);
    if (this.#dirty.has(k)) {
      this.#dirty.delete(k);
      this.#add(k, false);
    }
  }

  /** Keys waiting to be handed out (not those being processed or delayed). */
  len(): number { return this.#order.length - this.#head; }
  isProcessing(k: K): boolean { return this.#processing.has(k); }
  shuttingDown(): boolean { return this.#shuttingDown; }

  shutDown(): void {
    this.#shuttingDown = true;
    for (const { cancel } of this.#timers.values()) cancel();
    this.#timers.clear();
    for (const w of this.#waiters.splice(0)) w(undefined);
  }

  #take(k: K): void {
    this.#dirty.delete(k);
    this.#processing.add(k);
    if (this.#metrics) {
      const now = this.#clock.now();
      const at = this.#addedAt.get(k);
      if (at !== undefined) { this.#addedAt.delete(k); this.#metrics.queued((now - at) / 1000); }
      this.#takenAt.set(k, now);
    }
  }

  #inFlight(): InFlightWork {
    const now = this.#clock.now();
    let unfinished = 0, longest = 0;
    for (const at of this.#takenAt.values()) { const s = (now - at) / 1000; unfinished += s; longest = Math.max(longest, s); }
    return { unfinishedSeconds: unfinished, longestSeconds: longest };
  }

  /** Token bucket reservation (rate.Limiter.Reserve().Delay()): 0 while tokens last, then 1/qps apart. */
  #bucketDelay(): number {
    const b = this.#bucket;
    if (!b) return 0;
    const now = this.#clock.now();
    b.tokens = Math.min(b.burst, b.tokens + ((now - b.at) * b.qps) / 1000);
    b.at = now;
    b.tokens -= 1;
    return b.tokens >= 0 ? 0 : Math.ceil((-b.tokens * 1000) / b.qps);
  }
}

// client-go's work queue promises in TypeScript: fair (FIFO), stingy (a key is never processed
// twice at once and repeated adds collapse), delayed adds, and per-key exponential back-off.
// Node is single-threaded but reconciles await I/O, so two async workers could interleave on
// one key without the processing set.

export interface WorkQueueOptions {
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export class WorkQueue<K = string> {
  #order: K[] = [];
  #head = 0;
  readonly #dirty = new Set<K>();
  readonly #processing = new Set<K>();
  readonly #waiters: ((k: K | undefined) => void)[] = [];
  readonly #failures = new Map<K, number>();
  readonly #timers = new Map<K, { at: number; timer: NodeJS.Timeout }>();
  #shuttingDown = false;
  readonly #base: number;
  readonly #max: number;

  constructor(o: WorkQueueOptions = {}) {
    this.#base = o.baseDelayMs ?? 5;
    this.#max = o.maxDelayMs ?? 300_000;
  }

  add(k: K): void {
    if (this.#shuttingDown || this.#dirty.has(k)) return;
    this.#dirty.add(k);
    if (this.#processing.has(k)) return; // done() queues it again
    const w = this.#waiters.shift();
    if (w) { this.#take(k); w(k); } else this.#order.push(k);
  }

  /** Adds after a delay; an earlier pending delay for the same key wins. */
  addAfter(k: K, ms: number): void {
    if (this.#shuttingDown) return;
    if (ms <= 0) return this.add(k);
    const at = Date.now() + ms;
    const cur = this.#timers.get(k);
    if (cur && cur.at <= at) return;
    if (cur) clearTimeout(cur.timer);
    const timer = setTimeout(() => { this.#timers.delete(k); this.add(k); }, ms);
    timer.unref?.();
    this.#timers.set(k, { at, timer });
  }

  /** Re-adds after this key's exponential back-off (5 ms doubling up to the maximum). */
  addRateLimited(k: K): void {
    const n = this.#failures.get(k) ?? 0;
    this.#failures.set(k, n + 1);
    this.addAfter(k, Math.min(this.#base * 2 ** n, this.#max));
  }

  /** Clears the failure history of a key (after a successful reconcile). */
  forget(k: K): void { this.#failures.delete(k); }
  numRequeues(k: K): number { return this.#failures.get(k) ?? 0; }

  /** Next key, or undefined once shut down. */
  get(): Promise<K | undefined> {
    if (this.#head < this.#order.length) {
      const k = this.#order[this.#head++];
      if (this.#head > 1024 && this.#head * 2 > this.#order.length) { this.#order = this.#order.slice(this.#head); this.#head = 0; }
      this.#take(k);
      return Promise.resolve(k);
    }
    if (this.#shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  done(k: K): void {
    this.#processing.delete(k);
    if (this.#dirty.has(k)) {
      this.#dirty.delete(k);
      this.add(k);
    }
  }

  len(): number { return this.#order.length - this.#head; }

  shutDown(): void {
    this.#shuttingDown = true;
    for (const { timer } of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    for (const w of this.#waiters.splice(0)) w(undefined);
  }

  #take(k: K): void {
    this.#dirty.delete(k);
    this.#processing.add(k);
  }
}

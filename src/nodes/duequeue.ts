// A priority queue of keyed deadlines: the simulator's single "timer wheel". One pending
// deadline per key; rescheduling or cancelling a key is O(log n) (stale heap entries are
// skipped lazily), so 10,000 nodes cost one setTimeout, not 10,000. Pure data: the shell owns
// the clock and the one real timer.

interface Entry { key: string; at: number; seq: number }

export class DueQueue {
  readonly #heap: Entry[] = [];
  readonly #live = new Map<string, Entry>();
  #seq = 0;

  get size(): number { return this.#live.size; }
  has(key: string): boolean { return this.#live.has(key); }
  dueAt(key: string): number | undefined { return this.#live.get(key)?.at; }

  /** Sets (or moves) the key's deadline. */
  schedule(key: string, atMs: number): void {
    const e = { key, at: atMs, seq: this.#seq++ };
    this.#live.set(key, e);
    this.#push(e);
    // Lazy deletion lets stale entries pile up under churn; rebuild when they dominate.
    if (this.#heap.length > 64 && this.#heap.length > 4 * this.#live.size) this.#rebuild();
  }

  cancel(key: string): void { this.#live.delete(key); }

  /** Earliest live deadline, if any. */
  peek(): number | undefined {
    this.#dropStale();
    return this.#heap[0]?.at;
  }

  /** Removes and returns every key due at or before `nowMs`, earliest first. */
  popDue(nowMs: number, limit = Infinity): string[] {
    const out: string[] = [];
    while (out.length < limit) {
      this.#dropStale();
      const top = this.#heap[0];
      if (!top || top.at > nowMs) break;
      this.#pop();
      this.#live.delete(top.key);
      out.push(top.key);
    }
    return out;
  }

  #dropStale(): void {
    while (this.#heap.length && this.#live.get(this.#heap[0].key) !== this.#heap[0]) this.#pop();
  }

  #rebuild(): void {
    this.#heap.length = 0;
    for (const e of [...this.#live.values()].sort(less)) this.#heap.push(e); // a sorted array is a heap
  }

  #push(e: Entry): void {
    const h = this.#heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (less(h[p], h[i]) <= 0) break;
      [h[p], h[i]] = [h[i], h[p]];
      i = p;
    }
  }

  #pop(): void {
    const h = this.#heap;
    const last = h.pop()!;
    if (!h.length) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < h.length && less(h[l], h[m]) < 0) m = l;
      if (r < h.length && less(h[r], h[m]) < 0) m = r;
      if (m === i) return;
      [h[m], h[i]] = [h[i], h[m]];
      i = m;
    }
  }
}

const less = (a: Entry, b: Entry) => a.at - b.at || a.seq - b.seq;

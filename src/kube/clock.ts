// The one time source of the controller runtime (client-go's clock.Clock): the work queue, the
// controller loop, the leader elector and the DaemonSet controller's expectations all read it, so
// a test can drive every timer of them in fake time with one object.

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls fn after ms; returns a cancel function. A pending timer never keeps the process alive. */
  setTimer(fn: () => void, ms: number): () => void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref?.(); // a pending retry must not keep the process alive
    return () => clearTimeout(t);
  },
};

/** Resolves after ms on `clock`, or at once when `signal` aborts (already aborted: at once). */
export function sleepOn(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => { cancel(); signal?.removeEventListener('abort', done); resolve(); };
    const cancel = clock.setTimer(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** A clock that moves only when told to (tests): timers fire in due order as time is advanced. */
export class ManualClock implements Clock {
  #t: number;
  #timers: { at: number; seq: number; fn: () => void }[] = [];
  #seq = 0;
  constructor(startMs = 1_000_000) { this.#t = startMs; }
  now(): number { return this.#t; }
  setTimer(fn: () => void, ms: number): () => void {
    const timer = { at: this.#t + Math.max(0, ms), seq: this.#seq++, fn };
    this.#timers.push(timer);
    return () => { this.#timers = this.#timers.filter((x) => x !== timer); };
  }
  /** Moves time forward by ms, firing every timer that falls due on the way, in order. */
  advance(ms: number): void {
    const end = this.#t + ms;
    for (;;) {
      const due = this.#timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.#timers = this.#timers.filter((x) => x !== due);
      this.#t = Math.max(this.#t, due.at);
      due.fn();
    }
    this.#t = end;
  }
  /** Timers not yet fired. */
  pending(): number { return this.#timers.length; }
}

// In-process fan-out of committed write batches to watchers. We write our own (instead of
// node:events) for two properties EventEmitter lacks: a throwing subscriber is isolated from the
// publisher and from the other subscribers, and a batch published re-entrantly (a subscriber
// that writes) is queued until the current batch reached everyone, so every subscriber sees
// batches in commit order.

export type Subscriber<T> = (batch: T[]) => void;

export class Broadcaster<T> {
  private readonly subscribers = new Set<Subscriber<T>>();
  private readonly queue: T[][] = [];
  private delivering = false;

  constructor(private readonly onSubscriberError: (err: unknown) => void) {}

  /** Adds a subscriber; the returned function removes it (idempotent). */
  subscribe(subscriber: Subscriber<T>): () => void {
    // Wrap so the same function may subscribe twice and each unsubscribe removes only its own.
    const entry: Subscriber<T> = (batch) => subscriber(batch);
    this.subscribers.add(entry);
    return () => { this.subscribers.delete(entry); };
  }

  get size(): number {
    return this.subscribers.size;
  }

  publish(batch: T[]): void {
    this.queue.push(batch);
    if (this.delivering) return; // the outer publish call drains the queue in order
    this.delivering = true;
    try {
      for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) {
        // Set iteration skips members deleted mid-loop, so stop() inside a callback takes effect.
        for (const subscriber of this.subscribers) {
          try {
            subscriber(next);
          } catch (err) {
            reportQuietly(this.onSubscriberError, err);
          }
        }
      }
    } finally {
      this.delivering = false;
    }
  }

  clear(): void {
    this.subscribers.clear();
    this.queue.length = 0;
  }
}

/** An error reporter that itself throws must not break delivery either. */
function reportQuietly(report: (err: unknown) => void, err: unknown): void {
  try {
    report(err);
  } catch {
    // Nothing sensible is left to do with it.
  }
}

// One watch on a backend: the live batches it is subscribed to, filtered by key prefix, after a
// replay of history; never a revision twice or out of order. Shared by both backends (a backend
// subscribes it to its broadcaster first, then replays up to its newest committed revision).
import type { WatchEvent, Watcher } from './backend.js';

/** One watch: filters live batches by prefix, replays history, and never repeats a revision. */
export class PrefixWatcher implements Watcher {
  unsubscribe: () => void = () => {};
  private lastDelivered: number;
  private replaying = true;
  private held: WatchEvent[] = [];
  private stopped = false;

  constructor(
    private readonly prefix: string,
    fromRev: number,
    private readonly listener: (events: WatchEvent[]) => void,
    private readonly onError: (err: unknown) => void,
  ) {
    this.lastDelivered = fromRev;
  }

  stop(): void {
    this.stopped = true;
    this.held = [];
    this.unsubscribe();
  }

  onLive(batch: WatchEvent[]): void {
    const mine = batch.filter((e) => e.key.startsWith(this.prefix));
    if (mine.length === 0) return;
    if (this.replaying) this.held.push(...mine);
    else this.deliver(mine);
  }

  /** readChunk(after) returns the next history events with rev > after, oldest first. */
  replay(readChunk: (after: number) => WatchEvent[]): void {
    for (let chunk = readChunk(this.lastDelivered); chunk.length > 0 && !this.stopped; chunk = readChunk(this.lastDelivered)) {
      this.deliver(chunk);
    }
    // Live events that arrived meanwhile; delivering them may queue more, hence the loop.
    while (this.held.length > 0 && !this.stopped) {
      const held = this.held;
      this.held = [];
      this.deliver(held);
    }
    this.replaying = false;
  }

  private deliver(events: WatchEvent[]): void {
    if (this.stopped) return;
    const fresh = events.filter((e) => e.rev > this.lastDelivered);
    if (fresh.length === 0) return;
    this.lastDelivered = fresh[fresh.length - 1].rev;
    try {
      this.listener(fresh);
    } catch (err) {
      this.onError(err);
    }
  }
}

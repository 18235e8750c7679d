// The Backend contract in process memory, for --in-memory clusters, where SQLite's transactions,
// statement calls and string copies bought nothing but CPU. SqliteBackend is the reference for
// every semantic (revisions, batch rollback, compaction, watch replay); this file only swaps the
// data structures:
//   objects + keys: a Map for get and a B+ tree of the keys (code point order, as SQLite's UTF-8
//                   byte order) for prefix ranges (a sorted array cost a splice per create: at
//                   50,000 nodes with their leases, pods and events, most of a create's time);
//   log:            the event array, ascending by revision, trimmed from the front by compact().
// KV and WatchEvent objects are shared with callers and never mutated here, so nothing is copied.
import type {
  Backend, CreateResult, DeleteResult, KV, ListOptions, UpdateResult, WatchEvent, Watcher,
} from './backend.js';
import BTreeModule from 'sorted-btree';
import { Broadcaster } from './broadcaster.js';
import { PrefixWatcher } from './prefixwatcher.js';
import { isWellFormedKey } from './keyrange.js';
import { DEFAULT_HISTORY_LIMIT, type SqliteBackendOptions } from './sqlite.js';

// sorted-btree is CommonJS with `exports.default`: under Node's ESM interop the import is the
// exports object (the class is `.default`); a CommonJS build of this file gets the class itself.
type BTreeClass = typeof BTreeModule.default;
const BTree: BTreeClass = (BTreeModule as unknown as { default?: BTreeClass }).default ?? (BTreeModule as unknown as BTreeClass);

export type MemoryBackendOptions = SqliteBackendOptions;

/** History replay hands the listener at most this many events per call (as SqliteBackend). */
const REPLAY_CHUNK = 1000;

/** What batch() must restore on a throw: a key's previous state, or events a compaction dropped. */
type Undo = { key: string; prev: KV | undefined } | { dropped: WatchEvent[]; compacted: number };

export class MemoryBackend implements Backend {
  private readonly historyLimit: number;
  private readonly broadcaster: Broadcaster<WatchEvent>;
  private readonly onListenerError: (err: unknown) => void;
  private readonly objects = new Map<string, KV>();
  /** Every live key, ascending by compareCodePoints. */
  /** The keys in code point order: a B+ tree, so a create costs O(log n), not a splice of every key after it. */
  private readonly keys = new BTree<string, undefined>(undefined, compareCodePoints);
  /** Events with revision > compacted, ascending by revision; includes an open batch's writes. */
  private log: WatchEvent[] = [];
  /** Newest revision handed out, including writes of a batch still open. */
  private rev = 0;
  /** Newest committed revision: history replay stops here, later events arrive live. */
  private committedRev = 0;
  private compacted = 0;
  /** Events of the open (outermost) batch, published once it returns. */
  private uncommitted: WatchEvent[] = [];
  /** Undo records of the open batch; empty outside one, where a write cannot fail halfway. */
  private undo: Undo[] = [];
  private batchDepth = 0;
  private closed = false;

  constructor(options: MemoryBackendOptions = {}) {
    this.historyLimit = options.historyLimit ?? DEFAULT_HISTORY_LIMIT;
    if (!Number.isInteger(this.historyLimit) || this.historyLimit < 0) {
      throw new Error(`historyLimit must be a non-negative integer, got ${this.historyLimit}`);
    }
    this.onListenerError = options.onListenerError
      ?? ((err: unknown) => process.emitWarning(`storage watch listener threw: ${String(err)}`));
    this.broadcaster = new Broadcaster<WatchEvent>(this.onListenerError);
  }

  currentRevision(): number {
    this.assertOpen();
    return this.rev;
  }

  compactedRevision(): number {
    this.assertOpen();
    return this.compacted;
  }

  get(key: string): KV | undefined {
    this.assertOpen();
    return this.objects.get(key);
  }

  list(prefix: string, opts: ListOptions = {}): { rev: number; kvs: KV[]; more: boolean } {
    this.assertOpen();
    const { after, limit } = opts;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
      throw new Error(`list limit must be a non-negative integer, got ${limit}`);
    }
    // Start after `after` only when it lies at or beyond the prefix; otherwise the prefix bounds it.
    const from = after !== undefined && compareCodePoints(after, prefix) >= 0 ? this.keys.nextHigherKey(after) : this.keys.getPairOrNextHigher(prefix)?.[0];
    // Keys with the prefix are contiguous in key order, so the range ends at the first miss and
    // there are more exactly when the limit stopped us before it.
    const max = limit ?? Infinity;
    const kvs: KV[] = [];
    let more = false;
    if (from !== undefined) {
      for (const key of this.keys.keys(from)) {
        if (!key.startsWith(prefix)) break;
        if (kvs.length >= max) { more = true; break; }
        kvs.push(this.objects.get(key)!);
      }
    }
    return { rev: this.rev, kvs, more };
  }

  count(prefix: string): number {
    this.assertOpen();
    const from = this.keys.getPairOrNextHigher(prefix)?.[0];
    let n = 0;
    if (from !== undefined) for (const key of this.keys.keys(from)) { if (!key.startsWith(prefix)) break; n++; }
    return n;
  }

  create(key: string, value: string): CreateResult {
    this.assertOpen();
    if (!isWellFormedKey(key)) throw new Error(`storage key is not well-formed UTF-16: ${JSON.stringify(key)}`);
    const current = this.objects.get(key);
    if (current) return { ok: false, current };
    const rev = this.rev + 1;
    const kv: KV = { key, value, createRev: rev, modRev: rev };
    this.write(key, kv, { type: 'put', rev, key, value });
    return { ok: true, kv };
  }

  update(key: string, value: string, expectModRev?: number): UpdateResult {
    this.assertOpen();
    const current = this.objects.get(key);
    if (!current) return { ok: false };
    if (expectModRev !== undefined && current.modRev !== expectModRev) return { ok: false, current };
    const rev = this.rev + 1;
    const kv: KV = { key, value, createRev: current.createRev, modRev: rev };
    this.write(key, kv, { type: 'put', rev, key, value, prevValue: current.value });
    return { ok: true, kv };
  }

  delete(key: string, expectModRev?: number): DeleteResult {
    this.assertOpen();
    const current = this.objects.get(key);
    if (!current) return { ok: false };
    if (expectModRev !== undefined && current.modRev !== expectModRev) return { ok: false, current };
    const rev = this.rev + 1;
    this.write(key, undefined, { type: 'delete', rev, key, value: current.value, prevValue: current.value });
    return { ok: true, rev, prev: current };
  }

  /**
   * Runs fn as one transaction: its writes commit together (or not at all, when fn throws) and
   * watchers receive them as one batch after the outermost batch() returns. A nested batch that
   * throws undoes only its own writes, like a SQLite savepoint.
   */
  batch<T>(fn: () => T): T {
    this.assertOpen();
    const undoMark = this.undo.length;
    const eventMark = this.uncommitted.length;
    const revBefore = this.rev;
    this.batchDepth++;
    let result: T;
    try {
      result = fn();
    } catch (err) {
      this.rollback(undoMark);
      this.uncommitted.length = eventMark;
      // The rolled-back revisions were never visible to anyone, so they are handed out again
      // (SQLite rolls its AUTOINCREMENT counter back the same way).
      this.rev = revBefore;
      throw err;
    } finally {
      this.batchDepth--;
    }
    if (this.batchDepth === 0) {
      this.undo = [];
      if (this.uncommitted.length > 0) this.publish(this.uncommitted);
    }
    return result;
  }

  watch(prefix: string, fromRev: number, listener: (events: WatchEvent[]) => void): Watcher | { compacted: number } {
    this.assertOpen();
    if (fromRev < this.compacted) return { compacted: this.compacted };
    const watcher = new PrefixWatcher(prefix, fromRev, listener, this.onListenerError);
    // As SqliteBackend: subscribe first, then replay up to the newest committed revision; live
    // batches arriving meanwhile (a listener may write) are held back and de-duplicated by
    // revision. Writes of an open batch are not replayed: they arrive live after it returns, or
    // never if it throws.
    watcher.unsubscribe = this.broadcaster.subscribe((batch) => watcher.onLive(batch));
    const upTo = this.committedRev;
    watcher.replay((after) => this.readHistory(prefix, after, upTo));
    return watcher;
  }

  /**
   * Drops the oldest events so that at most `keep` remain (default: the historyLimit option) and
   * returns the new compacted revision. Meant to be called periodically by the server.
   */
  compact(keep: number = this.historyLimit): number {
    this.assertOpen();
    if (!Number.isInteger(keep) || keep < 0) throw new Error(`compact keep must be a non-negative integer, got ${keep}`);
    const drop = this.log.length - keep;
    if (drop <= 0) return this.compacted;
    const cutoff = this.log[drop - 1].rev;
    if (cutoff <= this.compacted) return this.compacted;
    const dropped = this.log.slice(0, drop);
    this.log = this.log.slice(drop);
    if (this.batchDepth > 0) this.undo.push({ dropped, compacted: this.compacted });
    this.compacted = cutoff;
    return this.compacted;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.broadcaster.clear();
    // Let the data go even if someone keeps a reference to the closed backend.
    this.objects.clear();
    this.keys.clear();
    this.log = [];
    this.uncommitted = [];
    this.undo = [];
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('storage backend is closed');
  }

  /** Applies one write (kv undefined deletes the key), logs its event and commits or defers it. */
  private write(key: string, kv: KV | undefined, event: WatchEvent): void {
    if (this.batchDepth > 0) this.undo.push({ key, prev: this.objects.get(key) });
    this.setKey(key, kv);
    this.rev = event.rev;
    this.log.push(event);
    if (this.batchDepth > 0) this.uncommitted.push(event);
    else this.publish([event]);
  }

  private publish(events: WatchEvent[]): void {
    this.committedRev = this.rev;
    this.uncommitted = [];
    this.broadcaster.publish(events);
  }

  /** Undoes the open batch's records newer than mark, newest first, so each sees the state it left. */
  private rollback(mark: number): void {
    while (this.undo.length > mark) {
      const u = this.undo.pop()!;
      if ('key' in u) {
        this.setKey(u.key, u.prev);
        this.log.pop(); // that write's event, the newest at this point of the unwinding
      } else {
        this.log = u.dropped.concat(this.log);
        this.compacted = u.compacted;
      }
    }
  }

  private setKey(key: string, kv: KV | undefined): void {
    if (kv) {
      if (!this.objects.has(key)) this.keys.set(key, undefined);
      this.objects.set(key, kv);
    } else if (this.objects.delete(key)) {
      this.keys.delete(key);
    }
  }

  /** Up to REPLAY_CHUNK events under prefix with afterRev < rev <= upToRev, oldest first (none only when none are left). */
  private readHistory(prefix: string, afterRev: number, upToRev: number): WatchEvent[] {
    const log = this.log;
    let lo = 0;
    let hi = log.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (log[mid].rev > afterRev) hi = mid;
      else lo = mid + 1;
    }
    const events: WatchEvent[] = [];
    for (let i = lo; i < log.length && log[i].rev <= upToRev; i++) {
      if (!log[i].key.startsWith(prefix)) continue;
      events.push(log[i]);
      if (events.length === REPLAY_CHUNK) break;
    }
    return events;
  }
}

/**
 * Orders keys by code point, which is SQLite's UTF-8 byte order (keyrange.compareKeys), without
 * its two Buffer allocations per call. UTF-16 code units order the same way, except that the
 * surrogates of astral characters sort below U+E000..U+FFFF; ranking them above fixes that (in
 * well-formed strings a low surrogate only ever differs from another low surrogate). Exported
 * for its property test against compareKeys.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** Moves surrogates (0xD800..0xDFFF) above 0xE000..0xFFFF, keeping order within each group. */
function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

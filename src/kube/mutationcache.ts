// client-go's MutationCache (tools/cache/mutation_cache.go, NewIntegerResourceVersionMutationCache)
// for one informer: a controller remembers the object its own write was answered with, and reads
// that instead of the informer's copy until the watch has brought the write (or something newer)
// back. Without it, a sync that starts between the write's answer and its watch event plans on
// the older object: it writes again what it has just written, from a stale resourceVersion, and
// the server answers 409 (then GET and PUT again: three requests for nothing).
//
// As client-go's (includeAdds false): an object the informer does not hold is missing, whatever
// was written (a write cannot tell "not observed yet" from "deleted since"); the informer's copy
// wins as soon as its resourceVersion is not older, and then the entry is dropped; an entry
// expires after `ttlMs` (a watch that never catches up leaves the informer's copy, the behaviour
// without this cache); resourceVersions that are not integers (opaque by contract, integers on
// every real server) never compare, so the informer's copy is used.
import type { KObject } from '../api/types.js';
import { keyOf } from '../api/meta.js';

/** What the mutation cache reads through: an informer (its `admitClean` sanitises what a write answered). */
export interface MutationBacking<T> {
  get(key: string): T | undefined;
  admitClean(raw: unknown): T | undefined;
}

/**
 * a < b: -1, equal: 0, a > b: 1; undefined when either is not a decimal integer (client-go's
 * etcd versioner parses them as uint64; BigInt, so no precision is lost beyond 2^53).
 */
export function compareResourceVersions(a: string | undefined, b: string | undefined): -1 | 0 | 1 | undefined {
  if (!a || !b || !/^\d{1,20}$/.test(a) || !/^\d{1,20}$/.test(b)) return undefined;
  const x = BigInt(a), y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export class MutationCache<T extends KObject> {
  readonly #written = new Map<string, { obj: T; at: number }>();

  constructor(private readonly backing: MutationBacking<T>, private readonly now: () => number, readonly ttlMs = 60_000) {}

  /** The newer of the informer's copy and what a write answered; undefined when the informer has none. */
  get(key: string): T | undefined {
    const cached = this.backing.get(key);
    const w = this.#written.get(key);
    if (!w) return cached;
    if (!cached) { this.#written.delete(key); return undefined; }
    const cmp = compareResourceVersions(cached.metadata?.resourceVersion, w.obj.metadata?.resourceVersion);
    if (cmp === undefined || cmp >= 0 || cached.metadata?.uid !== w.obj.metadata?.uid || this.now() - w.at > this.ttlMs) {
      this.#written.delete(key);
      return cached;
    }
    return w.obj;
  }

  /**
   * Remembers what a write (or a live read) answered, unless an older answer would replace a
   * newer one, or the informer would not hold it as it is (a malformed answer is left to the
   * informer, which repairs and reports it).
   */
  mutation(raw: unknown): void {
    const obj = this.backing.admitClean(raw);
    if (!obj?.metadata?.name) return;
    const key = keyOf(obj);
    const prev = this.#written.get(key);
    if (prev && prev.obj.metadata?.uid === obj.metadata.uid && compareResourceVersions(obj.metadata.resourceVersion, prev.obj.metadata?.resourceVersion) === -1) return;
    this.#written.set(key, { obj, at: this.now() });
  }

  forget(key: string): void { this.#written.delete(key); }

  /** Entries held (tests, and the bound: at most one per object written within ttlMs). */
  get size(): number { return this.#written.size; }
}

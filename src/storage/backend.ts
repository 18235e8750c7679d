// The storage contract: a small revisioned key-value store (kine's shape). It knows nothing of
// Kubernetes; the API server maps revisions to resourceVersions, failed compare-and-swaps to
// 409 Conflict and compacted watches to 410 Expired. Methods are synchronous because
// better-sqlite3 is, which also makes read-modify-write free of interleaving in one process.

export interface KV {
  key: string;
  /** The stored document (JSON text). */
  value: string;
  /** Revision of the write that created this key (since its last deletion). */
  createRev: number;
  /** Revision of the last write to this key. */
  modRev: number;
}

export interface WatchEvent {
  type: 'put' | 'delete';
  /** Revision of this write. */
  rev: number;
  key: string;
  /** For put: the new value. For delete: the last value before deletion. */
  value: string;
  /** For put: the value before this write, when the key existed. For delete: same as value. */
  prevValue?: string;
}

export interface ListOptions {
  /** Return only keys strictly greater than this one (for pagination). */
  after?: string;
  /** At most this many keys. */
  limit?: number;
}

export type CreateResult = { ok: true; kv: KV } | { ok: false; current: KV };
export type UpdateResult = { ok: true; kv: KV } | { ok: false; current?: KV };
export type DeleteResult = { ok: true; rev: number; prev: KV } | { ok: false; current?: KV };

export interface Watcher { stop(): void }

export interface Backend {
  /** The newest revision written (0 for an empty store). */
  currentRevision(): number;
  /** Oldest revision a watch may start after: watching from below it is "compacted". */
  compactedRevision(): number;
  get(key: string): KV | undefined;
  /** Keys with this prefix, ascending by key, as of the current revision. */
  list(prefix: string, opts?: ListOptions): { rev: number; kvs: KV[]; more: boolean };
  /** Count of keys with this prefix. */
  count(prefix: string): number;
  create(key: string, value: string): CreateResult;
  /** Compare-and-swap on modRev when expectModRev is given; fails with current=undefined when missing. */
  update(key: string, value: string, expectModRev?: number): UpdateResult;
  delete(key: string, expectModRev?: number): DeleteResult;
  /**
   * Every change under prefix with revision > fromRev, in revision order, with no gap and no
   * duplicate: history first, then live events. `fromRev` below compactedRevision() gives
   * { compacted } instead. The listener is called synchronously after each commit.
   */
  watch(prefix: string, fromRev: number, listener: (events: WatchEvent[]) => void): Watcher | { compacted: number };
  close(): void;
}

// List+watch cache for one collection, with the restart and back-off that client-node 1.4.0's
// informer lacks (it stops for good on any non-410 error and reconnects with no back-off).
// The stream is watchstream.ts; the cache is ours so update handlers get the old object too, and
// so indexes (pods by node, by owner) stay O(1).
import type { KObject } from '../api/types.js';
import { keyOf } from '../api/meta.js';
import type { RawClient } from './client.js';
import type { Runnable } from './manager.js';
import { watchStream } from './watchstream.js';

export interface EventHandler<T> {
  onAdd?(obj: T): void;
  onUpdate?(old: T, cur: T): void;
  onDelete?(obj: T): void;
}

export type IndexFunc<T> = (obj: T) => string[];

export class Informer<T extends KObject = KObject> implements Runnable {
  readonly name: string;
  readonly #cache = new Map<string, T>();
  readonly #handlers: EventHandler<T>[] = [];
  readonly #indexFuncs = new Map<string, IndexFunc<T>>();
  readonly #indexes = new Map<string, Map<string, Set<string>>>();
  #synced = false;
  #syncWaiters: (() => void)[] = [];
  #rv = '';
  #transform: ((obj: T) => T) | undefined;

  constructor(
    private readonly client: RawClient,
    readonly path: string,
    private readonly query: { labelSelector?: string; fieldSelector?: string } = {},
    /**
     * A watch silent (no event, no heartbeat) for this long is re-established. Default: a minute
     * past the watch's own timeoutSeconds, so that only a dead connection trips it; a real
     * kube-apiserver sends no heartbeats on a quiet collection.
     */
    private readonly idleTimeoutMs?: number,
  ) {
    this.name = `informer ${path}`;
  }

  /**
   * A handler added to a running informer (a shared one) first gets an add for every cached
   * object, as client-go's AddEventHandler does, so it never misses what came before it.
   */
  /**
   * Keeps only what the transform returns of each object (client-go's SetTransform): a
   * controller that reads a few fields of 10,000 nodes and pods need not hold them whole.
   * Set before start.
   */
  setTransform(fn: (obj: T) => T): void {
    if (this.#synced || this.#cache.size) throw new Error('set the transform before the informer starts');
    this.#transform = fn;
  }

  addHandler(h: EventHandler<T>): void {
    this.#handlers.push(h);
    for (const o of this.#cache.values()) { try { h.onAdd?.(o); } catch { /* see #put */ } }
  }

  /**
   * Indexes may be added at any time (shared informers are already filled); existing objects are
   * indexed at once. Components sharing an informer may each ask for an index: one name is one
   * meaning, so a name already present is kept.
   */
  addIndex(name: string, fn: IndexFunc<T>): void {
    if (this.#indexFuncs.has(name)) return;
    this.#indexFuncs.set(name, fn);
    const idx = new Map<string, Set<string>>();
    this.#indexes.set(name, idx);
    for (const [key, o] of this.#cache) for (const v of fn(o)) { let s = idx.get(v); if (!s) idx.set(v, (s = new Set())); s.add(key); }
  }

  get(key: string): T | undefined { return this.#cache.get(key); }
  list(): T[] { return [...this.#cache.values()]; }
  size(): number { return this.#cache.size; }
  byIndex(name: string, value: string): T[] {
    const keys = this.#indexes.get(name)?.get(value);
    if (!keys) return [];
    const out: T[] = [];
    for (const k of keys) { const o = this.#cache.get(k); if (o) out.push(o); }
    return out;
  }
  hasSynced(): boolean { return this.#synced; }
  /** Resolves once the first list is in, or when `signal` aborts (a stopping process never syncs). */
  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.#synced || signal?.aborted) return Promise.resolve();
    return new Promise((r) => {
      this.#syncWaiters.push(r);
      signal?.addEventListener('abort', () => r(), { once: true });
    });
  }

  async start(signal: AbortSignal): Promise<void> {
    let backoffMs = 0;
    while (!signal.aborted) {
      try {
        if (!this.#rv) await this.#relist();
        const outcome = await this.#watchOnce(signal);
        backoffMs = outcome === 'events' ? 0 : Math.min(Math.max(backoffMs * 2, 200), 5_000);
        if (outcome === 'expired') this.#rv = '';
      } catch (err) {
        if (signal.aborted) break;
        backoffMs = Math.min(Math.max(backoffMs * 2, 500), 30_000);
        this.#rv = '';
      }
      if (backoffMs && !signal.aborted) await sleep(backoffMs, signal);
    }
    // Stopped before the first list completed: release whoever waits for sync, so that a
    // component told to stop during start-up stops instead of waiting for ever.
    for (const w of this.#syncWaiters.splice(0)) w();
  }

  async #relist(): Promise<void> {
    const list = await this.client.listAll<T>(this.path, this.query as Record<string, string>);
    const seen = new Set<string>();
    for (const o of list.items) {
      const k = keyOf(o);
      seen.add(k);
      this.#put(k, o);
    }
    for (const [k, o] of [...this.#cache]) if (!seen.has(k)) this.#remove(k, o);
    this.#rv = list.metadata.resourceVersion;
    if (!this.#synced) {
      this.#synced = true;
      for (const w of this.#syncWaiters.splice(0)) w();
    }
  }

  /** One watch stream; resolves with how it ended. */
  async #watchOnce(signal: AbortSignal): Promise<'events' | 'quiet' | 'expired'> {
    let sawEvent = false;
    let expired = false;
    // Like client-go's reflector: the server ends each watch after 5–10 minutes (spread so that
    // many informers do not re-watch at once), and we resume from the last resourceVersion.
    const timeoutSeconds = 300 + Math.floor(Math.random() * 300);
    const params: Record<string, string> = { resourceVersion: this.#rv, allowWatchBookmarks: 'true', timeoutSeconds: String(timeoutSeconds), ...this.query as Record<string, string> };
    const end = await watchStream(this.client, this.path, params, (ev) => {
      const obj = ev.object as T;
      if (ev.type === 'ERROR') {
        // A 410 in the stream: our resourceVersion is older than the server's history.
        if ((obj as unknown as { code?: number }).code === 410) expired = true;
        return;
      }
      sawEvent = true;
      const rv = obj.metadata?.resourceVersion;
      if (ev.type === 'ADDED' || ev.type === 'MODIFIED') this.#put(keyOf(obj), obj);
      else if (ev.type === 'DELETED') { const k = keyOf(obj); if (this.#cache.has(k)) this.#remove(k, this.#transform ? this.#transform(obj) : obj); }
      if (rv) this.#rv = rv;
    }, { signal, idleTimeoutMs: this.idleTimeoutMs ?? (timeoutSeconds + 60) * 1000 });
    if (signal.aborted) return 'quiet';
    if (expired || (end.kind === 'status' && end.code === 410)) return 'expired';
    if (end.kind === 'status') throw new Error(`watch ${this.path}: HTTP ${end.code}`);
    return sawEvent ? 'events' : 'quiet';
  }

  #put(key: string, raw: T): void {
    const obj = this.#transform ? this.#transform(raw) : raw;
    const old = this.#cache.get(key);
    if (old && old.metadata?.resourceVersion === obj.metadata?.resourceVersion) return;
    if (old) this.#unindex(key, old);
    this.#cache.set(key, obj);
    this.#index(key, obj);
    for (const h of this.#handlers) {
      try { if (old) h.onUpdate?.(old, obj); else h.onAdd?.(obj); } catch { /* handlers must not break the cache */ }
    }
  }

  #remove(key: string, last: T): void {
    const old = this.#cache.get(key);
    if (old) this.#unindex(key, old);
    this.#cache.delete(key);
    for (const h of this.#handlers) { try { h.onDelete?.(last); } catch { /* see #put */ } }
  }

  #index(key: string, obj: T): void {
    for (const [name, fn] of this.#indexFuncs) {
      const idx = this.#indexes.get(name)!;
      for (const v of fn(obj)) {
        let s = idx.get(v);
        if (!s) idx.set(v, (s = new Set()));
        s.add(key);
      }
    }
  }

  #unindex(key: string, obj: T): void {
    for (const [name, fn] of this.#indexFuncs) {
      const idx = this.#indexes.get(name)!;
      for (const v of fn(obj)) {
        const s = idx.get(v);
        if (s) { s.delete(key); if (!s.size) idx.delete(v); }
      }
    }
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() { clearTimeout(t); signal?.removeEventListener('abort', done); resolve(); }
    signal?.addEventListener('abort', done, { once: true });
  });
}

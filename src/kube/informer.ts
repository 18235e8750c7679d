// List+watch cache for one collection, with the restart and back-off that client-node 1.4.0's
// informer lacks (it stops for good on any non-410 error and reconnects with no back-off).
// The stream is watchstream.ts; the cache is ours so update handlers get the old object too, and
// so indexes (pods by node, by owner) stay O(1).
import type { KObject } from '../api/types.js';
import { keyOf } from '../api/meta.js';
import { deepCopy } from '../api/clone.js';
import type { RawClient } from './client.js';
import type { Runnable } from './manager.js';
import { watchStream } from './watchstream.js';
import { collectionKind, sanitizeObject, type CollectionKind } from './sanitize.js';

export interface EventHandler<T> {
  onAdd?(obj: T): void;
  onUpdate?(old: T, cur: T): void;
  onDelete?(obj: T): void;
}

export type IndexFunc<T> = (obj: T) => string[];

/**
 * Something the informer could not use as it came: a malformed object (fields removed, or the
 * whole object skipped) or a handler, index or transform that threw on one object. Reported
 * once per object version, so that the component can log it and post a Warning Event about it.
 */
export interface InformerProblem {
  reason: 'InvalidObject' | 'FailedHandling';
  /** The object concerned, as an Event's involvedObject names it. */
  regarding: { apiVersion: string; kind: string; namespace?: string; name: string; uid?: string; resourceVersion?: string };
  message: string;
}

export class Informer<T extends KObject = KObject> implements Runnable {
  readonly name: string;
  readonly #cache = new Map<string, T>();
  readonly #handlers: EventHandler<T>[] = [];
  readonly #indexFuncs = new Map<string, IndexFunc<T>>();
  /** Index name → value → the objects under it by key (objects, not keys: byIndex of 50,000 pods need not look each up again). */
  readonly #indexes = new Map<string, Map<string, Map<string, T>>>();
  #synced = false;
  #syncWaiters: (() => void)[] = [];
  #rv = '';
  #transform: ((obj: T) => T) | undefined;
  readonly #kind: CollectionKind | undefined;
  readonly #problemListeners: ((p: InformerProblem) => void)[] = [];
  /** `key@resourceVersion|message` already reported; bounded (a crude LRU: cleared when full). */
  readonly #reported = new Set<string>();

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
    this.#kind = collectionKind(path);
  }

  /** How an Event names this object (involvedObject). */
  regardingOf(obj: unknown): InformerProblem['regarding'] { return regardingOf(obj, this.#kind); }

  /** Listens for objects this informer had to repair, skip, or failed to hand to a handler. */
  onProblem(fn: (p: InformerProblem) => void): void { this.#problemListeners.push(fn); }

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
    for (const o of this.#cache.values()) this.#call(o, 'add', () => h.onAdd?.(o));
  }

  /**
   * Indexes may be added at any time (shared informers are already filled); existing objects are
   * indexed at once. Components sharing an informer may each ask for an index: one name is one
   * meaning, so a name already present is kept.
   */
  addIndex(name: string, fn: IndexFunc<T>): void {
    if (this.#indexFuncs.has(name)) return;
    this.#indexFuncs.set(name, fn);
    const idx = new Map<string, Map<string, T>>();
    this.#indexes.set(name, idx);
    for (const [key, o] of this.#cache) for (const v of this.#indexValues(name, fn, o)) { let s = idx.get(v); if (!s) idx.set(v, (s = new Map())); s.set(key, o); }
  }

  get(key: string): T | undefined { return this.#cache.get(key); }
  list(): T[] { return [...this.#cache.values()]; }
  size(): number { return this.#cache.size; }
  byIndex(name: string, value: string): T[] {
    const objs = this.#indexes.get(name)?.get(value);
    return objs ? [...objs.values()] : [];
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
        if (!this.#rv) await this.#relist(signal);
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

  /** Lists under `signal`: a list the server is slow to answer must not hold up a stop. */
  async #relist(signal: AbortSignal): Promise<void> {
    const list = await this.client.listAll<T>(this.path, this.query as Record<string, string>, { signal });
    const seen = new Set<string>();
    for (const raw of list.items) {
      const o = this.#admit(raw);
      if (!o) continue;
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
      // Nothing about one event may end the stream or escape into the socket's data handler
      // (where it would kill the process): a failure is reported and the event skipped.
      try {
        const obj = ev.object as T;
        if (ev.type === 'ERROR') {
          // A 410 in the stream: our resourceVersion is older than the server's history.
          if ((obj as unknown as { code?: number } | null)?.code === 410) expired = true;
          return;
        }
        sawEvent = true;
        const rv = (obj as { metadata?: { resourceVersion?: unknown } } | null)?.metadata?.resourceVersion;
        if (typeof rv === 'string' && rv) this.#rv = rv;
        if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED' && ev.type !== 'DELETED') return;
        const clean = this.#admit(obj);
        if (!clean) return;
        if (ev.type !== 'DELETED') this.#put(keyOf(clean), clean);
        else { const k = keyOf(clean); if (this.#cache.has(k)) this.#remove(k, this.#slim(clean)); }
      } catch (err) {
        this.#problem(ev.object, 'FailedHandling', `watch event: ${errorText(err)}`);
      }
    }, { signal, idleTimeoutMs: this.idleTimeoutMs ?? (timeoutSeconds + 60) * 1000 });
    if (signal.aborted) return 'quiet';
    if (expired || (end.kind === 'status' && end.code === 410)) return 'expired';
    if (end.kind === 'status') throw new Error(`watch ${this.path}: HTTP ${end.code}`);
    return sawEvent ? 'events' : 'quiet';
  }

  /** The object with malformed fields removed (see sanitize.ts), or undefined when unusable. */
  #admit(raw: unknown): T | undefined {
    // No component reads managedFields, and they are often the largest part of an object: drop
    // them before the schema walk and the cache (client-go's TransformStripManagedFields, which
    // controller-runtime managers install by default). A PUT of a cached object without them
    // keeps the live ones, as upstream does.
    const meta = typeof raw === 'object' && raw !== null ? (raw as { metadata?: unknown }).metadata : undefined;
    if (typeof meta === 'object' && meta !== null && 'managedFields' in meta) delete (meta as { managedFields?: unknown }).managedFields;
    const r = sanitizeObject<T>(raw, this.#kind?.schema);
    if (r.problems.length) {
      const what = r.object ? 'ignored malformed fields' : 'skipped: unusable object';
      this.#problem(raw, 'InvalidObject', `${what}: ${r.problems.slice(0, 5).join('; ')}${r.problems.length > 5 ? ` (and ${r.problems.length - 5} more)` : ''}`);
    }
    return r.object;
  }

  /**
   * What this cache would hold of `raw` (managedFields dropped, the transform applied), or
   * undefined when the schema check finds anything to repair: for a cache beside this one
   * (MutationCache, holding what a write answered) that must never hold what this one would not.
   * Reports nothing: the informer reports the object itself when its watch brings it.
   */
  admitClean(raw: unknown): T | undefined {
    if (typeof raw !== 'object' || raw === null) return undefined;
    const copy = deepCopy(raw) as { metadata?: Record<string, unknown> };
    if (typeof copy.metadata === 'object' && copy.metadata !== null) delete copy.metadata.managedFields;
    const r = sanitizeObject<T>(copy, this.#kind?.schema);
    if (r.problems.length || !r.object) return undefined;
    if (!this.#transform) return r.object;
    try { return this.#transform(r.object); } catch { return undefined; }
  }

  #slim(obj: T): T {
    if (!this.#transform) return obj;
    try { return this.#transform(obj); } catch (err) { this.#problem(obj, 'FailedHandling', `transform: ${errorText(err)}`); return obj; }
  }

  #put(key: string, raw: T): void {
    const obj = this.#slim(raw);
    const old = this.#cache.get(key);
    if (old && old.metadata?.resourceVersion === obj.metadata?.resourceVersion) return;
    if (old) this.#unindex(key, old);
    this.#cache.set(key, obj);
    this.#index(key, obj);
    for (const h of this.#handlers) this.#call(obj, old ? 'update' : 'add', () => { if (old) h.onUpdate?.(old, obj); else h.onAdd?.(obj); });
  }

  #remove(key: string, last: T): void {
    const old = this.#cache.get(key);
    if (old) this.#unindex(key, old);
    this.#cache.delete(key);
    for (const h of this.#handlers) this.#call(last, 'delete', () => h.onDelete?.(last));
  }

  /** A handler that throws on one object must break neither the cache nor the other handlers. */
  #call(obj: T, what: string, fn: () => void): void {
    try { fn(); } catch (err) { this.#problem(obj, 'FailedHandling', `${what} handler: ${errorText(err)}`); }
  }

  #indexValues(name: string, fn: IndexFunc<T>, obj: T): string[] {
    try {
      const v = fn(obj);
      return Array.isArray(v) ? v : [];
    } catch (err) {
      this.#problem(obj, 'FailedHandling', `index ${name}: ${errorText(err)}`);
      return [];
    }
  }

  #index(key: string, obj: T): void {
    for (const [name, fn] of this.#indexFuncs) {
      const idx = this.#indexes.get(name)!;
      for (const v of this.#indexValues(name, fn, obj)) {
        let s = idx.get(v);
        if (!s) idx.set(v, (s = new Map()));
        s.set(key, obj);
      }
    }
  }

  #unindex(key: string, obj: T): void {
    for (const [name, fn] of this.#indexFuncs) {
      const idx = this.#indexes.get(name)!;
      for (const v of this.#indexValues(name, fn, obj)) {
        const s = idx.get(v);
        if (s) { s.delete(key); if (!s.size) idx.delete(v); }
      }
    }
  }

  #problem(raw: unknown, reason: InformerProblem['reason'], message: string): void {
    if (!this.#problemListeners.length) return;
    const regarding = regardingOf(raw, this.#kind);
    const once = `${regarding.namespace ?? ''}/${regarding.name}@${regarding.resourceVersion ?? ''}|${message}`;
    if (this.#reported.has(once)) return;
    if (this.#reported.size >= 10_000) this.#reported.clear();
    this.#reported.add(once);
    for (const l of this.#problemListeners) { try { l({ reason, regarding, message }); } catch { /* a reporter must not break the informer */ } }
  }
}

/** An Event's involvedObject for whatever arrived, as far as its metadata is usable. */
function regardingOf(raw: unknown, kind: CollectionKind | undefined): InformerProblem['regarding'] {
  const o = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const m = (typeof o.metadata === 'object' && o.metadata !== null ? o.metadata : {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const namespace = str(m.namespace), uid = str(m.uid), resourceVersion = str(m.resourceVersion);
  return {
    apiVersion: kind?.apiVersion ?? str(o.apiVersion) ?? 'v1', kind: kind?.kind ?? str(o.kind) ?? 'Unknown',
    name: str(m.name) ?? (typeof m.name === 'number' ? String(m.name) : '(unnamed)'),
    ...(namespace ? { namespace } : {}), ...(uid ? { uid } : {}), ...(resourceVersion ? { resourceVersion } : {}),
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  // An aborted signal never fires 'abort' again: waiting for it would wait the whole delay.
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() { clearTimeout(t); signal?.removeEventListener('abort', done); resolve(); }
    signal?.addEventListener('abort', done, { once: true });
  });
}

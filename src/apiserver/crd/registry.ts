// The shell that keeps the catalog in step with the stored CustomResourceDefinitions, and the
// cleanup that upstream's crdFinalizer runs: a CRD being deleted has all its objects deleted,
// then loses its `customresourcecleanup.apiextensions.k8s.io` finalizer and goes away.
//
// The backend calls watch listeners synchronously after each commit, so a CRD's resource is in
// the catalog (discovery, REST) before the request that wrote the CRD has been answered.
import type { KObject } from '../../api/types.js';
import type { Catalog, ResourceDef } from '../resources/catalog.js';
import type { Store } from '../store.js';
import type { Watcher } from '../../storage/backend.js';
import { collectionPrefix } from '../keys.js';
import { ApiError } from '../errors.js';
import { customResourceDefs } from './customresource.js';
import { terminatingInProgress } from './strategy.js';
import { cleanupFinalizer, crdGroup, crdResource, type CustomResourceDefinition } from './types.js';

/** How often a CRD whose objects still hold finalizers is looked at again. */
const cleanupRetryMs = 1000;

export class CrdRegistry {
  #watcher: Watcher | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    private readonly store: Store,
    private readonly catalog: Catalog,
    private readonly log: (line: string) => void = () => {},
    private readonly now: () => number = Date.now,
  ) {}

  private get crdDef(): ResourceDef {
    return this.catalog.lookup(crdGroup, 'v1', crdResource)!;
  }

  /** Serves every stored CRD, then follows changes. */
  start(): void {
    const rev = this.store.backend.currentRevision();
    for (const crd of this.storedCRDs()) this.serve(crd);
    const w = this.store.backend.watch(collectionPrefix(crdGroup, crdResource, ''), rev, (events) => {
      for (const ev of events) {
        const name = ev.key.slice(ev.key.lastIndexOf('/') + 1);
        if (ev.type === 'delete') { this.catalog.setCustom(name, []); continue; }
        let crd: CustomResourceDefinition;
        try { crd = JSON.parse(ev.value) as CustomResourceDefinition; } catch { continue; }
        this.serve(crd);
      }
    });
    if ('compacted' in w) throw new Error('CRD watch could not start');
    this.#watcher = w;
  }

  close(): void {
    this.#closed = true;
    this.#watcher?.stop();
    clearTimeout(this.#timer);
  }

  /** Every stored CRD that parses; one that does not is logged and skipped, never fatal. */
  private storedCRDs(): CustomResourceDefinition[] {
    const out: CustomResourceDefinition[] = [];
    const prefix = collectionPrefix(crdGroup, crdResource, '');
    let after: string | undefined;
    for (;;) {
      const page = this.store.backend.list(prefix, { after, limit: 500 });
      for (const kv of page.kvs) {
        after = kv.key;
        try {
          const crd = this.store.decode(this.crdDef, kv) as CustomResourceDefinition;
          if (typeof crd.metadata?.name === 'string') out.push(crd);
        } catch { this.log(`customresourcedefinition at ${kv.key}: stored value does not parse; not served`); }
      }
      if (!page.more) return out;
    }
  }

  private serve(crd: CustomResourceDefinition): void {
    const name = crd.metadata?.name ?? '';
    let defs: ResourceDef[];
    try { defs = customResourceDefs(crd); } catch (err) {
      // A stored CRD the server cannot make sense of is not served, never a crash.
      this.log(`customresourcedefinition ${name} not served: ${(err as Error).message}`);
      defs = [];
    }
    const rejected = this.catalog.setCustom(name, defs);
    for (const d of rejected) this.log(`customresourcedefinition ${name}: ${d.resource}.${d.group}/${d.version} is already served; not serving it again`);
    if (crd.metadata?.deletionTimestamp) this.scheduleCleanup(0);
  }

  private scheduleCleanup(delayMs: number): void {
    if (this.#closed || this.#timer) return;
    this.#timer = setTimeout(() => { this.#timer = undefined; this.cleanup(); }, delayMs);
    this.#timer.unref();
  }

  /** One pass over the terminating CRDs; schedules another while objects remain. */
  cleanup(): void {
    let pending = false;
    for (const crd of this.storedCRDs()) {
      if (!crd.metadata?.deletionTimestamp || !(crd.metadata.finalizers ?? []).includes(cleanupFinalizer)) continue;
      try {
        if (!this.cleanupOne(crd)) pending = true;
      } catch (err) {
        pending = true;
        if (!(err instanceof ApiError && err.code === 409)) this.log(`customresourcedefinition ${crd.metadata.name}: cleanup failed: ${(err as Error).message}`);
      }
    }
    if (pending) this.scheduleCleanup(cleanupRetryMs);
  }

  /** Deletes the CRD's objects; once none is left, removes the finalizer. True when done. */
  private cleanupOne(crd: CustomResourceDefinition): boolean {
    const name = crd.metadata!.name!;
    const group = crd.spec?.group ?? '';
    const plural = crd.status?.acceptedNames?.plural ?? crd.spec?.names?.plural ?? '';
    const def = this.catalog.storageDef(group, plural);
    let remaining = 0;
    if (def?.custom?.crdName === name) {
      const prefix = collectionPrefix(def.storageGroup, def.storageResource, '');
      for (const kv of this.store.backend.list(prefix).kvs) {
        let o: KObject;
        try { o = this.store.decode(def, kv); } catch {
          // Not even an object: nothing can finalize it, so it goes as it is.
          this.store.backend.delete(kv.key, kv.modRev);
          continue;
        }
        if (o.metadata?.deletionTimestamp) continue;
        try {
          this.store.delete(def, o.metadata?.namespace ?? '', o.metadata?.name ?? '', { propagationPolicy: 'Background' }, `${group}/${def.version}`);
        } catch (err) {
          if (!(err instanceof ApiError && (err.code === 404 || err.code === 409))) throw err;
        }
      }
      remaining = this.store.backend.count(prefix);
    }
    const kv = this.store.getKV(this.crdDef, '', name);
    if (!kv) return true;
    const current = this.store.decode(this.crdDef, kv) as CustomResourceDefinition;
    const next: KObject = structuredClone(current);
    if (remaining > 0) {
      (next as CustomResourceDefinition).status = terminatingInProgress(current, this.now(), remaining);
      this.store.commit(this.crdDef, kv, next);
      return false;
    }
    const rest = (current.metadata?.finalizers ?? []).filter((f) => f !== cleanupFinalizer);
    (next.metadata as { finalizers?: string[] }).finalizers = rest.length ? rest : undefined;
    this.store.commit(this.crdDef, kv, next);
    return true;
  }
}

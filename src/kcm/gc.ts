// The garbage collector, as kube-controller-manager runs it: it works only through the API.
// - An object all of whose owners are gone is deleted (background cascade).
// - An owner being deleted with the "orphan" finalizer has its dependents' ownerReferences
//   removed, then the finalizer.
// - An owner being deleted with "foregroundDeletion" has its dependents deleted first; the
//   finalizer is removed once none remain.
import type { KubeConfig } from '@kubernetes/client-node';
import type { KObject } from '../api/types.js';
import { keyOf } from '../api/meta.js';
import { RawClient, userAgent, isNotFound, isConflict } from '../kube/client.js';
import { objectPath, type ServedResource } from '../kube/discovery.js';
import { ResourceMonitor } from './resourcemonitor.js';
import type { Informer } from '../kube/informer.js';
import { SharedInformers } from '../kube/shared.js';
import { ControllerLoop } from '../kube/controllerloop.js';
import type { Runnable } from '../kube/manager.js';

interface Item { r: ServedResource; key: string }

export class GarbageCollector implements Runnable {
  readonly name = 'garbage-collector';
  private readonly client: RawClient;
  private readonly informers = new Map<ServedResource, Informer>();
  private readonly byUid = new Map<string, { r: ServedResource; obj: KObject }>();
  private readonly dependents = new Map<string, Set<string>>(); // owner uid → "path|key"
  private readonly resources = new Map<string, ServedResource>();

  private readonly shared: SharedInformers;
  private readonly monitor: ResourceMonitor;
  private readonly loop: ControllerLoop;
  private get queue() { return this.loop.queue; }

  constructor(kc: KubeConfig, o: { informers?: SharedInformers; log?: (line: string) => void } = {}) {
    this.client = new RawClient(kc, { userAgent: userAgent('kube-controller-manager', 'generic-garbage-collector') });
    this.shared = o.informers ?? new SharedInformers(kc);
    this.monitor = new ResourceMonitor(this.client, this.shared, {
      // extensions/v1beta1 is a legacy view of apps/v1 storage; events never own anything.
      filter: (r) => r.verbs.includes('watch') && r.verbs.includes('delete') && r.group !== 'extensions' && r.resource !== 'events',
      onNew: (r) => this.watchResource(r),
      log: o.log,
    });
    this.loop = new ControllerLoop({
      name: 'garbagecollector', workers: 2, backoff: { baseDelayMs: 100, maxDelayMs: 30_000 }, log: o.log,
      reconciler: {
        reconcile: async (k) => {
          // The object or an owner went away meanwhile: the watch brings whatever follows.
          try { await this.process(k); } catch (err) { if (!isNotFound(err)) throw err; }
        },
      },
      report: (f) => { const { r, key } = this.lookup(f.key); this.shared.failedSync(this.name, r && this.informers.get(r), key, f.message); },
    });
  }

  async start(signal: AbortSignal): Promise<void> {
    // Discovery now, and again as CRDs come and go: each resource it shows goes to watchResource.
    // A stop signal may come at any moment, even before the caches sync: the loop then ends at once.
    await this.monitor.start(signal);
    const runs = [this.shared.start(signal)];
    await Promise.all([...this.informers.values()].map((i) => i.waitForSync(signal)));
    await Promise.all([this.loop.start(signal), ...runs]);
    this.client.close();
  }

  /** Starts monitoring one resource (also one served after start): its informer feeds the owner/dependent graph. */
  private watchResource(r: ServedResource): void {
    this.resources.set(r.path, r);
    const inf = this.shared.informer(r.path);
    const enqueue = (o: KObject) => this.queue.add(`${r.path}|${keyOf(o)}`);
    inf.addHandler({
      onAdd: (o) => { this.track(r, o); enqueue(o); },
      onUpdate: (old, o) => { this.untrack(r, old); this.track(r, o); enqueue(o); },
      onDelete: (o) => { this.untrack(r, o); this.byUid.delete(o.metadata?.uid ?? ''); this.enqueueDependents(o.metadata?.uid); },
    });
    this.informers.set(r, inf);
    // Dependents that waited for an owner kind: it may be this one.
    for (const k of this.awaitingKind) this.queue.add(k);
    this.awaitingKind.clear();
  }

  /** Dependents whose owner kind discovery did not show when they were last looked at. */
  private readonly awaitingKind = new Set<string>();

  private track(r: ServedResource, o: KObject): void {
    const uid = o.metadata?.uid;
    if (uid) this.byUid.set(uid, { r, obj: o });
    for (const ref of o.metadata?.ownerReferences ?? []) {
      let s = this.dependents.get(ref.uid);
      if (!s) this.dependents.set(ref.uid, (s = new Set()));
      s.add(`${r.path}|${keyOf(o)}`);
    }
    if (o.metadata?.deletionTimestamp && uid) this.enqueueDependents(uid);
  }

  private untrack(r: ServedResource, o: KObject): void {
    for (const ref of o.metadata?.ownerReferences ?? []) this.dependents.get(ref.uid)?.delete(`${r.path}|${keyOf(o)}`);
  }

  private enqueueDependents(uid: string | undefined): void {
    if (!uid) return;
    for (const k of this.dependents.get(uid) ?? []) this.queue.add(k);
  }

  private lookup(k: string): Item & { obj?: KObject } {
    const i = k.indexOf('|');
    const r = this.resources.get(k.slice(0, i))!; // every key is made from a watched resource's path
    const key = k.slice(i + 1);
    return { r, key, obj: this.informers.get(r)?.get(key) };
  }

  private async process(k: string): Promise<void> {
    const { r, obj } = this.lookup(k);
    if (!obj) return;
    const meta = obj.metadata!;
    const fins = meta.finalizers ?? [];
    if (meta.deletionTimestamp && fins.includes('orphan')) await this.orphanDependents(r, obj);
    if (meta.deletionTimestamp && fins.includes('foregroundDeletion')) await this.deleteDependentsFirst(r, obj);
    await this.collectIfOwnersGone(r, obj);
  }

  private dependentsOf(uid: string): Array<Item & { obj: KObject }> {
    return [...(this.dependents.get(uid) ?? [])].map((k) => this.lookup(k)).filter((d): d is Item & { obj: KObject } => !!d.obj);
  }

  private async orphanDependents(r: ServedResource, owner: KObject): Promise<void> {
    const uid = owner.metadata!.uid!;
    for (const d of this.dependentsOf(uid)) {
      const refs = (d.obj.metadata?.ownerReferences ?? []).filter((ref) => ref.uid !== uid);
      await this.patch(d.r, d.obj, { metadata: { ownerReferences: refs.length ? refs : null, uid: d.obj.metadata!.uid } });
    }
    await this.removeFinalizer(r, owner, 'orphan');
  }

  private async deleteDependentsFirst(r: ServedResource, owner: KObject): Promise<void> {
    const deps = this.dependentsOf(owner.metadata!.uid!);
    for (const d of deps) {
      if (d.obj.metadata?.deletionTimestamp) continue;
      await this.delete(d.r, d.obj, 'Foreground');
    }
    if (deps.length === 0) await this.removeFinalizer(r, owner, 'foregroundDeletion');
    else this.queue.addAfter(`${r.path}|${keyOf(owner)}`, 1000);
  }

  /** Deletes an object whose owners are all gone; strips references to owners that are gone when some remain. */
  private async collectIfOwnersGone(r: ServedResource, obj: KObject): Promise<void> {
    const refs = obj.metadata?.ownerReferences ?? [];
    if (!refs.length || obj.metadata?.deletionTimestamp) return;
    const gone: string[] = [];
    for (const ref of refs) {
      const cached = this.byUid.get(ref.uid);
      if (cached) {
        // An owner in foreground deletion takes its dependents with it.
        if (cached.obj.metadata?.deletionTimestamp && (cached.obj.metadata.finalizers ?? []).includes('foregroundDeletion')) continue;
        continue;
      }
      const missing = await this.ownerMissing(ref, obj.metadata?.namespace ?? '');
      if (missing === 'unresolved') {
        // An owner whose kind is not served (yet): decide nothing until it is, as upstream's GC
        // retries an owner its RESTMapper cannot resolve. Looked at again when discovery shows a
        // new resource, and at the rediscovery period anyway.
        const key = `${r.path}|${keyOf(obj)}`;
        this.awaitingKind.add(key);
        this.queue.addAfter(key, 30_000);
        return;
      }
      if (missing) gone.push(ref.uid);
    }
    if (gone.length === refs.length) await this.delete(r, obj, 'Background');
    else if (gone.length) await this.patch(r, obj, { metadata: { ownerReferences: refs.filter((x) => !gone.includes(x.uid)), uid: obj.metadata!.uid } });
  }

  /** The cache may lag behind a just-created owner, so absence is confirmed with a live read, as upstream does. */
  private async ownerMissing(ref: { apiVersion: string; kind: string; name: string; uid: string }, namespace: string): Promise<boolean | 'unresolved'> {
    const r = this.monitor.resolve(ref.apiVersion, ref.kind);
    if (!r) return 'unresolved'; // never collect on a guess, never take the owner as present for good
    try {
      const live = await this.client.request<KObject>('GET', objectPath(r, r.namespaced ? namespace : '', ref.name));
      return live.metadata?.uid !== ref.uid;
    } catch (err) {
      if (isNotFound(err)) return true;
      throw err;
    }
  }

  private async delete(r: ServedResource, obj: KObject, propagationPolicy: string): Promise<void> {
    try {
      await this.client.request('DELETE', objectPath(r, obj.metadata?.namespace ?? '', obj.metadata!.name!), {
        kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy, preconditions: { uid: obj.metadata!.uid },
      });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  private async patch(r: ServedResource, obj: KObject, body: object): Promise<void> {
    try {
      await this.client.request('PATCH', objectPath(r, obj.metadata?.namespace ?? '', obj.metadata!.name!), body, 'application/merge-patch+json');
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  private async removeFinalizer(r: ServedResource, obj: KObject, finalizer: string): Promise<void> {
    const rest = (obj.metadata?.finalizers ?? []).filter((f) => f !== finalizer);
    await this.patch(r, obj, { metadata: { finalizers: rest.length ? rest : null, resourceVersion: obj.metadata!.resourceVersion } });
  }
}

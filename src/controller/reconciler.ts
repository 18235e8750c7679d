// One DaemonSet sync: caches → Snapshot → plan (pure) → writes through the API (§5.3 order:
// claim, history, manage + rolling update under expectations, cleanup, status).
import type { ControllerRevision, DaemonSet, KObject, Pod } from '../api/types.js';
import { keyOf, splitKey } from '../api/meta.js';
import { ApiStatusError, isConflict, isNotFound } from '../kube/client.js';
import { claimObjects } from './core/claim.js';
import { plan, planStatusOnly, type Plan } from './core/plan.js';
import { createMayHaveHappened, settleUncertainCreates } from './core/uncertain.js';
import { slowStart } from './slowstart.js';
import { BURST_REPLICAS } from './core/manage.js';
import { controllerRefTo } from './core/pods.js';
import { revisionMatches } from './core/history.js';
import { podCreatedEvent, podCreateFailedEvent, podDeletedEvent, podDeleteFailedEvent } from './core/events.js';
import { gcBackoff } from './core/backoff.js';
import { BIND_ANNOTATION, type ReconcilerDeps } from './deps.js';
import { statusEqual, withCollisionBumped, withCounters } from './core/status.js';
import type { EventRecorder } from './events.js';
import { deepCopy } from '../api/clone.js';
import { fromLabelSelector, labelSelectorToString } from '../api/selector.js';
import { MutationCache } from '../kube/mutationcache.js';

const enc = encodeURIComponent;
const dsPath = (ns: string, name: string) => `/apis/apps/v1/namespaces/${enc(ns)}/daemonsets/${enc(name)}`;
const podsPath = (ns: string) => `/api/v1/namespaces/${enc(ns)}/pods`;
const revsPath = (ns: string) => `/apis/apps/v1/namespaces/${enc(ns)}/controllerrevisions`;

export class Reconciler {
  /** Per DaemonSet: the create window its last fully successful slow start reached. */
  readonly #createWindow = new Map<string, number>();
  /**
   * The DaemonSets as this controller's own status writes left them (client-go's MutationCache):
   * a sync that starts before the watch has brought back the previous sync's write plans on that
   * write's answer, not on the older cached copy. Planned on the older one, it wrote the same
   * counters again from a stale resourceVersion: 409, then GET and PUT (one GET and two PUTs per
   * node change at 10,000 nodes, bench "controller API requests per node change").
   */
  readonly #written: MutationCache<DaemonSet & KObject>;

  constructor(private readonly c: ReconcilerDeps, private readonly events: EventRecorder) {
    this.#written = new MutationCache(c.caches.daemonSets, () => c.clock.now());
  }

  async reconcile(key: string): Promise<{ requeueAfterMs?: number }> {
    const { caches, expectations } = this.c;
    const cached = this.#written.get(key);
    if (!cached) { expectations.forget(key); this.#createWindow.delete(key); this.#written.forget(key); return {}; }
    const ds = deepCopy(cached) as DaemonSet;
    const ns = ds.metadata!.namespace!;
    const nowMs = this.c.clock.now();

    if (!expectations.satisfied(key) && expectations.uncertainCreates(key).length) await this.settleUncertainCreates(key, ds);
    // Decided before the caches are read, as upstream's ReplicaSet controller orders it: were it
    // checked after a read and an await (the live reads above and in claim), the informer could
    // observe our last creates in between, and a satisfied check would pass a cache read that
    // lacks them: a second pod on the same node.
    const satisfied = expectations.satisfied(key);
    const pods = await this.claim(ds, this.candidates(caches.pods, ds), podsPath(ns));
    const revisions = await this.claim(ds, this.candidates(caches.revisions, ds), revsPath(ns));
    const bindDirectly = this.c.opts.bindDirectly === true || ds.metadata?.annotations?.[BIND_ANNOTATION] === 'direct';
    const snapshot = {
      ds, nodes: caches.nodes.list(), pods: pods as Pod[], revisions: revisions as ControllerRevision[],
      nowMs, backoff: gcBackoff(this.c.backoff.get(key) ?? {}, nowMs), bindDirectly,
    };

    if (!satisfied) {
      // Our last writes are not all in the cache yet: acting now would duplicate them.
      const s = planStatusOnly(snapshot);
      if (s.writeStatus) await this.writeStatus(ds, withCounters(s.status));
      return s.requeueAfterMs !== undefined ? { requeueAfterMs: s.requeueAfterMs } : {};
    }

    const p = plan(snapshot);
    this.c.backoff.set(key, p.backoff);
    for (const e of p.events) this.events.record(ds, e);
    await this.applyHistory(ds, p);
    // The status describes the snapshot, not the outcome of this sync's pod writes, so it goes out
    // beside them: one round trip less between two syncs of a large rollout (20 syncs of 250 at
    // 5,000 nodes).
    const [podWrites, statusWrite] = await Promise.allSettled([this.applyPods(key, ds, p), p.writeStatus ? this.writeStatus(ds, p.bumpCollisionCount ? withCollisionBumped : withCounters(p.status, p.status.observedGeneration)) : undefined]);
    if (podWrites.status === 'rejected') throw podWrites.reason;
    if (statusWrite.status === 'rejected') throw statusWrite.reason;
    return p.requeueAfterMs !== undefined ? { requeueAfterMs: p.requeueAfterMs } : {};
  }

  /** Objects this DaemonSet controls plus orphans in its namespace that it may adopt. */
  private candidates<T extends KObject>(inf: { byIndex(i: string, v: string): T[] }, ds: DaemonSet): T[] {
    return [...inf.byIndex('owner', ds.metadata!.uid!), ...inf.byIndex('orphans', ds.metadata!.namespace!)];
  }

  /** ControllerRef claiming (§5.6): adopt matching orphans, release owned objects that stopped matching. */
  private async claim<T extends KObject>(ds: DaemonSet, objects: T[], collection: string): Promise<T[]> {
    const r = claimObjects(ds, objects);
    // The common case, nothing to adopt or release, hands back claimObjects' list as it is.
    if (!r.adopt.length && !r.release.length) return r.owned;
    const owned = new Set(r.owned);
    // Re-check with a live read that the DaemonSet still exists, is the same one and is not
    // being deleted (upstream's RecheckDeletionTimestamp): otherwise the whole sync stops, as
    // upstream's claim fails it, so nothing is created for a DaemonSet that is going away.
    const fresh = await this.c.client.request<DaemonSet>('GET', dsPath(ds.metadata!.namespace!, ds.metadata!.name!));
    if (fresh.metadata?.uid !== ds.metadata?.uid) throw new Error(`original ${keyOf(ds)} is gone: got uid ${fresh.metadata?.uid}, wanted ${ds.metadata?.uid}`);
    if (fresh.metadata?.deletionTimestamp) throw new Error(`${keyOf(ds)} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
    // Strategic merge patches keyed on the ownerReference's uid (upstream's ControllerRefManager),
    // with the object's uid as precondition: they add or remove our reference alone, so an owner
    // someone else added since our cache saw the object is kept.
    for (const o of r.adopt) {
      try {
        await this.c.client.request('PATCH', `${collection}/${enc(o.metadata!.name!)}`, {
          metadata: { ownerReferences: [controllerRefTo(ds)], uid: o.metadata!.uid },
        }, 'application/strategic-merge-patch+json');
      } catch (err) {
        owned.delete(o);
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
    }
    for (const o of r.release) {
      try {
        await this.c.client.request('PATCH', `${collection}/${enc(o.metadata!.name!)}`, {
          metadata: { ownerReferences: [{ $patch: 'delete', uid: ds.metadata!.uid }], uid: o.metadata!.uid },
        }, 'application/strategic-merge-patch+json');
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
    }
    return [...owned];
  }

  private async applyHistory(ds: DaemonSet, p: Plan): Promise<void> {
    const ns = ds.metadata!.namespace!;
    if (p.createRevision) {
      try {
        await this.c.client.request('POST', revsPath(ns), p.createRevision);
      } catch (err) {
        if (!(err instanceof ApiStatusError && err.code === 409)) throw err;
        // Someone else's revision holds the name: equal data means it is ours to use; otherwise a
        // hash collision, which bumps collisionCount so the next sync hashes differently (§4.3).
        const existing = await this.c.client.request<ControllerRevision>('GET', `${revsPath(ns)}/${enc(p.createRevision.metadata!.name!)}`);
        // Upstream's Match compares the data alone: whoever owns it, it is this template's snapshot.
        if (!revisionMatches(ds, existing)) {
          await this.writeStatus(ds, withCollisionBumped);
          throw new Error(`hash collision for revision ${p.createRevision.metadata!.name}; collisionCount bumped`);
        }
      }
    }
    for (const r of p.updateRevisions) {
      await this.c.client.request('PUT', `${revsPath(ns)}/${enc(r.metadata!.name!)}`, r);
    }
    for (const name of p.deleteRevisions) {
      await this.c.client.request('DELETE', `${revsPath(ns)}/${enc(name)}`).catch((err) => { if (!isNotFound(err)) throw err; });
    }
    for (const r of p.relabelPods) {
      await this.c.client.request('PATCH', `${podsPath(ns)}/${enc(r.name)}`, { metadata: { labels: { 'controller-revision-hash': r.hash } } }, 'application/merge-patch+json')
        .catch((err) => { if (!isNotFound(err)) throw err; });
    }
  }

  /** Creates in slow-start batches, then deletes, all under expectations (§5.7, §5.8). */
  private async applyPods(key: string, ds: DaemonSet, p: Plan): Promise<void> {
    const ns = ds.metadata!.namespace!;
    const { expectations, caches } = this.c;
    const deleteUids = p.deletePods.map((d) => caches.pods.get(`${ns}/${d.name}`)?.metadata?.uid ?? `unknown:${d.name}`);
    if (!p.createPods.length && !p.deletePods.length) return;
    expectations.expect(key, p.createPods.length, deleteUids);

    let failed: unknown;
    // The window carries over between syncs while every create succeeds: a 5,000-pod rollout is
    // 20 syncs of 250, and restarting each at one request would cost 20 ramps. A failure
    // anywhere sends the next sync back to one, as upstream's batches always start.
    // The pods known before these creates: one that appears beside them on a node is what a lost answer created.
    const knownUids = this.candidates(caches.pods, ds).flatMap((pod) => pod.metadata?.uid ?? []);
    const initial = this.#createWindow.get(key) ?? 1;
    const { results, notStarted, window } = await slowStart(p.createPods, (c) => this.c.client.request<Pod>('POST', podsPath(ns), c.pod), { initial });
    if (results.every((r) => r.ok) && !notStarted) this.#createWindow.set(key, Math.min(window, BURST_REPLICAS)); else this.#createWindow.delete(key);
    for (const [i, r] of results.entries()) {
      if (r.ok) {
        this.events.record(ds, podCreatedEvent(r.value.metadata?.name ?? ''));
        this.c.opts.metrics?.podCreated(ns, ds.metadata!.name!);
      } else {
        // Only a create the server refused will never be observed (upstream's CreationObserved on
        // error); one whose answer was lost may exist and is settled by a live read next sync.
        if (createMayHaveHappened(r.error instanceof ApiStatusError ? r.error : undefined)) {
          expectations.creationUncertain(key, { nodeName: p.createPods[i].nodeName, knownUids });
        } else {
          expectations.creationFailed(key);
        }
        failed ??= r.error;
        // A namespace being deleted refuses creates with 403; nothing to report per pod then.
        this.events.record(ds, podCreateFailedEvent(r.error instanceof Error ? r.error.message : String(r.error)));
      }
    }
    // Slow start stopped at the failure: the creates never sent will never be observed.
    for (let i = 0; i < notStarted; i++) expectations.creationFailed(key);
    await Promise.all(p.deletePods.map(async (d, i) => {
      try {
        await this.c.client.request('DELETE', `${podsPath(ns)}/${enc(d.name)}`, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' });
        this.events.record(ds, podDeletedEvent(d.name));
        this.c.opts.metrics?.podDeleted(ns, ds.metadata!.name!);
      } catch (err) {
        expectations.deletionObserved(key, deleteUids[i]);
        if (isNotFound(err)) return;
        failed ??= err;
        this.events.record(ds, podDeleteFailedEvent(err instanceof Error ? err.message : String(err)));
      }
    }));
    if (failed) throw failed;
  }

  /**
   * Status write that retries once on a conflict (upstream's storeDaemonSetStatus): `change` is
   * applied to the cached status, and on a conflict to the freshly read one, so the retry carries
   * only what this sync decided (counters, observedGeneration, a collisionCount bump) and keeps
   * what another writer set meanwhile (conditions, a newer collisionCount).
   */
  private async writeStatus(ds: DaemonSet, change: (base: DaemonSet['status']) => DaemonSet['status']): Promise<void> {
    const { namespace, name } = splitKey(keyOf(ds));
    const path = `${dsPath(namespace, name)}/status`;
    try {
      this.#written.mutation(await this.c.client.request<DaemonSet>('PUT', path, { ...ds, status: change(ds.status) }));
    } catch (err) {
      if (isNotFound(err)) return;
      if (!isConflict(err)) throw err;
      const fresh = await this.c.client.request<DaemonSet>('GET', dsPath(namespace, name));
      this.#written.mutation(fresh);
      const next = change(fresh.status);
      // The fresh object already holds what this sync would write (the write its stale copy missed): a PUT would change nothing.
      if (statusEqual(fresh.status, next)) return;
      this.#written.mutation(await this.c.client.request<DaemonSet>('PUT', path, { ...fresh, status: next }));
    }
  }

  /**
   * Settles the creates whose answers were lost with one live list of the namespace's pods: a pod
   * for that node the sending sync did not know is the created one (the informer will show it),
   * none means the create never happened and will never be observed.
   */
  private async settleUncertainCreates(key: string, ds: DaemonSet): Promise<void> {
    const creates = [...this.c.expectations.uncertainCreates(key)];
    const sel = fromLabelSelector(ds.spec?.selector);
    const query: Record<string, string> = !('error' in sel) && sel.length > 0 ? { labelSelector: labelSelectorToString(ds.spec!.selector) } : {};
    const live = await this.c.client.listAll<Pod>(podsPath(ds.metadata!.namespace!), query);
    const happened = settleUncertainCreates(creates, live.items, ds.metadata!.uid!);
    creates.forEach((c, i) => this.c.expectations.settleUncertain(key, c, happened[i]));
    const made = happened.filter(Boolean).length;
    this.c.opts.log?.(`daemonset-controller: ${key}: ${creates.length} pod create(s) lost their answer: ${made} happened, ${creates.length - made} did not`);
  }
}

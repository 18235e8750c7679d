// One DaemonSet sync: caches → Snapshot → plan (pure) → writes through the API (§5.3 order:
// claim, history, manage + rolling update under expectations, cleanup, status).
import type { ControllerRevision, DaemonSet, KObject, Pod } from '../api/types.js';
import { controllerRefOf, keyOf, splitKey } from '../api/meta.js';
import { ApiStatusError, isConflict, isNotFound } from '../kube/client.js';
import { claimObjects } from './core/claim.js';
import { plan, planStatusOnly, type Plan } from './core/plan.js';
import { slowStart } from './slowstart.js';
import { BURST_REPLICAS } from './core/manage.js';
import { templateHash } from './core/history.js';
import { controllerRefTo } from './core/pods.js';
import { podCreatedEvent, podCreateFailedEvent, podDeletedEvent, podDeleteFailedEvent } from './core/events.js';
import { gcBackoff } from './core/backoff.js';
import { BIND_ANNOTATION, type ReconcilerDeps } from './deps.js';
import type { EventRecorder } from './events.js';
import { deepCopy } from '../api/clone.js';

const enc = encodeURIComponent;
const dsPath = (ns: string, name: string) => `/apis/apps/v1/namespaces/${enc(ns)}/daemonsets/${enc(name)}`;
const podsPath = (ns: string) => `/api/v1/namespaces/${enc(ns)}/pods`;
const revsPath = (ns: string) => `/apis/apps/v1/namespaces/${enc(ns)}/controllerrevisions`;

export class Reconciler {
  /** Per DaemonSet: the create window its last fully successful slow start reached. */
  readonly #createWindow = new Map<string, number>();

  constructor(private readonly c: ReconcilerDeps, private readonly events: EventRecorder) {}

  async reconcile(key: string): Promise<{ requeueAfterMs?: number }> {
    const { caches, expectations } = this.c;
    const cached = caches.daemonSets.get(key);
    if (!cached) { expectations.forget(key); this.#createWindow.delete(key); return {}; }
    const ds = deepCopy(cached) as DaemonSet;
    const ns = ds.metadata!.namespace!;
    const nowMs = Date.now();

    const pods = await this.claim(ds, this.candidates(caches.pods, ds), podsPath(ns));
    const revisions = await this.claim(ds, this.candidates(caches.revisions, ds), revsPath(ns));
    const bindDirectly = this.c.opts.bindDirectly === true || ds.metadata?.annotations?.[BIND_ANNOTATION] === 'direct';
    const snapshot = {
      ds, nodes: caches.nodes.list(), pods: pods as Pod[], revisions: revisions as ControllerRevision[],
      nowMs, backoff: gcBackoff(this.c.backoff.get(key) ?? {}, nowMs), bindDirectly,
    };

    if (!expectations.satisfied(key)) {
      // Our last writes are not all in the cache yet: acting now would duplicate them.
      const s = planStatusOnly(snapshot, templateHash(ds));
      if (s.writeStatus) await this.writeStatus(ds, s.status);
      return s.requeueAfterMs !== undefined ? { requeueAfterMs: s.requeueAfterMs } : {};
    }

    const p = plan(snapshot);
    this.c.backoff.set(key, p.backoff);
    for (const e of p.events) this.events.record(ds, e);
    await this.applyHistory(ds, p);
    // The status describes the snapshot, not the outcome of this sync's pod writes, so it goes out
    // beside them: one round trip less between two syncs of a large rollout (20 syncs of 250 at
    // 5,000 nodes).
    const [podWrites, statusWrite] = await Promise.allSettled([this.applyPods(key, ds, p), p.writeStatus ? this.writeStatus(ds, p.status) : undefined]);
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
    const owned = new Set(r.owned);
    if (r.adopt.length || r.release.length) {
      // Re-check with a live read that the DaemonSet still exists and is the same one (upstream's RecheckDeletionTimestamp).
      const fresh = await this.c.client.request<DaemonSet>('GET', dsPath(ds.metadata!.namespace!, ds.metadata!.name!)).catch(() => undefined);
      if (!fresh || fresh.metadata?.uid !== ds.metadata?.uid || fresh.metadata?.deletionTimestamp) {
        return r.owned.filter((o) => !r.adopt.includes(o));
      }
    }
    for (const o of r.adopt) {
      try {
        await this.c.client.request('PATCH', `${collection}/${enc(o.metadata!.name!)}`, {
          metadata: { ownerReferences: [...(o.metadata?.ownerReferences ?? []), controllerRefTo(ds)], uid: o.metadata!.uid },
        }, 'application/merge-patch+json');
      } catch (err) {
        owned.delete(o);
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
    }
    for (const o of r.release) {
      try {
        const refs = (o.metadata?.ownerReferences ?? []).filter((x) => x.uid !== ds.metadata?.uid);
        await this.c.client.request('PATCH', `${collection}/${enc(o.metadata!.name!)}`, {
          metadata: { ownerReferences: refs.length ? refs : null, uid: o.metadata!.uid },
        }, 'application/merge-patch+json');
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
        const same = JSON.stringify(existing.data) === JSON.stringify(p.createRevision.data) && controllerRefOf(existing as unknown as KObject)?.uid === ds.metadata?.uid;
        if (!same) {
          await this.writeStatus(ds, { ...(ds.status ?? p.status), collisionCount: (ds.status?.collisionCount ?? 0) + 1 });
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
    const initial = this.#createWindow.get(key) ?? 1;
    const { results, notStarted, window } = await slowStart(p.createPods, (c) => this.c.client.request<Pod>('POST', podsPath(ns), c.pod), { initial });
    if (results.every((r) => r.ok) && !notStarted) this.#createWindow.set(key, Math.min(window, BURST_REPLICAS)); else this.#createWindow.delete(key);
    for (const r of results) {
      if (r.ok) {
        this.events.record(ds, podCreatedEvent(r.value.metadata?.name ?? ''));
        this.c.opts.metrics?.podCreated(ns, ds.metadata!.name!);
      } else {
        expectations.creationFailed(key);
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

  /** Status write that skips no-ops and retries once on a conflict with a fresh read (§7). */
  private async writeStatus(ds: DaemonSet, status: DaemonSet['status']): Promise<void> {
    const { namespace, name } = splitKey(keyOf(ds));
    const path = `${dsPath(namespace, name)}/status`;
    try {
      await this.c.client.request('PUT', path, { ...ds, status });
    } catch (err) {
      if (isNotFound(err)) return;
      if (!isConflict(err)) throw err;
      const fresh = await this.c.client.request<DaemonSet>('GET', dsPath(namespace, name));
      // The generation may have moved on; only observedGeneration we actually planned for is claimed.
      const s = { ...status, observedGeneration: Math.min(status?.observedGeneration ?? 0, fresh.metadata?.generation ?? 0) };
      await this.c.client.request('PUT', path, { ...fresh, status: s });
    }
  }
}

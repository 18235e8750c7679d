// The ReplicaSet controller (kube-controller-manager's replicaset controller): keeps each
// ReplicaSet's pods at spec.replicas, adopting matching orphans, releasing pods it no longer
// selects, and writes its status. Decisions are replicaset-core.ts; this shell feeds it the shared
// caches, counts the writes it expects to see (so a slow watch never doubles a create) and writes.
import type { KubeConfig } from '@kubernetes/client-node';
import { controllerRefOf, keyOf, splitKey } from '../api/meta.js';
import { labelSelectorMatches } from '../api/selector.js';
import { RawClient, isConflict, isNotFound } from '../kube/client.js';
import { ControllerLoop } from '../kube/controllerloop.js';
import type { Informer } from '../kube/informer.js';
import type { Runnable } from '../kube/manager.js';
import { SharedInformers } from '../kube/shared.js';
import { EventSink, coreEvent } from '../kube/eventsink.js';
import { semanticEqual } from '../apiserver/resources/equality.js';
import { Expectations, planReplicaSet, podFromTemplate, slowStartBatches, type KPod, type KReplicaSet, type ReplicaSetPlan } from './replicaset-core.js';

const MERGE = 'application/merge-patch+json';
const byNamespace = (o: { metadata?: { namespace?: string } }) => [o.metadata?.namespace ?? ''];
const enc = encodeURIComponent;

export interface ReplicaSetControllerOptions {
  informers?: SharedInformers;
  now?: () => number;
  log?: (line: string) => void;
}

export class ReplicaSetController implements Runnable {
  readonly name = 'replicaset-controller';
  readonly #client: RawClient;
  readonly #shared: SharedInformers;
  readonly #sets: Informer<KReplicaSet>;
  readonly #pods: Informer<KPod>;
  readonly #loop: ControllerLoop;
  readonly #expectations = new Expectations();
  readonly #now: () => number;
  readonly #events: EventSink;

  constructor(kc: KubeConfig, o: ReplicaSetControllerOptions = {}) {
    this.#client = new RawClient(kc);
    this.#events = new EventSink(kc);
    this.#shared = o.informers ?? new SharedInformers(kc);
    this.#now = o.now ?? Date.now;
    this.#sets = this.#shared.informer<KReplicaSet>('/apis/apps/v1/replicasets');
    this.#pods = this.#shared.informer<KPod>('/api/v1/pods');
    this.#sets.addIndex('namespace', byNamespace);
    this.#pods.addIndex('namespace', byNamespace);
    this.#loop = new ControllerLoop({
      name: 'replicaset', workers: 2, backoff: { baseDelayMs: 100, maxDelayMs: 30_000 }, log: o.log,
      reconciler: { reconcile: (key, signal) => this.#sync(key, signal) },
      report: (f) => this.#shared.failedSync(this.name, this.#sets, f.key, f.message),
    });
    const q = this.#loop.queue;
    this.#sets.addHandler({
      onAdd: (rs) => q.add(keyOf(rs)),
      onUpdate: (_old, rs) => q.add(keyOf(rs)),
      onDelete: (rs) => { this.#expectations.forget(keyOf(rs)); q.add(keyOf(rs)); },
    });
    this.#pods.addHandler({
      onAdd: (p) => this.#podChanged(p, 'add'),
      onUpdate: (old, p) => { this.#podChanged(old, 'none'); this.#podChanged(p, 'none'); },
      onDelete: (p) => this.#podChanged(p, 'delete'),
    });
  }

  /** The owner hears of its pod; an orphan is offered to every ReplicaSet that selects it. */
  #podChanged(p: KPod, seen: 'add' | 'delete' | 'none'): void {
    const ref = controllerRefOf(p);
    const ns = p.metadata?.namespace ?? '';
    if (ref) {
      if (ref.kind !== 'ReplicaSet') return;
      const key = `${ns}/${ref.name}`;
      const owner = this.#sets.get(key);
      if (!owner || owner.metadata?.uid !== ref.uid) return;
      if (seen === 'add') this.#expectations.lower(key, 1, 0);
      if (seen === 'delete') this.#expectations.lower(key, 0, 1);
      this.#loop.queue.add(key);
      return;
    }
    if (seen === 'delete') return;
    for (const rs of this.#sets.byIndex('namespace', ns)) {
      if (labelSelectorMatches(rs.spec?.selector, p.metadata?.labels)) this.#loop.queue.add(keyOf(rs));
    }
  }

  async start(signal: AbortSignal): Promise<void> {
    const run = this.#shared.start(signal);
    await Promise.all([this.#sets.waitForSync(signal), this.#pods.waitForSync(signal)]);
    await Promise.all([this.#loop.start(signal), run]);
    this.#events.close();
    this.#client.close();
  }

  /** SuccessfulCreate / SuccessfulDelete, as `kubectl describe rs` shows them. */
  #event(rs: KReplicaSet, reason: string, message: string): void {
    const m = rs.metadata ?? {};
    const ev = coreEvent({ apiVersion: 'apps/v1', kind: 'ReplicaSet', namespace: m.namespace, name: m.name ?? '', uid: m.uid, resourceVersion: m.resourceVersion },
      { type: 'Normal', reason, message }, this.name, this.#now());
    this.#events.post(ev.namespace, ev.body);
  }

  async #sync(key: string, signal: AbortSignal) {
    const rs = this.#sets.get(key);
    if (!rs) { this.#expectations.forget(key); return; }
    const now = this.#now();
    const pods = this.#pods.byIndex('namespace', rs.metadata?.namespace ?? '');
    const plan = planReplicaSet(rs, pods, now, this.#expectations.satisfied(key, now));
    const client = this.#client.withSignal(signal);
    await this.#claim(client, rs, plan);
    await this.#manage(client, key, rs, plan);
    await this.#writeStatus(client, rs, plan);
    return plan.recheckAtMs !== undefined ? { requeueAfterMs: Math.max(1, plan.recheckAtMs - now) } : {};
  }

  /** Adoption and release patch the controllerRef, guarded by the pod's uid and resourceVersion. */
  async #claim(client: RawClient, rs: KReplicaSet, plan: ReplicaSetPlan): Promise<void> {
    const m = rs.metadata ?? {};
    const ref = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: m.name, uid: m.uid, controller: true, blockOwnerDeletion: true };
    const patch = async (p: KPod, refs: unknown[]) => {
      try {
        await client.request('PATCH', `/api/v1/namespaces/${enc(p.metadata!.namespace!)}/pods/${enc(p.metadata!.name!)}`,
          { metadata: { uid: p.metadata?.uid, resourceVersion: p.metadata?.resourceVersion, ownerReferences: refs } }, MERGE);
      } catch (err) {
        // Changed or gone since the cache saw it: its next event brings the ReplicaSet back here.
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
    };
    for (const p of plan.adopt) await patch(p, [...(p.metadata?.ownerReferences ?? []), ref]);
    for (const p of plan.release) await patch(p, (p.metadata?.ownerReferences ?? []).filter((r) => r.uid !== m.uid));
  }

  async #manage(client: RawClient, key: string, rs: KReplicaSet, plan: ReplicaSetPlan): Promise<void> {
    const ns = enc(rs.metadata?.namespace ?? '');
    if (plan.create > 0) {
      this.#expectations.expect(key, plan.create, 0, this.#now());
      const body = podFromTemplate(rs);
      let left = plan.create;
      for (const batch of slowStartBatches(plan.create)) {
        const results = await Promise.allSettled(Array.from({ length: batch }, async () => {
          const made = await client.request<KPod>('POST', `/api/v1/namespaces/${ns}/pods`, body);
          this.#event(rs, 'SuccessfulCreate', `Created pod: ${made.metadata?.name ?? ''}`);
        }));
        left -= batch;
        const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
        if (failed.length) {
          // The creates that failed or were skipped will never be observed.
          this.#expectations.lower(key, failed.length + left, 0);
          throw failed[0]!.reason;
        }
      }
    }
    if (plan.delete.length > 0) {
      this.#expectations.expect(key, 0, plan.delete.length, this.#now());
      await Promise.all(plan.delete.map(async (p) => {
        try {
          await client.delete(`/api/v1/namespaces/${ns}/pods/${enc(p.metadata!.name!)}`, { preconditions: { uid: p.metadata?.uid } });
          this.#event(rs, 'SuccessfulDelete', `Deleted pod: ${p.metadata?.name}`);
        } catch (err) {
          this.#expectations.lower(key, 0, 1);
          if (!isNotFound(err) && !isConflict(err)) throw err;
        }
      }));
    }
  }

  /** updateReplicaSetStatus, as a merge patch of the whole status: counters now zero are removed (null). */
  async #writeStatus(client: RawClient, rs: KReplicaSet, plan: ReplicaSetPlan): Promise<void> {
    if (semanticEqual(rs.status ?? {}, plan.status)) return;
    const status: Record<string, unknown> = { ...plan.status };
    for (const k of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration']) status[k] ??= null;
    const { namespace, name } = splitKey(keyOf(rs));
    try {
      await client.request('PATCH', `/apis/apps/v1/namespaces/${enc(namespace)}/replicasets/${enc(name)}/status`, { metadata: { uid: rs.metadata?.uid }, status }, MERGE);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

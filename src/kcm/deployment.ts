// The Deployment controller (kube-controller-manager's deployment controller): one ReplicaSet per
// pod template, rolled by RollingUpdate or Recreate, scaled, pruned to revisionHistoryLimit, and
// the Deployment's status. Decisions are deployment-core.ts; this shell feeds it the shared
// caches and writes what it asks. The ReplicaSet controller (replicaset.ts) makes the pods.
import type { KubeConfig } from '@kubernetes/client-node';
import { controllerRefOf, keyOf } from '../api/meta.js';
import { labelSelectorMatches } from '../api/selector.js';
import { ApiStatusError, RawClient, isConflict, isNotFound } from '../kube/client.js';
import { ControllerLoop } from '../kube/controllerloop.js';
import type { Informer } from '../kube/informer.js';
import type { Runnable } from '../kube/manager.js';
import { SharedInformers } from '../kube/shared.js';
import { EventSink, coreEvent } from '../kube/eventsink.js';
import { semanticEqual } from '../apiserver/resources/equality.js';
import { REVISION, claimReplicaSets, planDeployment, sameTemplate, type DeploymentAction, type KDeployment, type KReplicaSet } from './deployment-core.js';

const MERGE = 'application/merge-patch+json';
const enc = encodeURIComponent;
const byNamespace = (o: { metadata?: { namespace?: string } }) => [o.metadata?.namespace ?? ''];

export interface DeploymentControllerOptions {
  informers?: SharedInformers;
  now?: () => number;
  log?: (line: string) => void;
}

export class DeploymentController implements Runnable {
  readonly name = 'deployment-controller';
  readonly #client: RawClient;
  readonly #shared: SharedInformers;
  readonly #deployments: Informer<KDeployment>;
  readonly #sets: Informer<KReplicaSet>;
  readonly #loop: ControllerLoop;
  readonly #now: () => number;
  readonly #events: EventSink;

  constructor(kc: KubeConfig, o: DeploymentControllerOptions = {}) {
    this.#client = new RawClient(kc);
    this.#events = new EventSink(kc);
    this.#shared = o.informers ?? new SharedInformers(kc);
    this.#now = o.now ?? Date.now;
    this.#deployments = this.#shared.informer<KDeployment>('/apis/apps/v1/deployments');
    this.#sets = this.#shared.informer<KReplicaSet>('/apis/apps/v1/replicasets');
    this.#deployments.addIndex('namespace', byNamespace);
    this.#sets.addIndex('namespace', byNamespace);
    this.#loop = new ControllerLoop({
      name: 'deployment', workers: 2, backoff: { baseDelayMs: 100, maxDelayMs: 30_000 }, log: o.log,
      reconciler: { reconcile: (key, signal) => this.#sync(key, signal) },
      report: (f) => this.#shared.failedSync(this.name, this.#deployments, f.key, f.message),
    });
    const q = this.#loop.queue;
    this.#deployments.addHandler({ onAdd: (d) => q.add(keyOf(d)), onUpdate: (_o, d) => q.add(keyOf(d)), onDelete: (d) => q.add(keyOf(d)) });
    const rsChanged = (rs: KReplicaSet) => {
      const ref = controllerRefOf(rs);
      const ns = rs.metadata?.namespace ?? '';
      if (ref) { if (ref.kind === 'Deployment') q.add(`${ns}/${ref.name}`); return; }
      for (const d of this.#deployments.byIndex('namespace', ns)) if (labelSelectorMatches(d.spec?.selector, rs.metadata?.labels)) q.add(keyOf(d));
    };
    this.#sets.addHandler({ onAdd: rsChanged, onUpdate: (old, rs) => { rsChanged(old); rsChanged(rs); }, onDelete: rsChanged });
  }

  async start(signal: AbortSignal): Promise<void> {
    const run = this.#shared.start(signal);
    await Promise.all([this.#deployments.waitForSync(signal), this.#sets.waitForSync(signal)]);
    await Promise.all([this.#loop.start(signal), run]);
    this.#events.close();
    this.#client.close();
  }

  /** ScalingReplicaSet, as `kubectl describe deployment` shows it. */
  #scaled(d: KDeployment, rs: string, from: number, to: number): void {
    if (from === to) return;
    const m = d.metadata ?? {};
    const ev = coreEvent({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: m.namespace, name: m.name ?? '', uid: m.uid, resourceVersion: m.resourceVersion },
      { type: 'Normal', reason: 'ScalingReplicaSet', message: `Scaled ${to > from ? 'up' : 'down'} replica set ${rs} from ${from} to ${to}` }, this.name, this.#now());
    this.#events.post(ev.namespace, ev.body);
  }

  async #sync(key: string, signal: AbortSignal) {
    const d = this.#deployments.get(key);
    if (!d) return;
    const client = this.#client.withSignal(signal);
    const ns = d.metadata?.namespace ?? '';
    const { owned, adopt, release } = claimReplicaSets(d, this.#sets.byIndex('namespace', ns));
    for (const rs of adopt) await this.#setOwner(client, rs, [...(rs.metadata?.ownerReferences ?? []), ownerRef(d)]);
    for (const rs of release) await this.#setOwner(client, rs, (rs.metadata?.ownerReferences ?? []).filter((r) => r.uid !== d.metadata?.uid));
    const now = this.#now();
    const plan = planDeployment(d, owned, now);
    for (const a of plan.actions) await this.#apply(client, d, a);
    if (!semanticEqual(d.status ?? {}, plan.status)) {
      try {
        await client.request('PATCH', `${path(d, 'deployments')}/status`, { metadata: { uid: d.metadata?.uid }, status: plan.status }, MERGE);
      } catch (err) { if (!isNotFound(err)) throw err; }
    }
    return plan.recheckAtMs !== undefined ? { requeueAfterMs: Math.max(1, plan.recheckAtMs - now) } : {};
  }

  async #setOwner(client: RawClient, rs: KReplicaSet, refs: unknown[]): Promise<void> {
    try {
      await client.request('PATCH', path(rs, 'replicasets'), { metadata: { uid: rs.metadata?.uid, resourceVersion: rs.metadata?.resourceVersion, ownerReferences: refs } }, MERGE);
    } catch (err) { if (!isNotFound(err) && !isConflict(err)) throw err; }
  }

  async #apply(client: RawClient, d: KDeployment, a: DeploymentAction): Promise<void> {
    const ns = enc(d.metadata?.namespace ?? '');
    switch (a.type) {
      case 'create':
        try {
          await client.request('POST', `/apis/apps/v1/namespaces/${ns}/replicasets`, a.rs);
          this.#scaled(d, a.rs.metadata?.name ?? '', 0, a.rs.spec?.replicas ?? 0);
        } catch (err) {
          if (!(err instanceof ApiStatusError && err.code === 409)) throw err;
          await this.#collided(client, d, a.rs);
        }
        return;
      case 'update':
        // Guarded by the resourceVersion the decision was made on: a conflict retries the whole sync.
        await client.request('PATCH', path(a.rs, 'replicasets'), {
          metadata: { resourceVersion: a.rs.metadata?.resourceVersion, annotations: a.annotations }, spec: { replicas: a.replicas },
        }, MERGE);
        this.#scaled(d, a.rs.metadata?.name ?? '', a.rs.spec?.replicas ?? 0, a.replicas);
        return;
      case 'delete':
        try {
          await client.delete(path(a.rs, 'replicasets'), { preconditions: { uid: a.rs.metadata?.uid, resourceVersion: a.rs.metadata?.resourceVersion }, propagationPolicy: 'Background' });
        } catch (err) { if (!isNotFound(err) && !isConflict(err)) throw err; }
        return;
      case 'annotateDeployment':
        await client.request('PATCH', path(d, 'deployments'), { metadata: { annotations: { [REVISION]: a.revision } } }, MERGE);
    }
  }

  /**
   * The new ReplicaSet's name is taken. Ours with our template (the cache is behind): nothing to
   * do. Anything else is a hash collision: status.collisionCount goes up, and the next sync
   * hashes the template anew.
   */
  async #collided(client: RawClient, d: KDeployment, wanted: KReplicaSet): Promise<void> {
    const existing = await client.request<KReplicaSet>('GET', path(wanted, 'replicasets'));
    if (controllerRefOf(existing)?.uid === d.metadata?.uid && sameTemplate(existing.spec?.template, d.spec?.template)) return;
    await client.request('PATCH', `${path(d, 'deployments')}/status`, { metadata: { uid: d.metadata?.uid, resourceVersion: d.metadata?.resourceVersion }, status: { collisionCount: (d.status?.collisionCount ?? 0) + 1 } }, MERGE);
    throw new Error(`ReplicaSet ${wanted.metadata?.name} exists with another template: hash collision, counted`);
  }
}

const path = (o: KDeployment | KReplicaSet, resource: string) => `/apis/apps/v1/namespaces/${enc(o.metadata?.namespace ?? '')}/${resource}/${enc(o.metadata?.name ?? '')}`;
const ownerRef = (d: KDeployment) => ({ apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata?.name, uid: d.metadata?.uid, controller: true, blockOwnerDeletion: true });

// kube-controller-manager's clusterrole-aggregation controller: a ClusterRole with an
// aggregationRule gets, as its rules, those of every ClusterRole its selectors match (how
// admin, edit and view grow with the aggregate-to-* roles a CRD's project ships). The rules are
// computed by aggregatedRules (apiserver/auth/aggregation.ts); this is the I/O around it.
import type { KubeConfig } from '@kubernetes/client-node';
import type { KObject } from '../api/types.js';
import { RawClient, userAgent, isConflict, isNotFound } from '../kube/client.js';
import type { Informer } from '../kube/informer.js';
import { SharedInformers } from '../kube/shared.js';
import { ControllerLoop } from '../kube/controllerloop.js';
import type { Runnable } from '../kube/manager.js';
import { aggregatedRules } from '../apiserver/auth/aggregation.js';
import { semanticEqual } from '../apiserver/resources/equality.js';

const path = '/apis/rbac.authorization.k8s.io/v1/clusterroles';

export class ClusterRoleAggregationController implements Runnable {
  readonly name = 'clusterrole-aggregation-controller';
  readonly #client: RawClient;
  readonly #shared: SharedInformers;
  readonly #roles: Informer<KObject>;
  readonly #loop = new ControllerLoop({
    name: 'clusterrole-aggregation', workers: 1, backoff: { baseDelayMs: 100, maxDelayMs: 10_000 },
    reconciler: { reconcile: async (name) => { await this.#sync(name); } },
    report: (f) => this.#shared.failedSync(this.name, this.#roles, f.key, f.message),
  });
  get #queue() { return this.#loop.queue; }

  constructor(kc: KubeConfig, o: { informers?: SharedInformers } = {}) {
    this.#client = new RawClient(kc, { userAgent: userAgent('kube-controller-manager', 'clusterrole-aggregation-controller') });
    this.#shared = o.informers ?? new SharedInformers(kc);
    this.#roles = this.#shared.informer(path);
  }

  async start(signal: AbortSignal): Promise<void> {
    // Any ClusterRole's change may change what an aggregated one should hold: look at them all.
    const all = () => { for (const r of this.#roles.list()) if (r.aggregationRule) this.#queue.add(r.metadata!.name!); };
    this.#roles.addHandler({ onAdd: all, onUpdate: all, onDelete: all });
    const running = this.#shared.start(signal);
    await this.#roles.waitForSync(signal);
    await Promise.all([running, this.#loop.start(signal)]);
    this.#client.close();
  }

  async #sync(name: string): Promise<void> {
    const role = this.#roles.get(name);
    if (!role) return;
    const rules = aggregatedRules(role, this.#roles.list());
    if (!rules || semanticEqual(rules, role.rules ?? [])) return;
    try {
      await this.#client.request('PATCH', `${path}/${encodeURIComponent(name)}`, { metadata: { resourceVersion: role.metadata!.resourceVersion }, rules }, 'application/merge-patch+json');
    } catch (err) {
      // A newer version is on its way through the informer; it brings the role back.
      if (!isConflict(err) && !isNotFound(err)) throw err;
    }
  }
}

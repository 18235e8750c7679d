// The namespace controller: when a namespace is terminating, delete everything in it, then clear
// its "kubernetes" finalizer through the finalize subresource so the server can remove it.
import type { KubeConfig } from '@kubernetes/client-node';
import type { KObject } from '../api/types.js';
import { keyOf } from '../api/meta.js';
import { RawClient, userAgent, isNotFound, isConflict } from '../kube/client.js';
import { collectionPath, discoverResources, type ServedResource } from '../kube/discovery.js';
import { SharedInformers } from '../kube/shared.js';
import { ControllerLoop } from '../kube/controllerloop.js';
import type { Runnable } from '../kube/manager.js';

export class NamespaceController implements Runnable {
  readonly name = 'namespace-controller';
  private readonly client: RawClient;
  private resources: ServedResource[] = [];

  private readonly shared: SharedInformers;
  private readonly loop: ControllerLoop;

  constructor(kc: KubeConfig, o: { informers?: SharedInformers; log?: (line: string) => void } = {}) {
    this.client = new RawClient(kc, { userAgent: userAgent('kube-controller-manager', 'namespace-controller') });
    this.shared = o.informers ?? new SharedInformers(kc);
    const inf = this.shared.informer('/api/v1/namespaces');
    this.loop = new ControllerLoop({
      name: 'namespace', backoff: { baseDelayMs: 200, maxDelayMs: 10_000 }, log: o.log,
      reconciler: { reconcile: async (ns) => ((await this.finalize(inf.get(ns))) ? {} : { requeueAfterMs: 500 }) },
      report: (f) => this.shared.failedSync(this.name, inf, f.key, f.message),
    });
    const queue = this.loop.queue;
    inf.addHandler({
      onAdd: (o) => { if (o.metadata?.deletionTimestamp) queue.add(keyOf(o)); },
      onUpdate: (_old, o) => { if (o.metadata?.deletionTimestamp) queue.add(keyOf(o)); },
    });
  }

  async start(signal: AbortSignal): Promise<void> {
    const run = this.shared.start(signal);
    // A stop signal may come at any moment, even before the cache syncs: the loop then ends at once.
    await this.shared.waitForSync(signal);
    await Promise.all([this.loop.start(signal), run]);
    this.client.close();
  }

  /** Deletes the namespace's content; returns true once the namespace has been finalized. */
  private async finalize(ns: KObject | undefined): Promise<boolean> {
    if (!ns?.metadata?.deletionTimestamp) return true;
    const name = ns.metadata.name!;
    // Discovered on every pass, as upstream's namespace deleter does: kinds served since start
    // (CustomResourceDefinitions) are emptied too, and kinds gone since are not listed.
    this.resources = (await discoverResources(this.client)).filter((r) => r.namespaced && r.group !== 'extensions' && r.verbs.includes('list'));
    let remaining = 0;
    for (const r of this.resources) {
      const path = collectionPath(r, name);
      const list = await this.client.listAll(path);
      remaining += list.items.length;
      if (list.items.length && r.verbs.includes('deletecollection')) {
        await this.client.request('DELETE', path, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' });
      } else {
        for (const o of list.items) {
          if (o.metadata?.deletionTimestamp) continue;
          try {
            await this.client.request('DELETE', `${path}/${encodeURIComponent(o.metadata!.name!)}`, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' });
          } catch (err) { if (!isNotFound(err)) throw err; }
        }
      }
    }
    if (remaining > 0) return false;
    try {
      await this.client.request('PUT', `/api/v1/namespaces/${encodeURIComponent(name)}/finalize`, {
        apiVersion: 'v1', kind: 'Namespace', metadata: { name, resourceVersion: ns.metadata.resourceVersion }, spec: { finalizers: [] },
      });
    } catch (err) {
      if (isConflict(err)) return false;
      if (!isNotFound(err)) throw err;
    }
    return true;
  }
}

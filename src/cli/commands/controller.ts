// `everynode controller`: the DaemonSet controller alone, against any cluster.
import { Command } from '@commander-js/extra-typings';
import { KubeConfig } from '@kubernetes/client-node';
import { DaemonSetController } from '../../controller/controller.js';
import { startIdleCollector } from '../../kube/memory.js';
import { ApiStatusError, RawClient } from '../../kube/client.js';

/** kubeconfig from --kubeconfig, else KUBECONFIG, ~/.kube/config, or the in-cluster service account. */
export function loadKubeConfig(path?: string): KubeConfig {
  const kc = new KubeConfig();
  if (path) kc.loadFromFile(path); else kc.loadFromDefault();
  if (!kc.getCurrentCluster()) throw new Error('no cluster found: pass --kubeconfig, set KUBECONFIG, or run in a cluster');
  return kc;
}

/**
 * Refuses to start rather than loop silently: the API must answer and we must be allowed to
 * read everything the controller watches.
 */
export async function preflight(client: RawClient, namespace: string | undefined): Promise<void> {
  const ns = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  try {
    await client.request('GET', '/version');
  } catch (err) {
    throw new Error(`cannot reach the API server at ${client.server}: ${err instanceof Error ? err.message : String(err)}`);
  }
  for (const path of [`/apis/apps/v1${ns}/daemonsets`, `/api/v1${ns}/pods`, '/api/v1/nodes', `/apis/apps/v1${ns}/controllerrevisions`]) {
    try {
      await client.request('GET', `${path}?limit=1`);
    } catch (err) {
      const why = err instanceof ApiStatusError ? `${err.code} ${err.reason}: ${err.message}` : String(err);
      throw new Error(`cannot list ${path} (${why}); the controller needs get/list/watch on daemonsets, pods, nodes and controllerrevisions`);
    }
  }
}

export function controllerCommand() {
  return new Command('controller')
    .description('Run the DaemonSet controller against any cluster (kubeconfig, KUBECONFIG, ~/.kube/config or in-cluster)')
    .option('--kubeconfig <path>', 'kubeconfig file to use')
    .option('-n, --namespace <ns>', 'only manage DaemonSets in this namespace')
    .option('--bind-directly', 'set spec.nodeName on daemon pods instead of leaving them to the scheduler', false)
    .option('--workers <n>', 'concurrent reconciles', '4')
    .action(async (o) => {
      const workers = Number(o.workers);
      if (!Number.isInteger(workers) || workers < 1) throw new Error(`--workers must be a positive integer, got "${o.workers}"`);
      const kc = loadKubeConfig(o.kubeconfig);
      const probe = new RawClient(kc);
      try { await preflight(probe, o.namespace); } finally { probe.close(); }
      const stop = new AbortController();
      process.once('SIGINT', () => stop.abort());
      process.once('SIGTERM', () => stop.abort());
      const c = new DaemonSetController(kc, { namespace: o.namespace, bindDirectly: o.bindDirectly, workers, log: (l) => console.error(l) });
      // A controller idles between rollouts: give the memory of the last one back meanwhile.
      const stopCollector = startIdleCollector();
      stop.signal.addEventListener('abort', stopCollector, { once: true });
      console.error(`everynode: DaemonSet controller running against ${kc.getCurrentCluster()!.server}${o.namespace ? ` (namespace ${o.namespace})` : ''}`);
      await c.start(stop.signal);
    });
}

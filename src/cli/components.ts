// Which components run next to the API server in the embedded cluster. Each one is an API
// client like its real counterpart; the list grows as the simulator, scheduler and DaemonSet
// controller land.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Runnable } from '../kube/manager.js';
import { GarbageCollector } from '../kcm/gc.js';
import { NamespaceController } from '../kcm/namespace.js';
import type { ClusterOptions } from './cluster.js';

export async function clusterComponents(kubeConfig: () => KubeConfig, _o: ClusterOptions): Promise<Runnable[]> {
  return [
    new GarbageCollector(kubeConfig()),
    new NamespaceController(kubeConfig()),
  ];
}

// Which components run next to the API server in the embedded cluster. Each one is an API
// client like its real counterpart; the list grows as the simulator, scheduler and DaemonSet
// controller land.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Runnable } from '../kube/manager.js';
import { GarbageCollector } from '../kcm/gc.js';
import { NamespaceController } from '../kcm/namespace.js';
import { DaemonSetController } from '../controller/controller.js';
import type { ClusterOptions } from './cluster.js';

export async function clusterComponents(kubeConfig: () => KubeConfig, o: ClusterOptions): Promise<Runnable[]> {
  const parts: Runnable[] = [
    new GarbageCollector(kubeConfig()),
    new NamespaceController(kubeConfig()),
  ];
  if (o.controller !== false) parts.push(new DaemonSetController(kubeConfig(), { bindDirectly: o.bindDirectly, log: o.log }));
  return parts;
}

// Which components run next to the API server in the embedded cluster. Each one is an API
// client like its real counterpart; the list grows as the simulator, scheduler and DaemonSet
// controller land.
import { readFileSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Runnable } from '../kube/manager.js';
import { GarbageCollector } from '../kcm/gc.js';
import { NamespaceController } from '../kcm/namespace.js';
import { NodeLifecycleController } from '../kcm/nodelifecycle.js';
import { defaultConfig, heartbeatTiming, parseClusterConfig, type ClusterConfig } from '../nodes/cluster-config.js';
import { NodeSimulator } from '../nodes/simulator.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { DaemonSetController } from '../controller/controller.js';
import type { ClusterOptions } from './cluster.js';

/** `--config` wins; `--nodes N` means one default pool of N (added when a file is given too). */
export function clusterConfigOf(o: Pick<ClusterOptions, 'configFile' | 'nodes'>): ClusterConfig {
  if (!o.configFile) return defaultConfig(o.nodes ?? 0);
  const c = parseClusterConfig(readFileSync(o.configFile, 'utf8'), o.configFile);
  return o.nodes ? { ...c, pools: [...c.pools, ...defaultConfig(o.nodes).pools] } : c;
}

export async function clusterComponents(kubeConfig: () => KubeConfig, o: ClusterOptions): Promise<Runnable[]> {
  const file = clusterConfigOf(o);
  const { heartbeatMs, graceMs } = heartbeatTiming(file, o.nodeGraceMs);
  const config = { ...file, heartbeatIntervalMs: heartbeatMs };
  const parts: Runnable[] = [
    new GarbageCollector(kubeConfig()),
    new NamespaceController(kubeConfig()),
    // Always on: any Node created through the API is simulated, even with no pools configured.
    new NodeSimulator(kubeConfig(), { config, log: o.log }),
    new NodeLifecycleController(kubeConfig(), { graceMs }),
  ];
  if (o.scheduler !== false) parts.push(new Scheduler(kubeConfig()));
  if (o.controller !== false) parts.push(new DaemonSetController(kubeConfig(), { bindDirectly: o.bindDirectly, log: o.log }));
  return parts;
}

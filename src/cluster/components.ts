// Which components run next to the API server in the embedded cluster. Each one is an API
// client like its real counterpart. They are described as plain data (ComponentsSpec) so that
// they can be built in a worker thread: Node runs JavaScript on one thread, and with the API
// server on the main thread and every client on a second one the embedded cluster uses both
// cores of a small machine.
import type { KubeConfig } from '@kubernetes/client-node';
import { Manager, type Runnable } from '../kube/manager.js';
import { SharedInformers } from '../kube/shared.js';
import { GarbageCollector } from '../kcm/gc.js';
import { NamespaceController } from '../kcm/namespace.js';
import { NodeLifecycleController } from '../kcm/nodelifecycle.js';
import { PodGC } from '../kcm/podgc.js';
import { ReplicaSetController } from '../kcm/replicaset.js';
import { DeploymentController } from '../kcm/deployment.js';
import { NodeIpamController } from '../kcm/ipam/controller.js';
import { defaultConfig, heartbeatTiming, loadClusterConfig, type ClusterConfig } from '../nodes/cluster-config.js';
import { ServiceAccountsController } from '../kcm/serviceaccounts.js';
import { ClusterRoleAggregationController } from '../kcm/clusterroleaggregation.js';
import { NodeSimulator } from '../nodes/simulator.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { DaemonSetController } from '../controller/controller.js';
import { RolloutController } from '../rollout/controller.js';

/** The cluster options the components are built from (cluster.ts's ClusterOptions has them all). */
export interface ComponentsOptions {
  nodes?: number;
  configFile?: string;
  controller?: boolean;
  scheduler?: boolean;
  bindDirectly?: boolean;
  nodeGraceMs?: number;
  controllerNamespace?: string;
}

/** `--config` wins; `--nodes N` means one default pool of N (added when a file is given too). */
export function clusterConfigOf(o: Pick<ComponentsOptions, 'configFile' | 'nodes'>): ClusterConfig {
  if (!o.configFile) return defaultConfig(o.nodes ?? 0);
  return loadClusterConfig(o.configFile, o.nodes ?? 0);
}

/** Everything needed to build the components, as structured-clonable data. */
export interface ComponentsSpec {
  config: ClusterConfig;
  graceMs: number;
  /** The cluster's own parts: GC, namespace and node lifecycle controllers, simulated nodes, (scheduler). */
  cluster: boolean;
  scheduler: boolean;
  controller: boolean;
  bindDirectly: boolean;
  /** Limit the DaemonSet controller to one namespace (the bench). */
  controllerNamespace?: string;
  /** The cluster CA and service account signing key, for the service account controllers. */
  serviceAccounts?: { caCertPem: string; signingKeyPem: string };
}

export function componentsSpec(o: ComponentsOptions): ComponentsSpec {
  const file = clusterConfigOf(o);
  const { heartbeatMs, graceMs } = heartbeatTiming(file, o.nodeGraceMs);
  return {
    config: { ...file, heartbeatIntervalMs: heartbeatMs }, graceMs, cluster: true,
    scheduler: o.scheduler !== false, controller: o.controller !== false, bindDirectly: o.bindDirectly === true,
    ...(o.controllerNamespace ? { controllerNamespace: o.controllerNamespace } : {}),
  };
}

/**
 * The components under a manager: the shared informers as its caches group (every component
 * starts once they have synced, and they stop last), the components as its workers.
 */
export function componentsManager(kubeConfig: () => KubeConfig, s: ComponentsSpec, log?: (line: string) => void): Manager {
  const { informers, parts } = buildComponents(kubeConfig, s, log);
  const m = new Manager({ log });
  if (informers) m.add('caches', informers);
  for (const p of parts) m.add('workers', p);
  return m;
}

export function buildComponents(kubeConfig: () => KubeConfig, s: ComponentsSpec, log?: (line: string) => void): { informers?: SharedInformers; parts: Runnable[] } {
  // One watch per collection for all of them, as kube-controller-manager shares informers
  // between its controllers (the DaemonSet controller keeps its own: it is the product, and runs
  // against any cluster exactly as it does here).
  const parts: Runnable[] = [];
  let informers: SharedInformers | undefined;
  if (s.cluster) {
    informers = new SharedInformers(kubeConfig(), { log });
    parts.push(
      new GarbageCollector(kubeConfig(), { informers, log }),
      new NamespaceController(kubeConfig(), { informers, log }),
      // Always on: any Node created through the API is simulated, even with no pools configured.
      new NodeSimulator(kubeConfig(), { config: s.config, log, informers }),
      new NodeLifecycleController(kubeConfig(), { graceMs: s.graceMs, informers, log }),
      new PodGC(kubeConfig(), { informers, log, terminatedPodThreshold: s.config.terminatedPodGCThreshold, quarantineMs: s.config.podGCQuarantineMs, periodMs: s.config.podGCCheckPeriodMs }),
      // Pod CIDRs for every Node, as kube-controller-manager's range allocator; its one log line
      // on exhaustion is what `everynode up` prints.
      new NodeIpamController(kubeConfig(), { clusterCIDR: s.config.clusterCIDR, nodeCIDRMaskSize: s.config.nodeCIDRMaskSize, informers, log }),
    );
    parts.push(new ClusterRoleAggregationController(kubeConfig(), { informers }));
    // Workloads beside the DaemonSets, as kube-controller-manager runs them: Deployments own ReplicaSets own pods.
    parts.push(new ReplicaSetController(kubeConfig(), { informers, log }), new DeploymentController(kubeConfig(), { informers, log }));
    if (s.serviceAccounts) parts.push(new ServiceAccountsController(kubeConfig(), { informers, caCertPem: s.serviceAccounts.caCertPem, signingKeyPem: s.serviceAccounts.signingKeyPem }));
    if (s.scheduler) parts.push(new Scheduler(kubeConfig(), { informers, log }));
  }
  if (s.controller) {
    parts.push(new DaemonSetController(kubeConfig(), { bindDirectly: s.bindDirectly, namespace: s.controllerNamespace, log }));
    // The product's second half, beside the first: it drives OnDelete DaemonSets by deleting pods.
    parts.push(new RolloutController(kubeConfig(), { namespace: s.controllerNamespace, log }));
  }
  return { informers, parts };
}

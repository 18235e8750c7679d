// The composition root of the embedded cluster: the API server plus every component that
// talks to it over HTTPS exactly as it would to a real cluster (no shortcut around the API).
import { KubeConfig } from '@kubernetes/client-node';
import { startApiServer, type EmbeddedApiServer } from '../apiserver/index.js';
import type { FsyncMode } from '../storage/index.js';
import { kubeconfigYaml, writeKubeconfig } from './kubeconfig.js';
import type { Runnable } from '../kube/manager.js';
import { componentsManager, componentsSpec, type ComponentsSpec } from './components.js';
import { ComponentsWorker } from './worker-runnable.js';
import { supervise } from './supervise.js';
import { installRolloutCrd } from '../rollout/crd-install.js';
import { Dashboard } from '../dashboard/dashboard.js';

export interface ClusterOptions {
  dataDir: string | null;
  /** When a commit is fsynced; default 'normal'. */
  fsync?: FsyncMode;
  address?: string;
  port?: number;
  /** Where to write the kubeconfig; undefined writes none (tests). */
  kubeconfigPath?: string;
  nodes?: number;
  configFile?: string;
  controller?: boolean;
  scheduler?: boolean;
  bindDirectly?: boolean;
  /** Node lease grace period before a node is marked Unknown (tests shorten it). */
  nodeGraceMs?: number;
  /**
   * Run the components (controllers, simulator, scheduler) on the main thread instead of a
   * worker thread; slower on a multi-core machine, simpler to debug and profile.
   */
  componentsInProcess?: boolean;
  /** Limit the DaemonSet controller to one namespace (the bench keeps it off its baseline's pods). */
  controllerNamespace?: string;
  /** Serve the web dashboard (src/dashboard/) on this loopback port (0 = any free one); undefined: none. */
  dashboardPort?: number;
  log?: (line: string) => void;
}

export interface Cluster {
  url: string;
  port: number;
  token: string;
  caCertPem: string;
  kubeconfig: string;
  kubeConfig(): KubeConfig;
  api: EmbeddedApiServer;
  /** The dashboard's address (without the token), when it runs. */
  dashboardUrl?: string;
  /**
   * Runs the components until the signal aborts, then closes the server. A component that fails
   * meanwhile is restarted with back-off (see supervise.ts); the result counts those failures.
   */
  run(signal: AbortSignal): Promise<{ componentFailures: number }>;
}

export async function startCluster(o: ClusterOptions): Promise<Cluster> {
  const api = await startApiServer({ dataDir: o.dataDir, address: o.address, port: o.port, fsync: o.fsync, log: o.log });
  const kc = kubeconfigYaml({ server: api.url, caCertPem: api.caCertPem, token: api.token });
  if (o.kubeconfigPath) await writeKubeconfig(o.kubeconfigPath, { server: api.url, caCertPem: api.caCertPem, token: api.token });
  const kubeConfig = () => { const k = new KubeConfig(); k.loadFromString(kc); return k; };
  const log = o.log ?? (() => {});
  // Served before the cluster is announced: DaemonSetRollouts work from the ready line on.
  await installRolloutCrd(kubeConfig(), log).catch(async (err: unknown) => { await api.close(); throw err; });
  // Bound before the cluster is announced, so that its address is printed beside the kubeconfig
  // and a busy port is refused before anything says "ready".
  const dashboard = o.dashboardPort === undefined ? undefined : new Dashboard(kubeConfig(), { host: '127.0.0.1', port: o.dashboardPort, log });
  const dashboardUrl = await dashboard?.listen().catch(async (err: unknown) => {
    await api.close();
    const busy = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
    throw new Error(busy ? `dashboard port ${o.dashboardPort} on 127.0.0.1 is already in use; pick another (--dashboard-port 0 picks a free one) or --no-dashboard` : `cannot serve the dashboard: ${err instanceof Error ? err.message : String(err)}`);
  });
  return {
    url: api.url, port: api.port, token: api.token, caCertPem: api.caCertPem, kubeconfig: kc, kubeConfig, api, dashboardUrl,
    async run(signal) {
      const spec = { ...componentsSpec(o), serviceAccounts: { caCertPem: api.caCertPem, signingKeyPem: api.serviceAccountKeyPem } };
      // Three threads, as three processes would be in a real cluster: the API server here, the
      // cluster's components in one worker, the DaemonSet controller in another. With the
      // controller beside the server, its watch decoding and planning took the server's CPU.
      const parts: Runnable[] = o.componentsInProcess
        ? [new InProcessComponents(kubeConfig, spec, log)]
        : [
          new ComponentsWorker('components', { ...spec, controller: false }, kc, log),
          ...(spec.controller ? [new ComponentsWorker('daemonset-controller', { ...spec, cluster: false }, kc, log)] : []),
        ];
      // The dashboard's informers on this thread, beside the component workers (its cache is cut
      // down to a few fields per node and pod; see src/dashboard/slim.ts).
      if (dashboard) parts.push(dashboard);
      const failures = await Promise.all(parts.map((p) => supervise(p, signal, log)));
      await dashboard?.close();
      await api.close();
      return { componentFailures: failures.reduce((a, b) => a + b, 0) };
    },
  };
}

/** The components on the main thread as one part: built afresh on each (re)start, failing when any of them fails. */
class InProcessComponents implements Runnable {
  readonly name = 'components';
  constructor(private readonly kubeConfig: () => KubeConfig, private readonly spec: ComponentsSpec, private readonly log: (line: string) => void) {}

  async start(signal: AbortSignal): Promise<void> {
    const { failed } = await componentsManager(this.kubeConfig, this.spec, this.log).start(signal);
    if (failed) throw new Error(`${failed.name}: ${failed.error instanceof Error ? failed.error.stack ?? failed.error.message : String(failed.error)}`);
  }
}

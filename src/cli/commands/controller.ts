// `everynode controller`: the DaemonSet controller alone, against any cluster, with leader
// election, metrics and health probes as a controller-runtime manager has them. This file only
// parses flags; the process is composed in src/operator/.
import { Command, Option } from '@commander-js/extra-typings';
import { RawClient } from '../../kube/client.js';
import { DEFAULT_TIMINGS } from '../../kube/leaderelection-core.js';
import { DEFAULT_LEASE_NAME, loadKubeConfig, runConfig, serviceAccountNamespace } from '../../operator/config.js';
import { preflightAccess } from '../../kube/preflight.js';
import { runController } from '../../operator/run.js';

const seconds = (ms: number) => `${ms / 1000}s`;

export function controllerCommand() {
  return new Command('controller')
    .description('Run the DaemonSet controller against any cluster (kubeconfig, KUBECONFIG, ~/.kube/config or in-cluster)')
    .option('--kubeconfig <path>', 'kubeconfig file to use')
    .option('-n, --namespace <ns>', 'only manage DaemonSets in this namespace')
    .option('--bind-directly', 'set spec.nodeName on daemon pods instead of leaving them to the scheduler', false)
    .option('--workers <n>', 'concurrent reconciles', '4')
    .option('--leader-elect [bool]', 'elect a leader on a Lease so that only one replica acts (default true; --leader-elect=false to run alone)')
    .option('--leader-elect-namespace <ns>', 'namespace of the Lease (default: the pod\'s namespace in a cluster, else kube-system)')
    .option('--leader-elect-id <name>', 'name of the Lease', DEFAULT_LEASE_NAME)
    .option('--leader-elect-lease-duration <duration>', 'how long a standby waits after the last renewal before taking over', seconds(DEFAULT_TIMINGS.leaseDurationMs))
    .option('--leader-elect-renew-deadline <duration>', 'how long the leader retries renewing before it gives up leading', seconds(DEFAULT_TIMINGS.renewDeadlineMs))
    .option('--leader-elect-retry-period <duration>', 'how often candidates try to acquire or renew', seconds(DEFAULT_TIMINGS.retryPeriodMs))
    .option('--metrics-bind-address <addr>', 'serve /metrics here (host:port, :port; port 0 = any free port; default :8080 in a cluster, else off)')
    .option('--health-probe-bind-address <addr>', 'serve /healthz and /readyz here (default :8081 in a cluster, else off)')
    .option('--dashboard-bind-address <addr>', 'serve the web dashboard here (host:port, :port; port 0 = any free port; default off)')
    .option('--rollouts [bool]', 'run the DaemonSetRollout controller (default true)')
    .option('--daemonsets [bool]', 'run the DaemonSet controller (default true; false where kube-controller-manager runs it)')
    .option('--graceful-shutdown-timeout <duration>', 'how long stopping may take before the process exits anyway', '30s')
    .addOption(new Option('--identity <id>', 'leader election identity (default: hostname_random)').hideHelp())
    .action(async (o) => {
      const cfg = runConfig(o, { inCluster: !!process.env.KUBERNETES_SERVICE_HOST, serviceAccountNamespace: serviceAccountNamespace() });
      const log = (l: string) => console.error(l);
      const kc = loadKubeConfig(o.kubeconfig);
      const probe = new RawClient(kc);
      try { await preflightAccess(probe, { namespace: o.namespace, lease: cfg.election, daemonSets: cfg.daemonSets, rollouts: cfg.rollouts }); } finally { probe.close(); }
      const stop = new AbortController();
      process.once('SIGINT', () => stop.abort());
      process.once('SIGTERM', () => stop.abort());
      await runController(kc, cfg, { namespace: o.namespace, bindDirectly: o.bindDirectly, identity: o.identity, log }, stop.signal);
    });
}

// `everynode controller`: the DaemonSet controller alone, against any cluster, with leader
// election, metrics and health probes as a controller-runtime manager has them.
import { existsSync, readFileSync } from 'node:fs';
import { Command, Option } from '@commander-js/extra-typings';
import { KubeConfig } from '@kubernetes/client-node';
import { DaemonSetController } from '../../controller/controller.js';
import { startIdleCollector } from '../../kube/memory.js';
import { ApiStatusError, RawClient, isNotFound } from '../../kube/client.js';
import { DEFAULT_TIMINGS, validateTimings, type ElectionTimings } from '../../kube/leaderelection-core.js';
import { LeaderElector, defaultIdentity } from '../../kube/leaderelection.js';
import { ControllerMetrics } from '../../kube/metrics.js';
import { Checks, parseBindAddress, probeRoutes, serve, type BindAddress } from '../../kube/probes.js';

/** kubeconfig from --kubeconfig, else KUBECONFIG, ~/.kube/config, or the in-cluster service account. */
export function loadKubeConfig(path?: string): KubeConfig {
  const kc = new KubeConfig();
  if (path) kc.loadFromFile(path); else kc.loadFromDefault();
  if (!kc.getCurrentCluster()) throw new Error('no cluster found: pass --kubeconfig, set KUBECONFIG, or run in a cluster');
  return kc;
}

export const SERVICE_ACCOUNT_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';
export const DEFAULT_LEASE_NAME = 'everynode-controller';

/**
 * Refuses to start rather than loop silently: the API must answer and we must be allowed to
 * read everything the controller watches (and read its Lease, when it elects a leader).
 */
export async function preflight(client: RawClient, namespace: string | undefined, lease?: { namespace: string; name: string }): Promise<void> {
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
      throw new Error(`cannot list ${path} (${why(err)}); the controller needs get/list/watch on daemonsets, pods, nodes and controllerrevisions`);
    }
  }
  if (lease) {
    const path = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(lease.namespace)}/leases/${encodeURIComponent(lease.name)}`;
    try {
      await client.request('GET', path);
    } catch (err) {
      if (!isNotFound(err)) throw new Error(`cannot read lease ${lease.namespace}/${lease.name} (${why(err)}); leader election needs get/create/update on leases in ${lease.namespace}`);
    }
  }
}

const why = (err: unknown) => (err instanceof ApiStatusError ? `${err.code} ${err.reason}: ${err.message}` : err instanceof Error ? err.message : String(err));

/** A Go duration ("15s", "1m30s", "500ms", "2h"), as kube-controller-manager's --leader-elect-* flags take. */
export function parseGoDuration(text: string): number | undefined {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;
  if (text === '0') return 0;
  let ms = 0;
  let at = 0;
  while (at < text.length) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) return undefined;
    ms += Number(m[1]) * units[m[2]];
    at = re.lastIndex;
  }
  return at > 0 ? Math.round(ms) : undefined;
}

export interface ControllerFlags {
  leaderElect?: boolean | string;
  leaderElectNamespace?: string;
  leaderElectId: string;
  leaderElectLeaseDuration: string;
  leaderElectRenewDeadline: string;
  leaderElectRetryPeriod: string;
  metricsBindAddress?: string;
  healthProbeBindAddress?: string;
  workers: string;
}

export interface RunConfig {
  workers: number;
  election: { namespace: string; name: string; timings: ElectionTimings } | undefined;
  metrics: BindAddress | undefined;
  probes: BindAddress | undefined;
}

/**
 * The flags as a run configuration, or a one-line error. In a cluster (KUBERNETES_SERVICE_HOST
 * set) metrics and probes default to kubebuilder's :8080 and :8081, and the lease to the pod's
 * own namespace, as controller-runtime reads it from the service account; elsewhere both
 * endpoints are off unless asked for and the lease lives in kube-system, where
 * kube-controller-manager and kube-scheduler keep theirs and which every cluster has (controller-runtime
 * refuses to guess outside a cluster; a CLI run against a kubeconfig should just work).
 */
export function runConfig(o: ControllerFlags, env: { inCluster: boolean; serviceAccountNamespace: string | undefined }): RunConfig {
  const workers = Number(o.workers);
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`--workers must be a positive integer, got "${o.workers}"`);
  const elect = o.leaderElect === undefined || o.leaderElect === true || o.leaderElect === 'true';
  if (typeof o.leaderElect === 'string' && !['true', 'false'].includes(o.leaderElect)) throw new Error(`--leader-elect must be true or false, got "${o.leaderElect}"`);
  const dur = (flag: string, v: string) => {
    const ms = parseGoDuration(v);
    if (ms === undefined) throw new Error(`${flag} must be a duration such as 15s or 500ms, got "${v}"`);
    return ms;
  };
  const timings = {
    leaseDurationMs: dur('--leader-elect-lease-duration', o.leaderElectLeaseDuration),
    renewDeadlineMs: dur('--leader-elect-renew-deadline', o.leaderElectRenewDeadline),
    retryPeriodMs: dur('--leader-elect-retry-period', o.leaderElectRetryPeriod),
  };
  const bad = elect ? validateTimings(timings) : undefined;
  if (bad) throw new Error(`leader election: ${bad}`);
  if (elect && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(o.leaderElectId)) throw new Error(`--leader-elect-id must be a lowercase DNS subdomain name, got "${o.leaderElectId}"`);
  const bind = (flag: string, v: string | undefined, inClusterDefault: string) => {
    const r = parseBindAddress(v ?? (env.inCluster ? inClusterDefault : ''));
    if (r === 'off') return undefined;
    if ('error' in r) throw new Error(`${flag}: ${r.error}`);
    return r;
  };
  return {
    workers,
    election: elect ? { namespace: o.leaderElectNamespace || env.serviceAccountNamespace || 'kube-system', name: o.leaderElectId, timings } : undefined,
    metrics: bind('--metrics-bind-address', o.metricsBindAddress, ':8080'),
    probes: bind('--health-probe-bind-address', o.healthProbeBindAddress, ':8081'),
  };
}

function serviceAccountNamespace(): string | undefined {
  try { return existsSync(SERVICE_ACCOUNT_NAMESPACE_FILE) ? readFileSync(SERVICE_ACCOUNT_NAMESPACE_FILE, 'utf8').trim() || undefined : undefined; } catch { return undefined; }
}

const seconds = (ms: number) => `${ms / 1000}s`;

/** The controller's /healthz and /readyz checks. */
export function probeChecks(c: Pick<DaemonSetController, 'caches'>, elector: Pick<LeaderElector, 'isLeading' | 'lastRenewMs'> | undefined, timings?: ElectionTimings): { healthz: Checks; readyz: Checks } {
  const healthz = new Checks().add('ping', () => undefined);
  // controller-runtime's NewLeaderHealthzAdaptor: a leader that has not renewed for a lease
  // duration plus 20 s is wedged, and the kubelet should restart it.
  if (elector && timings) {
    healthz.add('leaderElection', () => (elector.isLeading() && Date.now() - elector.lastRenewMs() > timings.leaseDurationMs + 20_000 ? 'failed to renew leadership' : undefined));
  }
  // A standby is ready: it serves its probes and can take over. Were it unready until it leads,
  // a Deployment's rolling update would wait for ever on the new, standby, pod.
  const readyz = new Checks().add('informers', () => {
    if (elector && !elector.isLeading()) return undefined;
    const unsynced = Object.entries(c.caches).filter(([, inf]) => !inf.hasSynced()).map(([k]) => k);
    return unsynced.length ? `caches not synced: ${unsynced.join(', ')}` : undefined;
  });
  return { healthz, readyz };
}

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
    .addOption(new Option('--identity <id>', 'leader election identity (default: hostname_random)').hideHelp())
    .action(async (o) => {
      const cfg = runConfig(o, { inCluster: !!process.env.KUBERNETES_SERVICE_HOST, serviceAccountNamespace: serviceAccountNamespace() });
      const log = (l: string) => console.error(l);
      const kc = loadKubeConfig(o.kubeconfig);
      const probe = new RawClient(kc);
      try { await preflight(probe, o.namespace, cfg.election); } finally { probe.close(); }
      await runController(kc, cfg, { namespace: o.namespace, bindDirectly: o.bindDirectly, identity: o.identity, log });
    });
}

/**
 * The manager: endpoints first (the kubelet probes a standby too), then the election, then the
 * controller under a signal that aborts on SIGTERM/SIGINT or on lost leadership. A lost lease
 * ends the process with an error, as kube-controller-manager's "leaderelection lost" does: the
 * replica restarts as a standby rather than act on a lease someone else may hold.
 */
async function runController(kc: KubeConfig, cfg: RunConfig, o: { namespace?: string; bindDirectly: boolean; identity?: string; log: (l: string) => void }): Promise<void> {
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  process.once('SIGTERM', () => stop.abort());
  // Recorded only when someone can scrape them: the hooks then cost nothing on the hot paths.
  const metrics = cfg.metrics ? new ControllerMetrics() : undefined;
  const uninstall = metrics?.install();
  const leading = new AbortController();
  stop.signal.addEventListener('abort', () => leading.abort(), { once: true });
  const c = new DaemonSetController(kc, {
    namespace: o.namespace, bindDirectly: o.bindDirectly, workers: cfg.workers, log: o.log,
    client: { signal: leading.signal }, metrics: metrics?.daemonSets,
  });
  const electionClient = cfg.election ? new RawClient(kc) : undefined;
  const elector = cfg.election && electionClient
    ? new LeaderElector(electionClient, { ...cfg.election, identity: o.identity ?? defaultIdentity(), log: o.log, onLeading: (l) => metrics?.leading(cfg.election!.name, l) })
    : undefined;
  if (cfg.election) metrics?.leading(cfg.election.name, false);

  const servers: { close(): Promise<void> }[] = [];
  const stopAll = async () => { for (const s of servers) await s.close(); uninstall?.(); electionClient?.close(); };
  try {
    if (cfg.metrics && metrics) {
      const s = await serve(cfg.metrics, { '/metrics': async () => ({ status: 200, ...(await metrics.text()) }) });
      servers.push(s);
      o.log(`everynode: serving metrics on ${s.url}/metrics`);
    }
    if (cfg.probes) {
      const { healthz, readyz } = probeChecks(c, elector, cfg.election?.timings);
      const s = await serve(cfg.probes, probeRoutes(healthz, readyz));
      servers.push(s);
      o.log(`everynode: serving health probes on ${s.url}/healthz and ${s.url}/readyz`);
    }

    if (elector && !(await elector.acquire(stop.signal))) return; // stopped while standing by
    let lost = false;
    const renewing = elector?.renew(stop.signal).then((r) => { if (r === 'lost') { lost = true; leading.abort(); } });
    // A controller idles between rollouts: give the memory of the last one back meanwhile.
    const stopCollector = startIdleCollector();
    leading.signal.addEventListener('abort', stopCollector, { once: true });
    o.log(`everynode: DaemonSet controller running against ${kc.getCurrentCluster()!.server}${o.namespace ? ` (namespace ${o.namespace})` : ''}`);
    const running = c.start(leading.signal);
    await Promise.race([running, new Promise((r) => leading.signal.addEventListener('abort', r, { once: true }))]);
    if (lost) throw new Error(`leaderelection lost (lease ${cfg.election!.namespace}/${cfg.election!.name})`);
    // Stopped by a signal: let in-flight work end (its requests were aborted), then give the lease
    // up so that a standby takes over at once instead of after the lease duration.
    await running;
    await renewing;
    await elector?.release();
  } finally {
    await stopAll();
  }
}

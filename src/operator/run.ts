// The composition root of the `everynode controller` process, as a controller-runtime manager
// composes one: one API client for the process, the manager's groups (servers → caches →
// workers → leader-only controllers), leader election, metrics and probes. Outside src/cli/ so
// that the CLI stays a flag parser and tests, harnesses and a second controller (DaemonSetRollout)
// compose the same process without importing the command line.
import type { KubeConfig } from '@kubernetes/client-node';
import { DaemonSetController } from '../controller/controller.js';
import { RolloutController } from '../rollout/controller.js';
import { RawClient } from '../kube/client.js';
import type { ElectionTimings } from '../kube/leaderelection-core.js';
import { LeaderElector, defaultIdentity } from '../kube/leaderelection.js';
import { Manager, whenAborted, type Runnable } from '../kube/manager.js';
import { startIdleCollector } from '../kube/memory.js';
import { ControllerMetrics } from '../kube/metrics.js';
import { Checks, probeRoutes, serverRunnable, type Check } from '../kube/probes.js';
import type { RunConfig } from './config.js';
import { Dashboard } from '../dashboard/dashboard.js';

export interface RunOptions {
  namespace?: string;
  bindDirectly: boolean;
  identity?: string;
  log: (line: string) => void;
}

/** The process's /healthz and /readyz checks. */
export function probeChecks(cachesSynced: Check, elector: Pick<LeaderElector, 'isLeading' | 'lastRenewMs'> | undefined, timings?: ElectionTimings): { healthz: Checks; readyz: Checks } {
  const healthz = new Checks().add('ping', () => undefined);
  // controller-runtime's NewLeaderHealthzAdaptor: a leader that has not renewed for a lease
  // duration plus 20 s is wedged, and the kubelet should restart it.
  if (elector && timings) {
    healthz.add('leaderElection', () => (elector.isLeading() && Date.now() - elector.lastRenewMs() > timings.leaseDurationMs + 20_000 ? 'failed to renew leadership' : undefined));
  }
  // Every replica syncs its caches (a standby too, so that it takes over warm), and is ready once
  // they have: a standby must be ready, or a Deployment's rolling update would wait on it for ever.
  const readyz = new Checks().add('informers', cachesSynced);
  return { healthz, readyz };
}

/**
 * Runs until `signal` aborts (SIGTERM/SIGINT), then stops in reverse order and releases the lease
 * so that a standby takes over at once. A lost lease ends the run with an error, as
 * kube-controller-manager's "leaderelection lost" does: the replica restarts as a standby rather
 * than act on a lease someone else may hold.
 */
export async function runController(kc: KubeConfig, cfg: RunConfig, o: RunOptions, signal: AbortSignal): Promise<void> {
  // Recorded only when someone can scrape them: the hooks then cost nothing on the hot paths.
  const metrics = cfg.metrics ? new ControllerMetrics() : undefined;
  const uninstall = metrics?.install();
  // One client (one connection pool) for the process's API traffic. The lease has a pool of its
  // own, as kube-controller-manager gives leader election its own client: a renewal must never
  // queue behind a rollout's hundreds of pod writes. Events have theirs too (eventsink.ts).
  const client = new RawClient(kc);
  const electionClient = cfg.election ? new RawClient(kc, { maxSockets: 2 }) : undefined;
  const elector = cfg.election && electionClient
    ? new LeaderElector(electionClient, { ...cfg.election, identity: o.identity ?? defaultIdentity(), log: o.log, onLeading: (l) => metrics?.leading(cfg.election!.name, l) })
    : undefined;
  if (cfg.election) metrics?.leading(cfg.election.name, false);
  const manager = new Manager({ log: o.log, leadership: elector, gracefulShutdownMs: cfg.gracefulShutdownMs });
  // Their writes stop when the leader-only group stops: a deposed leader's in-flight writes are cancelled.
  const writes = { signal: manager.leaderOnlySignal };
  const controller = cfg.daemonSets ? new DaemonSetController(kc, {
    namespace: o.namespace, bindDirectly: o.bindDirectly, workers: cfg.workers, log: o.log, metrics: metrics?.daemonSets,
    apiClient: client, client: writes,
  }) : undefined;
  // DaemonSetRollouts only delete and patch pods: the DaemonSet controller that recreates them
  // may be this process's or another's (kube-controller-manager's).
  const rollouts = cfg.rollouts ? new RolloutController(kc, { namespace: o.namespace, log: o.log, metrics: metrics?.rollouts, apiClient: client, client: writes }) : undefined;

  if (cfg.metrics && metrics) {
    manager.add('servers', serverRunnable('metrics server', cfg.metrics, { '/metrics': async () => ({ status: 200, ...(await metrics.text()) }) }, (url) => o.log(`everynode: serving metrics on ${url}/metrics`)));
  }
  if (cfg.probes) {
    const { healthz, readyz } = probeChecks(manager.cachesSynced, elector, cfg.election?.timings);
    manager.add('servers', serverRunnable('health probe server', cfg.probes, probeRoutes(healthz, readyz), (url) => o.log(`everynode: serving health probes on ${url}/healthz and ${url}/readyz`)));
  }
  // Every replica serves it (a standby too: it only reads), from informers of its own.
  const dashboard = cfg.dashboard ? new Dashboard(kc, { host: cfg.dashboard.host, port: cfg.dashboard.port, namespace: o.namespace, log: o.log }) : undefined;
  if (dashboard) {
    manager.add('servers', {
      name: 'dashboard', start: (s) => dashboard.start(s),
      ready: async () => { o.log(`everynode: serving the dashboard on ${await dashboard.listen()}/ (open it with #token=<a bearer token that may list nodes>)`); },
    });
  }
  const what = [controller ? 'DaemonSet' : '', rollouts ? 'DaemonSetRollout' : ''].filter(Boolean).join(' and ');
  for (const c of [...(controller?.runnables().caches ?? []), ...(rollouts?.runnables().caches ?? [])]) manager.add('caches', c);
  manager.add('leaderOnly', announce(`everynode: ${what} controller${controller && rollouts ? 's' : ''} running against ${kc.getCurrentCluster()!.server}${o.namespace ? ` (namespace ${o.namespace})` : ''}`, o.log));
  // A controller idles between rollouts: give the memory of the last one back meanwhile.
  manager.add('leaderOnly', { name: 'idle memory collector', start: async (s) => { const stop = startIdleCollector(); await whenAborted(s); stop(); } });
  if (controller) manager.add('leaderOnly', controller.runnables().loop);
  if (rollouts) manager.add('leaderOnly', rollouts.runnables().loop);

  try {
    const r = await manager.start(signal);
    if (r.leadershipLost) throw new Error(`leaderelection lost (lease ${cfg.election!.namespace}/${cfg.election!.name})`);
    if (r.failed) throw new Error(`${r.failed.name}: ${r.failed.error instanceof Error ? r.failed.error.message : String(r.failed.error)}`);
  } finally {
    controller?.close();
    rollouts?.close();
    await dashboard?.close();
    client.close();
    electionClient?.close();
    uninstall?.();
  }
}

/** Logs a line when started (once leading), then waits to be stopped. */
function announce(line: string, log: (l: string) => void): Runnable {
  return { name: 'announce', start: async (s) => { log(line); await whenAborted(s); } };
}

// The `everynode controller` process's configuration: its flags as a run configuration, with
// kube-controller-manager's and controller-runtime's defaults, and the kubeconfig it runs with.
// Pure but for reading the kubeconfig and the service account's namespace file.
import { existsSync, readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { validateTimings, type ElectionTimings } from '../kube/leaderelection-core.js';
import { parseBindAddress, type BindAddress } from '../kube/probes.js';

/** kubeconfig from --kubeconfig, else KUBECONFIG, ~/.kube/config, or the in-cluster service account. */
export function loadKubeConfig(path?: string): KubeConfig {
  const kc = new KubeConfig();
  if (path) kc.loadFromFile(path); else kc.loadFromDefault();
  if (!kc.getCurrentCluster()) throw new Error('no cluster found: pass --kubeconfig, set KUBECONFIG, or run in a cluster');
  return kc;
}

export const SERVICE_ACCOUNT_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';
export const DEFAULT_LEASE_NAME = 'everynode-controller';

import { parseGoDuration } from '../api/duration.js';
export { parseGoDuration };

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
  /** How long stopping may take (controller-runtime's GracefulShutdownTimeout); default 30s. */
  gracefulShutdownTimeout?: string;
  /** Run the DaemonSetRollout controller (default true). */
  rollouts?: boolean | string;
  /** Run the DaemonSet controller (default true; false where kube-controller-manager runs it). */
  daemonsets?: boolean | string;
  /** Serve the web dashboard here (host:port); default off, in a cluster too. */
  dashboardBindAddress?: string;
}

export interface RunConfig {
  workers: number;
  election: { namespace: string; name: string; timings: ElectionTimings } | undefined;
  metrics: BindAddress | undefined;
  probes: BindAddress | undefined;
  gracefulShutdownMs: number;
  rollouts: boolean;
  daemonSets: boolean;
  dashboard: BindAddress | undefined;
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
  const flag = (name: string, v: boolean | string | undefined) => {
    if (typeof v === 'string' && !['true', 'false'].includes(v)) throw new Error(`${name} must be true or false, got "${v}"`);
    return v === undefined || v === true || v === 'true';
  };
  const rollouts = flag('--rollouts', o.rollouts);
  const daemonSets = flag('--daemonsets', o.daemonsets);
  if (!rollouts && !daemonSets) throw new Error('--daemonsets=false and --rollouts=false leave nothing to run');
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
    gracefulShutdownMs: dur('--graceful-shutdown-timeout', o.gracefulShutdownTimeout ?? '30s'),
    rollouts, daemonSets,
    // Off unless asked for, in a cluster too: it is a UI, not an endpoint the platform expects.
    dashboard: bind('--dashboard-bind-address', o.dashboardBindAddress ?? '', ''),
  };
}

export function serviceAccountNamespace(): string | undefined {
  try { return existsSync(SERVICE_ACCOUNT_NAMESPACE_FILE) ? readFileSync(SERVICE_ACCOUNT_NAMESPACE_FILE, 'utf8').trim() || undefined : undefined; } catch { return undefined; }
}


// The controller's Prometheus metrics under controller-runtime's and client-go's names and labels,
// so the dashboards and alerts written for kubebuilder controllers work unchanged, plus ours.
// One registry per process (not prom-client's global one, so tests can make fresh ones); the
// recording hooks are installed at the seams: the work queue, the controller loop, the RawClient, the DaemonSet
// controller's pod writes and the leader elector.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { setRequestResultHook } from './client.js';
import { setWorkQueueMetricsProvider, type InFlightWork, type WorkQueueMetrics } from './workqueue.js';
import { setReconcileMetricsProvider, type ReconcileMetrics, type ReconcileResult } from './controllerloop.js';

/** controller-runtime's reconcile_time_seconds buckets. */
const RECONCILE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5, 1.75, 2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60];
/** controller-runtime's workqueue buckets: 10 ns to 1000 s, ×10 apart (ExponentialBuckets(10e-9, 10, 12)). */
const QUEUE_BUCKETS = Array.from({ length: 12 }, (_, i) => 1e-8 * 10 ** i);
const RESULTS: ReconcileResult[] = ['success', 'error', 'requeue', 'requeue_after'];
const ROLLOUT_PHASES = ['Idle', 'Progressing', 'Baking', 'WaitingApproval', 'Paused', 'RollingBack', 'Complete', 'Failed'];

/** The rollout status fields the gauges read (src/rollout/api/types.ts DaemonSetRolloutStatus). */
export interface RolloutStatusView {
  phase?: string;
  updatedNodes?: number;
  blockedNodesTotal?: number;
  quarantinedNodes?: string[];
  waves?: { nodes?: number }[];
  blockedNodes?: { reason?: string; cause?: string }[];
}

export class ControllerMetrics {
  readonly registry = new Registry();
  readonly #r = [this.registry];
  readonly reconcileTotal = new Counter({ name: 'controller_runtime_reconcile_total', help: 'Total number of reconciliations per controller', labelNames: ['controller', 'result'] as const, registers: this.#r });
  readonly reconcileErrors = new Counter({ name: 'controller_runtime_reconcile_errors_total', help: 'Total number of reconciliation errors per controller', labelNames: ['controller'] as const, registers: this.#r });
  readonly reconcileTime = new Histogram({ name: 'controller_runtime_reconcile_time_seconds', help: 'Length of time per reconciliation per controller', labelNames: ['controller'] as const, buckets: RECONCILE_BUCKETS, registers: this.#r });
  readonly activeWorkers = new Gauge({ name: 'controller_runtime_active_workers', help: 'Number of currently used workers per controller', labelNames: ['controller'] as const, registers: this.#r });
  readonly maxConcurrent = new Gauge({ name: 'controller_runtime_max_concurrent_reconciles', help: 'Maximum number of concurrent reconciles per controller', labelNames: ['controller'] as const, registers: this.#r });
  readonly terminalErrors = new Counter({ name: 'controller_runtime_terminal_reconcile_errors_total', help: 'Total number of terminal reconciliation errors per controller', labelNames: ['controller'] as const, registers: this.#r });
  /** Per queue name, the reader of its work in progress (the last queue of a name wins). */
  readonly #inFlight = new Map<string, () => InFlightWork>();
  readonly depth = new Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: ['name'] as const, registers: this.#r });
  readonly adds = new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames: ['name'] as const, registers: this.#r });
  readonly queueDuration = new Histogram({ name: 'workqueue_queue_duration_seconds', help: 'How long in seconds an item stays in workqueue before being requested', labelNames: ['name'] as const, buckets: QUEUE_BUCKETS, registers: this.#r });
  readonly workDuration = new Histogram({ name: 'workqueue_work_duration_seconds', help: 'How long in seconds processing an item from workqueue takes', labelNames: ['name'] as const, buckets: QUEUE_BUCKETS, registers: this.#r });
  readonly retries = new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames: ['name'] as const, registers: this.#r });
  // Read from the queues when scraped (client-go sets them every 500 ms from the same numbers).
  readonly unfinished = new Gauge({
    name: 'workqueue_unfinished_work_seconds', help: 'How many seconds of work has been done that is in progress and hasn\'t been observed by work_duration. Large values indicate stuck threads. One can deduce the number of stuck threads by observing the rate at which this increases.',
    labelNames: ['name'] as const, registers: this.#r,
    collect: () => { for (const [name, read] of this.#inFlight) this.unfinished.set({ name }, read().unfinishedSeconds); },
  });
  readonly longestRunning = new Gauge({
    name: 'workqueue_longest_running_processor_seconds', help: 'How many seconds has the longest running processor for workqueue been running.',
    labelNames: ['name'] as const, registers: this.#r,
    collect: () => { for (const [name, read] of this.#inFlight) this.longestRunning.set({ name }, read().longestSeconds); },
  });
  readonly restRequests = new Counter({ name: 'rest_client_requests_total', help: 'Number of HTTP requests, partitioned by status code, method, and host', labelNames: ['code', 'method', 'host'] as const, registers: this.#r });
  readonly leaderStatus = new Gauge({ name: 'leader_election_master_status', help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master', labelNames: ['name'] as const, registers: this.#r });
  readonly podsCreated = new Counter({ name: 'everynode_daemonset_pods_created_total', help: 'Daemon pods created, per DaemonSet', labelNames: ['namespace', 'daemonset'] as const, registers: this.#r });
  readonly podsDeleted = new Counter({ name: 'everynode_daemonset_pods_deleted_total', help: 'Daemon pods deleted, per DaemonSet', labelNames: ['namespace', 'daemonset'] as const, registers: this.#r });

  readonly rolloutPhase = new Gauge({ name: 'everynode_rollout_phase', help: 'DaemonSetRollout phase: 1 for the current phase, 0 for the others', labelNames: ['namespace', 'name', 'phase'] as const, registers: this.#r });
  readonly rolloutNodes = new Gauge({ name: 'everynode_rollout_nodes', help: 'Nodes of a DaemonSetRollout by state (updated, blocked, quarantined, total)', labelNames: ['namespace', 'name', 'state'] as const, registers: this.#r });
  /** Per rollout, its blocked nodes by reason and cause (status.blockedNodes, capped at 50 per rollout). */
  readonly #blockedByRollout = new Map<string, Map<string, number>>();
  readonly rolloutBlocked = new Gauge({
    name: 'everynode_rollout_blocked_nodes', help: 'Blocked nodes over all DaemonSetRollouts, by reason and cause (Node, Revision, Budget)',
    labelNames: ['reason', 'cause'] as const, registers: this.#r,
    collect: () => {
      this.rolloutBlocked.reset();
      const sum = new Map<string, number>();
      for (const m of this.#blockedByRollout.values()) for (const [k, n] of m) sum.set(k, (sum.get(k) ?? 0) + n);
      for (const [k, n] of sum) { const [reason, cause] = k.split('|'); this.rolloutBlocked.set({ reason, cause }, n); }
    },
  });

  /** The DaemonSetRollout controller's hook (RolloutControllerOptions.metrics). */
  readonly rollouts = {
    observe: (namespace: string, name: string, st: RolloutStatusView | undefined) => {
      for (const phase of ROLLOUT_PHASES) this.rolloutPhase.set({ namespace, name, phase }, st?.phase === phase ? 1 : 0);
      const total = (st?.waves ?? []).reduce((n, w) => n + (typeof w?.nodes === 'number' ? w.nodes : 0), 0);
      const states: [string, number][] = [['updated', st?.updatedNodes ?? 0], ['blocked', st?.blockedNodesTotal ?? 0], ['quarantined', st?.quarantinedNodes?.length ?? 0], ['total', total]];
      for (const [state, n] of states) this.rolloutNodes.set({ namespace, name, state }, n);
      const blocked = new Map<string, number>();
      for (const b of st?.blockedNodes ?? []) { const k = `${b?.reason ?? ''}|${b?.cause ?? ''}`; blocked.set(k, (blocked.get(k) ?? 0) + 1); }
      this.#blockedByRollout.set(`${namespace}/${name}`, blocked);
    },
    forget: (namespace: string, name: string) => {
      for (const phase of ROLLOUT_PHASES) this.rolloutPhase.remove({ namespace, name, phase });
      for (const state of ['updated', 'blocked', 'quarantined', 'total']) this.rolloutNodes.remove({ namespace, name, state });
      this.#blockedByRollout.delete(`${namespace}/${name}`);
    },
  };

  constructor(o: { processMetrics?: boolean } = {}) {
    // process_* and nodejs_* (the equivalents of the process_* and go_* a Go controller exports).
    if (o.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /** A named work queue's hooks (client-go's workqueue metrics); its series start at zero. */
  queue(name: string): WorkQueueMetrics {
    const byName = { name };
    this.depth.set(byName, 0);
    this.adds.inc(byName, 0);
    this.retries.inc(byName, 0);
    this.unfinished.set(byName, 0);
    this.longestRunning.set(byName, 0);
    return {
      added: () => this.adds.inc(byName),
      depth: (n) => this.depth.set(byName, n),
      queued: (s) => this.queueDuration.observe(byName, s),
      worked: (s) => this.workDuration.observe(byName, s),
      retried: () => this.retries.inc(byName),
      inFlight: (read) => { this.#inFlight.set(name, read); },
    };
  }

  /** A named controller loop's hooks; its series start at zero, as controller-runtime initialises them. */
  controller(name: string): ReconcileMetrics {
    const byController = { controller: name };
    for (const result of RESULTS) this.reconcileTotal.inc({ controller: name, result }, 0);
    this.reconcileErrors.inc(byController, 0);
    this.terminalErrors.inc(byController, 0);
    this.activeWorkers.set(byController, 0);
    return {
      workers: (n) => this.maxConcurrent.set(byController, n),
      reconciled: (result, s) => {
        this.reconcileTotal.inc({ controller: name, result });
        if (result === 'error') this.reconcileErrors.inc(byController);
        this.reconcileTime.observe(byController, s);
      },
      terminal: () => this.terminalErrors.inc(byController),
      active: (d) => this.activeWorkers.inc(byController, d),
    };
  }

  /** The DaemonSet controller's pod-write hook (ControllerOptions.metrics). */
  readonly daemonSets = {
    podCreated: (namespace: string, daemonset: string) => this.podsCreated.inc({ namespace, daemonset }),
    podDeleted: (namespace: string, daemonset: string) => this.podsDeleted.inc({ namespace, daemonset }),
  };

  leading(lease: string, leading: boolean): void { this.leaderStatus.set({ name: lease }, leading ? 1 : 0); }

  /**
   * Makes this registry the process's: every named work queue and controller loop constructed
   * afterwards and every RawClient request reports to it (client-go's metrics.Register and
   * workqueue.SetProvider). Returns the function that uninstalls it.
   */
  install(): () => void {
    setWorkQueueMetricsProvider((name) => this.queue(name));
    setReconcileMetricsProvider((name) => this.controller(name));
    setRequestResultHook((r) => this.restRequests.inc(r));
    return () => { setWorkQueueMetricsProvider(undefined); setReconcileMetricsProvider(undefined); setRequestResultHook(undefined); };
  }

  /** The text exposition format, for /metrics. */
  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

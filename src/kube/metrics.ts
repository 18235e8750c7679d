// The controller's Prometheus metrics under controller-runtime's and client-go's names and labels,
// so the dashboards and alerts written for kubebuilder controllers work unchanged, plus ours.
// One registry per process (not prom-client's global one, so tests can make fresh ones); the
// recording hooks are installed at the seams: the work queue, the RawClient, the DaemonSet
// controller's pod writes and the leader elector.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { setRequestResultHook } from './client.js';
import { setWorkQueueMetricsProvider, type ReconcileResult, type WorkQueueMetrics } from './workqueue.js';

/** controller-runtime's reconcile_time_seconds buckets. */
const RECONCILE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5, 1.75, 2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60];
/** controller-runtime's workqueue buckets: 10 ns to 1000 s, ×10 apart (ExponentialBuckets(10e-9, 10, 12)). */
const QUEUE_BUCKETS = Array.from({ length: 12 }, (_, i) => 1e-8 * 10 ** i);
const RESULTS: ReconcileResult[] = ['success', 'error', 'requeue', 'requeue_after'];

export class ControllerMetrics {
  readonly registry = new Registry();
  readonly #r = [this.registry];
  readonly reconcileTotal = new Counter({ name: 'controller_runtime_reconcile_total', help: 'Total number of reconciliations per controller', labelNames: ['controller', 'result'] as const, registers: this.#r });
  readonly reconcileErrors = new Counter({ name: 'controller_runtime_reconcile_errors_total', help: 'Total number of reconciliation errors per controller', labelNames: ['controller'] as const, registers: this.#r });
  readonly reconcileTime = new Histogram({ name: 'controller_runtime_reconcile_time_seconds', help: 'Length of time per reconciliation per controller', labelNames: ['controller'] as const, buckets: RECONCILE_BUCKETS, registers: this.#r });
  readonly activeWorkers = new Gauge({ name: 'controller_runtime_active_workers', help: 'Number of currently used workers per controller', labelNames: ['controller'] as const, registers: this.#r });
  readonly maxConcurrent = new Gauge({ name: 'controller_runtime_max_concurrent_reconciles', help: 'Maximum number of concurrent reconciles per controller', labelNames: ['controller'] as const, registers: this.#r });
  readonly depth = new Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: ['name'] as const, registers: this.#r });
  readonly adds = new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames: ['name'] as const, registers: this.#r });
  readonly queueDuration = new Histogram({ name: 'workqueue_queue_duration_seconds', help: 'How long in seconds an item stays in workqueue before being requested', labelNames: ['name'] as const, buckets: QUEUE_BUCKETS, registers: this.#r });
  readonly workDuration = new Histogram({ name: 'workqueue_work_duration_seconds', help: 'How long in seconds processing an item from workqueue takes', labelNames: ['name'] as const, buckets: QUEUE_BUCKETS, registers: this.#r });
  readonly retries = new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames: ['name'] as const, registers: this.#r });
  readonly restRequests = new Counter({ name: 'rest_client_requests_total', help: 'Number of HTTP requests, partitioned by status code, method, and host', labelNames: ['code', 'method', 'host'] as const, registers: this.#r });
  readonly leaderStatus = new Gauge({ name: 'leader_election_master_status', help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master', labelNames: ['name'] as const, registers: this.#r });
  readonly podsCreated = new Counter({ name: 'everynode_daemonset_pods_created_total', help: 'Daemon pods created, per DaemonSet', labelNames: ['namespace', 'daemonset'] as const, registers: this.#r });
  readonly podsDeleted = new Counter({ name: 'everynode_daemonset_pods_deleted_total', help: 'Daemon pods deleted, per DaemonSet', labelNames: ['namespace', 'daemonset'] as const, registers: this.#r });

  constructor(o: { processMetrics?: boolean } = {}) {
    // process_* and nodejs_* (the equivalents of the process_* and go_* a Go controller exports).
    if (o.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /** A named work queue's hooks; the controller's series start at zero, as controller-runtime initialises them. */
  queue(name: string, workers?: number): WorkQueueMetrics {
    for (const result of RESULTS) this.reconcileTotal.inc({ controller: name, result }, 0);
    this.reconcileErrors.inc({ controller: name }, 0);
    this.activeWorkers.set({ controller: name }, 0);
    if (workers !== undefined) this.maxConcurrent.set({ controller: name }, workers);
    this.depth.set({ name }, 0);
    this.adds.inc({ name }, 0);
    this.retries.inc({ name }, 0);
    const byName = { name };
    const byController = { controller: name };
    return {
      added: () => this.adds.inc(byName),
      depth: (n) => this.depth.set(byName, n),
      queued: (s) => this.queueDuration.observe(byName, s),
      worked: (s) => this.workDuration.observe(byName, s),
      retried: () => this.retries.inc(byName),
      reconciled: (result, s) => {
        this.reconcileTotal.inc({ controller: name, result });
        if (result === 'error') this.reconcileErrors.inc(byController);
        this.reconcileTime.observe(byController, s);
      },
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
   * Makes this registry the process's: every named work queue constructed afterwards and every
   * RawClient request reports to it (client-go's metrics.Register and workqueue.SetProvider).
   * Returns the function that uninstalls it.
   */
  install(workers: Record<string, number> = {}): () => void {
    setWorkQueueMetricsProvider((name) => this.queue(name, workers[name]));
    setRequestResultHook((r) => this.restRequests.inc(r));
    return () => { setWorkQueueMetricsProvider(undefined); setRequestResultHook(undefined); };
  }

  /** The text exposition format, for /metrics. */
  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

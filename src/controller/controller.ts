// The DaemonSet controller's shell: informers feed a keyed work queue; each reconcile reads the
// caches into a Snapshot, asks the pure core for a Plan and carries it out through the API.
// Works the same against the embedded cluster and any real cluster.
import type { KubeConfig } from '@kubernetes/client-node';
import type { DaemonSet, KObject, Node, Pod } from '../api/types.js';
import { controllerRefOf, keyOf } from '../api/meta.js';
import { RawClient, type RawClientOptions } from '../kube/client.js';
import { Informer } from '../kube/informer.js';
import type { WorkQueue } from '../kube/workqueue.js';
import { runAlone, type Runnable } from '../kube/manager.js';
import { ControllerLoop } from '../kube/controllerloop.js';
import { realClock, type Clock } from '../kube/clock.js';
import { daemonSetKeysForPodChange, daemonSetKeysForRevisionChange, daemonSetNeedsSyncForNode, isStatusOnlyPodChange, nodeChangeMatters } from './core/triggers.js';
import { targetNodeName } from './core/pods.js';
import { syncFailedEvent } from './core/events.js';
import type { BackoffState } from './core/backoff.js';
import { Expectations } from './expectations.js';
import { Reconciler } from './reconciler.js';
import { EventRecorder } from './events.js';
import { EventSink } from '../kube/eventsink.js';
import type { Caches, DaemonSetWriteMetrics } from './deps.js';

export { BIND_ANNOTATION, type Caches, type DaemonSetWriteMetrics } from './deps.js';

export interface ControllerOptions {
  /** Only this namespace's DaemonSets (and pods); all namespaces when empty. */
  namespace?: string;
  /** Set spec.nodeName directly on every pod (no scheduler needed). Per DaemonSet: annotation everynode.dev/bind=direct. */
  bindDirectly?: boolean;
  workers?: number;
  log?: (line: string) => void;
  /**
   * The process's API client, built once by the composition root (the informers read through
   * it). Without one the controller builds its own from the kubeconfig.
   */
  apiClient?: RawClient;
  /**
   * Limits of the controller's writes: a signal that cancels them in flight (leadership lost,
   * shutdown) and their deadline. The informers do not get it: their caches outlive a lost lease.
   */
  client?: RawClientOptions;
  /** Counts the pods it creates and deletes (everynode_daemonset_pods_*_total). */
  metrics?: DaemonSetWriteMetrics;
  /** The time source of its queue and expectations. */
  clock?: Clock;
}
/**
 * How long a status-only pod change (bound, ready) may wait before its DaemonSet syncs; the
 * changes arriving meanwhile share that sync. Upstream syncs on each one; on a large fleet every
 * pod's binding and readiness would each re-plan all nodes. Everything else syncs at once.
 */
export const STATUS_SYNC_DELAY_MS = 100;

export class DaemonSetController implements Runnable {
  readonly name = 'daemonset-controller';
  /** The client of its writes. */
  readonly client: RawClient;
  readonly caches: Caches;
  /** The workers (leader-only in `everynode controller`). */
  readonly loop: ControllerLoop;
  readonly expectations: Expectations;
  readonly backoff = new Map<string, BackoffState>();
  private readonly reconciler: Reconciler;
  private readonly events: EventRecorder;
  private readonly eventSink: EventSink;
  /** The client it built itself (closed when it stops), when the composition root gave none. */
  readonly #ownClient: RawClient | undefined;

  constructor(kc: KubeConfig, readonly opts: ControllerOptions = {}) {
    const clock = opts.clock ?? realClock;
    this.#ownClient = opts.apiClient ? undefined : new RawClient(kc, { timeoutMs: opts.client?.timeoutMs, maxSockets: opts.client?.maxSockets });
    const reads = opts.apiClient ?? this.#ownClient!;
    this.client = opts.client?.signal ? reads.withSignal(opts.client.signal) : reads;
    this.expectations = new Expectations(() => clock.now());
    const ns = opts.namespace ? `/namespaces/${encodeURIComponent(opts.namespace)}` : '';
    this.caches = {
      daemonSets: new Informer(reads, `/apis/apps/v1${ns}/daemonsets`),
      pods: new Informer(reads, `/api/v1${ns}/pods`),
      nodes: new Informer(reads, '/api/v1/nodes'),
      revisions: new Informer(reads, `/apis/apps/v1${ns}/controllerrevisions`),
    };
    // Only what the controller reads is kept (see core/): at 10,000 nodes and pods, whole objects
    // were most of its memory. Objects the controller writes back are read live, never from here.
    this.caches.nodes.setTransform(slimNode);
    this.caches.pods.setTransform(slimPod);
    this.caches.pods.addIndex('owner', (p) => { const r = controllerRefOf(p); return r ? [r.uid] : []; });
    this.caches.pods.addIndex('orphans', (p) => (controllerRefOf(p) ? [] : [p.metadata?.namespace ?? '']));
    this.caches.pods.addIndex('targetNode', (p) => { const n = targetNodeName(p); return n ? [n] : []; });
    this.caches.revisions.addIndex('owner', (r) => { const ref = controllerRefOf(r); return ref ? [ref.uid] : []; });
    this.caches.revisions.addIndex('orphans', (r) => (controllerRefOf(r) ? [] : [r.metadata?.namespace ?? '']));
    this.eventSink = new EventSink(kc);
    this.events = new EventRecorder(this.eventSink, 'daemonset-controller', () => clock.now());
    this.reconciler = new Reconciler(
      { client: this.client, caches: this.caches, expectations: this.expectations, backoff: this.backoff, clock, opts: { bindDirectly: opts.bindDirectly, metrics: opts.metrics, log: opts.log } },
      this.events,
    );
    this.loop = new ControllerLoop({
      // client-go's default controller rate limiter: 5 ms → 1000 s per key, 10 qps / 100 burst overall.
      name: 'daemonset', workers: opts.workers ?? 4, clock, log: opts.log,
      backoff: { baseDelayMs: 5, maxDelayMs: 1_000_000, bucket: { qps: 10, burst: 100 } },
      reconciler: this.reconciler,
      // Said on the object itself, where `kubectl describe` shows it (API errors and aborted
      // requests are the loop's to retry quietly and never get here).
      report: (f) => { const ds = this.caches.daemonSets.get(f.key); if (ds) this.events.record(ds, syncFailedEvent(f.message)); },
    });
    // A malformed pod, node, revision or DaemonSet is repaired or skipped by the informer (see
    // kube/sanitize.ts); the controller says so where `kubectl describe` shows it and carries on.
    for (const inf of Object.values(this.caches) as Informer[]) {
      inf.onProblem((p) => {
        this.opts.log?.(`daemonset-controller: ${p.regarding.kind} ${p.regarding.namespace ? `${p.regarding.namespace}/` : ''}${p.regarding.name}: ${p.message}`);
        this.events.recordAbout(p.regarding, { type: 'Warning', reason: p.reason, message: p.message });
      });
    }
    this.wireHandlers();
  }

  private wireHandlers(): void {
    const { daemonSets, pods, nodes, revisions } = this.caches;
    const forgetDaemonSet = (ds: DaemonSet) => { this.expectations.forget(keyOf(ds)); this.backoff.delete(keyOf(ds)); };
    daemonSets.addHandler({
      onAdd: (ds) => this.queue.add(keyOf(ds)),
      onUpdate: (old, ds) => {
        // Deleted and recreated between two events: the old one's expectations must not gate the new one.
        if (old.metadata?.uid !== ds.metadata?.uid) forgetDaemonSet(old);
        this.queue.add(keyOf(ds));
      },
      onDelete: (ds) => { forgetDaemonSet(ds); this.queue.add(keyOf(ds)); },
    });
    const dsList = () => daemonSets.list();
    pods.addHandler({
      onAdd: (p) => {
        for (const k of daemonSetKeysForPodChange(undefined, p, dsList())) {
          if (controllerRefOf(p)) this.expectations.creationObserved(k);
          this.queue.add(k);
        }
      },
      onUpdate: (old, p) => {
        const statusOnly = isStatusOnlyPodChange(old, p);
        for (const k of daemonSetKeysForPodChange(old, p, dsList())) {
          // A graceful delete is observed when it starts (UID-tracked, so the final removal is not counted again).
          if (p.metadata?.deletionTimestamp) this.expectations.deletionObserved(k, p.metadata.uid);
          // Status-only changes sync at most once per STATUS_SYNC_DELAY_MS per DaemonSet.
          if (statusOnly) this.queue.addAfter(k, STATUS_SYNC_DELAY_MS); else this.queue.add(k);
        }
      },
      onDelete: (p) => {
        for (const k of daemonSetKeysForPodChange(p, undefined, dsList())) {
          this.expectations.deletionObserved(k, p.metadata?.uid);
          this.queue.add(k);
        }
      },
    });
    const enqueue = (keys: string[]) => { for (const k of keys) this.queue.add(k); };
    revisions.addHandler({
      onAdd: (r) => enqueue(daemonSetKeysForRevisionChange(undefined, r, dsList())),
      onUpdate: (old, r) => enqueue(daemonSetKeysForRevisionChange(old, r, dsList())),
      onDelete: (r) => enqueue(daemonSetKeysForRevisionChange(r, undefined, dsList())),
    });
    // Node changes touch only the DaemonSets whose decision for that node changes (§5.1, the
    // ≥1.33 path), so relabelling one node of thousands does not resync everything.
    const forNode = (node: Node) => {
      const here = pods.byIndex('targetNode', node.metadata?.name ?? '');
      for (const ds of dsList()) {
        const has = here.some((p) => controllerRefOf(p)?.uid === ds.metadata?.uid);
        let needed = true; // a DaemonSet the core cannot judge is synced, where its error gets reported
        try { needed = daemonSetNeedsSyncForNode(ds, node, has); } catch { /* see above */ }
        if (needed) this.queue.add(keyOf(ds));
      }
    };
    nodes.addHandler({
      onAdd: forNode,
      onUpdate: (old, n) => { if (nodeChangeMatters(old, n)) forNode(n); },
      onDelete: (n) => { for (const ds of dsList()) if (pods.byIndex('targetNode', n.metadata?.name ?? '').some((p) => controllerRefOf(p)?.uid === ds.metadata?.uid)) this.queue.add(keyOf(ds)); },
    });
  }

  /** Event handlers add DaemonSet keys here. */
  get queue(): WorkQueue<string> { return this.loop.queue; }

  /**
   * The controller as a manager's runnables: its four caches, and its loop, which needs the
   * caches synced (a leader-only runnable in `everynode controller`). Call close() once stopped.
   */
  runnables(): { caches: Informer[]; loop: ControllerLoop } {
    return { caches: Object.values(this.caches) as Informer[], loop: this.loop };
  }

  /** Closes the connections it opened itself. */
  close(): void {
    this.#ownClient?.close();
    this.eventSink.close();
  }

  /** The controller alone (`everynode up`, tests): caches, then once synced the loop, until `signal` aborts. */
  async start(signal: AbortSignal): Promise<void> {
    try {
      await runAlone(this.runnables(), signal, this.opts.log);
    } finally {
      this.close();
    }
  }
}

/** A node as the controller reads it: identity, labels and taints (eligibility); not its status. */
export function slimNode(n: Node & KObject): Node & KObject {
  const { managedFields: _m, ...metadata } = n.metadata ?? {};
  return { apiVersion: n.apiVersion, kind: n.kind, metadata, ...(n.spec ? { spec: n.spec } : {}) };
}

/**
 * A pod as the controller reads it: metadata (owner, labels, hash, deletion), where it runs or is
 * pinned (nodeName, affinity), and phase and conditions (readiness, availability, failure).
 */
export function slimPod(p: Pod & KObject): Pod & KObject {
  const { managedFields: _m, ...metadata } = p.metadata ?? {};
  const spec = { containers: [], ...(p.spec?.nodeName ? { nodeName: p.spec.nodeName } : {}), ...(p.spec?.affinity ? { affinity: p.spec.affinity } : {}) };
  const status = p.status ? { ...(p.status.phase ? { phase: p.status.phase } : {}), ...(p.status.conditions ? { conditions: p.status.conditions } : {}) } : undefined;
  return { apiVersion: p.apiVersion, kind: p.kind, metadata, spec, ...(status ? { status } : {}) };
}

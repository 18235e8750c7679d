// The scheduler shell: watches pending pods whose schedulerName is default-scheduler, asks the
// pure core (schedule) where they go, and binds them through pods/binding. Unschedulable pods
// get PodScheduled=False and wait with back-off, retried early when nodes or pods change;
// preemption evicts the chosen victims, sets status.nominatedNodeName, and binds once room is made.
import type { KubeConfig } from '@kubernetes/client-node';
import type { KObject, Node, Pod, PodDisruptionBudget } from '../api/types.js';
import { keyOf, rfc3339 } from '../api/meta.js';
import { podPriority } from '../api/scheduling.js';
import { ApiStatusError, RawClient, userAgent, isConflict, isNotFound } from '../kube/client.js';
import type { Informer } from '../kube/informer.js';
import { SharedInformers } from '../kube/shared.js';
import { ControllerLoop } from '../kube/controllerloop.js';
import { Limiter } from '../kube/limiter.js';
import type { Runnable } from '../kube/manager.js';
import { EventSink, coreEvent } from '../kube/eventsink.js';
import { isTerminal, pinnedNodeNames, schedule, unschedulableCondition, type PodsByNode } from './core.js';

export const DEFAULT_SCHEDULER = 'default-scheduler';

type KPod = Pod & KObject;
type KNode = Node & KObject;

/** Is this pod the default scheduler's to place? */
export function wantsScheduling(p: Pod): boolean {
  return !p.spec?.nodeName && (p.spec?.schedulerName ?? DEFAULT_SCHEDULER) === DEFAULT_SCHEDULER
    && !p.metadata?.deletionTimestamp && !isTerminal(p);
}

/** Node changes that can make an unschedulable pod fit (not heartbeats). */
export function nodeChangeMatters(old: Node, cur: Node): boolean {
  const sig = (n: Node) => JSON.stringify([n.spec, n.metadata?.labels, n.status?.allocatable]);
  return sig(old) !== sig(cur);
}

export interface SchedulerOptions {
  rand?: () => number;
  now?: () => number;
  /** Informers shared with the process's other components (one is made when absent). */
  informers?: SharedInformers;
  log?: (line: string) => void;
}

export class Scheduler implements Runnable {
  readonly name = 'scheduler';
  readonly #client: RawClient;
  readonly #pods: Informer<KPod>;
  readonly #shared: SharedInformers;
  readonly #nodes: Informer<KNode>;
  readonly #pdbs: Informer<PodDisruptionBudget & KObject>;
  /** One worker: scheduling decisions are sequential, as in kube-scheduler's scheduling cycle. */
  readonly #loop: ControllerLoop;
  get #queue() { return this.#loop.queue; }
  /** Binding cycles in flight at once. */
  readonly #binds = new Limiter(32);
  /** Pods that failed to fit: moved back to the active queue on any cluster change. */
  readonly #unschedulable = new Set<string>();
  /** Bound by us, not yet seen bound by the informer: they hold room on their node (the "assume" cache). */
  readonly #assumed = new AssumedPods();
  readonly #rand: () => number;
  readonly #now: () => number;
  readonly #events: EventSink;

  constructor(kc: KubeConfig, o: SchedulerOptions = {}) {
    this.#client = new RawClient(kc, { userAgent: userAgent('kube-scheduler') });
    const shared = (this.#shared = o.informers ?? new SharedInformers(kc));
    this.#pods = shared.informer<KPod>('/api/v1/pods');
    this.#pods.addIndex('node', (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []));
    this.#pods.addIndex('nominated', (p) => (!p.spec?.nodeName && p.status?.nominatedNodeName ? [p.status.nominatedNodeName] : []));
    this.#nodes = shared.informer<KNode>('/api/v1/nodes');
    this.#pdbs = shared.informer<PodDisruptionBudget & KObject>('/apis/policy/v1/poddisruptionbudgets');
    this.#rand = o.rand ?? Math.random;
    this.#now = o.now ?? Date.now;
    this.#events = new EventSink(kc, { userAgent: userAgent('kube-scheduler') });
    this.#loop = new ControllerLoop({
      name: 'scheduler', workers: 1, backoff: { baseDelayMs: 1_000, maxDelayMs: 10_000 }, log: o.log,
      reconciler: {
        reconcile: async (key) => {
          if (!(await this.#scheduleOne(key))) return;
          this.#unschedulable.add(key);
          return { requeue: true };
        },
      },
      report: (f) => this.#shared.failedSync(this.name, this.#pods, f.key, f.message),
    });
  }

  async start(signal: AbortSignal): Promise<void> {
    this.#pods.addHandler({
      onAdd: (p) => this.#podChanged(p),
      onUpdate: (old, p) => {
        this.#podChanged(p);
        // A pod leaving a node (terminal or going away) frees room.
        if (old.spec?.nodeName && isTerminal(p) && !isTerminal(old)) this.#retryUnschedulable();
      },
      onDelete: (p) => { this.#assumed.delete(keyOf(p)); this.#unschedulable.delete(keyOf(p)); if (p.spec?.nodeName) this.#retryUnschedulable(); },
    });
    this.#nodes.addHandler({ onAdd: () => this.#retryUnschedulable(), onUpdate: (o, n) => { if (nodeChangeMatters(o, n)) this.#retryUnschedulable(); } });
    const informers = [this.#pods, this.#nodes, this.#pdbs] as Informer<KObject>[];
    const running = [this.#shared.start(signal)];
    await Promise.all(informers.map((i) => i.waitForSync(signal)));
    for (const p of this.#pods.list()) { try { this.#podChanged(p); } catch { /* as the informer contains a handler's failure */ } }
    await Promise.all([...running, this.#loop.start(signal)]);
    this.#client.close();
    this.#events.close();
  }

  #podChanged(p: KPod): void {
    const key = keyOf(p);
    if (p.spec?.nodeName) { this.#assumed.delete(key); this.#unschedulable.delete(key); return; }
    if (!wantsScheduling(p)) return;
    // Our own PodScheduled=False write comes back as an update: leave the pod to its back-off.
    if (this.#unschedulable.has(key)) return;
    this.#queue.add(key);
  }

  #retryUnschedulable(): void {
    for (const key of this.#unschedulable) this.#queue.add(key);
    this.#unschedulable.clear();
  }

  /** The pods the core should count on each node: bound, assumed, and nominated more-important ones. */
  #podsByNode(pod: Pod): PodsByNode {
    const prio = podPriority(pod);
    const self = pod.metadata?.uid;
    const get = (node: string): Pod[] => [
      ...this.#pods.byIndex('node', node),
      ...this.#assumed.onNode(node),
      ...this.#pods.byIndex('nominated', node).filter((p) => p.metadata?.uid !== self && podPriority(p) >= prio),
    ];
    return { get } as unknown as PodsByNode;
  }

  /** Returns true when the pod stays pending (unschedulable or waiting for victims to leave). */
  async #scheduleOne(key: string): Promise<boolean> {
    const pod = this.#pods.get(key);
    if (!pod || !wantsScheduling(pod) || this.#assumed.has(key)) return false;
    // A daemon pod names its node: look that one up instead of listing 10,000 for the core to
    // filter. Only when it does not fit there is the whole list needed (the explanation, preemption).
    const pinned = pinnedNodeNames(pod);
    const podsByNode = this.#podsByNode(pod);
    let r = pinned
      ? schedule(pod, [...pinned].flatMap((n): KNode[] => { const node = this.#nodes.get(n); return node ? [node] : []; }), podsByNode, this.#pdbs.list(), this.#rand)
      : undefined;
    if (!r || !('node' in r)) r = schedule(pod, this.#nodes.list(), podsByNode, this.#pdbs.list(), this.#rand);
    if ('node' in r) {
      // As kube-scheduler: assume the pod on its node at once, so the next decisions count it,
      // and bind asynchronously; a failed bind forgets the assumption and retries the pod.
      this.#assumed.set(key, { ...pod, spec: { ...pod.spec!, nodeName: r.node } }, r.node);
      void this.#binds.run(() => this.#bind(pod, r.node)).catch(() => {
        this.#assumed.delete(key);
        this.#queue.addRateLimited(key);
      });
      return false;
    }
    if (r.preemption && !this.#victimsStillLeaving(pod)) {
      const { node, victims } = r.preemption;
      for (const v of victims) await this.#evict(v);
      await this.#patchStatus(pod, { nominatedNodeName: node, conditions: [unschedulableCondition(r, rfc3339(this.#now()))] });
      return true;
    }
    const cond = unschedulableCondition(r, rfc3339(this.#now()));
    const old = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (old?.status !== 'False' || old.reason !== cond.reason || old.message !== cond.message) {
      await this.#patchStatus(pod, { conditions: [cond] });
      // Once per distinct reason, not per retry: the same verdict again says nothing new.
      this.#event(pod, 'Warning', 'FailedScheduling', cond.message ?? '');
    }
    return true;
  }

  /** PodEligibleToPreemptOthers: a nominated pod whose victims are still terminating waits for them. */
  #victimsStillLeaving(pod: Pod): boolean {
    const nominated = pod.status?.nominatedNodeName;
    if (!nominated) return false;
    const prio = podPriority(pod);
    return this.#pods.byIndex('node', nominated).some((p) => p.metadata?.deletionTimestamp && !isTerminal(p) && podPriority(p) < prio);
  }

  #path(pod: Pod): string {
    return `/api/v1/namespaces/${encodeURIComponent(pod.metadata!.namespace!)}/pods/${encodeURIComponent(pod.metadata!.name!)}`;
  }

  async #bind(pod: KPod, node: string): Promise<void> {
    try {
      await this.#client.request('POST', `${this.#path(pod)}/binding`, {
        apiVersion: 'v1', kind: 'Binding', metadata: { name: pod.metadata!.name, namespace: pod.metadata!.namespace, uid: pod.metadata!.uid }, target: { apiVersion: 'v1', kind: 'Node', name: node },
      });
      this.#event(pod, 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata!.namespace}/${pod.metadata!.name} to ${node}`);
    } catch (err) {
      if (!isConflict(err) && !isNotFound(err)) throw err; // already bound or gone: nothing to do
    }
  }

  /** Preemption goes through the eviction API; a PDB refusal (429) is overridden as upstream's delete would. */
  async #evict(victim: Pod): Promise<void> {
    const path = this.#path(victim);
    try {
      await this.#client.request('POST', `${path}/eviction`, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: victim.metadata!.name, namespace: victim.metadata!.namespace } });
    } catch (err) {
      if (isNotFound(err)) return;
      if (!(err instanceof ApiStatusError && err.code === 429)) throw err;
      await this.#client.delete(path, { preconditions: { uid: victim.metadata!.uid } }).catch((e) => { if (!isNotFound(e)) throw e; });
    }
  }

  #event(pod: KPod, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const { namespace, name = '', uid, resourceVersion } = pod.metadata ?? {};
    const ev = coreEvent({ apiVersion: 'v1', kind: 'Pod', namespace, name, uid, resourceVersion }, { type, reason, message }, DEFAULT_SCHEDULER, this.#now());
    this.#events.post(ev.namespace, ev.body);
  }

  async #patchStatus(pod: Pod, status: Record<string, unknown>): Promise<void> {
    try {
      await this.#client.request('PATCH', `${this.#path(pod)}/status`, { status }, 'application/strategic-merge-patch+json');
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

/**
 * The assume cache: pods bound by us and not yet seen bound through the watch, by key and by
 * node, so counting a node's pods costs its own pods, not every pod awaiting its binding (with
 * thousands of daemon pods binding at once, a scan per decision made scheduling quadratic).
 */
class AssumedPods {
  readonly #byKey = new Map<string, { pod: KPod; node: string }>();
  readonly #byNode = new Map<string, Map<string, KPod>>();

  has(key: string): boolean { return this.#byKey.has(key); }

  set(key: string, pod: KPod, node: string): void {
    this.delete(key);
    this.#byKey.set(key, { pod, node });
    let on = this.#byNode.get(node);
    if (!on) this.#byNode.set(node, (on = new Map()));
    on.set(key, pod);
  }

  delete(key: string): void {
    const e = this.#byKey.get(key);
    if (!e) return;
    this.#byKey.delete(key);
    const on = this.#byNode.get(e.node);
    on?.delete(key);
    if (on && !on.size) this.#byNode.delete(e.node);
  }

  onNode(node: string): KPod[] {
    const on = this.#byNode.get(node);
    return on ? [...on.values()] : [];
  }
}

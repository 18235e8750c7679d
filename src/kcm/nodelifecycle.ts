// Node lifecycle controller (kube-controller-manager): marks nodes whose kubelet went silent
// Unknown, keeps the condition/unschedulable taints in step with the node, and, as the taint
// manager, deletes pods that do not tolerate the node's NoExecute taints; pods of a node that is
// not Ready are marked Ready=False (MarkPodsNotReady), and RegisteredNode/NodeNotReady events are
// posted. The decisions are lifecycleDecision and podsToEvict (src/nodes/taints.ts) and
// src/nodes/podready.ts; this is the I/O around them.
import type { KubeConfig } from '@kubernetes/client-node';
import type { KObject, Lease, Node, Pod } from '../api/types.js';
import { keyOf, parseTime, rfc3339 } from '../api/meta.js';
import { RawClient, userAgent, isConflict, isNotFound } from '../kube/client.js';
import type { Informer } from '../kube/informer.js';
import { SharedInformers } from '../kube/shared.js';
import { ControllerLoop } from '../kube/controllerloop.js';
import type { Runnable } from '../kube/manager.js';
import { DEFAULT_GRACE_MS, lifecycleDecision, podsToEvict } from '../nodes/taints.js';
import { nodeIsReady, notReadyCondition, podsToMarkNotReady, regardingPod } from '../nodes/podready.js';
import { EventSink, coreEvent } from '../kube/eventsink.js';

export interface NodeLifecycleOptions {
  /** Informers shared with the process's other components (one is made when absent). */
  informers?: SharedInformers;
  /** --node-monitor-grace-period: how long a silent node stays Ready (default 40 s). */
  graceMs?: number;
  /** --node-monitor-period: how often every node's heartbeat is checked (default min(5 s, grace/4)). */
  monitorPeriodMs?: number;
  now?: () => number;
  log?: (line: string) => void;
}

type KNode = Node & KObject;
type KPod = Pod & KObject;

const MERGE = 'application/merge-patch+json';
const STRATEGIC = 'application/strategic-merge-patch+json';

export class NodeLifecycleController implements Runnable {
  readonly name = 'node-lifecycle-controller';
  readonly #client: RawClient;
  readonly #nodes: Informer<KNode>;
  readonly #leases: Informer<Lease & KObject>;
  readonly #pods: Informer<KPod>;
  readonly #shared: SharedInformers;
  readonly #loop: ControllerLoop;
  get #queue() { return this.#loop.queue; }
  readonly #grace: number;
  readonly #period: number;
  readonly #now: () => number;
  readonly #events: EventSink;
  #synced = false;

  constructor(kc: KubeConfig, o: NodeLifecycleOptions = {}) {
    this.#client = new RawClient(kc, { userAgent: userAgent('kube-controller-manager', 'node-lifecycle-controller') });
    const shared = (this.#shared = o.informers ?? new SharedInformers(kc));
    this.#nodes = shared.informer<KNode>('/api/v1/nodes');
    // Leases are only read by the periodic monitor, never handled per event: at 10,000 nodes
    // they change 1,000 times a second.
    this.#leases = shared.informer<Lease & KObject>('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases');
    this.#pods = shared.informer<KPod>('/api/v1/pods');
    this.#pods.addIndex('node', (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []));
    this.#grace = o.graceMs ?? DEFAULT_GRACE_MS;
    this.#period = o.monitorPeriodMs ?? Math.max(50, Math.min(5_000, this.#grace / 4));
    this.#now = o.now ?? Date.now;
    this.#events = new EventSink(kc, { userAgent: userAgent('kube-controller-manager', 'node-lifecycle-controller') });
    this.#loop = new ControllerLoop({
      name: 'node_lifecycle_controller', workers: 2, backoff: { baseDelayMs: 100, maxDelayMs: 10_000 }, log: o.log,
      reconciler: { reconcile: async (name) => ({ requeueAfterMs: (await this.#reconcile(name)) ?? 0 }) },
      report: (f) => this.#shared.failedSync(this.name, this.#nodes, f.key, f.message),
    });
  }

  async start(signal: AbortSignal): Promise<void> {
    this.#nodes.addHandler({ onAdd: (n) => { this.#registered(n); this.#queue.add(keyOf(n)); }, onUpdate: (_o, n) => this.#queue.add(keyOf(n)) });
    const podChanged = (p: KPod) => {
      const node = p.spec?.nodeName ? this.#nodes.get(p.spec.nodeName) : undefined;
      if (node?.spec?.taints?.some((t) => t.effect === 'NoExecute')) this.#queue.add(keyOf(node));
    };
    this.#pods.addHandler({ onAdd: podChanged, onUpdate: (_o, p) => podChanged(p) });
    const informers = [this.#nodes, this.#leases, this.#pods];
    const running = [this.#shared.start(signal)];
    await Promise.all(informers.map((i) => i.waitForSync(signal)));
    this.#synced = true;
    if (!signal.aborted) {
      const monitor = setInterval(() => this.#monitor(), this.#period);
      signal.addEventListener('abort', () => clearInterval(monitor), { once: true });
    }
    await Promise.all([...running, this.#loop.start(signal)]);
    this.#client.close();
    this.#events.close();
  }

  /** monitorNodeHealth: queue the nodes whose heartbeat went stale or whose taints are off. */
  #monitor(): void {
    const now = this.#now();
    for (const node of this.#nodes.list()) {
      // A timer callback that throws kills the thread: one node the decision cannot judge goes
      // to the queue, whose sync fails, reports and retries it with back-off.
      let due = true;
      try { const d = lifecycleDecision(node, this.#lease(node), now, this.#grace); due = !!(d.conditions || d.taintsChanged); } catch { /* see above */ }
      if (due) this.#queue.add(keyOf(node));
    }
  }

  /**
   * RegisteredNode, for nodes that join while we run (or just before we started). Upstream says
   * it again for every node at each start; at 10,000 nodes that is 10,000 writes per restart.
   */
  #registered(node: KNode): void {
    const name = node.metadata?.name ?? '';
    const created = parseTime(node.metadata?.creationTimestamp as string | undefined) ?? 0;
    if (!this.#synced && this.#now() - created > this.#grace) return;
    this.#nodeEvent(node, 'RegisteredNode', `Node ${name} event: Registered Node ${name} in Controller`);
  }

  #nodeEvent(node: KNode, reason: string, message: string): void {
    const ref = { apiVersion: 'v1', kind: 'Node', name: node.metadata?.name ?? '', uid: node.metadata?.uid };
    const ev = coreEvent(ref, { type: 'Normal', reason, message }, 'node-controller', this.#now());
    this.#events.post(ev.namespace, ev.body);
  }

  #lease(node: Node): Lease | undefined { return this.#leases.get(`kube-node-lease/${node.metadata!.name}`); }

  /** One step for a node; returns when to look again for a pending tolerationSeconds expiry. */
  async #reconcile(name: string): Promise<number | undefined> {
    const node = this.#nodes.get(name);
    if (!node) return undefined;
    const now = this.#now();
    const path = `/api/v1/nodes/${encodeURIComponent(name)}`;
    const d = lifecycleDecision(node, this.#lease(node), now, this.#grace);
    try {
      // One write per step; the resulting watch event brings the node back for the next one.
      if (d.conditions) {
        await this.#client.request('PATCH', `${path}/status`, { metadata: { resourceVersion: node.metadata!.resourceVersion }, status: { conditions: d.conditions } }, MERGE);
        // RecordNodeStatusChange: once, as the node stops being Ready under our hand.
        if (nodeIsReady(node)) this.#nodeEvent(node, 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
        return undefined;
      }
      if (d.taintsChanged) {
        await this.#client.request('PATCH', path, { metadata: { resourceVersion: node.metadata!.resourceVersion }, spec: { taints: d.taints } }, MERGE);
        return undefined;
      }
    } catch (err) {
      if (isConflict(err) || isNotFound(err)) return undefined;
      throw err;
    }
    const pods = this.#pods.byIndex('node', name);
    if (!nodeIsReady(node)) await this.#markPodsNotReady(pods, now);
    let next = Infinity;
    for (const e of podsToEvict(node, pods, now)) {
      if (e.atMs <= now) await this.#evict(e.pod, now);
      else next = Math.min(next, e.atMs);
    }
    return next === Infinity ? undefined : next - now;
  }

  /**
   * MarkPodsNotReady: pods on a node that is not Ready cannot be trusted to serve, so their Ready
   * condition turns False (and stays so until their kubelet says otherwise), which is what
   * DaemonSet availability, rollouts and endpoints read. A Warning on each pod says why.
   */
  async #markPodsNotReady(pods: readonly KPod[], now: number): Promise<void> {
    for (const pod of podsToMarkNotReady(pods)) {
      const path = `/api/v1/namespaces/${encodeURIComponent(pod.metadata!.namespace!)}/pods/${encodeURIComponent(pod.metadata!.name!)}`;
      try {
        // The resourceVersion makes it a compare-and-swap with the kubelet's writes; a newer pod
        // comes back through the watch (the node is NoExecute-tainted, so pod changes queue it).
        await this.#client.request('PATCH', `${path}/status`, { metadata: { resourceVersion: pod.metadata!.resourceVersion }, status: { conditions: [notReadyCondition(pod, now)] } }, STRATEGIC);
      } catch (err) {
        if (isConflict(err) || isNotFound(err)) continue;
        throw err;
      }
      const ev = coreEvent(regardingPod(pod), { type: 'Warning', reason: 'NodeNotReady', message: 'Node is not ready' }, 'node-controller', now);
      this.#events.post(ev.namespace, ev.body);
    }
  }

  /** The taint manager's deletion: mark DisruptionTarget (as upstream does), then delete. */
  async #evict(pod: Pod, now: number): Promise<void> {
    const path = `/api/v1/namespaces/${encodeURIComponent(pod.metadata!.namespace!)}/pods/${encodeURIComponent(pod.metadata!.name!)}`;
    try {
      // Re-read: the cache may not show our own earlier deletion yet, and (server bug, see
      // report) any write to a terminating pod completes its deletion at once.
      const fresh = await this.#client.request<Pod>('GET', path);
      if (fresh.metadata?.deletionTimestamp || fresh.metadata?.uid !== pod.metadata?.uid) return;
      await this.#client.request('PATCH', `${path}/status`, { status: { conditions: [{
        type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint', lastTransitionTime: rfc3339(now),
      }] } }, STRATEGIC);
      await this.#client.delete(path, { preconditions: { uid: pod.metadata!.uid } });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }
}

// The simulated kubelets: ONE engine for every simulated Node. All deadlines (lease renewals,
// periodic status reports, pod stage transitions) live in a single DueQueue driven by one
// timer, and every write goes through the API like a real kubelet's. Decisions come from the
// pure modules (node.ts, registration.ts, admission.ts, lifecycle.ts); this file only does I/O.
import type { KubeConfig } from '@kubernetes/client-node';
import type { KObject, Lease, Node, Pod } from '../api/types.js';
import { keyOf, rfc3339 } from '../api/meta.js';
import { ApiStatusError, RawClient, userAgent, isConflict, isNotFound } from '../kube/client.js';
import type { Informer } from '../kube/informer.js';
import { SharedInformers } from '../kube/shared.js';
import type { Runnable } from '../kube/manager.js';
import type { ClusterConfig } from './cluster-config.js';
import { plannedNodes } from './cluster-config.js';
import { faultsOf, nodeStatusFor } from './node.js';
import { admitPod } from './admission.js';
import { nodeIsReady } from './podready.js';
import { findCondition } from './conditions.js';
import { applyTransition, nextPodTransition } from './lifecycle.js';
import { awaitsSandbox, type PodEvent, type Transition } from './stages.js';
import { podCIDRsOfNode } from './podnetwork.js';
import { EventBudget, kubeletNodeEvent, kubeletPodEvent, kubeletStartEvents, readyTransitionEvent } from './events.js';
import { DueQueue } from './duequeue.js';
import { Limiter } from '../kube/limiter.js';
import { EventSink } from '../kube/eventsink.js';
import {
  LEASE_NAMESPACE, isSimulated, newLease, placementResolver, plannedNode, registrationPatches, renewedLease, sameConditions,
  type NodePlacement,
} from './registration.js';

export interface SimulatorOptions {
  /** Informers shared with the process's other components (one is made when absent). */
  informers?: SharedInformers;
  /** Pools whose nodes are created at start (existing ones are skipped). */
  config: ClusterConfig;
  /** Fraction of a pod's grace period after which its deletion is completed (default 0.1). */
  deletionFactor?: number;
  /** kubelet nodeStatusReportFrequency: unchanged status is still re-posted this often (default 5 min). */
  statusReportMs?: number;
  /** Writes in flight at once, so a burst (10,000 first heartbeats) queues instead of flooding. */
  concurrency?: number;
  now?: () => number;
  rand?: () => number;
  log?: (line: string) => void;
}

interface SimNode { name: string; uid: string; place: NodePlacement; lease?: Lease; reporting: boolean }
interface PendingPod { uid: string; transition: Transition }

/** Lease deadlines are rounded up to this, so renewals of many nodes share one wake-up. */
const LEASE_BUCKET_MS = 250;
const MICRO_JITTER = 0.04; // kubelet's lease renew jitter factor

const MERGE = 'application/merge-patch+json';
const STRATEGIC = 'application/strategic-merge-patch+json';

export class NodeSimulator implements Runnable {
  readonly name = 'node-simulator';
  readonly #client: RawClient;
  readonly #nodes: Informer<Node & KObject>;
  readonly #pods: Informer<Pod & KObject>;
  readonly #shared: SharedInformers;
  readonly #due = new DueQueue();
  readonly #sim = new Map<string, SimNode>();
  readonly #pending = new Map<string, PendingPod>();
  /**
   * Pod IPs handed out (when a sandbox transition was planned) but not yet seen in the pod's
   * status: host-local's reservation files. Without them two pods planned before either write
   * lands could get one address.
   */
  readonly #reservedIPs = new Map<string, string[]>();
  /**
   * Per pod in motion, the exact moments of the status timestamps this kubelet wrote (RFC 3339
   * text → ms), so that a stage's delay counts from when the previous stage really happened, not
   * from its whole second (StageContext.exactMs). Dropped once the pod is at rest or gone.
   */
  readonly #exact = new Map<string, { uid: string; times: Map<string, number> }>();
  /** Nodes whose kubelet is silenced by the heartbeat fault annotation. */
  readonly #stoppedNodes = new Set<string>();
  readonly #limit: Limiter;
  readonly #events: EventSink;
  readonly #place: (n: Node) => NodePlacement;
  readonly #now: () => number;
  readonly #rand: () => number;
  readonly #log: (line: string) => void;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Infinity;
  #stopped = false;
  #eventSeq = 0;
  /** 10,000 kubelets starting at once would otherwise post 60,000 events in a burst. */
  readonly #eventBudget = new EventBudget(200, 2_000);

  constructor(kc: KubeConfig, private readonly o: SimulatorOptions) {
    this.#client = new RawClient(kc, { userAgent: userAgent('kubelet') });
    const shared = (this.#shared = o.informers ?? new SharedInformers(kc));
    this.#nodes = shared.informer<Node & KObject>('/api/v1/nodes');
    this.#pods = shared.informer<Pod & KObject>('/api/v1/pods');
    this.#pods.addIndex('node', (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []));
    this.#limit = new Limiter(o.concurrency ?? 32);
    this.#events = new EventSink(kc, { userAgent: userAgent('kubelet') });
    this.#place = placementResolver(o.config);
    this.#now = o.now ?? Date.now;
    this.#rand = o.rand ?? Math.random;
    this.#log = o.log ?? (() => {});
  }

  get heartbeatMs(): number { return this.o.config.heartbeatIntervalMs; }

  async start(signal: AbortSignal): Promise<void> {
    this.#nodes.addHandler({
      onAdd: (n) => this.#nodeChanged(n),
      // Pods are re-planned when the node's readiness flips and when it gets its pod CIDR (pods
      // waiting for a sandbox can have addresses now).
      onUpdate: (o, n) => this.#nodeChanged(n, nodeIsReady(o) !== nodeIsReady(n) || podCIDRsOfNode(o).join() !== podCIDRsOfNode(n).join()),
      onDelete: (n) => this.#forgetNode(n.metadata!.name!),
    });
    this.#pods.addHandler({
      onAdd: (p) => this.#planPod(p),
      onUpdate: (o, p) => { this.#planPod(p); if (holdsAddress(o) && !holdsAddress(p)) this.#addressFreed(p); },
      onDelete: (p) => { this.#forgetPod(keyOf(p)); this.#reservedIPs.delete(keyOf(p)); this.#addressFreed(p); },
    });
    const running = [this.#shared.start(signal)];
    await Promise.all([this.#nodes.waitForSync(), this.#pods.waitForSync()]);
    if (!signal.aborted) {
      await this.#seedLeases();
      await this.#createPlannedNodes(signal);
    }
    if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    this.#stopped = true;
    clearTimeout(this.#timer);
    await Promise.all(running);
    this.#client.close();
    this.#events.close();
  }

  // ---- the engine ----

  #schedule(key: string, atMs: number): void {
    this.#due.schedule(key, atMs);
    if (atMs < this.#timerAt) this.#arm();
  }

  #arm(): void {
    if (this.#stopped) return;
    const next = this.#due.peek();
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = next ?? Infinity;
    if (next === undefined) return;
    this.#timer = setTimeout(() => this.#tick(), Math.max(0, next - this.#now()));
  }

  #tick(): void {
    this.#timerAt = Infinity;
    try {
      for (const key of this.#due.popDue(this.#now())) {
        const kind = key[0], rest = key.slice(2);
        const job = kind === 'L' ? () => this.#renewLease(rest) : kind === 'S' ? () => this.#syncNode(rest, true) : () => this.#firePod(rest);
        this.#limit.run(job).catch((err) => this.#log(`node-simulator: ${key}: ${err instanceof Error ? err.message : String(err)}`));
      }
    } catch (err) {
      this.#log(`node-simulator: tick: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      // Whatever happened, the next due job keeps its timer: one failure must not stop every kubelet.
      this.#arm();
    }
  }

  // ---- nodes ----

  async #createPlannedNodes(signal: AbortSignal): Promise<void> {
    const missing = plannedNodes(this.o.config).filter((p) => !this.#nodes.get(p.name));
    await Promise.all(missing.map((p) => this.#limit.run(async () => {
      if (signal.aborted) return;
      try {
        const created = await this.#client.request<Node>('POST', '/api/v1/nodes', plannedNode(p.pool, p.name, p.ordinal, this.#now(), p.address));
        for (const e of kubeletStartEvents(p.name, nodeIsReady(created))) this.#recordNodeEvent(p.name, e);
      } catch (err) {
        if (!(err instanceof ApiStatusError && err.code === 409)) this.#log(`node-simulator: create node ${p.name}: ${(err as Error).message}`);
      }
    })));
  }

  /** Existing leases, so a restarted simulator renews rather than recreates (one list, no watch). */
  async #seedLeases(): Promise<void> {
    try {
      const leases = await this.#client.listAll<Lease>(`/apis/coordination.k8s.io/v1/namespaces/${LEASE_NAMESPACE}/leases`);
      for (const l of leases.items) {
        const s = this.#sim.get(l.metadata?.name ?? '');
        if (s && !s.lease) s.lease = l;
      }
    } catch { /* renewals will create them */ }
  }

  /** `replanPods`: readiness changed (restore the Ready that MarkPodsNotReady took) or the pod CIDR did. */
  #nodeChanged(node: Node, replanPods = false): void {
    const name = node.metadata!.name!;
    if (!isSimulated(node)) return this.#forgetNode(name);
    let s = this.#sim.get(name);
    const fresh = !s || s.uid !== node.metadata?.uid;
    if (fresh) {
      s = { name, uid: node.metadata!.uid!, place: this.#place(node), reporting: false };
      this.#sim.set(name, s);
      // Spread the first heartbeats of a large fleet over one interval.
      this.#schedule(`L/${name}`, this.#now() + this.#rand() * Math.min(this.heartbeatMs, this.#sim.size * 2));
      this.#schedule(`S/${name}`, this.#now() + this.#statusEvery());
    }
    const wasStopped = this.#stoppedNodes.has(name);
    const stopped = faultsOf(node).heartbeatStopped;
    if (stopped) this.#stoppedNodes.add(name); else this.#stoppedNodes.delete(name);
    if (wasStopped && !stopped) {
      this.#schedule(`L/${name}`, this.#now());
      for (const p of this.#pods.byIndex('node', name)) this.#planPod(p);
    }
    void this.#limit.run(() => this.#syncNode(name, false)).catch((err) => this.#log(`node-simulator: sync ${name}: ${(err as Error).message}`));
    if (fresh || replanPods) for (const p of this.#pods.byIndex('node', name)) this.#planPod(p);
  }

  #forgetNode(name: string): void {
    if (!this.#sim.delete(name)) return;
    this.#stoppedNodes.delete(name);
    this.#due.cancel(`L/${name}`);
    this.#due.cancel(`S/${name}`);
    for (const p of this.#pods.byIndex('node', name)) this.#forgetPod(keyOf(p));
  }

  #statusEvery(): number { return (this.o.statusReportMs ?? 300_000) * (0.9 + 0.2 * this.#rand()); }

  /** Registration fields, then conditions: written only when they differ (or a report is due). */
  async #syncNode(name: string, periodic: boolean): Promise<void> {
    const s = this.#sim.get(name);
    const node = this.#nodes.get(name);
    if (!s || !node) return;
    if (periodic) this.#schedule(`S/${name}`, this.#now() + this.#statusEvery());
    if (s.reporting) return; // the write in flight will be followed by a watch event and another sync
    const now = this.#now();
    const reg = registrationPatches(node, s.place, now);
    const report = nodeStatusFor(node, faultsOf(node), now);
    const conditionsChanged = report !== undefined && !sameConditions(report.conditions, node.status?.conditions);
    if (!reg.labels && !reg.status && !conditionsChanged && !(periodic && report)) return;
    s.reporting = true;
    try {
      const path = `/api/v1/nodes/${encodeURIComponent(name)}`;
      if (reg.labels) await this.#client.request('PATCH', path, { metadata: { labels: reg.labels } }, MERGE);
      const status = { ...reg.status, ...(report ? { conditions: report.conditions } : {}) };
      if (Object.keys(status).length) await this.#client.request('PATCH', `${path}/status`, { status }, STRATEGIC);
      if (report) {
        const before = findCondition(node.status?.conditions, 'Ready')?.status;
        const after = findCondition(report.conditions, 'Ready')?.status;
        // A Node created through the API with no status: this is its kubelet's first report.
        const events = before === undefined ? kubeletStartEvents(name, after === 'True') : [readyTransitionEvent(name, before, after)].filter((e) => e !== undefined);
        for (const e of events) this.#recordNodeEvent(name, e);
      }
    } catch (err) {
      if (!isNotFound(err)) throw err;
    } finally {
      s.reporting = false;
    }
  }

  async #renewLease(name: string): Promise<void> {
    const s = this.#sim.get(name);
    const node = this.#nodes.get(name);
    if (!s || !node) return;
    const now = this.#now();
    const jitter = 1 - MICRO_JITTER + 2 * MICRO_JITTER * this.#rand();
    this.#schedule(`L/${name}`, Math.ceil((now + this.heartbeatMs * jitter) / LEASE_BUCKET_MS) * LEASE_BUCKET_MS);
    if (this.#stoppedNodes.has(name)) return;
    const path = `/apis/coordination.k8s.io/v1/namespaces/${LEASE_NAMESPACE}/leases`;
    try {
      s.lease = s.lease
        ? await this.#client.request<Lease>('PUT', `${path}/${encodeURIComponent(name)}`, renewedLease(s.lease, now))
        : await this.#client.request<Lease>('POST', path, newLease(node, now));
    } catch (err) {
      // Someone else wrote it (or it vanished): re-read it and try again at once.
      if (isConflict(err) || (err instanceof ApiStatusError && err.code === 409)) {
        s.lease = await this.#client.request<Lease>('GET', `${path}/${encodeURIComponent(name)}`).catch(() => undefined);
        this.#schedule(`L/${name}`, now + 100);
      } else if (isNotFound(err)) {
        s.lease = undefined;
        this.#schedule(`L/${name}`, now + 100);
      } else throw err;
    }
  }

  // ---- pods ----

  #planPod(pod: Pod): void {
    const key = keyOf(pod);
    const nodeName = pod.spec?.nodeName;
    const s = nodeName ? this.#sim.get(nodeName) : undefined;
    const node = nodeName ? this.#nodes.get(nodeName) : undefined;
    // A silent kubelet does nothing for its pods: they wait (Terminating ones too) until it is back.
    if (!s || !node || this.#stoppedNodes.has(nodeName!)) return this.#forgetPod(key);
    if (pod.status?.podIP || !holdsAddress(pod)) this.#reservedIPs.delete(key); // the status (or nothing) holds it now
    const t = nextPodTransition(pod, node, s.place.pool.pods, this.#now(), this.#rand, { deletionFactor: this.o.deletionFactor ?? 0.1, podIPsInUse: () => this.#podIPsInUse(nodeName!, key), exactMs: this.#exactMs(key, pod.metadata?.uid) });
    if (!t) return this.#forgetPod(key);
    const ips = t.statusPatch?.podIPs?.map((p) => p.ip).filter((ip): ip is string => !!ip);
    if (ips?.length && !pod.spec?.hostNetwork) this.#reservedIPs.set(key, ips);
    this.#pending.set(key, { uid: pod.metadata!.uid!, transition: t });
    this.#schedule(`P/${key}`, t.atMs);
  }

  /** The addresses live pods on the node hold or have reserved, but `except`'s own. */
  #podIPsInUse(nodeName: string, except: string): string[] {
    const out: string[] = [];
    for (const p of this.#pods.byIndex('node', nodeName)) {
      const key = keyOf(p);
      if (key === except || p.spec?.hostNetwork || !holdsAddress(p)) continue;
      const listed = Array.isArray(p.status?.podIPs) ? p.status.podIPs.map((x) => String(x?.ip ?? '')) : undefined;
      out.push(...(this.#reservedIPs.get(key) ?? listed ?? (typeof p.status?.podIP === 'string' ? [p.status.podIP] : [])));
    }
    return out;
  }

  /** A pod let go of its address: pods on its node waiting for a sandbox try again at their next retry. */
  #addressFreed(pod: Pod): void {
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) return;
    for (const p of this.#pods.byIndex('node', nodeName)) if (awaitsSandbox(p)) this.#planPod(p);
  }

  /** The exact moments of the timestamps written into this pod (that uid): StageContext.exactMs. */
  #exactMs(key: string, uid: string | undefined): (t: string | undefined) => number | undefined {
    return (t) => {
      const e = this.#exact.get(key);
      return t !== undefined && e !== undefined && e.uid === uid ? e.times.get(t) : undefined;
    };
  }

  /**
   * Remembers that a status written into the pod has its timestamps at `atMs`. Noted before the
   * write is sent: its watch event can arrive before the answer, and an entry for a write that
   * failed names a second the status does not hold. A few per pod (the stages in flight).
   */
  #wrote(key: string, uid: string, atMs: number): void {
    let e = this.#exact.get(key);
    if (!e || e.uid !== uid) this.#exact.set(key, (e = { uid, times: new Map() }));
    e.times.set(rfc3339(atMs), atMs);
    if (e.times.size > 8) e.times.delete(e.times.keys().next().value!);
  }

  #forgetPod(key: string): void {
    this.#exact.delete(key);
    this.#pending.delete(key);
    this.#due.cancel(`P/${key}`);
  }

  async #firePod(key: string): Promise<void> {
    const job = this.#pending.get(key);
    this.#pending.delete(key);
    const pod = this.#pods.get(key);
    if (!job || !pod || pod.metadata?.uid !== job.uid) return;
    const node = this.#nodes.get(pod.spec?.nodeName ?? '');
    if (!node || this.#stoppedNodes.has(node.metadata!.name!)) return;
    const t = job.transition;
    if (t.stage === 'pod-accept' && !(await this.#admit(pod, node))) return;
    const path = `/api/v1/namespaces/${encodeURIComponent(pod.metadata!.namespace!)}/pods/${encodeURIComponent(pod.metadata!.name!)}`;
    try {
      if (t.delete) {
        await this.#client.delete(path, { gracePeriodSeconds: 0, preconditions: { uid: job.uid } });
      } else if (t.statusPatch) {
        this.#wrote(key, job.uid, t.renderedAtMs ?? t.atMs);
        const { status, events } = this.#dueNow(pod, node, t);
        // The resourceVersion makes it a compare-and-swap: a newer pod arrives by watch and is re-planned.
        await this.#client.request('PATCH', `${path}/status`, { metadata: { resourceVersion: pod.metadata!.resourceVersion }, status }, MERGE);
        for (const e of events) this.#recordEvent(pod, node, e);
        return;
      }
    } catch (err) {
      if (isConflict(err) || isNotFound(err)) return;
      throw err;
    }
    for (const e of t.events ?? []) this.#recordEvent(pod, node, e);
    // Nothing was written (a failed sandbox retry), so no watch event will re-plan the pod: do it here.
    if (!t.delete && !t.statusPatch) this.#planPod(pod);
  }

  /**
   * Folds into one status write the transitions that are due at once after `t` (zero delays: a
   * pod accepted, started and ready in the same instant), as KWOK's immediateNextStage does, so
   * instant-ready fleets cost one write per pod instead of three. Status patches replace whole
   * top-level status fields, so applying them in turn equals merging them in order.
   */
  #dueNow(pod: Pod, node: Node, t: Transition): { status: NonNullable<Transition['statusPatch']>; events: NonNullable<Transition['events']> } {
    let status = { ...t.statusPatch! };
    const events = [...(t.events ?? [])];
    let cur = applyTransition(pod, t);
    const now = this.#now();
    const s = this.#sim.get(node.metadata!.name!);
    for (let i = 0; s && i < 4; i++) {
      const next = nextPodTransition(cur, node, s.place.pool.pods, now, this.#rand, { deletionFactor: this.o.deletionFactor ?? 0.1, podIPsInUse: () => this.#podIPsInUse(node.metadata!.name!, keyOf(pod)), exactMs: this.#exactMs(keyOf(pod), pod.metadata?.uid) });
      if (!next || next.delete || !next.statusPatch || next.atMs > now || next.stage === 'pod-accept') break;
      this.#wrote(keyOf(pod), pod.metadata!.uid!, next.renderedAtMs ?? now);
      status = { ...status, ...next.statusPatch };
      events.push(...(next.events ?? []));
      cur = applyTransition(cur, next);
    }
    return { status, events };
  }

  /** Kubelet admission: reject (phase Failed) or, for a critical pod, preempt victims first. */
  async #admit(pod: Pod, node: Node): Promise<boolean> {
    const admitted = this.#pods.byIndex('node', node.metadata!.name!).filter((p) => p.status?.startTime && p.metadata?.uid !== pod.metadata?.uid);
    const a = admitPod(node, admitted, pod);
    if (!a.admitted) {
      await this.#failPod(pod, a.reason, `Pod was rejected: ${a.message}`);
      this.#recordEvent(pod, node, { type: 'Warning', reason: a.reason, message: `Pod was rejected: ${a.message}` });
      return false;
    }
    if ('evict' in a) {
      for (const victim of a.evict) {
        await this.#failPod(victim, 'Preempting', 'Preempted in order to admit critical pod');
        this.#recordEvent(victim, node, { type: 'Warning', reason: 'Preempting', message: 'Preempted in order to admit critical pod' });
      }
    }
    return true;
  }

  /** What the kubelet does to a pod it rejects or preempts: phase Failed, containers terminated. */
  async #failPod(pod: Pod, reason: string, message: string): Promise<void> {
    const now = rfc3339(this.#now());
    const containerStatuses = pod.status?.containerStatuses?.map((c) => ({
      ...c, ready: false, started: false,
      state: { terminated: { exitCode: 137, reason: 'Error', startedAt: c.state?.running?.startedAt, finishedAt: now, containerID: c.containerID } },
    }));
    const conditions = pod.status?.conditions?.map((c) => (c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: 'False', reason: 'PodFailed', lastTransitionTime: now } : c));
    const path = `/api/v1/namespaces/${encodeURIComponent(pod.metadata!.namespace!)}/pods/${encodeURIComponent(pod.metadata!.name!)}/status`;
    try {
      await this.#client.request('PATCH', path, {
        status: { phase: 'Failed', reason, message, ...(containerStatuses ? { containerStatuses } : {}), ...(conditions ? { conditions } : {}) },
      }, MERGE);
    } catch (err) { if (!isNotFound(err)) throw err; }
  }

  /** Queued, not awaited: a kubelet's status writes never wait behind its events. */
  #recordEvent(pod: Pod, node: Node, e: PodEvent): void {
    const now = this.#now();
    if (!this.#eventBudget.take(now)) return;
    const ev = kubeletPodEvent(pod, node.metadata!.name!, e, now, this.#eventSeq++);
    this.#events.post(ev.namespace, ev.body);
  }

  #recordNodeEvent(node: string, e: Omit<PodEvent, 'container'>): void {
    const now = this.#now();
    if (!this.#eventBudget.take(now)) return;
    const ev = kubeletNodeEvent(node, e, now, this.#eventSeq++);
    this.#events.post(ev.namespace, ev.body);
  }
}

/** A pod whose sandbox (and so its address) lives: not finished. A terminal pod's CNI DEL has released it. */
const holdsAddress = (p: Pod) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';

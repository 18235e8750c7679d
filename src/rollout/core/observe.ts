// What each node looks like this sync, per targeted DaemonSet ("slot"): which revision its daemon
// pod runs, whether it is available (counted as the DaemonSet controller counts it), and the
// problem that keeps it from being done, if any, with when that problem was first visible.
import type { DaemonSet, Node, Pod } from '../../api/types.js';
import { parseTime } from '../../api/meta.js';
import { nodeShouldRunDaemonPod } from '../../controller/core/eligibility.js';
import { availableAtMs, compareOldestFirst, isPodAvailable, isTerminal, isTerminating, REVISION_HASH_LABEL, targetNodeName } from '../../controller/core/pods.js';
import { UPDATED_AT_ANNOTATION, type BlockerReason } from '../api/types.js';

export interface Target {
  ds: DaemonSet;
  name: string;
  /** The revision pods should run now: the hash of the DaemonSet's current template. */
  to: string;
  minReadySeconds: number;
}

export interface Slot {
  target: Target;
  /** The active (non-terminating) pod, oldest first when there are several. */
  pod?: Pod;
  /** True when the pod runs `to`, or there is none (the DaemonSet controller creates it from the current template). */
  isNew: boolean;
  available: boolean;
  /** When the node received the new revision for this slot (new slots only). */
  updatedAtMs?: number;
  /** A reason from the fixed vocabulary when the slot is unhealthy (not merely starting). */
  problem?: BlockerReason;
  problemMessage?: string;
  problemSinceMs?: number;
  restarts: number;
  /** The oldest terminating pod, if any, and since when it terminates. */
  terminatingSinceMs?: number;
}

export interface NodeView {
  name: string;
  node: Node;
  slots: Slot[];
  updated: boolean;
  /** Updated, every new pod available, and the Node itself healthy. */
  done: boolean;
  /** Latest updatedAt over new slots. */
  updatedAtMs?: number;
  nodeProblem?: BlockerReason;
  nodeProblemMessage?: string;
  nodeProblemSinceMs?: number;
}

const PRESSURES = new Set(['MemoryPressure', 'DiskPressure', 'PIDPressure', 'NetworkUnavailable']);
const IMAGE_PULL = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull', 'RegistryUnavailable']);

/** NodeNotReady / NodePressure from the node's conditions, with the condition's transition time. */
export function nodeProblemOf(node: Node): { reason: BlockerReason; message: string; sinceMs?: number } | undefined {
  const conditions = Array.isArray(node.status?.conditions) ? node.status.conditions : [];
  const ready = conditions.find((c) => c?.type === 'Ready');
  if (ready && ready.status !== 'True') {
    return { reason: 'NodeNotReady', message: `node Ready=${ready.status}${ready.reason ? ` (${ready.reason})` : ''}`, sinceMs: parseTime(ready.lastTransitionTime) };
  }
  const pressure = conditions.find((c) => PRESSURES.has(c?.type) && c.status === 'True');
  if (pressure) return { reason: 'NodePressure', message: `node ${pressure.type}`, sinceMs: parseTime(pressure.lastTransitionTime) };
  return undefined;
}

function restartsOf(pod: Pod): number {
  let n = 0;
  for (const s of pod.status?.containerStatuses ?? []) n += Number.isInteger(s?.restartCount) ? s.restartCount : 0;
  return n;
}

/** An in-place patch is still being applied while a container's reported image differs from its spec. */
function imagesSettled(pod: Pod): boolean {
  const statuses = pod.status?.containerStatuses;
  if (!Array.isArray(statuses)) return true;
  for (const c of pod.spec?.containers ?? []) {
    const s = statuses.find((x) => x?.name === c.name);
    if (s && typeof s.image === 'string' && s.image !== c.image) return false;
  }
  return true;
}

const readySinceMs = (pod: Pod) => parseTime(pod.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime);

/** Why a pod that is not available is unhealthy, or undefined when it is merely starting. */
export function podProblemOf(pod: Pod, maxRestarts: number): { reason: BlockerReason; message: string } | undefined {
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (pod.status?.phase === 'Pending' && scheduled?.status === 'False') {
    const msg = scheduled.message ?? scheduled.reason ?? 'Unschedulable';
    return /insufficient/i.test(msg) ? { reason: 'InsufficientResources', message: msg } : { reason: 'Unschedulable', message: msg };
  }
  for (const s of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    const waiting = s?.state?.waiting?.reason;
    if (waiting && IMAGE_PULL.has(waiting)) return { reason: 'ImagePull', message: `${s.name}: ${waiting}${s.state?.waiting?.message ? `: ${s.state.waiting.message}` : ''}` };
    if (waiting === 'CrashLoopBackOff') return { reason: 'CrashLoop', message: `${s.name}: CrashLoopBackOff (${s.restartCount ?? 0} restarts)` };
  }
  const restarts = restartsOf(pod);
  if (restarts > maxRestarts) return { reason: 'CrashLoop', message: `${restarts} container restarts` };
  if (pod.status?.phase === 'Failed') return { reason: 'CrashLoop', message: 'pod Failed' };
  return undefined;
}

export interface ObserveOptions {
  nowMs: number;
  maxRestarts: number;
  podReadyTimeoutMs: number;
  terminatingTooLongMs: number;
}

/**
 * How long an observation holds with the same objects: the view observed at nowMs is the view of
 * every later instant up to untilMs (inclusive), because no time threshold it depends on (minReady,
 * podReadyTimeout, terminating too long) falls in between. Observers only ever lower untilMs, so
 * a conservative bound costs a re-observation, never a wrong view.
 */
export interface Validity { untilMs: number }

const until = (v: Validity | undefined, t: number) => { if (v && t < v.untilMs) v.untilMs = t; };

/** Per node, per target (by index): its one pod, or its pods when there are several. */
export type PodsByNode = Map<string, (Pod | Pod[] | undefined)[]>;

/** Which target (by index) controls a pod: its first controller reference's UID, looked up. */
export function targetIndexOf(pod: Pod, uidIndex: ReadonlyMap<string, number>): number | undefined {
  const refs = pod.metadata?.ownerReferences;
  if (!Array.isArray(refs)) return undefined;
  for (const o of refs) if (o?.controller === true) return o.uid ? uidIndex.get(o.uid) : undefined;
  return undefined;
}

/** The pods each target controls, by node: one pass over the namespace's pods, one small array per node. */
export function podsByTargetAndNode(targets: readonly Target[], pods: readonly Pod[]): PodsByNode {
  const index = new Map<string, number>();
  targets.forEach((t, i) => { if (t.ds.metadata?.uid) index.set(t.ds.metadata.uid, i); });
  const out: PodsByNode = new Map();
  for (const pod of pods) {
    const i = targetIndexOf(pod, index);
    // A daemon pod the scheduler has not bound yet (Pending, Insufficient cpu) belongs to the node
    // its node affinity names: without it the node would show no pod and no blocker at all.
    if (i === undefined || isTerminal(pod)) continue;
    const node = targetNodeName(pod);
    if (node === undefined) continue;
    let row = out.get(node);
    if (!row) out.set(node, (row = new Array(targets.length)));
    const had = row[i];
    row[i] = had === undefined ? pod : Array.isArray(had) ? [...had, pod] : [had, pod];
  }
  return out;
}

const NO_PODS: readonly Pod[] = [];
const byUid = (a: Pod, b: Pod) => { const x = a.metadata?.uid ?? '', y = b.metadata?.uid ?? ''; return x < y ? -1 : x > y ? 1 : 0; };

// Hot path (10,000 nodes × targets per sync): the common slot — one pod, not terminating,
// available — allocates one object and parses no timestamp.
function observeSlot(target: Target, found: Pod | readonly Pod[] | undefined, o: ObserveOptions, v?: Validity): Slot {
  let pod: Pod | undefined;
  let terminatingSinceMs: number | undefined;
  if (found !== undefined && !Array.isArray(found) && !isTerminating(found as Pod)) pod = found as Pod;
  else {
    const pods: readonly Pod[] = found === undefined ? NO_PODS : Array.isArray(found) ? found : [found as Pod];
    // Ties broken by UID, so that the pod chosen does not depend on the order pods are listed in.
    const active = pods.filter((p) => !isTerminating(p)).sort((a, b) => compareOldestFirst(a, b) || byUid(a, b));
    for (const p of pods) {
      if (!isTerminating(p)) continue;
      let t = parseTime(p.metadata?.deletionTimestamp);
      if (t === undefined) { t = o.nowMs; until(v, o.nowMs); } // derived from the clock: holds for this instant only
      terminatingSinceMs = terminatingSinceMs === undefined ? t : Math.min(terminatingSinceMs, t);
    }
    pod = active[0];
  }
  if (!pod) {
    const slot: Slot = { target, isNew: true, available: false, restarts: 0, terminatingSinceMs, updatedAtMs: terminatingSinceMs };
    if (terminatingSinceMs !== undefined && o.nowMs - terminatingSinceMs > o.terminatingTooLongMs) {
      Object.assign(slot, { problem: 'TerminatingTooLong', problemMessage: 'old pod still terminating', problemSinceMs: terminatingSinceMs });
    } else if (terminatingSinceMs !== undefined) until(v, terminatingSinceMs + o.terminatingTooLongMs);
    return slot;
  }
  const isNew = pod.metadata?.labels?.[REVISION_HASH_LABEL] === target.to;
  const ready = isPodAvailable(pod, target.minReadySeconds, o.nowMs);
  if (!ready && v) { const at = availableAtMs(pod, target.minReadySeconds); if (at !== undefined) until(v, at - 1); }
  const available = ready && (!isNew || imagesSettled(pod));
  const slot: Slot = { target, pod, isNew, available, restarts: restartsOf(pod), terminatingSinceMs };
  if (available) return slot;
  if (isNew) slot.updatedAtMs = updatedAtOf(pod);
  const p = podProblemOf(pod, o.maxRestarts);
  if (p) {
    slot.problem = p.reason;
    slot.problemMessage = p.message;
    slot.problemSinceMs = readySinceMs(pod) ?? slot.updatedAtMs;
    return slot;
  }
  // Not Ready without a known cause: a problem only once it has lasted longer than the timeout.
  const since = readySinceMs(pod) ?? parseTime(pod.metadata?.creationTimestamp);
  const startedMs = Math.max(since ?? o.nowMs, slot.updatedAtMs ?? -Infinity);
  if (o.nowMs - startedMs > o.podReadyTimeoutMs) {
    slot.problem = 'NotReady';
    slot.problemMessage = `not Ready for ${Math.round((o.nowMs - startedMs) / 1000)}s`;
    slot.problemSinceMs = startedMs;
    until(v, o.nowMs); // the message counts the seconds
  } else if (since !== undefined) until(v, startedMs + o.podReadyTimeoutMs);
  return slot;
}

/** When a pod received its revision: the in-place patch time, else its creation. */
const updatedAtOf = (pod: Pod) => parseTime(pod.metadata?.annotations?.[UPDATED_AT_ANNOTATION]) ?? parseTime(pod.metadata?.creationTimestamp);

/** One node's view across the targets; undefined when no target runs (or should run) a pod there. */
export function observeNode(node: Node, targets: readonly Target[], pods: PodsByNode, o: ObserveOptions, v?: Validity): NodeView | undefined {
  return observeRow(node, targets, pods.get(node.metadata?.name ?? ''), o, v);
}

/** observeNode given the node's row of pods (podsByTargetAndNode), lowering `v` to the view's validity. */
export function observeRow(node: Node, targets: readonly Target[], row: (Pod | Pod[] | undefined)[] | undefined, o: ObserveOptions, v?: Validity): NodeView | undefined {
  const name = node.metadata?.name ?? '';
  const slots: Slot[] = [];
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i];
    // A node the DaemonSet would not place a pod on now (a NotReady node's not-ready:NoSchedule
    // taint) but whose pod may keep running still holds an old pod to update and report.
    const e = nodeShouldRunDaemonPod(node, t.ds);
    if (!e.shouldRun && !(e.shouldContinueRunning && row?.[i] !== undefined)) continue;
    slots.push(observeSlot(t, row?.[i], o, v));
  }
  if (!slots.length) return undefined;
  let updated = true, allAvailable = true;
  for (const s of slots) { updated &&= s.isNew; allAvailable &&= s.available; }
  const np = nodeProblemOf(node);
  const view: NodeView = { name, node, slots, updated, done: updated && !np && allAvailable };
  if (updated && (np || !allAvailable)) {
    // Only a node with a problem needs its update time (attribution, regression window).
    let at: number | undefined;
    for (const s of slots) {
      const t = s.updatedAtMs ?? (s.pod ? updatedAtOf(s.pod) : undefined);
      if (t !== undefined) at = at === undefined ? t : Math.max(at, t);
    }
    view.updatedAtMs = at;
  }
  if (np) { view.nodeProblem = np.reason; view.nodeProblemMessage = np.message; view.nodeProblemSinceMs = np.sinceMs; }
  return view;
}

export const unavailableSlots = (v: NodeView) => v.slots.reduce((n, s) => n + (s.available ? 0 : 1), 0);

// Node lifecycle controller (pure): lease staleness → Unknown conditions, conditions →
// taints, and the taint manager's NoExecute evictions with tolerationSeconds.
import type { Lease, Node, NodeCondition, Pod, Taint } from '../api/types.js';
import { parseTime, rfc3339 } from '../api/meta.js';
import { taintToleratedBy, toleratesTaint } from '../api/scheduling.js';
import { findCondition } from './conditions.js';

export const TAINT = {
  notReady: 'node.kubernetes.io/not-ready',
  unreachable: 'node.kubernetes.io/unreachable',
  memoryPressure: 'node.kubernetes.io/memory-pressure',
  diskPressure: 'node.kubernetes.io/disk-pressure',
  pidPressure: 'node.kubernetes.io/pid-pressure',
  networkUnavailable: 'node.kubernetes.io/network-unavailable',
  unschedulable: 'node.kubernetes.io/unschedulable',
} as const;
const MANAGED = new Set<string>(Object.values(TAINT));

export const DEFAULT_GRACE_MS = 40_000;

export interface LifecycleDecision {
  /** Conditions to write when the kubelet went silent (all kubelet-owned ones become Unknown), else undefined. */
  conditions?: NodeCondition[];
  /** The node's full desired spec.taints (foreign taints kept; managed ones added/removed). */
  taints: Taint[];
  /** True when `taints` differs from the current spec.taints. */
  taintsChanged: boolean;
}

const KUBELET_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

/** Latest sign of life: lease renewTime or the Ready condition's heartbeat. */
function lastHeartbeatMs(node: Node, lease: Lease | undefined): number | undefined {
  const times = [parseTime(lease?.spec?.renewTime as string | undefined), parseTime(findCondition(node.status?.conditions, 'Ready')?.lastHeartbeatTime as string | undefined)]
    .filter((t): t is number => t !== undefined);
  return times.length ? Math.max(...times) : undefined;
}

/** Marks kubelet conditions Unknown once no heartbeat arrived within the grace period. */
function staleConditions(node: Node, lease: Lease | undefined, nowMs: number, graceMs: number): NodeCondition[] | undefined {
  const seen = lastHeartbeatMs(node, lease);
  const created = parseTime(node.metadata?.creationTimestamp as string | undefined) ?? nowMs;
  if ((seen ?? created) + graceMs >= nowMs) return undefined;
  const now = rfc3339(nowMs);
  let changed = false;
  const conds = [...(node.status?.conditions ?? [])];
  for (const type of KUBELET_CONDITIONS) {
    const old = conds.find((c) => c.type === type);
    if (old?.status === 'Unknown') continue;
    changed = true;
    const next: NodeCondition = old
      ? { ...old, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: now }
      : { type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastHeartbeatTime: rfc3339(created), lastTransitionTime: now };
    if (old) conds[conds.indexOf(old)] = next; else conds.push(next);
  }
  return changed ? conds : undefined;
}

/** The managed taints the node's conditions and spec call for. */
export function desiredManagedTaints(node: Node, conditions: readonly NodeCondition[] | undefined): Omit<Taint, 'timeAdded'>[] {
  const status = (t: string) => findCondition(conditions, t)?.status;
  const out: Omit<Taint, 'timeAdded'>[] = [];
  const ready = status('Ready');
  // NoExecute taints drive eviction; the NoSchedule twins keep new pods away.
  if (ready === 'False') out.push({ key: TAINT.notReady, effect: 'NoExecute' }, { key: TAINT.notReady, effect: 'NoSchedule' });
  if (ready === 'Unknown') out.push({ key: TAINT.unreachable, effect: 'NoExecute' }, { key: TAINT.unreachable, effect: 'NoSchedule' });
  if (status('MemoryPressure') === 'True') out.push({ key: TAINT.memoryPressure, effect: 'NoSchedule' });
  if (status('DiskPressure') === 'True') out.push({ key: TAINT.diskPressure, effect: 'NoSchedule' });
  if (status('PIDPressure') === 'True') out.push({ key: TAINT.pidPressure, effect: 'NoSchedule' });
  if (status('NetworkUnavailable') === 'True') out.push({ key: TAINT.networkUnavailable, effect: 'NoSchedule' });
  if (node.spec?.unschedulable) out.push({ key: TAINT.unschedulable, effect: 'NoSchedule' });
  return out;
}

/**
 * One pass of the node lifecycle controller over a node: stale lease → Unknown conditions;
 * conditions → taints. Existing managed taints keep their timeAdded; new NoExecute ones get now.
 */
export function lifecycleDecision(node: Node, lease: Lease | undefined, nowMs: number, graceMs = DEFAULT_GRACE_MS): LifecycleDecision {
  const conditions = staleConditions(node, lease, nowMs, graceMs);
  const current = node.spec?.taints ?? [];
  const same = (a: Pick<Taint, 'key' | 'effect'>, b: Pick<Taint, 'key' | 'effect'>) => a.key === b.key && a.effect === b.effect;
  const wanted = desiredManagedTaints(node, conditions ?? node.status?.conditions);
  const kept = current.filter((t) => !MANAGED.has(t.key) || wanted.some((w) => same(w, t)));
  const added = wanted.filter((w) => !current.some((t) => same(w, t)))
    .map((w) => (w.effect === 'NoExecute' ? { ...w, timeAdded: rfc3339(nowMs) } : { ...w }));
  const taints = [...kept, ...added];
  return { conditions, taints, taintsChanged: added.length > 0 || kept.length !== current.length };
}

export type EvictionDecision = { pod: Pod; atMs: number };

/**
 * Taint manager: for each non-terminal pod on the node, when it must be deleted. Any untolerated
 * NoExecute taint → now. Otherwise the smallest tolerationSeconds among the tolerations in use,
 * counted from the taint's timeAdded (our stateless stand-in for the taint manager's timer).
 * Pods that tolerate every NoExecute taint forever are absent.
 */
export function podsToEvict(node: Node, pods: readonly Pod[], nowMs: number): EvictionDecision[] {
  const noExecute = (node.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
  if (noExecute.length === 0) return [];
  const out: EvictionDecision[] = [];
  for (const pod of pods) {
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed' || pod.metadata?.deletionTimestamp) continue;
    const tolerations = pod.spec?.tolerations ?? [];
    if (noExecute.some((t) => !taintToleratedBy(t, tolerations))) { out.push({ pod, atMs: nowMs }); continue; }
    // Per taint the first toleration that matches is the one in use (GetMatchingTolerations);
    // one without tolerationSeconds tolerates forever, and <= 0 means evict at once.
    let at = Infinity;
    for (const taint of noExecute) {
      const secs = tolerations.find((t) => toleratesTaint(t, taint))?.tolerationSeconds;
      if (typeof secs !== 'number') continue;
      const since = parseTime(taint.timeAdded as string | undefined) ?? nowMs;
      at = Math.min(at, since + Math.max(0, secs) * 1000);
    }
    if (at !== Infinity) out.push({ pod, atMs: at });
  }
  return out;
}

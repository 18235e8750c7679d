// Pod garbage collector (pure), after kube-controller-manager's gc_controller: which pods one
// pass deletes, and which vanished nodes must be confirmed gone with a live GET first. The four
// passes are upstream's gcTerminated, gcTerminating, gcOrphaned and gcUnscheduledTerminating.
import type { Node, Pod, PodCondition } from '../api/types.js';
import { parseTime, rfc3339 } from '../api/meta.js';
import { findCondition } from '../nodes/conditions.js';

/** How long a node must be missing from the cache before its pods count as orphans (upstream's quarantineTime). */
export const ORPHAN_QUARANTINE_MS = 40_000;
/** How often the collector looks (upstream's gcCheckPeriod). */
export const GC_CHECK_PERIOD_MS = 20_000;
/** kube-controller-manager --terminated-pod-gc-threshold; 0 or less disables gcTerminated. */
export const DEFAULT_TERMINATED_POD_GC_THRESHOLD = 12_500;
export const TAINT_OUT_OF_SERVICE = 'node.kubernetes.io/out-of-service';

export type GcReason = 'terminated' | 'terminating-out-of-service' | 'orphaned' | 'unscheduled-terminating';

export interface PodDeletion {
  pod: Pod;
  reason: GcReason;
  /** Condition to set with phase Failed before deleting (DisruptionTarget for orphans). */
  condition?: PodCondition;
}

export interface PodGCInput {
  pods: readonly Pod[];
  nodes: readonly Node[];
  nowMs: number;
  /** Per node name, when it was first seen missing while pods were bound to it. */
  absentSince: ReadonlyMap<string, number>;
  terminatedThreshold: number;
  quarantineMs: number;
}

export interface PodGCPlan {
  /** Deletions decided from the caches alone, in upstream's pass order, each pod once. */
  deletions: PodDeletion[];
  /** The quarantine bookkeeping for the next pass: only nodes still missing and still holding pods. */
  absentSince: Map<string, number>;
  /** Nodes whose quarantine is over: confirm each is really gone (live GET), then orphanDeletions. */
  nodesToConfirm: string[];
}

const isTerminated = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
/** eviction.PodIsEvicted: evicted pods are collected first, sparing controllers' finished pods. */
const isEvicted = (p: Pod) => p.status?.phase === 'Failed' && p.status?.reason === 'Evicted';
const isTerminating = (p: Pod) => !!p.metadata?.deletionTimestamp;
const isNodeReady = (n: Node) => findCondition(n.status?.conditions, 'Ready')?.status === 'True';

/** byEvictionAndCreationTimestamp: evicted first, then oldest, then by name. */
export function gcOrder(a: Pod, b: Pod): number {
  const ea = isEvicted(a), eb = isEvicted(b);
  if (ea !== eb) return ea ? -1 : 1;
  const ta = parseTime(a.metadata?.creationTimestamp as string | undefined) ?? 0;
  const tb = parseTime(b.metadata?.creationTimestamp as string | undefined) ?? 0;
  if (ta !== tb) return ta - tb;
  const na = a.metadata?.name ?? '', nb = b.metadata?.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/** gcTerminated: the oldest terminated pods beyond the threshold. */
export function terminatedOverThreshold(pods: readonly Pod[], threshold: number): Pod[] {
  if (threshold <= 0) return [];
  const terminated = pods.filter(isTerminated);
  const excess = terminated.length - threshold;
  return excess > 0 ? terminated.sort(gcOrder).slice(0, excess) : [];
}

/** One pass over the caches. Pure: the quarantine state goes in and comes out. */
export function podGCPlan(i: PodGCInput): PodGCPlan {
  const nodes = new Map(i.nodes.map((n) => [n.metadata?.name ?? '', n]));
  const seen = new Set<Pod>();
  const deletions: PodDeletion[] = [];
  const add = (pod: Pod, reason: GcReason) => { if (!seen.has(pod)) { seen.add(pod); deletions.push({ pod, reason }); } };

  for (const p of terminatedOverThreshold(i.pods, i.terminatedThreshold)) add(p, 'terminated');

  // gcTerminating: a terminating pod on a node that is down and declared out of service will
  // never be confirmed gone by its kubelet; the taint is the operator's word that it is dead.
  for (const p of [...i.pods].filter(isTerminating).sort(gcOrder)) {
    const node = p.spec?.nodeName ? nodes.get(p.spec.nodeName) : undefined;
    if (node && !isNodeReady(node) && (node.spec?.taints ?? []).some((t) => t.key === TAINT_OUT_OF_SERVICE)) add(p, 'terminating-out-of-service');
  }

  // gcOrphaned, first half: start (or continue) the quarantine of every missing node with pods.
  const absentSince = new Map<string, number>();
  const nodesToConfirm: string[] = [];
  for (const p of i.pods) {
    const name = p.spec?.nodeName;
    if (!name || nodes.has(name) || absentSince.has(name) || nodesToConfirm.includes(name)) continue;
    const since = i.absentSince.get(name) ?? i.nowMs;
    if (i.nowMs - since >= i.quarantineMs) nodesToConfirm.push(name);
    else absentSince.set(name, since);
  }

  for (const p of i.pods) if (isTerminating(p) && !p.spec?.nodeName) add(p, 'unscheduled-terminating');
  return { deletions, absentSince, nodesToConfirm };
}

/** gcOrphaned, second half: the pods bound to nodes a live GET confirmed gone. */
export function orphanDeletions(pods: readonly Pod[], deletedNodes: ReadonlySet<string>, nowMs: number): PodDeletion[] {
  const condition: PodCondition = {
    type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists', lastTransitionTime: rfc3339(nowMs),
  };
  return pods.filter((p) => deletedNodes.has(p.spec?.nodeName ?? '')).map((pod) => ({ pod, reason: 'orphaned', condition }));
}

/**
 * markFailedAndDeletePodWithCondition, first step: the status to write before the forced
 * delete, or undefined when the pod already finished (its phase must not change).
 */
export function failedStatusFor(d: PodDeletion): { phase: 'Failed'; conditions?: PodCondition[] } | undefined {
  if (isTerminated(d.pod)) return undefined;
  return d.condition ? { phase: 'Failed', conditions: [d.condition] } : { phase: 'Failed' };
}

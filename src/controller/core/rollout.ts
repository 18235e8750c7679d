// Update strategies (§6): budgets, the "updated" test per node, RollingUpdate with and without surge.
import type { DaemonSet, Node, Pod } from '../../api/types.js';
import { nodeShouldRunDaemonPod, type EligibilityOf } from './eligibility.js';
import { availableAtMs, isPodAvailable, isPodUpdated, isTerminating, templateGeneration } from './pods.js';
import type { PodDeletion } from './deletion.js';

type IntOrString = number | string | undefined | null;

/**
 * GetScaledValueFromIntOrPercent with round-up (DaemonSets round up both fields). An int is used
 * as-is; "N%" scales `total`; anything else is invalid and yields undefined.
 */
export function scaledValue(v: IntOrString, total: number): number | undefined {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  return m ? Math.ceil((Number(m[1]) * total) / 100) : undefined;
}

const rollingParams = (ds: DaemonSet) =>
  ds.spec?.updateStrategy?.type === 'RollingUpdate' ? ds.spec.updateStrategy.rollingUpdate : undefined;

/** UnavailableCount: 0 unless RollingUpdate; invalid values count as 0. */
export function unavailableCount(ds: DaemonSet, desired: number): number {
  const p = rollingParams(ds);
  return p ? scaledValue(p.maxUnavailable as IntOrString, desired) ?? 0 : 0;
}

/** SurgeCount: 0 unless RollingUpdate with maxSurge set; invalid values count as 0. */
export function surgeCount(ds: DaemonSet, desired: number): number {
  const p = rollingParams(ds);
  return p ? scaledValue(p.maxSurge as IntOrString, desired) ?? 0 : 0;
}

/** AllowsSurge: any non-zero maxSurge switches manage to surge semantics too. */
export function allowsSurge(ds: DaemonSet): boolean {
  return surgeCount(ds, 1) > 0;
}

/** updatedDesiredNodeCounts' budgets; both 0 (impossible after validation) falls back to maxUnavailable 1. */
export function rolloutBudget(ds: DaemonSet, desired: number): { maxUnavailable: number; maxSurge: number } {
  let maxUnavailable = unavailableCount(ds, desired);
  const maxSurge = surgeCount(ds, desired);
  if (desired > 0 && maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;
  return { maxUnavailable, maxSurge };
}

/**
 * findUpdatedPodsOnNode: at most one updated and one old non-terminating pod; `ok` is false when
 * either kind appears twice (manage prunes those first).
 */
export function findUpdatedPodsOnNode(ds: DaemonSet, pods: readonly Pod[], hash: string):
  { ok: boolean; newPod?: Pod; oldPod?: Pod } {
  const generation = templateGeneration(ds);
  let newPod: Pod | undefined, oldPod: Pod | undefined;
  for (const pod of pods) {
    if (isTerminating(pod)) continue;
    if (isPodUpdated(pod, hash, generation)) {
      if (newPod) return { ok: false };
      newPod = pod;
    } else {
      if (oldPod) return { ok: false };
      oldPod = pod;
    }
  }
  return { ok: true, newPod, oldPod };
}

export interface RolloutInput {
  ds: DaemonSet;
  nodes: readonly Node[];
  podsByNode: ReadonlyMap<string, readonly Pod[]>;
  hash: string;
  nowMs: number;
  /** The DaemonSet's eligibility per node, shared by one sync's steps (default: computed here). */
  eligible?: EligibilityOf;
}

export interface RolloutResult {
  podsToDelete: PodDeletion[];
  nodesNeedingPods: string[];
  /** When a Ready pod whose availability matters becomes available. */
  requeueAfterMs?: number;
}

/**
 * rollingUpdate (§6.3/§6.4). Upstream walks a Go map (random order); we walk existing nodes in
 * list order, then vanished target nodes by name, so results are deterministic.
 */
export function rollingUpdate(input: RolloutInput): RolloutResult {
  const { ds, nodes, podsByNode, hash, nowMs } = input;
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const nodeByName = new Map(nodes.map((n) => [n.metadata?.name ?? '', n]));
  const eligible = input.eligible ?? ((n: Node) => nodeShouldRunDaemonPod(n, ds));
  const shouldRun = new Map(nodes.map((n) => [n.metadata?.name ?? '', eligible(n).shouldRun]));
  const desired = [...shouldRun.values()].filter(Boolean).length;
  const { maxUnavailable, maxSurge } = rolloutBudget(ds, desired);

  const visit: string[] = nodes.map((n) => n.metadata?.name ?? '')
    .filter((name) => shouldRun.get(name) || podsByNode.has(name));
  visit.push(...[...podsByNode.keys()].filter((n) => !nodeByName.has(n)).sort());

  const available = (p: Pod) => isPodAvailable(p, minReady, nowMs);
  let wakeAt: number | undefined;
  const watch = (p: Pod | undefined) => {
    if (!p || available(p)) return;
    const at = availableAtMs(p, minReady);
    if (at !== undefined && at > nowMs) wakeAt = wakeAt === undefined ? at : Math.min(wakeAt, at);
  };
  const name = (p: Pod) => p.metadata?.name ?? '';
  const finish = (r: Omit<RolloutResult, 'requeueAfterMs'>): RolloutResult =>
    wakeAt === undefined ? r : { ...r, requeueAfterMs: wakeAt - nowMs };

  if (maxSurge === 0) {
    let numUnavailable = 0;
    const allowed: Pod[] = [];
    const candidates: Pod[] = [];
    for (const nodeName of visit) {
      const { ok, newPod, oldPod } = findUpdatedPodsOnNode(ds, podsByNode.get(nodeName) ?? [], hash);
      if (!ok || (!newPod && !oldPod) || (newPod && oldPod)) { numUnavailable++; continue; }
      if (newPod) {
        if (!available(newPod)) { numUnavailable++; watch(newPod); }
        continue;
      }
      // Only an old pod: unavailable ones are always replaced, outside the budget.
      if (!available(oldPod!)) { allowed.push(oldPod!); numUnavailable++; }
      else if (numUnavailable < maxUnavailable) candidates.push(oldPod!);
    }
    const take = Math.min(Math.max(maxUnavailable - numUnavailable, 0), candidates.length);
    const podsToDelete = [...allowed, ...candidates.slice(0, take)].map((p) => ({ name: name(p), reason: 'rolling-update' as const }));
    return finish({ podsToDelete, nodesNeedingPods: [] });
  }

  let numSurge = 0, numAvailable = 0;
  const shouldNotRunDeletes: Pod[] = [];
  const allowedNewNodes: string[] = [];
  const candidateNewNodes: string[] = [];
  const oldPodsToDelete: Pod[] = [];
  for (const nodeName of visit) {
    const { ok, newPod, oldPod } = findUpdatedPodsOnNode(ds, podsByNode.get(nodeName) ?? [], hash);
    if (!ok) { numSurge++; continue; }
    if (oldPod ? available(oldPod) : newPod ? available(newPod) : false) numAvailable++;
    if (!oldPod) continue; // manage creates missing pods
    // Upstream fails the whole sync when the node is gone; we leave such nodes to PodGC instead.
    if (!nodeByName.has(nodeName)) continue;
    const runsHere = shouldRun.get(nodeName) === true;
    if (!newPod) {
      if (!available(oldPod)) {
        if (!runsHere) oldPodsToDelete.push(oldPod); else allowedNewNodes.push(nodeName);
      } else if (!runsHere) {
        shouldNotRunDeletes.push(oldPod);
      } else if (numSurge < maxSurge) {
        candidateNewNodes.push(nodeName);
      }
      continue;
    }
    if (!available(newPod)) { numSurge++; watch(newPod); continue; }
    oldPodsToDelete.push(oldPod);
  }
  // Moving off a node that no longer qualifies keeps 100 % availability: only delete as many
  // such old pods as there are available pods beyond the desired count.
  const deletable = Math.min(Math.max(numAvailable - desired, 0), shouldNotRunDeletes.length);
  oldPodsToDelete.push(...shouldNotRunDeletes.slice(0, deletable));
  const take = Math.min(Math.max(maxSurge - numSurge, 0), candidateNewNodes.length);
  return finish({
    podsToDelete: oldPodsToDelete.map((p) => ({ name: name(p), reason: 'rolling-update' as const })),
    nodesNeedingPods: [...allowedNewNodes, ...candidateNewNodes.slice(0, take)],
  });
}

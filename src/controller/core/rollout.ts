// Update strategies (§6): budgets, the "updated" test per node, RollingUpdate with and without surge.
import type { DaemonSet, Node, Pod } from '../../api/types.js';
import { eligibilityOf, type Eligibility } from './eligibility.js';
import { availableAtMs, isPodAvailable, isPodUpdated, isTerminating, templateGeneration, unlistedTargets } from './pods.js';
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
export function findUpdatedPodsOnNode(ds: DaemonSet, pods: readonly Pod[], hash: string, generation = templateGeneration(ds)):
  { ok: boolean; newPod?: Pod; oldPod?: Pod } {
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
  /** The DaemonSet's eligibility per node, indexed like `nodes` and shared by one sync's steps (default: computed here). */
  eligibility?: readonly Eligibility[];
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
  const eligibility = input.eligibility ?? eligibilityOf(nodes, ds);
  // No per-sync maps of every node (at 50,000 nodes building them was most of a sync): the
  // eligibility array is indexed like the nodes, and gone nodes are the pods' unlisted targets.
  const desired = eligibility.reduce((n, e) => (e.shouldRun ? n + 1 : n), 0);
  const { maxUnavailable, maxSurge } = rolloutBudget(ds, desired);
  const generation = templateGeneration(ds);
  const gone = unlistedTargets(nodes, podsByNode).sort();
  /** Visits listed nodes that should run a pod or have pods, in list order, then vanished targets by name. */
  const visit = (f: (nodeName: string, pods: readonly Pod[], runsHere: boolean, listed: boolean) => void) => {
    for (let i = 0; i < nodes.length; i++) {
      const nodeName = nodes[i].metadata?.name ?? '';
      const runsHere = eligibility[i].shouldRun;
      const pods = podsByNode.get(nodeName);
      if (runsHere || pods) f(nodeName, pods ?? [], runsHere, true);
    }
    for (const nodeName of gone) f(nodeName, podsByNode.get(nodeName) ?? [], false, false);
  };

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
    visit((_nodeName, pods) => {
      const { ok, newPod, oldPod } = findUpdatedPodsOnNode(ds, pods, hash, generation);
      if (!ok || (!newPod && !oldPod) || (newPod && oldPod)) { numUnavailable++; return; }
      if (newPod) {
        if (!available(newPod)) { numUnavailable++; watch(newPod); }
        return;
      }
      // Only an old pod: unavailable ones are always replaced, outside the budget.
      if (!available(oldPod!)) { allowed.push(oldPod!); numUnavailable++; }
      else if (numUnavailable < maxUnavailable) candidates.push(oldPod!);
    });
    const take = Math.min(Math.max(maxUnavailable - numUnavailable, 0), candidates.length);
    const podsToDelete = [...allowed, ...candidates.slice(0, take)].map((p) => ({ name: name(p), reason: 'rolling-update' as const }));
    return finish({ podsToDelete, nodesNeedingPods: [] });
  }

  let numSurge = 0, numAvailable = 0;
  const shouldNotRunDeletes: Pod[] = [];
  const allowedNewNodes: string[] = [];
  const candidateNewNodes: string[] = [];
  const oldPodsToDelete: Pod[] = [];
  visit((nodeName, pods, runsHere, listed) => {
    const { ok, newPod, oldPod } = findUpdatedPodsOnNode(ds, pods, hash, generation);
    if (!ok) { numSurge++; return; }
    if (oldPod ? available(oldPod) : newPod ? available(newPod) : false) numAvailable++;
    if (!oldPod) return; // manage creates missing pods
    // Upstream fails the whole sync when the node is gone; we leave such nodes to PodGC instead.
    if (!listed) return;
    if (!newPod) {
      if (!available(oldPod)) {
        if (!runsHere) oldPodsToDelete.push(oldPod); else allowedNewNodes.push(nodeName);
      } else if (!runsHere) {
        shouldNotRunDeletes.push(oldPod);
      } else if (numSurge < maxSurge) {
        candidateNewNodes.push(nodeName);
      }
      return;
    }
    if (!available(newPod)) { numSurge++; watch(newPod); return; }
    oldPodsToDelete.push(oldPod);
  });
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

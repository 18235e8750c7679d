// The ReplicaSet controller's decisions (kube-controller-manager's pkg/controller/replicaset),
// as pure functions of the ReplicaSet, the pods of its namespace and the time: which pods to
// adopt and release (ClaimPods), how many to create or which to delete (manageReplicas, with
// getPodsToDelete's ranking), and the status (calculateStatus). The shell in replicaset.ts reads
// the caches, asks, and writes.
import type { ReplicaSet, ReplicaSetStatus } from 'kubernetes-types/apps/v1.js';
import type { KObject, Pod } from '../api/types.js';
import { controllerRefOf, parseTime } from '../api/meta.js';
import { fromLabelSelector, selectorMatches, type Selector } from '../api/selector.js';
import { availableAtMs, isPodAvailable, isPodReady, isTerminal, isTerminating } from '../controller/core/pods.js';

export type KReplicaSet = ReplicaSet & KObject;
export type KPod = Pod & KObject;

/** Upstream's BurstReplicas: at most this many creates or deletes per sync. */
export const BURST_REPLICAS = 500;
export const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

export interface ReplicaSetPlan {
  /** Orphans the selector matches: take them (controllerRef to the ReplicaSet). */
  adopt: KPod[];
  /** Pods it controls that the selector no longer matches: let go (controllerRef removed). */
  release: KPod[];
  /** Pods to create from the template (0 when expectations are pending or nothing is missing). */
  create: number;
  /** Pods to delete, most expendable first. */
  delete: KPod[];
  status: ReplicaSetStatus;
  /** A pod becomes available (minReadySeconds) at this time: look again then. */
  recheckAtMs?: number;
}

/** An active pod counts towards replicas: neither finished nor being deleted (FilterActivePods). */
export const isActive = (p: Pod) => !isTerminal(p) && !isTerminating(p);

function selectorOf(rs: KReplicaSet): Selector | undefined {
  const s = fromLabelSelector(rs.spec?.selector);
  // An invalid or empty selector selects nothing here, as upstream's controllers refuse to act on it.
  return 'error' in s || s.length === 0 ? undefined : s;
}

/** ClaimPods: the pods this ReplicaSet controls after adoption and release. */
export function claimPods(rs: KReplicaSet, pods: readonly KPod[]): { owned: KPod[]; adopt: KPod[]; release: KPod[] } {
  const uid = rs.metadata?.uid;
  const selector = selectorOf(rs);
  const deleting = isTerminating(rs as Pod);
  const owned: KPod[] = [], adopt: KPod[] = [], release: KPod[] = [];
  for (const p of pods) {
    const ref = controllerRefOf(p);
    const matches = selector !== undefined && selectorMatches(selector, p.metadata?.labels);
    if (ref) {
      if (ref.uid !== uid) continue;
      if (matches) owned.push(p);
      else if (!deleting) release.push(p);
    } else if (matches && !deleting && !isTerminating(p) && uid) {
      adopt.push(p);
      owned.push(p);
    }
  }
  return { owned, adopt, release };
}

const phaseRank = (p: Pod) => (p.status?.phase === 'Pending' ? 0 : p.status?.phase === 'Running' ? 2 : 1);
const readySince = (p: Pod) => parseTime(p.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime) ?? 0;
const restarts = (p: Pod) => (p.status?.containerStatuses ?? []).reduce((n, c) => Math.max(n, c.restartCount ?? 0), 0);
const deletionCost = (p: KPod) => {
  const v = Number(p.metadata?.annotations?.[POD_DELETION_COST]);
  return Number.isInteger(v) ? v : 0;
};

/**
 * ActivePodsWithRanks' order, most expendable first: unscheduled before scheduled, Pending before
 * Unknown before Running, not ready before ready, more pods of the same owner on its node first,
 * lower deletion cost first, ready for less time first, more restarts first, newer first.
 */
export function compareForDeletion(rank: (p: KPod) => number) {
  return (a: KPod, b: KPod): number => {
    const sa = a.spec?.nodeName ? 1 : 0, sb = b.spec?.nodeName ? 1 : 0;
    if (sa !== sb) return sa - sb;
    if (phaseRank(a) !== phaseRank(b)) return phaseRank(a) - phaseRank(b);
    const ra = isPodReady(a) ? 1 : 0, rb = isPodReady(b) ? 1 : 0;
    if (ra !== rb) return ra - rb;
    if (rank(a) !== rank(b)) return rank(b) - rank(a);
    if (deletionCost(a) !== deletionCost(b)) return deletionCost(a) - deletionCost(b);
    if (ra === 1 && readySince(a) !== readySince(b)) return readySince(b) - readySince(a);
    if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a);
    const ca = parseTime(a.metadata?.creationTimestamp) ?? 0, cb = parseTime(b.metadata?.creationTimestamp) ?? 0;
    if (ca !== cb) return cb - ca;
    const na = a.metadata?.name ?? '', nb = b.metadata?.name ?? '';
    return na < nb ? 1 : na > nb ? -1 : 0;
  };
}

/** getPodsToDelete: the `count` most expendable of `active`. */
export function podsToDelete(active: readonly KPod[], count: number): KPod[] {
  const onNode = new Map<string, number>();
  for (const p of active) if (p.spec?.nodeName) onNode.set(p.spec.nodeName, (onNode.get(p.spec.nodeName) ?? 0) + 1);
  const rank = (p: KPod) => (p.spec?.nodeName ? onNode.get(p.spec.nodeName) ?? 0 : 0);
  return [...active].sort(compareForDeletion(rank)).slice(0, Math.max(0, count));
}

/** calculateStatus over the active pods it controls. Zero counters are left out, as apps/v1 omits them. */
export function replicaSetStatus(rs: KReplicaSet, active: readonly KPod[], nowMs: number): ReplicaSetStatus {
  const templateLabels = Object.entries(rs.spec?.template?.metadata?.labels ?? {});
  const minReady = rs.spec?.minReadySeconds ?? 0;
  const count = (f: (p: KPod) => boolean) => active.reduce((n, p) => n + (f(p) ? 1 : 0), 0);
  const status: ReplicaSetStatus = { replicas: active.length };
  const put = (k: 'fullyLabeledReplicas' | 'readyReplicas' | 'availableReplicas' | 'observedGeneration', v: number | undefined) => { if (v) status[k] = v; };
  put('fullyLabeledReplicas', count((p) => templateLabels.every(([k, v]) => p.metadata?.labels?.[k] === v)));
  put('readyReplicas', count(isPodReady));
  put('availableReplicas', count((p) => isPodAvailable(p, minReady, nowMs)));
  put('observedGeneration', rs.metadata?.generation);
  if (rs.status?.conditions?.length) status.conditions = rs.status.conditions;
  return status;
}

/** One sync of a ReplicaSet (syncReplicaSet): `manage` is false while expectations are pending. */
export function planReplicaSet(rs: KReplicaSet, pods: readonly KPod[], nowMs: number, manage: boolean): ReplicaSetPlan {
  const { owned, adopt, release } = claimPods(rs, pods);
  const active = owned.filter(isActive);
  const status = replicaSetStatus(rs, active, nowMs);
  const minReady = rs.spec?.minReadySeconds ?? 0;
  let recheckAtMs: number | undefined;
  for (const p of active) {
    const at = isPodAvailable(p, minReady, nowMs) ? undefined : availableAtMs(p, minReady);
    if (at !== undefined && (recheckAtMs === undefined || at < recheckAtMs)) recheckAtMs = at;
  }
  const plan: ReplicaSetPlan = { adopt, release, create: 0, delete: [], status, ...(recheckAtMs !== undefined ? { recheckAtMs } : {}) };
  if (!manage || isTerminating(rs as Pod) || !selectorOf(rs)) return plan;
  const diff = active.length - (rs.spec?.replicas ?? 1);
  if (diff < 0) plan.create = Math.min(-diff, BURST_REPLICAS);
  else if (diff > 0) plan.delete = podsToDelete(active, Math.min(diff, BURST_REPLICAS));
  return plan;
}

/** The pod a ReplicaSet creates (GetPodFromTemplate): the template's, named after and controlled by it. */
export function podFromTemplate(rs: KReplicaSet): KPod {
  const t = rs.spec?.template ?? {};
  const m = rs.metadata ?? {};
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      generateName: `${m.name}-`, namespace: m.namespace,
      ...(t.metadata?.labels ? { labels: { ...t.metadata.labels } } : {}),
      ...(t.metadata?.annotations ? { annotations: { ...t.metadata.annotations } } : {}),
      ...(t.metadata?.finalizers ? { finalizers: [...t.metadata.finalizers] } : {}),
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: m.name ?? '', uid: m.uid ?? '', controller: true, blockOwnerDeletion: true }],
    },
    spec: structuredClone(t.spec ?? { containers: [] }),
  };
}

/** slowStartBatch's batch sizes for `n` creates: 1, 2, 4, … so that a failing template costs few requests. */
export function slowStartBatches(n: number): number[] {
  const out: number[] = [];
  for (let size = 1, left = n; left > 0; size *= 2) { const b = Math.min(size, left); out.push(b); left -= b; }
  return out;
}

/** ControllerExpectations: creates and deletes in flight per ReplicaSet, so a slow watch never doubles them. */
export class Expectations {
  /** Upstream's ExpectationsTimeout: a lost event blocks a ReplicaSet for at most this long. */
  static readonly TTL_MS = 5 * 60_000;
  readonly #pending = new Map<string, { add: number; del: number; atMs: number }>();

  expect(key: string, add: number, del: number, nowMs: number): void {
    this.#pending.set(key, { add, del, atMs: nowMs });
  }

  lower(key: string, add: number, del: number): void {
    const e = this.#pending.get(key);
    if (!e) return;
    e.add -= add;
    e.del -= del;
  }

  satisfied(key: string, nowMs: number): boolean {
    const e = this.#pending.get(key);
    return !e || (e.add <= 0 && e.del <= 0) || nowMs - e.atMs > Expectations.TTL_MS;
  }

  forget(key: string): void { this.#pending.delete(key); }
}

// Simulated kubelet admission (pure): the kubelet's predicate admit handler and its
// critical-pod admission handler, which evicts lower-priority pods to make room.
import type { Node, Pod } from '../api/types.js';
import { findUntoleratedTaint, isNoExecute, podMatchesNodeAffinity, podPriority } from '../api/scheduling.js';
import { containerRequests, podRequests } from '../api/quantity.js';
import { hostPortsConflict, insufficientResources, isTerminal, type Insufficient } from '../scheduler/core.js';

/** scheduling.SystemCriticalPriority: pods at or above it may evict others on admission. */
export const SYSTEM_CRITICAL_PRIORITY = 2_000_000_000;

export type Admission =
  | { admitted: true }
  | { admitted: false; reason: string; message: string }
  | { admitted: true; evict: Pod[] };

export const isCriticalPod = (p: Pod) => podPriority(p) >= SYSTEM_CRITICAL_PRIORITY;

interface Failure { reason: string; message: string; resource?: Insufficient }

/** generalFilter + the NoExecute taint check, every failing predicate in kubelet order. */
function admissionFailures(node: Node, others: readonly Pod[], pod: Pod): Failure[] {
  const out: Failure[] = insufficientResources(pod, node, others).map((r) => ({
    reason: `OutOf${r.resource}`,
    message: `Node didn't have enough resource: ${r.resource}, requested: ${r.requested}, used: ${r.used}, capacity: ${r.capacity}`,
    resource: r,
  }));
  const predicate = (name: string, desc: string) => out.push({ reason: name, message: `Predicate ${name} failed: ${desc}` });
  if (!podMatchesNodeAffinity(pod.spec, node)) predicate('NodeAffinity', "node(s) didn't match Pod's node affinity/selector");
  if (pod.spec?.nodeName && pod.spec.nodeName !== node.metadata?.name) predicate('NodeName', "node(s) didn't match the requested node name");
  if (hostPortsConflict(pod, others)) predicate('NodePorts', "node(s) didn't have free ports for the requested pod ports");
  // The kubelet only cares about NoExecute here: NoSchedule is the scheduler's business.
  if (findUntoleratedTaint(node.spec?.taints, pod.spec?.tolerations, isNoExecute)) predicate('TaintToleration', "node(s) had taints that the pod didn't tolerate");
  return out;
}

/**
 * Kubelet admission of `pod` onto `node`, given the pods already running there. A rejected pod
 * becomes phase Failed with this reason and message "Pod was rejected: <message>". A critical
 * pod that fails only on resources is admitted after evicting `evict`.
 */
export function admitPod(node: Node, runningPods: readonly Pod[], pod: Pod): Admission {
  const others = runningPods.filter((p) => !isTerminal(p) && p.metadata?.uid !== pod.metadata?.uid);
  const failures = admissionFailures(node, others, pod);
  if (failures.length === 0) return { admitted: true };
  const shortages = failures.flatMap((f) => (f.resource ? [f.resource] : []));
  if (isCriticalPod(pod) && shortages.length === failures.length) {
    const victims = podsToPreempt(pod, others, shortages.map((s) => ({ resource: s.resource, amount: s.requested - (s.capacity - s.used) })));
    if (victims) return { admitted: true, evict: victims };
  }
  return { admitted: false, reason: failures[0].reason, message: failures[0].message };
}

// ---- criticalPodAdmissionHandler.getPodsToPreempt ----

interface Requirement { resource: string; amount: bigint }

const requestOf = (p: Pod, resource: string): bigint => (resource === 'pods' ? 1n : podRequests(p)[resource] ?? 0n);

function subtract(reqs: readonly Requirement[], pods: readonly Pod[]): Requirement[] {
  return reqs.map((r) => ({ resource: r.resource, amount: pods.reduce((a, p) => a - requestOf(p, r.resource), r.amount) })).filter((r) => r.amount > 0n);
}

/** How far a pod's requests fall short of the requirements (0 = one pod covers them all). */
function distance(reqs: readonly Requirement[], p: Pod): number {
  return reqs.reduce((d, r) => {
    const left = Number(r.amount - requestOf(p, r.resource));
    return left > 0 ? d + (left / Number(r.amount)) ** 2 : d;
  }, 0);
}

function smallerRequest(a: Pod, b: Pod): boolean {
  const ra = podRequests(a), rb = podRequests(b);
  const am = ra.memory ?? 0n, bm = rb.memory ?? 0n;
  return am !== bm ? am < bm : (ra.cpu ?? 0n) < (rb.cpu ?? 0n);
}

/** Greedy: repeatedly evict the pod closest to covering what is still missing. */
function preemptByDistance(candidates: readonly Pod[], reqs: Requirement[]): Pod[] | undefined {
  const pool = [...candidates];
  const chosen: Pod[] = [];
  while (reqs.length) {
    if (pool.length === 0) return undefined;
    let best = 0, bestDist = reqs.length + 1;
    pool.forEach((p, i) => {
      const d = distance(reqs, p);
      if (d < bestDist || (d === bestDist && smallerRequest(p, pool[best]))) { best = i; bestDist = d; }
    });
    const [picked] = pool.splice(best, 1);
    chosen.push(picked);
    reqs = subtract(reqs, [picked]);
  }
  return chosen;
}

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

export function qosClass(pod: Pod): QOSClass {
  const cs = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  const any = cs.some((c) => Object.keys(c.resources?.requests ?? {}).length || Object.keys(c.resources?.limits ?? {}).length);
  if (!any) return 'BestEffort';
  const guaranteed = cs.every((c) => {
    const lim = c.resources?.limits ?? {};
    const req = containerRequests(c);
    return ['cpu', 'memory'].every((r) => lim[r] !== undefined && containerRequests({ name: '', resources: { requests: { [r]: lim[r] } } })[r] === req[r]);
  });
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** kubetypes.Preemptable: critical beats non-critical; otherwise strictly higher priority. */
const preemptable = (preemptor: Pod, victim: Pod) =>
  (isCriticalPod(preemptor) && !isCriticalPod(victim)) || podPriority(preemptor) > podPriority(victim);

/**
 * The pods to evict so the critical pod fits: guaranteed pods only if evicting every
 * best-effort and burstable pod is not enough, then burstable, then best-effort; undefined when
 * even evicting all candidates cannot free enough.
 */
export function podsToPreempt(pod: Pod, running: readonly Pod[], reqs: readonly Requirement[]): Pod[] | undefined {
  const eligible = running.filter((p) => preemptable(pod, p));
  const by = (q: QOSClass) => eligible.filter((p) => qosClass(p) === q);
  const [bestEffort, burstable, guaranteed] = [by('BestEffort'), by('Burstable'), by('Guaranteed')];
  if (subtract(reqs, eligible).length) return undefined;
  const g = preemptByDistance(guaranteed, subtract(reqs, [...bestEffort, ...burstable]));
  const b = g && preemptByDistance(burstable, subtract(reqs, [...bestEffort, ...g]));
  const e = g && b && preemptByDistance(bestEffort, subtract(reqs, [...b, ...g]));
  return g && b && e ? [...e, ...b, ...g] : undefined;
}

// Placement predicates shared by the DaemonSet controller, the scheduler and the kubelet:
// nodeSelector, required node affinity and taints/tolerations (component-helpers semantics).
import type { Node, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, Pod, PodSpec, Taint, Toleration } from './types.js';
import { requirementMatches, type Operator } from './selector.js';

/** pod.spec.nodeSelector: every key must be present with the same value. */
export function nodeSelectorMatches(nodeSelector: Record<string, string> | undefined, node: Node): boolean {
  const labels = node.metadata?.labels ?? {};
  return Object.entries(nodeSelector ?? {}).every(([k, v]) => labels[k] === v);
}

function nodeRequirementMatches(r: NodeSelectorRequirement, values: Record<string, string>): boolean {
  const op = r.operator as Operator;
  if (!['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'].includes(op)) return false;
  return requirementMatches({ key: r.key, operator: op, values: r.values ?? [] }, values);
}

/** One term: all matchExpressions (labels) and all matchFields (metadata.name only) hold; an empty term matches nothing. */
export function nodeSelectorTermMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata?.labels ?? {};
  const fieldValues: Record<string, string> = { 'metadata.name': node.metadata?.name ?? '' };
  for (const f of fields) if (f.key !== 'metadata.name') return false;
  return exprs.every((r) => nodeRequirementMatches(r, labels)) && fields.every((r) => nodeRequirementMatches(r, fieldValues));
}

/** A NodeSelector (ORed terms) matches the node. */
export function nodeSelectorTermsMatch(sel: NodeSelector | undefined, node: Node): boolean {
  return (sel?.nodeSelectorTerms ?? []).some((t) => nodeSelectorTermMatches(t, node));
}

/** nodeSelector and requiredDuringSchedulingIgnoredDuringExecution both hold (GetRequiredNodeAffinity().Match). */
export function podMatchesNodeAffinity(spec: PodSpec | undefined, node: Node): boolean {
  if (!nodeSelectorMatches(spec?.nodeSelector, node)) return false;
  const req = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return req ? nodeSelectorTermsMatch(req, node) : true;
}

/** v1.Toleration.ToleratesTaint. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (!t.key && t.operator !== 'Exists') return false; // empty key only with Exists
  switch (t.operator ?? 'Equal') {
    case 'Exists': return true;
    case 'Equal': return (t.value ?? '') === (taint.value ?? '');
    default: return false;
  }
}

export function taintToleratedBy(taint: Taint, tolerations: readonly Toleration[] | undefined): boolean {
  return (tolerations ?? []).some((t) => toleratesTaint(t, taint));
}

/**
 * The first taint, among those whose effect passes `filter`, that no toleration tolerates
 * (FindMatchingUntoleratedTaint). Undefined when all are tolerated.
 */
export function findUntoleratedTaint(
  taints: readonly Taint[] | undefined,
  tolerations: readonly Toleration[] | undefined,
  filter: (t: Taint) => boolean = () => true,
): Taint | undefined {
  return (taints ?? []).find((taint) => filter(taint) && !taintToleratedBy(taint, tolerations));
}

export const isScheduleEffect = (t: Taint) => t.effect === 'NoSchedule' || t.effect === 'NoExecute';
export const isNoExecute = (t: Taint) => t.effect === 'NoExecute';

/** The pod's effective priority (spec.priority is filled by admission from priorityClassName). */
export function podPriority(pod: Pod): number {
  return pod.spec?.priority ?? 0;
}

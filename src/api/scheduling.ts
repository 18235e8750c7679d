// Placement predicates shared by the DaemonSet controller, the scheduler and the kubelet:
// nodeSelector, required node affinity and taints/tolerations (component-helpers semantics).
import type { Node, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, Pod, PodSpec, Taint, Toleration } from './types.js';
import { requirementMatches, type Operator } from './selector.js';

// Stored objects may be malformed (a term that is null, operators or values of the wrong type):
// a requirement that is not well formed matches nothing, as upstream's conversion of the term
// fails and the term is skipped (nodeaffinity's newNodeSelectorTerm records parseErr), never an
// exception.
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const listOf = (v: unknown): unknown[] | undefined => (v === undefined || v === null ? [] : Array.isArray(v) ? v : undefined);

/** pod.spec.nodeSelector: every key must be present with the same value. */
export function nodeSelectorMatches(nodeSelector: Record<string, string> | undefined, node: Node): boolean {
  if (nodeSelector === undefined || nodeSelector === null) return true;
  if (!isObject(nodeSelector)) return false;
  const labels: unknown = node?.metadata?.labels;
  const map = isObject(labels) ? labels : {};
  return Object.entries(nodeSelector).every(([k, v]) => typeof v === 'string' && Object.prototype.hasOwnProperty.call(map, k) && map[k] === v);
}

const NODE_OPERATORS: readonly string[] = ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'];

export function nodeRequirementMatches(r: NodeSelectorRequirement, values: Record<string, string>): boolean {
  if (!isObject(r)) return false;
  const { key, operator } = r as Record<string, unknown>;
  const vals = listOf((r as Record<string, unknown>).values);
  if (typeof key !== 'string' || typeof operator !== 'string' || !NODE_OPERATORS.includes(operator) || !vals) return false;
  if (!vals.every((v) => typeof v === 'string')) return false;
  return requirementMatches({ key, operator: operator as Operator, values: vals as string[] }, values);
}

/** One term: all matchExpressions (labels) and all matchFields (metadata.name only) hold; an empty term matches nothing. */
export function nodeSelectorTermMatches(term: NodeSelectorTerm, node: Node): boolean {
  if (!isObject(term)) return false;
  const exprs = listOf(term.matchExpressions);
  const fields = listOf(term.matchFields);
  if (!exprs || !fields) return false;
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node?.metadata?.labels ?? {};
  const name = node?.metadata?.name;
  const fieldValues: Record<string, string> = { 'metadata.name': typeof name === 'string' ? name : '' };
  for (const f of fields) if (!isObject(f) || f.key !== 'metadata.name') return false;
  return exprs.every((r) => nodeRequirementMatches(r as NodeSelectorRequirement, labels)) &&
    fields.every((r) => nodeRequirementMatches(r as NodeSelectorRequirement, fieldValues));
}

/** A NodeSelector (ORed terms) matches the node. */
export function nodeSelectorTermsMatch(sel: NodeSelector | undefined, node: Node): boolean {
  if (!isObject(sel)) return false;
  const terms = listOf(sel.nodeSelectorTerms) ?? [];
  return terms.some((t) => nodeSelectorTermMatches(t as NodeSelectorTerm, node));
}

/** nodeSelector and requiredDuringSchedulingIgnoredDuringExecution both hold (GetRequiredNodeAffinity().Match). */
export function podMatchesNodeAffinity(spec: PodSpec | undefined, node: Node): boolean {
  if (!nodeSelectorMatches(spec?.nodeSelector, node)) return false;
  const affinity: unknown = spec?.affinity;
  const nodeAffinity: unknown = isObject(affinity) ? affinity.nodeAffinity : undefined;
  const req: unknown = isObject(nodeAffinity) ? nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution : undefined;
  return req === undefined || req === null ? true : nodeSelectorTermsMatch(req as NodeSelector, node);
}

// Taints and tolerations of stored objects may be malformed too (a list that is a string, entries
// that are null): an entry that is not an object is neither a taint nor a toleration, so it
// repels nothing and tolerates nothing; a list that is not an array holds none.
const entriesOf = <T>(v: readonly T[] | undefined): T[] => (Array.isArray(v) ? (v as unknown[]).filter(isObject) as T[] : []);

/** v1.Toleration.ToleratesTaint. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (!isObject(t) || !isObject(taint)) return false;
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
  return entriesOf(tolerations).some((t) => toleratesTaint(t, taint));
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
  const usable = entriesOf(tolerations);
  return entriesOf(taints).find((taint) => filter(taint) && !usable.some((t) => toleratesTaint(t, taint)));
}

export const isScheduleEffect = (t: Taint) => t.effect === 'NoSchedule' || t.effect === 'NoExecute';
export const isNoExecute = (t: Taint) => t.effect === 'NoExecute';

/** The pod's effective priority (spec.priority is filled by admission from priorityClassName). */
export function podPriority(pod: Pod): number {
  return pod.spec?.priority ?? 0;
}

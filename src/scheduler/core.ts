// Scheduler core (pure): filter plugins in kube-scheduler's default order, least-allocated
// scoring, the FitError message, and default preemption's victim selection.
// The kubelet's admission (src/nodes/admission.ts) reuses the resource and port checks.
import type { Node, Pod, PodDisruptionBudget, PodCondition } from '../api/types.js';
import { findUntoleratedTaint, isScheduleEffect, podMatchesNodeAffinity, podPriority, taintToleratedBy } from '../api/scheduling.js';
import { labelSelectorMatches, isEmptyLabelSelector } from '../api/selector.js';
import { addAmounts, podNonZeroRequests, podRequests, toAmounts, type ResourceAmounts } from '../api/quantity.js';
import { parseTime } from '../api/meta.js';

export type PodsByNode = ReadonlyMap<string, readonly Pod[]>;

export const isTerminal = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
const nodeName = (n: Node) => n.metadata?.name ?? '';
/** Pods that hold resources on a node: terminal pods have released theirs. */
export const activePodsOn = (byNode: PodsByNode, name: string): Pod[] => (byNode.get(name) ?? []).filter((p) => !isTerminal(p));

// ---- resources and ports (NodeResourcesFit, NodePorts) ----

export function allocatableOf(node: Node): ResourceAmounts {
  return toAmounts((node.status?.allocatable ?? node.status?.capacity) as Record<string, string>);
}

export interface Insufficient { resource: string; requested: bigint; used: bigint; capacity: bigint }

/** Every resource the pod would overflow on this node, pods count first (noderesources.Fits). */
export function insufficientResources(pod: Pod, node: Node, pods: readonly Pod[]): Insufficient[] {
  const alloc = allocatableOf(node);
  const out: Insufficient[] = [];
  const maxPods = alloc.pods ?? 0n;
  if (BigInt(pods.length) + 1n > maxPods) out.push({ resource: 'pods', requested: 1n, used: BigInt(pods.length), capacity: maxPods });
  const want = podRequests(pod);
  const used = pods.reduce<ResourceAmounts>((acc, p) => addAmounts(acc, podRequests(p)), {});
  // Fixed order for the standard resources (upstream checks cpu, memory, ephemeral-storage, then scalars).
  const names = ['cpu', 'memory', 'ephemeral-storage', ...Object.keys(want).filter((k) => !['cpu', 'memory', 'ephemeral-storage', 'pods'].includes(k)).sort()];
  for (const resource of names) {
    const requested = want[resource] ?? 0n;
    if (requested === 0n) continue;
    const u = used[resource] ?? 0n, cap = alloc[resource] ?? 0n;
    if (requested > cap - u) out.push({ resource, requested, used: u, capacity: cap });
  }
  return out;
}

interface HostPort { ip: string; protocol: string; port: number }

function hostPortsOf(pod: Pod): HostPort[] {
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')];
  return containers.flatMap((c) => (c.ports ?? []).filter((p) => (p.hostPort ?? 0) > 0)
    .map((p) => ({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol ?? 'TCP', port: p.hostPort! })));
}

/** Does any wanted hostPort clash with one in use? 0.0.0.0 clashes with every address. */
export function hostPortsConflict(pod: Pod, pods: readonly Pod[]): boolean {
  const used = pods.flatMap(hostPortsOf);
  return hostPortsOf(pod).some((w) => used.some((u) => u.port === w.port && u.protocol === w.protocol && (u.ip === w.ip || u.ip === '0.0.0.0' || w.ip === '0.0.0.0')));
}

// ---- filters ----

export interface FilterFailure {
  plugin: 'NodeUnschedulable' | 'NodeName' | 'TaintToleration' | 'NodeAffinity' | 'NodePorts' | 'NodeResourcesFit';
  reasons: string[];
  /** UnschedulableAndUnresolvable: evicting pods cannot help, so preemption skips the node. */
  unresolvable: boolean;
}

export const REASON = {
  unschedulable: 'node(s) were unschedulable',
  nodeName: "node(s) didn't match the requested node name",
  affinity: "node(s) didn't match Pod's node affinity/selector",
  ports: "node(s) didn't have free ports for the requested pod ports",
  tooManyPods: 'Too many pods',
  noVictims: 'No preemption victims found for incoming pod',
  notHelpful: 'Preemption is not helpful for scheduling',
} as const;

/** Runs the filters in the default plugin order; the first failing plugin decides. */
export function filterNode(pod: Pod, node: Node, pods: readonly Pod[]): FilterFailure | undefined {
  const spec = pod.spec;
  if (node.spec?.unschedulable && !taintToleratedBy({ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }, spec?.tolerations)) {
    return { plugin: 'NodeUnschedulable', reasons: [REASON.unschedulable], unresolvable: true };
  }
  if (spec?.nodeName && spec.nodeName !== nodeName(node)) return { plugin: 'NodeName', reasons: [REASON.nodeName], unresolvable: true };
  const taint = findUntoleratedTaint(node.spec?.taints, spec?.tolerations, isScheduleEffect);
  if (taint) return { plugin: 'TaintToleration', reasons: [`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`], unresolvable: true };
  if (!podMatchesNodeAffinity(spec, node)) return { plugin: 'NodeAffinity', reasons: [REASON.affinity], unresolvable: true };
  if (hostPortsConflict(pod, pods)) return { plugin: 'NodePorts', reasons: [REASON.ports], unresolvable: false };
  const short = insufficientResources(pod, node, pods);
  if (short.length) return { plugin: 'NodeResourcesFit', reasons: short.map((s) => (s.resource === 'pods' ? REASON.tooManyPods : `Insufficient ${s.resource}`)), unresolvable: false };
  return undefined;
}

export interface FilterResult { feasible: Node[]; failures: Map<string, FilterFailure> }

export function filterNodes(pod: Pod, nodes: readonly Node[], podsByNode: PodsByNode): FilterResult {
  const feasible: Node[] = [];
  const failures = new Map<string, FilterFailure>();
  for (const node of nodes) {
    const f = filterNode(pod, node, activePodsOn(podsByNode, nodeName(node)));
    if (f) failures.set(nodeName(node), f); else feasible.push(node);
  }
  return { feasible, failures };
}

/** FitError text: `0/N nodes are available: <count reason>, ... .` with the histogram sorted as strings. */
export function fitMessage(numNodes: number, reasonsPerNode: Iterable<readonly string[]>): string {
  const histogram = new Map<string, number>();
  for (const reasons of reasonsPerNode) for (const r of reasons) histogram.set(r, (histogram.get(r) ?? 0) + 1);
  const parts = [...histogram].map(([r, n]) => `${n} ${r}`).sort();
  return `0/${numNodes} nodes are available:${parts.length ? ` ${parts.join(', ')}.` : ''}`;
}

// ---- scoring ----

/** NodeResourcesFit LeastAllocated over cpu and memory (weight 1 each), 0..100, integer maths. */
export function leastAllocatedScore(pod: Pod, node: Node, pods: readonly Pod[]): number {
  const alloc = allocatableOf(node);
  const want = podNonZeroRequests(pod);
  const used = pods.map(podNonZeroRequests).reduce((a, b) => ({ cpu: a.cpu + b.cpu, memory: a.memory + b.memory }), { cpu: 0n, memory: 0n });
  const score = (cap: bigint, req: bigint) => (cap === 0n || req > cap ? 0n : ((cap - req) * 100n) / cap);
  return Number((score(alloc.cpu ?? 0n, used.cpu + want.cpu) + score(alloc.memory ?? 0n, used.memory + want.memory)) / 2n);
}

export function scoreNodes(pod: Pod, nodes: readonly Node[], podsByNode: PodsByNode): { node: string; score: number }[] {
  return nodes.map((n) => ({ node: nodeName(n), score: leastAllocatedScore(pod, n, activePodsOn(podsByNode, nodeName(n))) }));
}

// ---- preemption ----

const startMs = (p: Pod) => parseTime(p.status?.startTime) ?? parseTime(p.metadata?.creationTimestamp) ?? 0;

/** MoreImportantPod: higher priority first, then the one that started earlier. */
export function moreImportantFirst(a: Pod, b: Pod): number {
  return podPriority(b) - podPriority(a) || startMs(a) - startMs(b);
}

export interface Victims { node: string; victims: Pod[]; pdbViolations: number }

/** Which pods would violate a PDB if evicted in this order (filterPodsWithPDBViolation). */
function splitByPDB(pods: readonly Pod[], pdbs: readonly PodDisruptionBudget[]): { violating: Pod[]; ok: Pod[] } {
  const allowed = pdbs.map((b) => b.status?.disruptionsAllowed ?? 0);
  const violating: Pod[] = [], ok: Pod[] = [];
  for (const pod of pods) {
    let violated = false;
    pdbs.forEach((pdb, i) => {
      if (pdb.metadata?.namespace !== pod.metadata?.namespace || isEmptyLabelSelector(pdb.spec?.selector)) return;
      if (!labelSelectorMatches(pdb.spec?.selector, pod.metadata?.labels)) return;
      if (pdb.status?.disruptedPods?.[pod.metadata?.name ?? '']) return; // already being disrupted: counted
      allowed[i]--;
      if (allowed[i] < 0) violated = true;
    });
    (violated ? violating : ok).push(pod);
  }
  return { violating, ok };
}

/**
 * SelectVictimsOnNode: drop every strictly lower-priority pod; if the pod then fits, add pods
 * back most important first (PDB-violating ones first, so they are the likeliest to be spared)
 * and keep as victims only those that do not fit back. Returns the failure when none works.
 */
export function victimsOnNode(pod: Pod, node: Node, pods: readonly Pod[], pdbs: readonly PodDisruptionBudget[]): Victims | { failure: string[] } {
  const prio = podPriority(pod);
  const lower = pods.filter((p) => podPriority(p) < prio).sort(moreImportantFirst);
  if (lower.length === 0) return { failure: [REASON.noVictims] };
  const remaining = pods.filter((p) => podPriority(p) >= prio);
  const blocked = filterNode(pod, node, remaining);
  if (blocked) return { failure: blocked.reasons };
  const { violating, ok } = splitByPDB(lower, pdbs);
  const victims: Pod[] = [];
  let pdbViolations = 0;
  const reprieve = (p: Pod, violates: boolean) => {
    if (!filterNode(pod, node, [...remaining, p])) { remaining.push(p); return; }
    victims.push(p);
    if (violates) pdbViolations++;
  };
  for (const p of violating) reprieve(p, true);
  for (const p of ok) reprieve(p, false);
  return { node: nodeName(node), victims, pdbViolations };
}

/** pickOneNodeForPreemption's tie-breakers, as a comparator (smaller is better). */
function compareCandidates(a: Victims, b: Victims): number {
  const highest = (v: Victims) => Math.max(...v.victims.map(podPriority));
  // Each priority is offset by 2^31 so that negative priorities still add up as "more".
  const sum = (v: Victims) => v.victims.reduce((s, p) => s + podPriority(p) + 2 ** 31, 0);
  const earliestOfHighest = (v: Victims) => Math.min(...v.victims.filter((p) => podPriority(p) === highest(v)).map(startMs));
  return a.pdbViolations - b.pdbViolations || highest(a) - highest(b) || sum(a) - sum(b)
    || a.victims.length - b.victims.length || earliestOfHighest(b) - earliestOfHighest(a);
}

export type PreemptionResult = Victims | { message: string };

/**
 * Default preemption for a pod that fits nowhere: the best node and its minimal victims, or the
 * "preemption: ..." message when no node can be freed.
 */
export function selectVictims(pod: Pod, nodes: readonly Node[], podsByNode: PodsByNode, pdbs: readonly PodDisruptionBudget[], failures?: ReadonlyMap<string, FilterFailure>): PreemptionResult {
  if (pod.spec?.preemptionPolicy === 'Never') return { message: 'not eligible due to preemptionPolicy=Never.' };
  const fails = failures ?? filterNodes(pod, nodes, podsByNode).failures;
  const perNode: string[][] = [];
  const candidates: Victims[] = [];
  for (const node of nodes) {
    const f = fails.get(nodeName(node));
    if (!f) continue; // fits already: nothing to preempt for here
    if (f.unresolvable) { perNode.push([REASON.notHelpful]); continue; }
    const r = victimsOnNode(pod, node, activePodsOn(podsByNode, nodeName(node)), pdbs);
    if ('failure' in r) perNode.push(r.failure); else if (r.victims.length) candidates.push(r);
  }
  if (candidates.length === 0) return { message: fitMessage(nodes.length, perNode) };
  return candidates.reduce((best, c) => (compareCandidates(c, best) < 0 ? c : best));
}

// ---- one scheduling attempt ----

export type ScheduleResult =
  | { node: string }
  | { unschedulable: true; reason: 'Unschedulable' | 'SchedulingGated'; message: string; preemption?: Victims };

/**
 * Filters, scores and picks a node (ties broken by `rand`), or explains why none fits and, when
 * preemption can help, which pods to evict on which node (the shell deletes them and sets
 * status.nominatedNodeName).
 */
export function schedule(pod: Pod, nodes: readonly Node[], podsByNode: PodsByNode, pdbs: readonly PodDisruptionBudget[] = [], rand: () => number = () => 0): ScheduleResult {
  if ((pod.spec?.schedulingGates ?? []).length) return { unschedulable: true, reason: 'SchedulingGated', message: 'Scheduling is blocked due to non-empty scheduling gates' };
  // NodeAffinity's PreFilter: a pod pinned by `matchFields metadata.name` (every daemon pod) is
  // only checked against its node, so placing N daemon pods is not N × nodes work.
  const pinned = pinnedNodeNames(pod);
  if (pinned) {
    const candidates = nodes.filter((n) => pinned.has(n.metadata?.name ?? ''));
    const { feasible } = filterNodes(pod, candidates, podsByNode);
    if (feasible.length) return { node: feasible[Math.min(feasible.length - 1, Math.floor(rand() * feasible.length))].metadata!.name! };
  }
  const { feasible, failures } = filterNodes(pod, nodes, podsByNode);
  if (feasible.length) {
    const scores = scoreNodes(pod, feasible, podsByNode);
    const top = Math.max(...scores.map((s) => s.score));
    const best = scores.filter((s) => s.score === top);
    return { node: best[Math.min(best.length - 1, Math.floor(rand() * best.length))].node };
  }
  const message = fitMessage(nodes.length, [...failures.values()].map((f) => f.reasons));
  const pre = selectVictims(pod, nodes, podsByNode, pdbs, failures);
  // FitError appends the post-filter message with " %v."; the inner message already ends in a
  // period, which is why real clusters show "..", reproduced here on purpose.
  if ('message' in pre) return { unschedulable: true, reason: 'Unschedulable', message: `${message} preemption: ${pre.message}.` };
  return { unschedulable: true, reason: 'Unschedulable', message, preemption: pre };
}

/**
 * Node names a pod's required node affinity allows by `matchFields metadata.name In`, when every
 * term names its nodes that way; undefined when any node might do.
 */
export function pinnedNodeNames(pod: Pod): Set<string> | undefined {
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  if (!terms.length) return undefined;
  const names = new Set<string>();
  for (const t of terms) {
    const f = (t.matchFields ?? []).find((r) => r.key === 'metadata.name' && r.operator === 'In');
    if (!f) return undefined;
    for (const v of f.values ?? []) names.add(v);
  }
  return names;
}

/** The PodScheduled=False condition the scheduler writes for a failed attempt. */
export function unschedulableCondition(r: Extract<ScheduleResult, { unschedulable: true }>, nowIso: string): PodCondition {
  return { type: 'PodScheduled', status: 'False', reason: r.reason, message: r.message, lastTransitionTime: nowIso };
}

// Make-room (spec.makeRoom: true): which pods to evict so that a pending daemon pod fits on its
// node. Pure. The choice follows the scheduler's preemption (selectVictimsOnNode): only pods of
// lower priority than the daemon pod, never another daemon pod nor a mirror (static) pod, never a
// pod whose PodDisruptionBudget has no disruption left; lowest priority first (within a priority,
// the largest first, so that few go), then every victim not needed after all is reprieved,
// highest priority first, so that no chosen pod could have stayed.
import type { Node, Pod, PodDisruptionBudget } from '../api/types.js';
import { podRequests, toAmounts, type ResourceAmounts } from '../api/quantity.js';
import { labelSelectorMatches } from '../api/selector.js';
import { podPriority } from '../api/scheduling.js';

export type MakeRoomPlan =
  | { fits: true; evict: Pod[] }
  /**
   * `blockedBy`: the PodDisruptionBudgets (`<ns>/<name>`) without a disruption left that guard
   * pods whose eviction would have made room; empty when even evicting those would not.
   */
  | { fits: false; reason: string; blockedBy: string[] };

/** The kubelet's annotation on the API's copy of a static pod (kubetypes.ConfigMirrorAnnotationKey). */
export const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

export interface MakeRoomInput {
  node: Node;
  /** Pods bound to the node (any phase; terminal ones hold nothing, terminating ones still do). */
  pods: readonly Pod[];
  /** The daemon pod that does not fit. */
  pending: Pod;
  /** PodDisruptionBudgets of the namespaces concerned (status.disruptionsAllowed is read). */
  pdbs: readonly PodDisruptionBudget[];
}

const isTerminal = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
const isDaemon = (p: Pod) => p.metadata?.ownerReferences?.some((o) => o?.controller === true && o.kind === 'DaemonSet') === true;
const isMirror = (p: Pod) => p.metadata?.annotations?.[MIRROR_POD_ANNOTATION] !== undefined;
const pdbKey = (b: PodDisruptionBudget) => `${b.metadata?.namespace ?? ''}/${b.metadata?.name ?? ''}`;
const keyOf = (p: Pod) => `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;

/** What a pod holds: its requests, plus one "pods" slot (as the scheduler's NodeResourcesFit counts). */
function holds(p: Pod): ResourceAmounts {
  return { ...podRequests(p), pods: 1n };
}

/** The resources the pending pod asks for and the node lacks with `using` in use; none missing = fits. */
function missing(allocatable: ResourceAmounts, using: ResourceAmounts, want: ResourceAmounts): string[] {
  return Object.keys(want).filter((r) => want[r] > 0n && (using[r] ?? 0n) + want[r] > (allocatable[r] ?? 0n)).sort();
}

function sum(pods: readonly Pod[]): ResourceAmounts {
  const out: ResourceAmounts = {};
  for (const p of pods) for (const [k, v] of Object.entries(holds(p))) out[k] = (out[k] ?? 0n) + v;
  return out;
}

/** The PDBs (same namespace, selector matching) that guard a pod. */
function guards(p: Pod, pdbs: readonly PodDisruptionBudget[]): PodDisruptionBudget[] {
  return pdbs.filter((b) => b.metadata?.namespace === p.metadata?.namespace && b.spec?.selector !== undefined && labelSelectorMatches(b.spec.selector, p.metadata?.labels));
}

export function planMakeRoom(input: MakeRoomInput): MakeRoomPlan {
  const plan = choose(input);
  if (plan.fits || !input.pdbs.length) return plan;
  // Would it fit were the budgets ignored? Then the budgets of the pods it would take are what blocks.
  const unguarded = choose({ ...input, pdbs: [] });
  if (!unguarded.fits) return plan;
  const blockedBy = new Set<string>();
  for (const p of unguarded.evict) {
    const gs = guards(p, input.pdbs);
    if (gs.length > 1 || gs.some((b) => (b.status?.disruptionsAllowed ?? 0) <= 0)) for (const b of gs) blockedBy.add(pdbKey(b));
  }
  // Budgets with a disruption left can block too, once spent on an earlier victim: name them all.
  if (!blockedBy.size) for (const p of unguarded.evict) for (const b of guards(p, input.pdbs)) blockedBy.add(pdbKey(b));
  const names = [...blockedBy].sort();
  return { fits: false, blockedBy: names, reason: `evicting ${unguarded.evict.map(keyOf).join(', ')} would make room on node ${input.node.metadata?.name ?? ''}, but PodDisruptionBudget ${names.join(', ')} allows no disruption` };
}

function choose({ node, pods, pending, pdbs }: MakeRoomInput): MakeRoomPlan {
  const allocatable = { ...toAmounts(node.status?.allocatable as Record<string, string> | undefined) };
  const want = holds(pending);
  const live = pods.filter((p) => !isTerminal(p) && keyOf(p) !== keyOf(pending));
  if (!missing(allocatable, sum(live), want).length) return { fits: true, evict: [] };

  const priority = podPriority(pending);
  const budgets = new Map<PodDisruptionBudget, number>();
  const left = (b: PodDisruptionBudget) => budgets.get(b) ?? Math.max(0, b.status?.disruptionsAllowed ?? 0);
  const size = (p: Pod) => Object.values(podRequests(p)).reduce((a, v) => a + v, 0n);
  const candidates = live
    .filter((p) => !p.metadata?.deletionTimestamp && !isDaemon(p) && !isMirror(p) && podPriority(p) < priority)
    .sort((a, b) => podPriority(a) - podPriority(b) || (size(b) > size(a) ? 1 : size(b) < size(a) ? -1 : 0) || (keyOf(a) < keyOf(b) ? -1 : 1));

  // Take victims in order until the pod fits, spending their PDBs' disruptions.
  const victims: Pod[] = [];
  const evicted = new Set<Pod>();
  for (const p of candidates) {
    const gs = guards(p, pdbs);
    if (gs.length > 1 || gs.some((b) => left(b) <= 0)) continue; // the Eviction API refuses these
    for (const b of gs) budgets.set(b, left(b) - 1);
    victims.push(p);
    evicted.add(p);
    if (!missing(allocatable, sum(live.filter((x) => !evicted.has(x))), want).length) break;
  }
  const stillMissing = missing(allocatable, sum(live.filter((x) => !evicted.has(x))), want);
  if (stillMissing.length) {
    return { fits: false, blockedBy: [], reason: `evicting every lower-priority pod that its disruption budget allows would not free enough ${stillMissing.join(', ')} on node ${node.metadata?.name ?? ''}` };
  }
  // Reprieve: highest priority first, keep any victim the pod fits without.
  for (const p of [...victims].reverse()) {
    evicted.delete(p);
    if (missing(allocatable, sum(live.filter((x) => !evicted.has(x))), want).length) evicted.add(p);
  }
  return { fits: true, evict: victims.filter((p) => evicted.has(p)) };
}

// One make-room round of a rollout sync (spec.makeRoom: true), as data: which new daemon pods of
// the targets are held back for lack of room on their node — as the scheduler reports it
// (PodScheduled=False, "Insufficient cpu" / "Too many pods") or the kubelet (phase Failed,
// reason OutOfcpu, OutOfmemory, OutOfpods, …) — and, per such node, the pods to evict or why
// none can be. Pure; the shell (controller-makeroom.ts) carries the evictions out.
import type { Node, Pod, PodDisruptionBudget } from '../api/types.js';
import { REVISION_HASH_LABEL, targetNodeName } from '../controller/core/pods.js';
import { planMakeRoom } from './makeroom.js';

/** The blocker make-room adds when a PodDisruptionBudget stops it (a 429 from the Eviction API, or a budget known spent). */
export const EVICTION_BLOCKED = 'EvictionBlocked';

export interface RoomTarget { uid: string; toRevision: string }

export interface MakeRoomRoundInput {
  /** The targets' daemon pods (any node, any phase). */
  daemonPods: readonly Pod[];
  /** The targeted DaemonSets (by UID) and the revision each rolls to: only its new pods get room. */
  targets: readonly RoomTarget[];
  node(name: string): Node | undefined;
  /** Every pod bound to the node, of any namespace the controller sees. */
  podsOn(name: string): readonly Pod[];
  pdbs: readonly PodDisruptionBudget[];
}

export type NodeRoom =
  | { node: string; pending: Pod; action: 'Evict'; evict: Pod[] }
  /** Pods on the node are already terminating (earlier victims, the old daemon pod): their room comes first. */
  | { node: string; pending: Pod; action: 'Wait'; message: string }
  | { node: string; pending: Pod; action: 'Blocked'; reason: typeof EVICTION_BLOCKED | 'InsufficientResources'; message: string };

const ROOM_MESSAGE = /Insufficient |Too many pods/;

/** What the scheduler or the kubelet said about a pod held back for lack of room, or undefined. */
export function lackOfRoom(pod: Pod): string | undefined {
  if (pod.metadata?.deletionTimestamp) return undefined;
  const s = pod.status;
  if (s?.phase === 'Failed' && typeof s.reason === 'string' && /^OutOf/.test(s.reason)) return s.message ?? s.reason;
  if (s?.phase !== 'Pending' && s?.phase !== undefined) return undefined;
  const scheduled = s?.conditions?.find((c) => c?.type === 'PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable' && ROOM_MESSAGE.test(scheduled.message ?? '')) return scheduled.message;
  return undefined;
}

const isTerminal = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
const name = (p: Pod) => `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;

/** One decision per node whose new daemon pod lacks room (the first such pod by name), sorted by node. */
export function makeRoomRound(input: MakeRoomRoundInput): NodeRoom[] {
  const wanted = new Map(input.targets.map((t) => [t.uid, t.toRevision]));
  const byNode = new Map<string, Pod>();
  for (const p of input.daemonPods) {
    const ref = p.metadata?.ownerReferences?.find((o) => o?.controller === true);
    const to = ref?.kind === 'DaemonSet' && ref.uid ? wanted.get(ref.uid) : undefined;
    if (to === undefined || p.metadata?.labels?.[REVISION_HASH_LABEL] !== to || lackOfRoom(p) === undefined) continue;
    const node = targetNodeName(p);
    if (!node) continue;
    const had = byNode.get(node);
    if (!had || name(p) < name(had)) byNode.set(node, p);
  }
  const out: NodeRoom[] = [];
  for (const node of [...byNode.keys()].sort()) {
    const pending = byNode.get(node)!;
    const n = input.node(node);
    if (!n) continue;
    const pods = input.podsOn(node);
    const leaving = pods.filter((p) => p.metadata?.deletionTimestamp && !isTerminal(p));
    if (leaving.length) {
      out.push({ node, pending, action: 'Wait', message: `waiting for ${leaving.length} terminating pod(s) on node ${node} to free their resources` });
      continue;
    }
    const plan = planMakeRoom({ node: n, pods, pending, pdbs: input.pdbs });
    if (plan.fits) {
      // Fits already (the report is older than the room): the scheduler's retry places it.
      if (plan.evict.length) out.push({ node, pending, action: 'Evict', evict: plan.evict });
      continue;
    }
    out.push({ node, pending, action: 'Blocked', reason: plan.blockedBy.length ? EVICTION_BLOCKED : 'InsufficientResources', message: `make-room: ${plan.reason}` });
  }
  return out;
}

// DaemonSet status counters (§7) and the "skip a no-op write" rule.
import type { DaemonSet, DaemonSetStatus, Node, Pod } from '../../api/types.js';
import { eligibilityOf, type Eligibility } from './eligibility.js';
import { availableAtMs, compareOldestFirst, isPodAvailable, isPodReady, isPodUpdated, templateGeneration } from './pods.js';

export interface StatusInput {
  ds: DaemonSet;
  nodes: readonly Node[];
  /** Grouped without deleted terminal pods (groupPodsByNode default). */
  podsByNode: ReadonlyMap<string, readonly Pod[]>;
  hash: string;
  nowMs: number;
  /** Only full syncs (expectations satisfied) advance observedGeneration. */
  updateObservedGeneration: boolean;
  /** The DaemonSet's eligibility per node, indexed like `nodes` and shared by one sync's steps (default: computed here). */
  eligibility?: readonly Eligibility[];
}

export interface StatusResult {
  status: DaemonSetStatus;
  /** Upstream requeues after minReadySeconds while numberReady != numberAvailable; we compute the
   *  exact moment the first Ready pod becomes available, which is never later. */
  requeueAfterMs?: number;
}

/** Counts over existing nodes, judging each node by its oldest pod; conditions and collisionCount are kept. */
export function computeStatus(input: StatusInput): StatusResult {
  const { ds, nodes, podsByNode, hash, nowMs } = input;
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const generation = templateGeneration(ds);
  let desired = 0, current = 0, misscheduled = 0, ready = 0, available = 0, updated = 0;
  let wakeAt: number | undefined;
  const eligibility = input.eligibility ?? eligibilityOf(nodes, ds);
  for (let i = 0; i < nodes.length; i++) {
    const pods = podsByNode.get(nodes[i].metadata?.name ?? '') ?? [];
    const { shouldRun } = eligibility[i];
    if (!shouldRun) { if (pods.length > 0) misscheduled++; continue; }
    desired++;
    if (pods.length === 0) continue;
    current++;
    const oldest = pods.length === 1 ? pods[0] : [...pods].sort(compareOldestFirst)[0];
    if (isPodReady(oldest)) {
      ready++;
      if (isPodAvailable(oldest, minReady, nowMs)) available++;
      else {
        const at = availableAtMs(oldest, minReady);
        if (at !== undefined && at > nowMs) wakeAt = wakeAt === undefined ? at : Math.min(wakeAt, at);
      }
    }
    if (isPodUpdated(oldest, hash, generation)) updated++;
  }
  const status: DaemonSetStatus = {
    ...(ds.status ?? {}),
    currentNumberScheduled: current,
    numberMisscheduled: misscheduled,
    desiredNumberScheduled: desired,
    numberReady: ready,
    updatedNumberScheduled: updated,
    numberAvailable: available,
    numberUnavailable: desired - available,
    observedGeneration: input.updateObservedGeneration ? ds.metadata?.generation ?? 0 : ds.status?.observedGeneration,
  };
  if (status.observedGeneration === undefined) delete status.observedGeneration;
  return wakeAt === undefined ? { status } : { status, requeueAfterMs: wakeAt - nowMs };
}

const COUNTERS = [
  'desiredNumberScheduled', 'currentNumberScheduled', 'numberMisscheduled', 'numberReady',
  'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable',
] as const;

/** The seven counters, observedGeneration and collisionCount are equal (absent counters read as 0). */
export function statusEqual(a: DaemonSetStatus | undefined, b: DaemonSetStatus | undefined): boolean {
  return COUNTERS.every((k) => (a?.[k] ?? 0) === (b?.[k] ?? 0)) &&
    (a?.observedGeneration ?? 0) === (b?.observedGeneration ?? 0) &&
    (a?.collisionCount ?? null) === (b?.collisionCount ?? null);
}

/** storeDaemonSetStatus' skip rule: counters and collisionCount unchanged and observedGeneration caught up. */
export function statusNeedsWrite(ds: DaemonSet, next: DaemonSetStatus): boolean {
  const cur = ds.status;
  const countersSame = COUNTERS.every((k) => (cur?.[k] ?? 0) === (next[k] ?? 0));
  const collisionSame = (cur?.collisionCount ?? null) === (next.collisionCount ?? null);
  return !(countersSame && collisionSame && (cur?.observedGeneration ?? 0) >= (ds.metadata?.generation ?? 0));
}

type StatusChange = (base: DaemonSetStatus | undefined) => DaemonSetStatus;

/**
 * What a sync writes onto a status (storeDaemonSetStatus): the seven counters it computed and,
 * for a full sync, observedGeneration; every other field (conditions, collisionCount) stays as
 * the base has it, so a retry on a freshly read object keeps what another writer set there.
 */
export function withCounters(computed: DaemonSetStatus, observedGeneration?: number): StatusChange {
  return (base) => {
    const next: DaemonSetStatus = { ...(base ?? {}) } as DaemonSetStatus;
    for (const k of COUNTERS) next[k] = computed[k] ?? 0;
    if (observedGeneration !== undefined) next.observedGeneration = observedGeneration;
    return next;
  };
}

/** A hash collision: collisionCount + 1 on whatever the base holds (upstream bumps the freshly read object). */
export const withCollisionBumped: StatusChange = (base) => ({ ...(base ?? {}), collisionCount: (base?.collisionCount ?? 0) + 1 } as DaemonSetStatus);

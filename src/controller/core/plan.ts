// plan(snapshot): one full DaemonSet sync as data — history, manage, rolling update, cleanup, status.
import type { ControllerRevision, DaemonSet, DaemonSetStatus, Node, Pod } from '../../api/types.js';
import { rfc3339 } from '../../api/meta.js';
import { isEmptyLabelSelector } from '../../api/selector.js';
import type { BackoffState } from './backoff.js';
import { selectingAllEvent } from './events.js';
import { planHistory, revisionsToCleanUp } from './history.js';
import { BURST_REPLICAS, groupPodsByNode, manage, type CoreEvent, type PodDeletion } from './manage.js';
import { newDaemonPod, REVISION_HASH_LABEL } from './pods.js';
import { rollingUpdate } from './rollout.js';
import { computeStatus, statusNeedsWrite } from './status.js';
import { eligibilityOf } from './eligibility.js';

export interface Snapshot {
  ds: DaemonSet;
  nodes: readonly Node[];
  /** Pods this DaemonSet controls after claiming (claimObjects), terminating and terminal ones included. */
  pods: readonly Pod[];
  /** ControllerRevisions this DaemonSet controls after claiming. */
  revisions: readonly ControllerRevision[];
  nowMs: number;
  backoff: BackoffState;
  bindDirectly: boolean;
}

export interface Plan {
  createRevision?: ControllerRevision;
  /** Whole objects to PUT back (hash-label migration, renumbering on rollback). */
  updateRevisions: ControllerRevision[];
  deleteRevisions: string[];
  /** Pods to patch with a new controller-revision-hash label (after duplicate revisions are merged). */
  relabelPods: { name: string; hash: string }[];
  /** At most 250, in node-list order; the shell creates them with slow start (slowstart.ts), before deleting. */
  createPods: { nodeName: string; pod: Pod }[];
  /** At most 250. */
  deletePods: PodDeletion[];
  status: DaemonSetStatus;
  /** False when the status write would be a no-op or must not happen (being deleted, selecting all). */
  writeStatus: boolean;
  /** A genuine hash collision: the status write is collisionCount + 1 alone (on the freshly read object after a conflict). */
  bumpCollisionCount?: true;
  /** Decision events (SelectingAll, FailedDaemonPod, SucceededDaemonPod); the shell adds per-call ones. */
  events: CoreEvent[];
  requeueAfterMs?: number;
  backoff: BackoffState;
}

const minDefined = (...xs: (number | undefined)[]) => {
  const ds = xs.filter((x): x is number => x !== undefined);
  return ds.length ? Math.min(...ds) : undefined;
};

const ZERO_STATUS: DaemonSetStatus = { currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0 };

function emptyPlan(s: Snapshot, events: CoreEvent[] = []): Plan {
  return {
    updateRevisions: [], deleteRevisions: [], relabelPods: [], createPods: [], deletePods: [],
    status: s.ds.status ?? ZERO_STATUS, writeStatus: false, events, backoff: s.backoff,
  };
}

export function plan(s: Snapshot): Plan {
  const { ds, nodes, nowMs } = s;
  if (ds.spec?.selector && isEmptyLabelSelector(ds.spec.selector)) return emptyPlan(s, [selectingAllEvent()]);
  if (ds.metadata?.deletionTimestamp) return emptyPlan(s);

  const history = planHistory(ds, s.revisions);
  if (history.collision) {
    // Genuine hash collision: bump collisionCount and stop; the status write triggers the next sync.
    const status = { ...(ds.status ?? ZERO_STATUS), collisionCount: (ds.status?.collisionCount ?? 0) + 1 };
    return { ...emptyPlan(s), updateRevisions: history.updates, status, writeStatus: true, bumpCollisionCount: true };
  }
  const hash = history.hash;

  const relabelTo = history.relabelPodsTo;
  const relabelPods = relabelTo === undefined ? [] : s.pods
    .filter((p) => p.metadata?.labels?.[REVISION_HASH_LABEL] !== relabelTo)
    .map((p) => ({ name: p.metadata?.name ?? '', hash: relabelTo }));
  const pods = relabelTo === undefined ? s.pods : s.pods.map((p) => relabelPods.some((r) => r.name === p.metadata?.name)
    ? { ...p, metadata: { ...p.metadata, labels: { ...(p.metadata?.labels ?? {}), [REVISION_HASH_LABEL]: relabelTo } } }
    : p);
  const newPod = (nodeName: string) => newDaemonPod(ds, nodeName, hash, { bindDirectly: s.bindDirectly });

  // Upstream runs the rolling update in the same sync once manage's writes are observed (its unit
  // tests observe them immediately); we get the same answers by projecting manage's writes onto
  // the snapshot. Status, however, reports only what is observed: counting pods that do not exist
  // yet would tell `kubectl rollout status` and users more than is true.
  // One eligibility per node and one grouping of the observed pods for the whole sync: manage,
  // the rolling update and the status each walk every node.
  const eligibility = eligibilityOf(nodes, ds);
  const observedByNode = groupPodsByNode(pods);
  const managed = manage({ ds, nodes, podsByNode: observedByNode, hash, nowMs, backoff: s.backoff, eligibility });
  const createNodes = managed.nodesNeedingPods.slice(0, BURST_REPLICAS);
  const deletePods = managed.podsToDelete.slice(0, BURST_REPLICAS);
  let projected = project(pods, createNodes, deletePods, newPod, nowMs);
  let rolloutRequeue: number | undefined;
  if (ds.spec?.updateStrategy?.type === 'RollingUpdate') {
    // Most syncs of a large fleet create and delete nothing (pods becoming ready): the projection
    // is then the observed pods, already grouped.
    const projectedByNode = createNodes.length || deletePods.length ? groupPodsByNode(projected) : observedByNode;
    const rolled = rollingUpdate({ ds, nodes, podsByNode: projectedByNode, hash, nowMs, eligibility });
    // No new pod beside one that manage deletes in this very sync: upstream rolls only once
    // manage's writes are observed, and the shell creates before it deletes, so surging here
    // would leave three live pods on the node until (and unless) the delete lands.
    const gone = new Set(deletePods.map((d) => d.name));
    const pruned = new Set([...observedByNode].filter(([, ps]) => ps.some((p) => gone.has(p.metadata?.name ?? ''))).map(([node]) => node));
    const more = rolled.nodesNeedingPods.filter((n) => !pruned.has(n)).slice(0, BURST_REPLICAS);
    const fewer = rolled.podsToDelete.slice(0, BURST_REPLICAS);
    createNodes.push(...more);
    deletePods.push(...fewer);
    projected = project(projected, more, fewer, newPod, nowMs);
    rolloutRequeue = rolled.requeueAfterMs;
  }

  const { status, requeueAfterMs: statusRequeue } = computeStatus({
    ds, nodes, podsByNode: observedByNode, hash, nowMs, updateObservedGeneration: true, eligibility,
  });
  const requeueAfterMs = minDefined(managed.requeueAfterMs, rolloutRequeue, statusRequeue);
  return {
    ...(history.create ? { createRevision: history.create } : {}),
    updateRevisions: history.updates,
    deleteRevisions: [...history.deletes, ...revisionsToCleanUp(ds, history.old, projected)],
    relabelPods,
    createPods: createNodes.map((nodeName) => ({ nodeName, pod: newPod(nodeName) })),
    deletePods,
    status,
    writeStatus: statusNeedsWrite(ds, status),
    events: managed.events,
    ...(requeueAfterMs !== undefined ? { requeueAfterMs } : {}),
    backoff: managed.backoff,
  };
}

/** The pods as they will be once the given creates and deletes are done (created pods get placeholder names). */
function project(pods: readonly Pod[], createNodes: readonly string[], deletes: readonly PodDeletion[],
  newPod: (nodeName: string) => Pod, nowMs: number): readonly Pod[] {
  if (!createNodes.length && !deletes.length) return pods;
  const gone = new Set(deletes.map((d) => d.name));
  const created = createNodes.map((nodeName) => {
    const pod = newPod(nodeName);
    pod.metadata = { ...pod.metadata, name: `${PLANNED_POD_PREFIX}${nodeName}`, creationTimestamp: rfc3339(nowMs) };
    return pod;
  });
  return [...pods.filter((p) => !gone.has(p.metadata?.name ?? '')), ...created];
}

const PLANNED_POD_PREFIX = '(planned)/';

/**
 * Status only, for syncs whose expectations are not yet satisfied (observedGeneration untouched).
 * Pods count as updated by the current revision's hash, as in a full sync (upstream builds the
 * history before checking expectations), not by the template's: the two differ when the matching
 * revision was made under another collisionCount, and the status would flip between syncs.
 */
export function planStatusOnly(s: Snapshot): { status: DaemonSetStatus; writeStatus: boolean; requeueAfterMs?: number } {
  const hash = planHistory(s.ds, s.revisions).hash;
  const r = computeStatus({ ds: s.ds, nodes: s.nodes, podsByNode: groupPodsByNode(s.pods), hash, nowMs: s.nowMs, updateObservedGeneration: false });
  return { ...r, writeStatus: statusNeedsWrite(s.ds, r.status) };
}

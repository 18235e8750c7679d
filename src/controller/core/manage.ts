// manage / podsShouldBeOnNode (§5.4): which nodes need a pod and which pods must go.
import type { DaemonSet, Node, Pod } from '../../api/types.js';
import { advanceBackoff, failedPodBackoffKey, inBackoff, type BackoffState } from './backoff.js';
import { eligibilityOf, type Eligibility } from './eligibility.js';
import { compareOldestFirst, isPodAvailable, isPodReady, isTerminal, isTerminating, REVISION_HASH_LABEL, targetNodeName, unlistedTargets } from './pods.js';
import { allowsSurge } from './rollout.js';
import type { DeleteReason, PodDeletion } from './deletion.js';

export const BURST_REPLICAS = 250;

export type { DeleteReason, PodDeletion } from './deletion.js';
export interface CoreEvent { type: 'Normal' | 'Warning'; reason: string; message: string }

/**
 * getNodesToDaemonPods: pods grouped by target node, in input order. Pods with no target are
 * skipped; terminal pods that are being deleted are dropped unless includeDeletedTerminal.
 */
export function groupPodsByNode(pods: readonly Pod[], includeDeletedTerminal = false): Map<string, Pod[]> {
  const out = new Map<string, Pod[]>();
  for (const pod of pods) {
    if (!includeDeletedTerminal && isTerminal(pod) && isTerminating(pod)) continue;
    const node = targetNodeName(pod);
    if (node === undefined) continue;
    const list = out.get(node);
    if (list) list.push(pod); else out.set(node, [pod]);
  }
  return out;
}

export interface ManageInput {
  ds: DaemonSet;
  nodes: readonly Node[];
  podsByNode: ReadonlyMap<string, readonly Pod[]>;
  hash: string;
  nowMs: number;
  backoff: BackoffState;
  /** The DaemonSet's eligibility per node, indexed like `nodes` and shared by one sync's steps (default: computed here). */
  eligibility?: readonly Eligibility[];
}

export interface ManageResult {
  /** Nodes needing a new pod, in node-list order (before the burst cap). */
  nodesNeedingPods: string[];
  podsToDelete: PodDeletion[];
  events: CoreEvent[];
  backoff: BackoffState;
  /** Shortest failed-pod back-off still running: look again after it. */
  requeueAfterMs?: number;
}

export function manage(input: ManageInput): ManageResult {
  const { ds, nodes, podsByNode, hash, nowMs } = input;
  const ns = ds.metadata?.namespace ?? '';
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const surge = allowsSurge(ds);
  let backoff = input.backoff;
  let requeueAfterMs: number | undefined;
  const nodesNeedingPods: string[] = [];
  const podsToDelete: PodDeletion[] = [];
  const events: CoreEvent[] = [];
  const del = (pod: Pod, reason: DeleteReason) => podsToDelete.push({ name: pod.metadata?.name ?? '', reason });

  const eligibility = input.eligibility ?? eligibilityOf(nodes, ds);
  for (let i = 0; i < nodes.length; i++) {
    const nodeName = nodes[i].metadata?.name ?? '';
    const { shouldRun, shouldContinueRunning } = eligibility[i];
    const pods = podsByNode.get(nodeName) ?? [];
    const exists = pods.length > 0;

    if (shouldRun && !exists) { nodesNeedingPods.push(nodeName); continue; }
    if (!shouldContinueRunning) {
      if (exists) for (const pod of pods) if (!isTerminating(pod)) del(pod, 'not-eligible');
      continue;
    }

    const running: Pod[] = [];
    for (const pod of pods) {
      if (isTerminating(pod)) continue;
      if (pod.status?.phase === 'Failed') {
        const key = failedPodBackoffKey(ds, nodeName);
        if (inBackoff(backoff, key, nowMs)) {
          const delay = backoff[key].delayMs; // upstream requeues after the full delay, not the remainder
          requeueAfterMs = requeueAfterMs === undefined ? delay : Math.min(requeueAfterMs, delay);
          continue;
        }
        backoff = advanceBackoff(backoff, key, nowMs);
        events.push({ type: 'Warning', reason: 'FailedDaemonPod', message: `Found failed daemon pod ${ns}/${pod.metadata?.name ?? ''} on node ${nodeName}, will try to kill it` });
        del(pod, 'failed');
      } else if (pod.status?.phase === 'Succeeded') {
        events.push({ type: 'Normal', reason: 'SucceededDaemonPod', message: `Found succeeded daemon pod ${ns}/${pod.metadata?.name ?? ''} on node ${nodeName}, will try to delete it` });
        del(pod, 'succeeded');
      } else {
        running.push(pod);
      }
    }

    if (!surge) {
      // Keep the oldest, whatever its revision. With 0 left the replacement comes next sync.
      if (running.length > 1) [...running].sort(compareOldestFirst).slice(1).forEach((p) => del(p, 'duplicate'));
      continue;
    }
    if (running.length <= 1) {
      if (running.length === 0 && shouldRun) nodesNeedingPods.push(nodeName);
      continue;
    }
    // Surge: keep the oldest new and the oldest old pod; the old one goes once it is unready
    // or the new one is available.
    let oldestNew: Pod | undefined, oldestOld: Pod | undefined;
    for (const pod of [...running].sort(compareOldestFirst)) {
      const isNew = pod.metadata?.labels?.[REVISION_HASH_LABEL] === hash;
      if (isNew && !oldestNew) oldestNew = pod;
      else if (!isNew && !oldestOld) oldestOld = pod;
      else del(pod, 'duplicate');
    }
    if (oldestNew && oldestOld && (!isPodReady(oldestOld) || isPodAvailable(oldestNew, minReady, nowMs))) {
      del(oldestOld, 'surge-replaced');
    }
  }

  // Pending pods pinned to a node that no longer exists would never be scheduled nor GC'd.
  for (const nodeName of unlistedTargets(nodes, podsByNode)) {
    for (const pod of podsByNode.get(nodeName) ?? []) if (!pod.spec?.nodeName) del(pod, 'node-gone');
  }
  return { nodesNeedingPods, podsToDelete, events, backoff, ...(requeueAfterMs !== undefined ? { requeueAfterMs } : {}) };
}


// Which DaemonSets a node or pod change concerns (§5.1) — pure parts of the event handlers.
import type { DaemonSet, KObject, Node, ObjectMeta, Pod } from '../../api/types.js';
import { controllerRefOf, keyOf } from '../../api/meta.js';
import { isEmptyLabelSelector, labelSelectorMatches } from '../../api/selector.js';
import { canonicalJson } from './hash.js';
import { nodeShouldRunDaemonPod } from './eligibility.js';

/** Node updates matter only when labels or taints changed. */
export function nodeChangeMatters(oldNode: Node, newNode: Node): boolean {
  return canonicalJson(oldNode.metadata?.labels ?? {}) !== canonicalJson(newNode.metadata?.labels ?? {}) ||
    canonicalJson(oldNode.spec?.taints ?? []) !== canonicalJson(newNode.spec?.taints ?? []);
}

/** syncNodeUpdate (≥1.34): enqueue when a pod is missing, must go, or misscheduled counts may be stale. */
export function daemonSetNeedsSyncForNode(ds: DaemonSet, node: Node, hasPodOnNode: boolean): boolean {
  const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
  return (shouldRun && !hasPodOnNode) || (!shouldContinueRunning && hasPodOnNode) ||
    (hasPodOnNode && (ds.status?.numberMisscheduled ?? 0) > 0);
}

/** A pod or ControllerRevision: what a DaemonSet owns or may adopt. */
type Dependent = { metadata?: ObjectMeta };

function ownerKey(pod: Dependent, dses: readonly DaemonSet[]): string | undefined {
  const ref = controllerRefOf(pod as KObject);
  if (ref?.kind !== 'DaemonSet') return undefined;
  const owner = dses.find((d) => d.metadata?.namespace === pod.metadata?.namespace && d.metadata?.name === ref.name && d.metadata?.uid === ref.uid);
  return owner ? keyOf(owner) : undefined;
}

/** A malformed selector matches nothing here rather than hiding the pod from every other DaemonSet. */
function selects(d: DaemonSet, pod: Dependent): boolean {
  try {
    return !isEmptyLabelSelector(d.spec?.selector) && labelSelectorMatches(d.spec?.selector, pod.metadata?.labels);
  } catch {
    return false;
  }
}

function matchingKeys(pod: Dependent, dses: readonly DaemonSet[]): string[] {
  return dses.filter((d) => d.metadata?.namespace === pod.metadata?.namespace && selects(d, pod)).map(keyOf).sort();
}

const ownedKeys = (pod: Dependent, dses: readonly DaemonSet[]) => { const k = ownerKey(pod, dses); return k ? [k] : []; };

/**
 * Keys of the DaemonSets a pod add (old undefined), update, or delete (new undefined) should
 * enqueue: the controller if it is a known DaemonSet (UID must match); for orphans, every
 * DaemonSet in the namespace whose non-empty selector matches — on add, or on an update that
 * changed labels or the controllerRef. Orphan deletes concern nobody.
 */
export function daemonSetKeysForPodChange(oldPod: Dependent | undefined, newPod: Dependent | undefined, dses: readonly DaemonSet[]): string[] {
  if (!newPod) return oldPod ? ownedKeys(oldPod, dses) : [];
  if (newPod.metadata?.deletionTimestamp) return ownedKeys(newPod, dses);
  if (!oldPod) return controllerRefOf(newPod as KObject) ? ownedKeys(newPod, dses) : matchingKeys(newPod, dses);
  if (oldPod.metadata?.resourceVersion === newPod.metadata?.resourceVersion) return [];
  const oldRef = controllerRefOf(oldPod as KObject), newRef = controllerRefOf(newPod as KObject);
  const refChanged = canonicalJson(oldRef ?? null) !== canonicalJson(newRef ?? null);
  const keys = refChanged && oldRef ? ownedKeys(oldPod, dses) : [];
  if (newRef) keys.push(...ownedKeys(newPod, dses));
  else if (refChanged || canonicalJson(oldPod.metadata?.labels ?? {}) !== canonicalJson(newPod.metadata?.labels ?? {})) keys.push(...matchingKeys(newPod, dses));
  return [...new Set(keys)];
}

/**
 * The same for a ControllerRevision (upstream's addHistory/updateHistory/deleteHistory follow the
 * pod handlers' rules): its controller is synced, so a deleted or changed current revision is
 * recreated; an orphan concerns the DaemonSets whose selector matches it.
 */
export const daemonSetKeysForRevisionChange = daemonSetKeysForPodChange;

const terminal = (p: Pod) => p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded';

/**
 * A pod update that can only move the DaemonSet's status (readiness, availability, the
 * scheduler's binding), not which pods must exist: not being deleted, same labels and owners,
 * not newly terminal (a failed daemon pod is replaced). The controller coalesces the syncs such
 * changes cause; at 5,000 nodes every pod is bound and becomes ready, and a full sync each time
 * would keep the controller busy re-planning the whole fleet.
 */
export function isStatusOnlyPodChange(oldPod: Pod, newPod: Pod): boolean {
  if (oldPod.metadata?.deletionTimestamp || newPod.metadata?.deletionTimestamp) return false;
  if (terminal(newPod) && !terminal(oldPod)) return false;
  return canonicalJson(oldPod.metadata?.labels ?? {}) === canonicalJson(newPod.metadata?.labels ?? {}) &&
    canonicalJson(oldPod.metadata?.ownerReferences ?? []) === canonicalJson(newPod.metadata?.ownerReferences ?? []);
}

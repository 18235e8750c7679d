// Should a daemon pod run (or keep running) on a node? (§2, NodeShouldRunDaemonPod)
import type { DaemonSet, Node, Toleration } from '../../api/types.js';
import { findUntoleratedTaint, isNoExecute, isScheduleEffect, podMatchesNodeAffinity } from '../../api/scheduling.js';
import { withDaemonTolerations } from './pods.js';

export interface Eligibility {
  /** Create a daemon pod here if none exists. */
  shouldRun: boolean;
  /** An existing daemon pod may stay here. */
  shouldContinueRunning: boolean;
}

/**
 * Evaluates the template as if it were a pod on `node`, with the automatic daemon tolerations.
 * Resources, ports, readiness and spec.unschedulable are deliberately not checked (the cordon
 * taint is auto-tolerated; fit is the scheduler's business).
 */
// One sync asks this for every node three times (manage, rolling update, status); the template's
// tolerations are the same each time, so their daemon-augmented form is computed once per
// tolerations array (an input we never mutate) instead of 3 × nodes times.
const augmented = new WeakMap<readonly Toleration[], Toleration[][]>();
const noTolerations: readonly Toleration[] = [];
function daemonTolerationsOf(existing: readonly Toleration[] | undefined, hostNetwork: boolean): Toleration[] {
  const key = existing ?? noTolerations;
  let byNet = augmented.get(key);
  if (!byNet) augmented.set(key, (byNet = []));
  const i = hostNetwork ? 1 : 0;
  return (byNet[i] ??= withDaemonTolerations(existing, hostNetwork));
}

/** A node's eligibility for one DaemonSet; plan() asks it three times per node (manage, rollout, status). */
export type EligibilityOf = (node: Node) => Eligibility;

/** nodeShouldRunDaemonPod for one DaemonSet, computed once per node object for the life of the returned function (one sync). */
export function eligibilityFor(ds: DaemonSet): EligibilityOf {
  const seen = new Map<Node, Eligibility>();
  return (node) => {
    let e = seen.get(node);
    if (!e) seen.set(node, (e = nodeShouldRunDaemonPod(node, ds)));
    return e;
  };
}

export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): Eligibility {
  const spec = ds.spec?.template?.spec;
  const nodeName = node.metadata?.name ?? '';
  if (spec?.nodeName && spec.nodeName !== nodeName) return { shouldRun: false, shouldContinueRunning: false };
  if (!podMatchesNodeAffinity(spec, node)) return { shouldRun: false, shouldContinueRunning: false };
  const tolerations = daemonTolerationsOf(spec?.tolerations, spec?.hostNetwork === true);
  const taints = node.spec?.taints;
  if (findUntoleratedTaint(taints, tolerations, isScheduleEffect)) {
    return { shouldRun: false, shouldContinueRunning: !findUntoleratedTaint(taints, tolerations, isNoExecute) };
  }
  return { shouldRun: true, shouldContinueRunning: true };
}

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

/**
 * nodeShouldRunDaemonPod for every node, in list order. One sync's manage, rolling update and
 * status each walk every node; they share this array (indexed like the node list) rather than
 * asking per node object: at 50,000 nodes a map of node → answer per sync cost more than the
 * answers.
 */
export function eligibilityOf(nodes: readonly Node[], ds: DaemonSet): Eligibility[] {
  return nodes.map((node) => nodeShouldRunDaemonPod(node, ds));
}

// The three possible answers, shared (frozen): a sync asks for every node, and fresh objects
// were most of its garbage.
const RUN: Eligibility = Object.freeze({ shouldRun: true, shouldContinueRunning: true });
const KEEP: Eligibility = Object.freeze({ shouldRun: false, shouldContinueRunning: true });
const NONE: Eligibility = Object.freeze({ shouldRun: false, shouldContinueRunning: false });

export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): Eligibility {
  const spec = ds.spec?.template?.spec;
  const nodeName = node.metadata?.name ?? '';
  if (spec?.nodeName && spec.nodeName !== nodeName) return NONE;
  if (!podMatchesNodeAffinity(spec, node)) return NONE;
  const tolerations = daemonTolerationsOf(spec?.tolerations, spec?.hostNetwork === true);
  const taints = node.spec?.taints;
  if (findUntoleratedTaint(taints, tolerations, isScheduleEffect)) {
    return findUntoleratedTaint(taints, tolerations, isNoExecute) ? NONE : KEEP;
  }
  return RUN;
}

// Should a daemon pod run (or keep running) on a node? (§2, NodeShouldRunDaemonPod)
import type { DaemonSet, Node } from '../../api/types.js';
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
export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): Eligibility {
  const spec = ds.spec?.template?.spec;
  const nodeName = node.metadata?.name ?? '';
  if (spec?.nodeName && spec.nodeName !== nodeName) return { shouldRun: false, shouldContinueRunning: false };
  if (!podMatchesNodeAffinity(spec, node)) return { shouldRun: false, shouldContinueRunning: false };
  const tolerations = withDaemonTolerations(spec?.tolerations, spec?.hostNetwork === true);
  const taints = node.spec?.taints;
  if (findUntoleratedTaint(taints, tolerations, isScheduleEffect)) {
    return { shouldRun: false, shouldContinueRunning: !findUntoleratedTaint(taints, tolerations, isNoExecute) };
  }
  return { shouldRun: true, shouldContinueRunning: true };
}

// MarkPodsNotReady (pure): which pods of a node that is not Ready lose their Ready condition,
// and the condition they get. The node lifecycle controller writes it; the simulated kubelet
// restores Ready once its node is Ready again, as a kubelet's status manager would.
import type { Node, Pod, PodCondition } from '../api/types.js';
import type { EventRegarding } from '../kube/eventsink.js';
import { findCondition } from './conditions.js';
import { rfc3339 } from '../api/meta.js';

/** nodeutil.IsNodeReady: only Ready=True is ready; False, Unknown or no condition is not. */
export function nodeIsReady(node: Node): boolean {
  return findCondition(node.status?.conditions, 'Ready')?.status === 'True';
}

/** The pods whose Ready condition is True: the only ones MarkPodsNotReady changes. */
export function podsToMarkNotReady<P extends Pod>(pods: readonly P[]): P[] {
  return pods.filter((p) => findCondition(p.status?.conditions, 'Ready')?.status === 'True');
}

/** The pod's Ready condition turned False (UpdatePodCondition: the transition time moves). */
export function notReadyCondition(pod: Pod, nowMs: number): PodCondition {
  const old = findCondition(pod.status?.conditions, 'Ready');
  return { ...old, type: 'Ready', status: 'False', lastTransitionTime: rfc3339(nowMs) };
}

export function regardingPod(pod: Pod): EventRegarding {
  return { apiVersion: 'v1', kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name ?? '', uid: pod.metadata?.uid, resourceVersion: pod.metadata?.resourceVersion };
}

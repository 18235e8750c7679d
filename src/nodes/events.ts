// The simulated kubelet's Events (pure): their shape as a kubelet posts them, the node events a
// kubelet records when it starts and when its Ready condition flips, and the fleet-wide budget
// that keeps 10,000 simulated kubelets from writing more events than the API server can absorb.
import type { Pod } from '../api/types.js';
import { rfc3339 } from '../api/meta.js';
import type { PodEvent } from './stages.js';

export interface KubeletEvent { namespace: string; body: object }

const eventName = (object: string, nowMs: number, seq: number) => `${object}.${nowMs.toString(16)}${seq.toString(16)}`;

/** An Event about a pod (or one of its containers) from the kubelet of `host`. */
export function kubeletPodEvent(pod: Pod, host: string, e: PodEvent, nowMs: number, seq: number): KubeletEvent {
  const ns = pod.metadata?.namespace ?? 'default';
  const t = rfc3339(nowMs);
  return {
    namespace: ns,
    body: {
      apiVersion: 'v1', kind: 'Event',
      metadata: { name: eventName(pod.metadata?.name ?? 'pod', nowMs, seq), namespace: ns },
      involvedObject: {
        apiVersion: 'v1', kind: 'Pod', namespace: ns, name: pod.metadata?.name, uid: pod.metadata?.uid, resourceVersion: pod.metadata?.resourceVersion,
        ...(e.container ? { fieldPath: `spec.containers{${e.container}}` } : {}),
      },
      type: e.type, reason: e.reason, message: e.message, count: 1, firstTimestamp: t, lastTimestamp: t,
      source: { component: 'kubelet', host }, reportingComponent: 'kubelet', reportingInstance: host,
    },
  };
}

/**
 * An Event about a Node from its own kubelet. As the real kubelet does, the reference's uid is
 * the node's name and the Event lives in "default".
 */
export function kubeletNodeEvent(node: string, e: Omit<PodEvent, 'container'>, nowMs: number, seq: number): KubeletEvent {
  const t = rfc3339(nowMs);
  return {
    namespace: 'default',
    body: {
      apiVersion: 'v1', kind: 'Event',
      metadata: { name: eventName(node, nowMs, seq), namespace: 'default' },
      involvedObject: { kind: 'Node', name: node, uid: node },
      type: e.type, reason: e.reason, message: e.message, count: 1, firstTimestamp: t, lastTimestamp: t,
      source: { component: 'kubelet', host: node }, reportingComponent: 'kubelet', reportingInstance: node,
    },
  };
}

const statusIsNow = (node: string, reason: string): Omit<PodEvent, 'container'> => ({ type: 'Normal', reason, message: `Node ${node} status is now: ${reason}` });

/** What a kubelet records as it starts: Starting, the condition reasons, allocatable, and (when Ready) NodeReady. */
export function kubeletStartEvents(node: string, ready: boolean): Omit<PodEvent, 'container'>[] {
  return [
    { type: 'Normal', reason: 'Starting', message: 'Starting kubelet.' },
    statusIsNow(node, 'NodeHasSufficientMemory'),
    statusIsNow(node, 'NodeHasNoDiskPressure'),
    statusIsNow(node, 'NodeHasSufficientPID'),
    { type: 'Normal', reason: 'NodeAllocatableEnforced', message: 'Updated Node Allocatable limit across pods' },
    ...(ready ? [statusIsNow(node, 'NodeReady')] : []),
  ];
}

/** setNodeReadyCondition's event: only when the Ready status the kubelet reports changes. */
export function readyTransitionEvent(node: string, before: string | undefined, after: string | undefined): Omit<PodEvent, 'container'> | undefined {
  if (before === after || after === undefined) return undefined;
  if (after === 'True') return statusIsNow(node, 'NodeReady');
  if (after === 'False') return statusIsNow(node, 'NodeNotReady');
  return undefined;
}

/**
 * A token bucket over all simulated kubelets' events (client-go's spam filter is per object,
 * which cannot bound a fleet): `burst` at once, refilled at `perSecond`. Events over budget are
 * dropped, as the broadcaster drops them when its queue is full.
 */
export class EventBudget {
  #tokens: number;
  #at: number | undefined;
  constructor(private readonly perSecond: number, private readonly burst: number) { this.#tokens = burst; }

  take(nowMs: number): boolean {
    if (this.#at !== undefined) this.#tokens = Math.min(this.burst, this.#tokens + (Math.max(0, nowMs - this.#at) / 1000) * this.perSecond);
    this.#at = nowMs;
    if (this.#tokens < 1) return false;
    this.#tokens--;
    return true;
  }
}

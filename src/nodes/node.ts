// Simulated kubelet, node side (pure): the Node object a pool member registers with, and the
// status it reports, bent by fault-injection annotations.
import type { Node, NodeCondition, NodeStatus, Pod } from '../api/types.js';
import { rfc3339 } from '../api/meta.js';
import { fromAmounts, toAmounts } from '../api/quantity.js';
import type { Pool } from './cluster-config.js';
import { setCondition } from './conditions.js';

export const KUBELET_VERSION = 'v1.32.0';

/** Fault-injection annotations, set on a Node (e.g. `kubectl annotate node x everynode.dev/ready=false`). */
export const FAULT_ANNOTATIONS = {
  /** "stopped": the kubelet renews neither its Lease nor its status. */
  heartbeat: 'everynode.dev/heartbeat',
  /** "false": Ready=False (KubeletNotReady). */
  ready: 'everynode.dev/ready',
  /** comma list of memory, disk, pid: the matching pressure conditions turn True. */
  pressure: 'everynode.dev/pressure',
  /** "true": NetworkUnavailable=True. */
  networkUnavailable: 'everynode.dev/network-unavailable',
} as const;

export interface NodeFaults {
  heartbeatStopped: boolean;
  notReady: boolean;
  pressure: { memory: boolean; disk: boolean; pid: boolean };
  networkUnavailable: boolean;
}

export function faultsOf(node: Node): NodeFaults {
  const a = node.metadata?.annotations ?? {};
  const pressure = new Set((a[FAULT_ANNOTATIONS.pressure] ?? '').split(',').map((s) => s.trim().toLowerCase()));
  return {
    heartbeatStopped: a[FAULT_ANNOTATIONS.heartbeat] === 'stopped',
    notReady: a[FAULT_ANNOTATIONS.ready] === 'false',
    pressure: { memory: pressure.has('memory'), disk: pressure.has('disk'), pid: pressure.has('pid') },
    networkUnavailable: a[FAULT_ANNOTATIONS.networkUnavailable] === 'true',
  };
}

/** Node `ordinal` (cluster-wide) → its /24 pod CIDR inside 10.64.0.0/10 (room for ~49k nodes). */
export function podCIDRFor(ordinal: number): string {
  return `10.${64 + (ordinal >> 8)}.${ordinal & 255}.0/24`;
}

/** Node `ordinal` → InternalIP inside 172.16.0.0/12. */
export function nodeIPFor(ordinal: number): string {
  const n = ordinal + 1;
  return `172.${16 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

export function internalIPOf(node: Node): string | undefined {
  return node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
}

/** The Node a pool member registers with: labels, taints, capacity, addresses, nodeInfo, conditions. */
export function initialNode(pool: Pool, index: number, nowMs: number, ordinal = index): Node {
  const name = `${pool.namePrefix}-${index}`;
  const capacity = fromAmounts(toAmounts(pool.capacity));
  const node: Node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        ...pool.labels,
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': pool.os,
        'kubernetes.io/arch': pool.arch,
        'beta.kubernetes.io/os': pool.os,
        'beta.kubernetes.io/arch': pool.arch,
      },
      annotations: { ...pool.annotations, 'everynode.dev/pool': pool.name, 'node.alpha.kubernetes.io/ttl': '0' },
    },
    spec: {
      podCIDR: podCIDRFor(ordinal),
      podCIDRs: [podCIDRFor(ordinal)],
      providerID: `everynode://${name}`,
      ...(pool.taints.length ? { taints: pool.taints.map((t) => ({ ...t })) } : {}),
    },
    status: {
      capacity,
      allocatable: { ...capacity },
      addresses: [{ type: 'InternalIP', address: nodeIPFor(ordinal) }, { type: 'Hostname', address: name }],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: hex32(`machine/${name}`),
        systemUUID: hex32(`uuid/${name}`),
        bootID: hex32(`boot/${name}/${nowMs}`),
        kernelVersion: '6.8.0-everynode',
        osImage: 'everynode simulated node',
        containerRuntimeVersion: 'containerd://1.7.24',
        kubeletVersion: KUBELET_VERSION,
        kubeProxyVersion: KUBELET_VERSION,
        operatingSystem: pool.os,
        architecture: pool.arch,
      },
    },
  };
  return { ...node, status: { ...node.status, ...nodeStatusFor(node, faultsOf(node), nowMs) } };
}

function hex32(seed: string): string {
  return [0, 1, 2, 3].map((i) => fnv1a(`${i}:${seed}`).toString(16).padStart(8, '0')).join('');
}

type CondSpec = [type: string, bad: boolean, okReason: string, okMsg: string, badReason: string, badMsg: string];

/**
 * The status the kubelet would post now: conditions (heartbeat = now; transition time kept
 * when unchanged) under the given faults. Undefined when heartbeats are stopped: the kubelet
 * is silent and the node lifecycle controller takes over.
 */
export function nodeStatusFor(node: Node, faults: NodeFaults, nowMs: number): Pick<NodeStatus, 'conditions'> | undefined {
  if (faults.heartbeatStopped) return undefined;
  const now = rfc3339(nowMs);
  const specs: CondSpec[] = [
    ['MemoryPressure', faults.pressure.memory, 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available', 'KubeletHasInsufficientMemory', 'kubelet has insufficient memory available'],
    ['DiskPressure', faults.pressure.disk, 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure', 'KubeletHasDiskPressure', 'kubelet has disk pressure'],
    ['PIDPressure', faults.pressure.pid, 'KubeletHasSufficientPID', 'kubelet has sufficient PID available', 'KubeletHasInsufficientPID', 'kubelet has insufficient PID available'],
  ];
  let conditions: NodeCondition[] = node.status?.conditions ?? [];
  for (const [type, bad, okReason, okMsg, badReason, badMsg] of specs) {
    conditions = setCondition(conditions, { type, status: bad ? 'True' : 'False', reason: bad ? badReason : okReason, message: bad ? badMsg : okMsg, lastHeartbeatTime: now }, now);
  }
  conditions = setCondition(conditions, faults.notReady
    ? { type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:injected by everynode.dev/ready', lastHeartbeatTime: now }
    : { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now }, now);
  // NetworkUnavailable is owned by the network plugin, not the kubelet: only reported once injected.
  const hadNetwork = conditions.some((c) => c.type === 'NetworkUnavailable');
  if (faults.networkUnavailable || hadNetwork) {
    conditions = setCondition(conditions, faults.networkUnavailable
      ? { type: 'NetworkUnavailable', status: 'True', reason: 'NoRouteCreated', message: 'injected by everynode.dev/network-unavailable', lastHeartbeatTime: now }
      : { type: 'NetworkUnavailable', status: 'False', reason: 'RouteCreated', message: 'RouteController created a route', lastHeartbeatTime: now }, now);
  }
  return { conditions };
}

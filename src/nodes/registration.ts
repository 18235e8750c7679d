// What a simulated kubelet writes about its Node (pure): the registration a Node created through
// the API still lacks (labels, capacity, addresses, nodeInfo), and whether the conditions it
// would report differ from what is stored.
import type { Lease, Node, NodeCondition } from '../api/types.js';
import { rfc3339Micro } from '../api/meta.js';
import type { ClusterConfig, Pool } from './cluster-config.js';
import { defaultConfig, nodeAddressRange, plannedNodes } from './cluster-config.js';
import { initialNode } from './node.js';
import { hostAddress } from '../kcm/ipam/cidr.js';

/** Opt-out annotation: a Node carrying `everynode.dev/simulate: "false"` is left alone. */
export const SIMULATE_ANNOTATION = 'everynode.dev/simulate';
export const POOL_ANNOTATION = 'everynode.dev/pool';
export const LEASE_NAMESPACE = 'kube-node-lease';
export const LEASE_DURATION_SECONDS = 40;

export const isSimulated = (node: Node) => node.metadata?.annotations?.[SIMULATE_ANNOTATION] !== 'false';

/** A node's pool, its cluster-wide ordinal and the InternalIP that ordinal gives. */
export interface NodePlacement { pool: Pool; ordinal: number; address: string }

/**
 * Finds each node's pool and address ordinal: planned nodes by name; others by their pool
 * annotation (or the default pool) with an ordinal hashed from the name above the planned
 * range, so the address is stable across restarts without any allocator state. (Hashed
 * addresses wrap within nodeAddressCIDR and may collide; nothing routes to them.)
 */
export function placementResolver(config: ClusterConfig): (node: Node) => NodePlacement {
  const planned = new Map(plannedNodes(config).map((p) => [p.name, { pool: p.pool, ordinal: p.ordinal, address: p.address }]));
  const byName = new Map(config.pools.map((p) => [p.name, p]));
  const fallback = defaultConfig(0).pools[0];
  const base = planned.size;
  const addresses = nodeAddressRange(config);
  return (node) => {
    const name = node.metadata?.name ?? '';
    const hit = planned.get(name);
    if (hit) return hit;
    const pool = byName.get(node.metadata?.annotations?.[POOL_ANNOTATION] ?? '') ?? fallback;
    const ordinal = base + (fnv1a(name) % 50_000);
    return { pool, ordinal, address: hostAddress(addresses, ordinal) };
  };
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * The Node for a planned pool member, named `${namePrefix}-${index}`, with its InternalIP and
 * without a pod CIDR: that is the node IPAM controller's to assign once the Node exists, as
 * kube-controller-manager's range allocator does (a kubelet never picks its own).
 */
export function plannedNode(pool: Pool, name: string, ordinal: number, nowMs: number, address: string): Node {
  const index = Number(name.slice(pool.namePrefix.length + 1));
  const node = initialNode(pool, index, nowMs, ordinal);
  const { podCIDR: _cidr, podCIDRs: _cidrs, ...spec } = node.spec ?? {};
  const addresses = node.status?.addresses?.map((a) => (a.type === 'InternalIP' ? { ...a, address } : a));
  return { ...node, spec, status: { ...node.status, addresses } };
}

/**
 * The patches a kubelet registering an existing Node would make: kubelet labels it lacks
 * (metadata patch) and capacity/allocatable/addresses/nodeInfo when the status has none.
 * Undefined parts need no write. Existing values win: a user's capacity is kept.
 */
export function registrationPatches(node: Node, place: NodePlacement, nowMs: number): { labels?: Record<string, string>; status?: Record<string, unknown> } {
  const name = node.metadata?.name ?? '';
  const template = initialNode({ ...place.pool, namePrefix: name.replace(/-?\d*$/, '') || name }, 0, nowMs, place.ordinal);
  const kubeletLabels: Record<string, string> = {
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': place.pool.os,
    'kubernetes.io/arch': place.pool.arch,
    'beta.kubernetes.io/os': place.pool.os,
    'beta.kubernetes.io/arch': place.pool.arch,
  };
  const have = node.metadata?.labels ?? {};
  const missing = Object.fromEntries(Object.entries(kubeletLabels).filter(([k]) => have[k] === undefined));
  const s = node.status ?? {};
  const status: Record<string, unknown> = {};
  if (!s.capacity || !Object.keys(s.capacity).length) status.capacity = template.status!.capacity;
  if (!s.allocatable || !Object.keys(s.allocatable).length) status.allocatable = s.capacity && Object.keys(s.capacity).length ? s.capacity : template.status!.allocatable;
  if (!s.addresses?.length) status.addresses = [{ type: 'InternalIP', address: place.address }, { type: 'Hostname', address: name }];
  if (!s.nodeInfo?.kubeletVersion) status.nodeInfo = { ...template.status!.nodeInfo, machineID: hexOf(`m/${name}`), systemUUID: hexOf(`u/${name}`), bootID: hexOf(`b/${name}/${nowMs}`) };
  if (!s.daemonEndpoints?.kubeletEndpoint?.Port) status.daemonEndpoints = { kubeletEndpoint: { Port: 10250 } };
  return {
    ...(Object.keys(missing).length ? { labels: missing } : {}),
    ...(Object.keys(status).length ? { status } : {}),
  };
}

const hexOf = (seed: string) => [0, 1, 2, 3].map((i) => fnv1a(`${i}:${seed}`).toString(16).padStart(8, '0')).join('');

/** Conditions equal for reporting purposes: same types, statuses, reasons and messages. */
export function sameConditions(a: readonly NodeCondition[] | undefined, b: readonly NodeCondition[] | undefined): boolean {
  const sig = (l: readonly NodeCondition[] | undefined) => (l ?? []).map((c) => `${c.type}=${c.status}/${c.reason ?? ''}/${c.message ?? ''}`).sort().join('|');
  return sig(a) === sig(b);
}

/** A new node Lease, owned by the Node so the garbage collector removes it with the node. */
export function newLease(node: Node, nowMs: number): Lease {
  const name = node.metadata!.name!;
  return {
    apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
    metadata: { name, namespace: LEASE_NAMESPACE, ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: node.metadata!.uid! }] },
    spec: { holderIdentity: name, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: rfc3339Micro(nowMs) },
  };
}

/** The same Lease renewed at `nowMs`. */
export function renewedLease(lease: Lease, nowMs: number): Lease {
  return { ...lease, spec: { ...lease.spec, renewTime: rfc3339Micro(nowMs) } };
}

// From API objects to what the dashboard keeps. Two steps per kind: a transform for the
// informer's cache (client-go's SetTransform: the object cut down to the fields read below, so
// that 10,000 nodes and their pods cost little memory), and the entry the fleet model holds.
// The informers have sanitized the objects' shapes already; these still read every field
// defensively, since a stored object may carry anything its schema lets through.
import type { KObject, Node, Pod } from '../api/types.js';
import type { DaemonSetRollout } from '../rollout/api/types.js';
import type { BlockerEntry, NodeCondition, NodeEntry, PodEntry, RolloutEntry, WaveEntry } from './types.js';
import { QUARANTINE_ANNOTATION } from '../rollout/api/types.js';

export const ZONE_LABEL = 'topology.kubernetes.io/zone';
/**
 * Where a node's pool is read from, first match wins: a label a cluster may set, the managed
 * clouds' node-group labels, then the annotation the embedded cluster's simulated nodes carry.
 */
export const POOL_LABELS = ['everynode.dev/pool', 'node.kubernetes.io/pool', 'cloud.google.com/gke-nodepool', 'eks.amazonaws.com/nodegroup', 'karpenter.sh/nodepool', 'kubernetes.azure.com/agentpool'];
export const POOL_ANNOTATION = 'everynode.dev/pool';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const rec = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Record<string, unknown> : {});

function pick(from: Record<string, unknown>, keys: readonly string[]): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const k of keys) if (typeof from[k] === 'string') out[k] = from[k] as string;
  return Object.keys(out).length ? out : undefined;
}

/** The node as the dashboard's informer caches it. */
export function slimNode(n: Node & KObject): Node & KObject {
  const m = rec(n.metadata), s = rec(n.spec), st = rec(n.status);
  return {
    metadata: {
      name: str(m.name), resourceVersion: str(m.resourceVersion), uid: str(m.uid),
      labels: pick(rec(m.labels), [ZONE_LABEL, ...POOL_LABELS]),
      annotations: pick(rec(m.annotations), [POOL_ANNOTATION, QUARANTINE_ANNOTATION]),
    },
    spec: s.unschedulable === true ? { unschedulable: true } : {},
    status: { conditions: arr(st.conditions).map((c) => { const r = rec(c); return { type: str(r.type), status: str(r.status), reason: str(r.reason) || undefined, message: str(r.message) || undefined }; }) },
  };
}

export function nodeEntry(n: Node & KObject): NodeEntry {
  const m = rec(n.metadata), labels = rec(m.labels), ann = rec(m.annotations);
  const conditions: NodeCondition[] = arr(rec(n.status).conditions).map((c) => {
    const r = rec(c);
    return { type: str(r.type), status: str(r.status), ...(str(r.reason) ? { reason: str(r.reason) } : {}), ...(str(r.message) ? { message: str(r.message) } : {}) };
  });
  let pool = '';
  for (const k of POOL_LABELS) if (!pool && str(labels[k])) pool = str(labels[k]);
  return {
    name: str(m.name), zone: str(labels[ZONE_LABEL]), pool: pool || str(ann[POOL_ANNOTATION]),
    ready: conditions.find((c) => c.type === 'Ready')?.status || 'Unknown',
    unschedulable: rec(n.spec).unschedulable === true,
    quarantinedBy: str(ann[QUARANTINE_ANNOTATION]),
    conditions,
  };
}

/** The pod as the dashboard's informer caches it. */
export function slimPod(p: Pod & KObject): Pod & KObject {
  const m = rec(p.metadata), st = rec(p.status);
  const owner = arr(m.ownerReferences).map(rec).find((r) => r.controller === true);
  return {
    metadata: {
      name: str(m.name), namespace: str(m.namespace), resourceVersion: str(m.resourceVersion), uid: str(m.uid),
      ...(str(m.deletionTimestamp) ? { deletionTimestamp: str(m.deletionTimestamp) } : {}),
      labels: pick(rec(m.labels), ['controller-revision-hash']),
      ...(owner ? { ownerReferences: [{ apiVersion: str(owner.apiVersion), kind: str(owner.kind), name: str(owner.name), uid: str(owner.uid), controller: true }] } : {}),
    },
    spec: { nodeName: str(rec(p.spec).nodeName) || undefined } as Pod['spec'],
    status: {
      phase: str(st.phase) || undefined,
      conditions: arr(st.conditions).map(rec).filter((c) => c.type === 'Ready').map((c) => ({ type: 'Ready', status: str(c.status) })),
      containerStatuses: arr(st.containerStatuses).map(rec).map((c) => ({
        name: str(c.name), image: str(c.image), imageID: '', ready: c.ready === true, restartCount: num(c.restartCount),
        state: stateReason(c) ? { waiting: { reason: stateReason(c) } } : {},
      })),
    },
  };
}

/** A container's waiting reason, else its terminated reason ('' when running). */
function stateReason(c: Record<string, unknown>): string {
  const s = rec(c.state);
  return str(rec(s.waiting).reason) || str(rec(s.terminated).reason);
}

export function podEntry(p: Pod & KObject): PodEntry {
  const m = rec(p.metadata), st = rec(p.status);
  const namespace = str(m.namespace), name = str(m.name);
  const owner = arr(m.ownerReferences).map(rec).find((r) => r.controller === true && r.kind === 'DaemonSet');
  const containers = arr(st.containerStatuses).map(rec);
  return {
    key: `${namespace}/${name}`, namespace, name,
    node: str(rec(p.spec).nodeName), phase: str(st.phase),
    ready: arr(st.conditions).map(rec).some((c) => c.type === 'Ready' && c.status === 'True'),
    terminating: !!str(m.deletionTimestamp),
    owner: owner ? `${namespace}/${str(owner.name)}` : '',
    revision: str(rec(m.labels)['controller-revision-hash']),
    restarts: containers.reduce((n, c) => n + num(c.restartCount), 0),
    reason: containers.map(stateReason).find(Boolean) ?? '',
  };
}

export function rolloutEntry(r: DaemonSetRollout & KObject): RolloutEntry {
  const m = rec(r.metadata), st = rec(r.status);
  const namespace = str(m.namespace), name = str(m.name);
  const waves: WaveEntry[] = arr(st.waves).map(rec).map((w) => ({
    name: str(w.name), nodes: num(w.nodes), updated: num(w.updated), ready: num(w.ready), failed: num(w.failed), quarantined: num(w.quarantined), state: str(w.state),
    ...(str(w.startedAt) ? { startedAt: str(w.startedAt) } : {}), ...(str(w.completedAt) ? { completedAt: str(w.completedAt) } : {}), ...(str(w.bakedAt) ? { bakedAt: str(w.bakedAt) } : {}),
  }));
  const blockers: BlockerEntry[] = arr(st.blockedNodes).map(rec).map((b) => ({ node: str(b.node), wave: str(b.wave), reason: str(b.reason), message: str(b.message), since: str(b.since), cause: str(b.cause) }));
  const failure = rec(st.failure);
  return {
    key: `${namespace}/${name}`, namespace, name,
    phase: str(st.phase), currentWave: str(st.currentWave), fromRevision: str(st.fromRevision), toRevision: str(st.toRevision),
    targets: arr(st.targets).map(rec).filter((t) => str(t.name)).map((t) => ({ daemonSet: `${namespace}/${str(t.name)}`, toRevision: str(t.toRevision) })),
    waves, blockers, blockedTotal: num(st.blockedNodesTotal) || blockers.length,
    quarantinedNodes: arr(st.quarantinedNodes).filter((n): n is string => typeof n === 'string'),
    updatedNodes: num(st.updatedNodes), readyNodes: num(st.readyNodes),
    failure: str(failure.reason) ? `${str(failure.reason)}: ${str(failure.message)}` : '',
  };
}

/** The rollout as the dashboard's informer caches it: its metadata and status (the spec is the controller's). */
export function slimRollout(r: DaemonSetRollout & KObject): DaemonSetRollout & KObject {
  const m = rec(r.metadata);
  return { metadata: { name: str(m.name), namespace: str(m.namespace), resourceVersion: str(m.resourceVersion), uid: str(m.uid) }, spec: { waves: [] }, status: r.status };
}

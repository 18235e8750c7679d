// Test-only builders and a tiny in-memory "cluster" that applies plans like the shell would.
import type { ControllerRevision, DaemonSet, DaemonSetUpdateStrategy, Node, Pod, Taint } from '../../api/types.js';
import { rfc3339 } from '../../api/meta.js';
import type { BackoffState } from './backoff.js';
import { templateHash } from './history.js';
import { plan, type Plan, type Snapshot } from './plan.js';
import { controllerRefTo, TEMPLATE_GENERATION_ANNOTATION } from './pods.js';

export const DS_LABELS = { name: 'simple-daemon', type: 'production' };
export const T0 = Date.parse('2024-01-01T00:00:00Z');

export function makeNode(name: string, opts: { labels?: Record<string, string>; taints?: Taint[]; unschedulable?: boolean } = {}): Node {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(opts.labels ?? {}) } },
    spec: { ...(opts.taints ? { taints: opts.taints } : {}), ...(opts.unschedulable ? { unschedulable: true } : {}) },
  };
}

export const makeNodes = (from: number, count: number, labels?: Record<string, string>) =>
  Array.from({ length: count }, (_, i) => makeNode(`node-${from + i}`, { labels }));

export type Strategy = 'OnDelete' | 'RollingUpdate';

export function makeDs(opts: { name?: string; uid?: string; strategy?: Strategy; maxUnavailable?: number | string; maxSurge?: number | string } = {}): DaemonSet {
  const strategy = opts.strategy ?? 'RollingUpdate';
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet',
    metadata: {
      name: opts.name ?? 'foo', namespace: 'default', uid: opts.uid ?? 'uid-foo', generation: 1,
      annotations: { [TEMPLATE_GENERATION_ANNOTATION]: '1' },
    },
    spec: {
      selector: { matchLabels: { ...DS_LABELS } },
      template: {
        metadata: { labels: { ...DS_LABELS } },
        spec: { containers: [{ name: 'foo', image: 'foo/bar' }] },
      },
      updateStrategy: strategy === 'OnDelete' ? { type: 'OnDelete' } : {
        type: 'RollingUpdate',
        rollingUpdate: { maxUnavailable: opts.maxUnavailable ?? (opts.maxSurge ? 0 : 1), maxSurge: opts.maxSurge ?? 0 },
      },
      revisionHistoryLimit: 10,
    },
  };
}

let podSeq = 0;
/** A daemon pod owned by ds on node (bound via spec.nodeName unless pinned). */
export function makePod(ds: DaemonSet, nodeName: string, opts: {
  name?: string; hash?: string; labels?: Record<string, string>; phase?: string; ready?: boolean; readySinceMs?: number;
  createdMs?: number; deleting?: boolean; pinned?: boolean;
} = {}): Pod {
  const labels: Record<string, string> = { ...(opts.labels ?? DS_LABELS) };
  // Like upstream's test newPod: labelled with the DaemonSet's current hash unless told otherwise.
  labels['controller-revision-hash'] = opts.hash ?? templateHash(ds);
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name: opts.name ?? `pod-${String(++podSeq).padStart(5, '0')}`, namespace: 'default', labels,
      ownerReferences: [controllerRefTo(ds)], creationTimestamp: rfc3339(opts.createdMs ?? T0),
      ...(opts.deleting ? { deletionTimestamp: rfc3339(T0) } : {}),
    },
    spec: {
      containers: [{ name: 'foo', image: 'foo/bar' }],
      ...(opts.pinned
        ? { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }] } } } }
        : { nodeName }),
    },
    status: {
      phase: opts.phase ?? 'Running',
      ...(opts.ready ? { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: rfc3339(opts.readySinceMs ?? T0) }] } : {}),
    },
  };
}

export function setReady(pod: Pod, ready: boolean, sinceMs: number): void {
  (pod as { status: Pod['status'] }).status = { ...(pod.status ?? {}), conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: rfc3339(sinceMs) }] };
}

export const counts = (p: Plan) => [p.createPods.length, p.deletePods.length, p.events.length];

/** Applies plans the way a successful shell would: writes observed immediately, deletes are instant. */
export class FakeCluster {
  pods: Pod[] = [];
  revisions: ControllerRevision[] = [];
  backoff: BackoffState = {};
  nowMs = T0;
  private seq = 0;
  constructor(public ds: DaemonSet, public nodes: Node[], public bindDirectly = false) {}

  snapshot(): Snapshot {
    return { ds: this.ds, nodes: this.nodes, pods: this.pods, revisions: this.revisions, nowMs: this.nowMs, backoff: this.backoff, bindDirectly: this.bindDirectly };
  }

  sync(opts: { createLimit?: number } = {}): Plan {
    const p = plan(this.snapshot());
    this.apply(p, opts.createLimit);
    return p;
  }

  apply(p: Plan, createLimit = Infinity): void {
    if (p.createRevision) this.revisions.push({ ...structuredClone(p.createRevision), metadata: { ...p.createRevision.metadata, uid: `rev-${++this.seq}` } });
    for (const u of p.updateRevisions) this.revisions = this.revisions.map((r) => (r.metadata?.name === u.metadata?.name ? structuredClone(u) : r));
    this.revisions = this.revisions.filter((r) => !p.deleteRevisions.includes(r.metadata?.name ?? ''));
    for (const r of p.relabelPods) {
      const pod = this.pods.find((x) => x.metadata?.name === r.name);
      if (pod) pod.metadata!.labels = { ...pod.metadata!.labels, 'controller-revision-hash': r.hash };
    }
    let created = 0;
    for (const c of p.createPods) {
      if (created++ >= createLimit) break;
      const pod = structuredClone(c.pod);
      pod.metadata = { ...pod.metadata, name: `${pod.metadata?.generateName}${String(++this.seq).padStart(5, '0')}`, uid: `pod-uid-${this.seq}`, creationTimestamp: rfc3339(this.nowMs) };
      (pod as { status: Pod['status'] }).status = { phase: 'Pending' };
      this.pods.push(pod);
    }
    const gone = new Set(p.deletePods.map((d) => d.name));
    this.pods = this.pods.filter((x) => !gone.has(x.metadata?.name ?? ''));
    if (p.writeStatus) this.ds = { ...this.ds, status: p.status };
    this.backoff = p.backoff;
  }

  markAllReady(sinceMs = this.nowMs): void {
    for (const pod of this.pods) if (pod.status?.conditions?.[0]?.status !== 'True') setReady(pod, true, sinceMs);
  }

  /** A template change as the API server records it: generation and template generation bump. */
  changeTemplate(mutate: (ds: DaemonSet) => void): void {
    const ds = structuredClone(this.ds);
    mutate(ds);
    const gen = Number(ds.metadata!.annotations![TEMPLATE_GENERATION_ANNOTATION]) + 1;
    ds.metadata!.annotations![TEMPLATE_GENERATION_ANNOTATION] = String(gen);
    this.ds = { ...ds, metadata: { ...ds.metadata, generation: (ds.metadata!.generation ?? 1) + 1 } };
  }

  setImage(image: string): void {
    this.changeTemplate((ds) => { ds.spec!.template.spec!.containers[0].image = image; });
  }

  setStrategy(strategy: DaemonSetUpdateStrategy): void {
    this.ds = { ...this.ds, metadata: { ...this.ds.metadata, generation: (this.ds.metadata?.generation ?? 1) + 1 }, spec: { ...this.ds.spec!, updateStrategy: strategy } };
  }
}

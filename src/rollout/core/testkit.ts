// Test-only builders for the rollout core: a fleet of nodes, OnDelete DaemonSets and their pods in
// chosen states, and the policy object.
import type { DaemonSet, Node, Pod } from '../../api/types.js';
import { rfc3339 } from '../../api/meta.js';
import { templateHash } from '../../controller/core/history.js';
import { controllerRefTo } from '../../controller/core/pods.js';
import type { DaemonSetRollout, DaemonSetRolloutSpec } from '../api/types.js';
import type { RolloutInput } from './types.js';

export const T0 = Date.parse('2026-01-01T12:00:00Z');

export function node(name: string, opts: { labels?: Record<string, string>; notReadySinceMs?: number; pressure?: boolean } = {}): Node {
  const conditions = [{ type: 'Ready', status: opts.notReadySinceMs !== undefined ? 'False' : 'True', lastTransitionTime: rfc3339(opts.notReadySinceMs ?? T0 - 3_600_000) }];
  if (opts.pressure) conditions.push({ type: 'MemoryPressure', status: 'True', lastTransitionTime: rfc3339(T0 - 1000) });
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(opts.labels ?? {}) } }, spec: {}, status: { conditions } };
}

export function daemonSet(name: string, image = `${name}:2`, strategy: 'OnDelete' | 'RollingUpdate' = 'OnDelete'): DaemonSet {
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, generation: 2, labels: { tier: 'node' } },
    spec: {
      selector: { matchLabels: { app: name } },
      updateStrategy: strategy === 'OnDelete' ? { type: 'OnDelete' } : { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image }] } },
    },
  };
}

export interface PodState {
  /** Runs the DaemonSet's current template (default false: an old revision "old"). */
  isNew?: boolean;
  ready?: boolean;
  readySinceMs?: number;
  createdMs?: number;
  restarts?: number;
  waiting?: string;
  deleting?: boolean;
}

let seq = 0;
export function pod(ds: DaemonSet, nodeName: string, s: PodState = {}): Pod {
  const n = ++seq;
  const ready = s.ready ?? true;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name: `${ds.metadata!.name}-${nodeName}-${n}`, namespace: 'default', uid: `pod-${n}`,
      labels: { app: ds.metadata!.name!, 'controller-revision-hash': s.isNew ? templateHash(ds) : 'old' },
      ownerReferences: [controllerRefTo(ds)], creationTimestamp: rfc3339(s.createdMs ?? T0 - 3_600_000),
      ...(s.deleting ? { deletionTimestamp: rfc3339(T0 - 1000) } : {}),
    },
    spec: { nodeName, containers: [{ name: ds.metadata!.name!, image: 'x' }] },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: rfc3339(s.readySinceMs ?? s.createdMs ?? T0 - 3_600_000) }],
      containerStatuses: [{
        name: ds.metadata!.name!, image: 'x', imageID: '', ready, restartCount: s.restarts ?? 0,
        state: s.waiting ? { waiting: { reason: s.waiting } } : { running: {} },
      }],
    },
  };
}

export function rollout(spec: Partial<DaemonSetRolloutSpec> = {}, status?: DaemonSetRollout['status'], annotations?: Record<string, string>): DaemonSetRollout {
  return {
    apiVersion: 'everynode.dev/v1alpha1', kind: 'DaemonSetRollout',
    metadata: { name: 'r', namespace: 'default', generation: 1, ...(annotations ? { annotations } : {}) },
    spec: { targetRef: { name: 'agent' }, waves: [{ name: 'all', maxUnavailable: 1 }], ...spec },
    ...(status ? { status } : {}),
  };
}

export function input(r: DaemonSetRollout, daemonSets: DaemonSet[], nodes: Node[], pods: Pod[]): RolloutInput {
  return { rollout: r, daemonSets, revisions: [], pods, nodes };
}

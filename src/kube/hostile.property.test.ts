// Property tests for issue #9: objects built from valid ones with random JSON values
// (fast-check `anything()`) substituted at random paths, then admitted as every informer admits
// them (sanitize.ts), never make a decision function throw: the DaemonSet controller's core, the
// scheduler's, the simulated kubelet's and the node lifecycle controller's.
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { ControllerRevision, DaemonSet, KObject, Lease, Node, Pod, PodDisruptionBudget } from '../api/types.js';
import { sanitizeObject } from './sanitize.js';
import { plan, planStatusOnly } from '../controller/core/plan.js';
import { claimObjects } from '../controller/core/claim.js';
import { nodeShouldRunDaemonPod } from '../controller/core/eligibility.js';
import { daemonSetKeysForPodChange, daemonSetNeedsSyncForNode, isStatusOnlyPodChange, nodeChangeMatters } from '../controller/core/triggers.js';
import { newRevision, templateHash } from '../controller/core/history.js';
import { controllerRefTo, targetNodeName } from '../controller/core/pods.js';
import { slimNode, slimPod } from '../controller/controller.js';
import { schedule, pinnedNodeNames } from '../scheduler/core.js';
import { nodeChangeMatters as schedulerNodeChangeMatters, wantsScheduling } from '../scheduler/scheduler.js';
import { admitPod, qosClass } from '../nodes/admission.js';
import { nextPodTransition } from '../nodes/lifecycle.js';
import { lifecycleDecision, podsToEvict } from '../nodes/taints.js';
import { faultsOf, nodeStatusFor } from '../nodes/node.js';
import { defaultConfig } from '../nodes/cluster-config.js';

const T = Date.parse('2026-01-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

function validDs(): DaemonSet {
  const labels = { app: 'agent' };
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'default', uid: 'ds-uid', resourceVersion: '5', generation: 2, labels, annotations: { 'deprecated.daemonset.template.generation': '2' } },
    spec: {
      selector: { matchLabels: labels, matchExpressions: [{ key: 'app', operator: 'In', values: ['agent'] }] },
      minReadySeconds: 5, revisionHistoryLimit: 3,
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: 0 } },
      template: {
        metadata: { labels },
        spec: {
          nodeSelector: { tier: 'good' }, priorityClassName: 'system-node-critical', priority: 2000001000, hostNetwork: false,
          tolerations: [{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }],
          affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [
            { matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['2'] }] }, { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] },
          ] } } },
          containers: [{ name: 'c', image: 'agent:1', ports: [{ containerPort: 80, hostPort: 8080, protocol: 'TCP' }], resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '1', memory: '128Mi' } } }],
          initContainers: [{ name: 'init', image: 'init:1', resources: { requests: { cpu: '200m' } } }],
        },
      },
    },
    status: { currentNumberScheduled: 1, numberMisscheduled: 0, desiredNumberScheduled: 1, numberReady: 1, observedGeneration: 1, updatedNumberScheduled: 1, numberAvailable: 1, collisionCount: 0 },
  } as DaemonSet;
}

function validNode(name: string): Node {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, uid: `uid-${name}`, resourceVersion: '7', labels: { tier: 'good', cores: '8', 'kubernetes.io/hostname': name }, annotations: { 'everynode.dev/pressure': 'memory' } },
    spec: { podCIDR: '10.0.0.0/24', unschedulable: false, taints: [{ key: 'gpu', value: 'yes', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: iso(T - 1000) }] },
    status: {
      capacity: { cpu: '4', memory: '16Gi', pods: '110' }, allocatable: { cpu: '4', memory: '16Gi', pods: '110' },
      conditions: [
        { type: 'Ready', status: 'True', lastHeartbeatTime: iso(T - 5000), lastTransitionTime: iso(T - 60_000), reason: 'KubeletReady', message: 'ok' },
        { type: 'MemoryPressure', status: 'False', lastHeartbeatTime: iso(T - 5000), lastTransitionTime: iso(T - 60_000) },
      ],
      addresses: [{ type: 'InternalIP', address: '10.1.0.1' }],
    },
  } as Node;
}

function validPod(ds: DaemonSet, node: string): Pod {
  const tpl = structuredClone(ds.spec!.template);
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name: `agent-${node}`, namespace: 'default', uid: `pod-${node}`, resourceVersion: '9', creationTimestamp: iso(T - 60_000),
      labels: { ...tpl.metadata!.labels, 'controller-revision-hash': templateHash(ds), 'pod-template-generation': '2' },
      ownerReferences: [controllerRefTo(ds)], annotations: { a: 'b' },
    },
    spec: {
      ...tpl.spec!, nodeName: node, schedulerName: 'default-scheduler',
      tolerations: [...(tpl.spec!.tolerations ?? []), { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
    },
    status: {
      phase: 'Running', startTime: iso(T - 50_000), nominatedNodeName: node, podIP: '10.0.0.5',
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: iso(T - 40_000) }, { type: 'PodScheduled', status: 'True' }],
      containerStatuses: [{ name: 'c', image: 'agent:1', imageID: '', ready: true, restartCount: 2, state: { running: { startedAt: iso(T - 40_000) } } }],
    },
  } as Pod;
}

const validLease = (node: string): Lease => ({
  apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
  metadata: { name: node, namespace: 'kube-node-lease', uid: `lease-${node}`, resourceVersion: '3' },
  spec: { holderIdentity: node, leaseDurationSeconds: 40, renewTime: new Date(T - 1000).toISOString().replace('Z', '000Z') },
} as Lease);

const validPdb = (): PodDisruptionBudget => ({
  apiVersion: 'policy/v1', kind: 'PodDisruptionBudget',
  metadata: { name: 'pdb', namespace: 'default', uid: 'pdb-uid', resourceVersion: '2' },
  spec: { selector: { matchLabels: { app: 'agent' } }, minAvailable: 1 },
  status: { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1 },
} as PodDisruptionBudget);

/** Every path to a value inside `o` (the root excluded), objects' keys and arrays' indexes alike. */
function pathsOf(o: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (Array.isArray(o)) o.forEach((v, i) => { out.push([...prefix, i]); pathsOf(v, [...prefix, i], out); });
  else if (o !== null && typeof o === 'object') for (const [k, v] of Object.entries(o)) { out.push([...prefix, k]); pathsOf(v, [...prefix, k], out); }
  return out;
}

/** A mutation: which path (modulo how many there are) gets which value. */
const mutationArb = fc.array(fc.record({ at: fc.nat(), value: fc.anything({ withNullPrototype: false, maxDepth: 3 }) }), { minLength: 1, maxLength: 3 });

function mutate<T>(valid: T, mutations: { at: number; value: unknown }[]): T {
  const o = structuredClone(valid) as unknown;
  for (const m of mutations) {
    const paths = pathsOf(o);
    if (!paths.length) break;
    const path = paths[m.at % paths.length];
    let parent = o as Record<string | number, unknown>;
    for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
    parent[path[path.length - 1]] = structuredClone(m.value);
  }
  return o as T;
}

/** What an informer of this kind hands its handlers: the object with unusable fields removed, or nothing. */
function admitted<T>(raw: T, schema: string): T | undefined {
  return sanitizeObject<T>(raw, schema).object;
}

const SCHEMA = {
  pod: 'io.k8s.api.core.v1.Pod', node: 'io.k8s.api.core.v1.Node', ds: 'io.k8s.api.apps.v1.DaemonSet',
  revision: 'io.k8s.api.apps.v1.ControllerRevision', lease: 'io.k8s.api.coordination.v1.Lease', pdb: 'io.k8s.api.policy.v1.PodDisruptionBudget',
};

/** One hostile world: any one kind's object is mutated; the rest stay valid. */
const worldArb = fc.record({ target: fc.constantFrom('ds', 'pod', 'node', 'revision', 'lease', 'pdb' as const), mutations: mutationArb });

function world(w: { target: string; mutations: { at: number; value: unknown }[] }) {
  const ds0 = validDs();
  const n1 = validNode('n1'), n2 = validNode('n2');
  const pods0 = [validPod(ds0, 'n1'), validPod(ds0, 'n2')];
  const rev0 = newRevision(ds0, templateHash(ds0), 1) as ControllerRevision;
  rev0.metadata = { ...rev0.metadata, uid: 'rev-uid', resourceVersion: '4' };
  const pick = <T>(kind: string, v: T): T | undefined => (w.target === kind ? admitted(mutate(v, w.mutations), SCHEMA[kind as keyof typeof SCHEMA]) : v);
  return {
    ds: pick('ds', ds0), nodes: [pick('node', n1), n2].filter((x): x is Node => !!x),
    pods: [pick('pod', pods0[0]), pods0[1]].filter((x): x is Pod => !!x),
    revision: pick('revision', rev0), lease: pick('lease', validLease('n1')), pdb: pick('pdb', validPdb()),
  };
}

const RUNS = { numRuns: 400 };
const behaviour = defaultConfig(1).pools[0].pods;

describe('decision functions on admitted hostile objects', () => {
  it('the DaemonSet controller core never throws', () => {
    fc.assert(fc.property(worldArb, (w) => {
      const { ds, nodes, pods, revision } = world(w);
      if (!ds) return;
      const sPods = pods.map((p) => slimPod(p as Pod & KObject));
      const sNodes = nodes.map((n) => slimNode(n as Node & KObject));
      const claimed = claimObjects(ds, sPods);
      const snapshot = { ds, nodes: sNodes, pods: claimed.owned, revisions: revision ? [revision] : [], nowMs: T, backoff: {}, bindDirectly: false };
      plan(snapshot);
      plan({ ...snapshot, bindDirectly: true, pods: [] });
      planStatusOnly(snapshot);
      for (const n of sNodes) { nodeShouldRunDaemonPod(n, ds); daemonSetNeedsSyncForNode(ds, n, true); nodeChangeMatters(n, sNodes[0]); }
      for (const p of sPods) { targetNodeName(p); daemonSetKeysForPodChange(undefined, p, [ds]); daemonSetKeysForPodChange(p, sPods[0], [ds]); isStatusOnlyPodChange(p, sPods[0]); }
    }), RUNS);
  });

  it('the scheduler core never throws', () => {
    fc.assert(fc.property(worldArb, fc.boolean(), (w, unbound) => {
      const { nodes, pods, pdb } = world(w);
      const byNode = new Map<string, Pod[]>();
      for (const p of pods) { const n = p.spec?.nodeName ?? ''; byNode.set(n, [...(byNode.get(n) ?? []), p]); }
      for (const p of pods) {
        const pending: Pod = unbound ? { ...p, spec: { ...p.spec!, nodeName: undefined } } : p;
        wantsScheduling(pending);
        pinnedNodeNames(pending);
        schedule(pending, nodes, byNode, pdb ? [pdb] : [], () => 0.5);
      }
      for (const n of nodes) schedulerNodeChangeMatters(n, nodes[0]);
    }), RUNS);
  });

  it('the simulated kubelet never throws', () => {
    fc.assert(fc.property(worldArb, (w) => {
      const { nodes, pods } = world(w);
      for (const n of nodes) {
        faultsOf(n);
        nodeStatusFor(n, faultsOf(n), T);
        for (const p of pods) {
          qosClass(p);
          admitPod(n, pods.filter((x) => x !== p), p);
          nextPodTransition(p, n, behaviour, T, () => 0.5);
        }
      }
    }), RUNS);
  });

  it('the node lifecycle controller never throws', () => {
    fc.assert(fc.property(worldArb, (w) => {
      const { nodes, pods, lease } = world(w);
      for (const n of nodes) {
        lifecycleDecision(n, lease, T);
        lifecycleDecision(n, undefined, T + 3_600_000);
        podsToEvict(n, pods, T);
      }
    }), RUNS);
  });
});

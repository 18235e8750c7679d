// Make-room end to end (spec.makeRoom: true) against the embedded cluster: the new revision of a
// DaemonSet asks for more CPU than its node has left beside a low-priority bare pod of another
// namespace. The daemon pods' PriorityClass has preemptionPolicy: Never, so the scheduler does
// not preempt (which would ignore the budget): the rollout controller makes the room. While a
// PodDisruptionBudget covers the filler, the Eviction API refuses (429) and the node is blocked
// with EvictionBlocked naming the budget; once the budget is gone the filler is evicted and the
// daemon pod runs, and the rollout completes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DaemonSet, Node, Pod } from '../../src/api/types.js';
import { RawClient } from '../../src/kube/client.js';
import { eventually, startTestCluster, type TestCluster } from '../helpers/cluster.js';
import type { DaemonSetRollout } from '../../src/rollout/api/types.js';

const CLUSTER = `
pools:
  - name: small
    count: 1
    capacity: { cpu: '4', memory: 16Gi, pods: '110' }
    pods: { startupDelay: 50, readinessDelay: 100 }
`;
const DSR = '/apis/everynode.dev/v1alpha1/namespaces/default/daemonsetrollouts';
const MERGE = 'application/merge-patch+json';

let c: TestCluster;
let api: RawClient;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'everynode-makeroom-'));
  writeFileSync(join(dir, 'cluster.yaml'), CLUSTER);
  c = await startTestCluster({ configFile: join(dir, 'cluster.yaml'), scheduler: true, controller: true });
  api = new RawClient(c.kubeConfig());
  await eventually(async () => (await api.request('GET', DSR).then(() => true, () => false)), 30_000, 'the DaemonSetRollout kind served');
});
after(async () => { api?.close(); await c?.stop(); if (dir) rmSync(dir, { recursive: true, force: true }); });

const rollout = async () => (await api.request<DaemonSetRollout>('GET', `${DSR}/agent`)).status ?? {};
const agentPods = async () => (await api.request<{ items: Pod[] }>('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dagent')).items.filter((p) => !p.metadata?.deletionTimestamp);
const isReady = (p: Pod) => p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') === true;
const cpuOf = (p: Pod) => p.spec?.containers?.[0]?.resources?.requests?.cpu;

test('a new daemon pod that does not fit: blocked by the filler\'s PDB (EvictionBlocked), then the filler is evicted and the daemon pod runs', { timeout: 120_000 }, async () => {
  const node = (await api.request<{ items: Node[] }>('GET', '/api/v1/nodes')).items[0].metadata!.name!;
  await api.request('POST', '/apis/scheduling.k8s.io/v1/priorityclasses', { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'agent-no-preempt' }, value: 1000, preemptionPolicy: 'Never' });
  await api.request('POST', '/api/v1/namespaces', { metadata: { name: 'batch' } });
  const ds: DaemonSet = {
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'agent' } }, updateStrategy: { type: 'OnDelete' },
      template: { metadata: { labels: { app: 'agent' } }, spec: { priorityClassName: 'agent-no-preempt', terminationGracePeriodSeconds: 0, containers: [{ name: 'main', image: 'agent:1', resources: { requests: { cpu: '500m' } } }] } },
    },
  };
  await api.request('POST', '/apis/apps/v1/namespaces/default/daemonsets', ds);
  await eventually(async () => (await agentPods()).some(isReady), 30_000, 'the agent Ready');
  // 3 of the node's 4 CPUs: the old agent (0.5) fits beside it, the new one (1.5) does not.
  const filler = await api.request<Pod>('POST', '/api/v1/namespaces/batch/pods', {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'filler', labels: { app: 'filler' } },
    spec: { nodeName: node, terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'batch:1', resources: { requests: { cpu: '3' } } }] },
  });
  await eventually(async () => (await api.request<Pod>('GET', '/api/v1/namespaces/batch/pods/filler')).status?.phase === 'Running', 20_000, 'the filler Running');
  // A budget our cache thinks has a disruption left but the Eviction API does not honour yet
  // (status older than the spec): the refusal comes from the server, a 429.
  await api.request('POST', '/apis/policy/v1/namespaces/batch/poddisruptionbudgets', { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'filler' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'filler' } } } });
  const pdb = await api.request<Record<string, any>>('GET', '/apis/policy/v1/namespaces/batch/poddisruptionbudgets/filler');
  await api.request('PUT', '/apis/policy/v1/namespaces/batch/poddisruptionbudgets/filler/status', { ...pdb, status: { observedGeneration: 0, disruptionsAllowed: 1, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1 } });

  await api.request('POST', DSR, {
    apiVersion: 'everynode.dev/v1alpha1', kind: 'DaemonSetRollout', metadata: { name: 'agent' },
    spec: { targetRef: { name: 'agent' }, makeRoom: true, waves: [{ name: 'all', maxUnavailable: 1 }] },
  });
  await eventually(async () => (await rollout()).phase === 'Idle', 30_000, 'the rollout Idle');
  await api.request('PATCH', '/apis/apps/v1/namespaces/default/daemonsets/agent', { spec: { template: { spec: { containers: [{ name: 'main', image: 'agent:2', resources: { requests: { cpu: '1500m' } } }] } } } }, 'application/strategic-merge-patch+json');

  const blocked = await eventually(async () => (await rollout()).blockedNodes?.find((b) => b.node === node && b.reason === 'EvictionBlocked'), 30_000, 'the node blocked with EvictionBlocked');
  assert.match(blocked.message, /batch\/filler/);
  assert.match(blocked.message, /disruption budget filler/);
  assert.equal((await rollout()).blockedByReason?.EvictionBlocked, 1);
  assert.equal((await api.request<Pod>('GET', '/api/v1/namespaces/batch/pods/filler')).metadata?.uid, filler.metadata?.uid, 'the filler stays');
  const pending = (await agentPods()).find((p) => cpuOf(p) === '1500m');
  assert.equal(pending?.status?.phase, 'Pending', 'the scheduler did not preempt (preemptionPolicy: Never)');

  await api.request('DELETE', '/apis/policy/v1/namespaces/batch/poddisruptionbudgets/filler');
  await eventually(async () => (await rollout()).phase === 'Complete', 60_000, 'the rollout Complete');
  await assert.rejects(api.request('GET', '/api/v1/namespaces/batch/pods/filler'), (e: { code?: number }) => e.code === 404, 'the filler evicted');
  const now = await agentPods();
  assert.equal(now.length, 1);
  assert.ok(isReady(now[0]) && cpuOf(now[0]) === '1500m', 'the new daemon pod runs');
  const events = (await api.request<{ items: { reason?: string; message?: string; note?: string }[] }>('GET', '/api/v1/namespaces/default/events')).items;
  const text = (e: { message?: string; note?: string }) => e.note ?? e.message ?? '';
  assert.ok(events.some((e) => e.reason === 'MakeRoom' && /evicted pod batch\/filler \(priority 0\)/.test(text(e))), 'a MakeRoom event');
  assert.ok(events.some((e) => e.reason === 'EvictionBlocked'), 'an EvictionBlocked event');
});

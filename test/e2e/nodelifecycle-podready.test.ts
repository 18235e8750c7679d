// End to end: a node that goes Unknown or NotReady marks its pods Ready=False (upstream's
// MarkPodsNotReady), which the DaemonSet's status and rollouts read; they come back when the node does.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DaemonSet, Event, Node, Pod } from '../../src/api/types.js';
import { RawClient } from '../../src/kube/client.js';
import { DaemonSetController } from '../../src/controller/controller.js';
import { eventually, startTestCluster, type TestCluster } from '../helpers/cluster.js';

const CONFIG = `
heartbeatIntervalMs: 300
pools:
  - name: lc
    count: 3
    pods: { startupDelay: 20, readinessDelay: 20 }
`;

let c: TestCluster;
let api: RawClient;
const ac = new AbortController();
let controller: Promise<void>;
const DS = '/apis/apps/v1/namespaces/default/daemonsets';
const annotate = (node: string, annotations: Record<string, string | null>) =>
  api.request('PATCH', `/api/v1/nodes/${node}`, { metadata: { annotations } }, 'application/merge-patch+json');
const status = async () => (await api.request<DaemonSet>('GET', `${DS}/agent`)).status;
const podOn = async (node: string) => (await api.request<{ items: Pod[] }>('GET', `/api/v1/namespaces/default/pods?fieldSelector=spec.nodeName=${node}`)).items[0];
const readyOf = (p: Pod | Node | undefined) => p?.status?.conditions?.find((x) => x.type === 'Ready')?.status;

before(async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'everynode-lc-')), 'cluster.yaml');
  writeFileSync(file, CONFIG);
  c = await startTestCluster({ configFile: file, nodeGraceMs: 1500, scheduler: true });
  api = new RawClient(c.kubeConfig());
  controller = new DaemonSetController(c.kubeConfig(), {}).start(ac.signal);
  await api.request('POST', DS, {
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent' },
    spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image: 'agent:1' }] } } },
  });
  await eventually(async () => (await status())?.numberAvailable === 3, 30_000, 'three daemon pods available');
});
after(async () => { ac.abort(); await controller; api.close(); await c.stop(); });

describe('MarkPodsNotReady', () => {
  test('a node gone Unknown: its daemon pod turns Ready=False, the DaemonSet counts it unavailable, and both recover', async () => {
    await annotate('lc-1', { 'everynode.dev/heartbeat': 'stopped' });
    await eventually(async () => readyOf(await api.request<Node>('GET', '/api/v1/nodes/lc-1')) === 'Unknown', 20_000, 'lc-1 Unknown');
    const pod = await eventually(async () => { const p = await podOn('lc-1'); return readyOf(p) === 'False' && p; }, 20_000, 'pod on lc-1 not Ready');
    assert.equal(pod.metadata?.deletionTimestamp, undefined, 'daemon pods tolerate unreachable: not evicted');
    assert.equal(pod.status?.containerStatuses?.[0]?.ready, true, 'only the condition changes, as upstream');
    // As upstream's NodeShouldRunDaemonPod: the unreachable NoSchedule taint takes the node out of
    // the desired set, and its pod (kept: it tolerates the NoExecute one) counts as misscheduled.
    const s = await eventually(async () => { const s = await status(); return s?.numberMisscheduled === 1 && s; }, 20_000, 'DaemonSet sees the node drop out');
    assert.deepEqual([s.desiredNumberScheduled, s.numberReady, s.numberAvailable, s.numberUnavailable], [2, 2, 2, 0]);
    const events = await api.request<{ items: Event[] }>('GET', `/api/v1/namespaces/default/events?fieldSelector=involvedObject.name=${pod.metadata!.name}`);
    assert.ok(events.items.some((e) => e.reason === 'NodeNotReady' && e.type === 'Warning' && e.message === 'Node is not ready' && e.source?.component === 'node-controller'));

    await annotate('lc-1', { 'everynode.dev/heartbeat': null });
    await eventually(async () => readyOf(await podOn('lc-1')) === 'True', 20_000, 'pod on lc-1 Ready again');
    await eventually(async () => (await status())?.numberAvailable === 3, 20_000, 'DaemonSet fully available again');
  });

  test('a node its kubelet reports NotReady: pods turn Ready=False and stay so without a tug of war', async () => {
    await annotate('lc-2', { 'everynode.dev/ready': 'false' });
    await eventually(async () => readyOf(await podOn('lc-2')) === 'False', 20_000, 'pod on lc-2 not Ready');
    const rv = (await podOn('lc-2')).metadata?.resourceVersion;
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await podOn('lc-2')).metadata?.resourceVersion, rv, 'nobody flips it back while the node is NotReady');
    await annotate('lc-2', { 'everynode.dev/ready': null });
    await eventually(async () => readyOf(await podOn('lc-2')) === 'True', 20_000, 'pod on lc-2 Ready again');
  });
});

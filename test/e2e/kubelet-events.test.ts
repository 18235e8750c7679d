// End to end: the Events a real scheduler, kubelet and node controller post, read back through
// the API and the real kubectl (describe, events), and hostNetwork pods' addresses.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Event, Pod } from '../../src/api/types.js';
import { RawClient } from '../../src/kube/client.js';
import { eventually, hasKubectl, kubectl, startTestCluster, type TestCluster } from '../helpers/cluster.js';

const CONFIG = `
heartbeatIntervalMs: 300
pools:
  - name: ev
    count: 2
    pods:
      startupDelay: 20
      readinessDelay: 20
      rules:
        - image: "broken/*"
          pullError: ErrImagePull
`;

let c: TestCluster;
let api: RawClient;
const pods = '/api/v1/namespaces/default/pods';
const getPod = (name: string) => api.request<Pod>('GET', `${pods}/${name}`);
const eventsFor = async (name: string) => (await api.request<{ items: Event[] }>('GET', `/api/v1/namespaces/default/events?fieldSelector=involvedObject.name=${name}`)).items;
const reasons = async (name: string) => (await eventsFor(name)).map((e) => e.reason);
const hasAll = (want: string[]) => async (name: string) => { const got = await reasons(name); return want.every((r) => got.includes(r)); };
const pod = (name: string, spec: Partial<NonNullable<Pod['spec']>> = {}): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }], ...spec },
});

before(async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'everynode-events-')), 'cluster.yaml');
  writeFileSync(file, CONFIG);
  c = await startTestCluster({ configFile: file, nodeGraceMs: 1500, scheduler: true });
  api = new RawClient(c.kubeConfig());
});
after(async () => { api.close(); await c.stop(); });

describe('events a real cluster emits', () => {
  test('a pod: Scheduled by default-scheduler, then Pulling, Pulled, Created, Started from the kubelet of its node, Killing on delete', async () => {
    await api.request('POST', pods, pod('web'));
    await eventually(() => hasAll(['Scheduled', 'Pulling', 'Pulled', 'Created', 'Started'])('web'), 20_000, 'start events');
    const p = await getPod('web');
    const evs = await eventsFor('web');
    const by = (r: string) => evs.find((e) => e.reason === r)!;
    assert.equal(by('Scheduled').message, `Successfully assigned default/web to ${p.spec?.nodeName}`);
    assert.equal(by('Scheduled').source?.component, 'default-scheduler');
    assert.equal(by('Pulling').message, 'Pulling image "nginx:1.27"');
    assert.match(by('Pulled').message ?? '', /^Successfully pulled image "nginx:1\.27" in \d+(\.\d+)?m?s \(.* including waiting\)\. Image size: \d+ bytes\.$/);
    assert.equal(by('Created').message, 'Created container: web');
    assert.equal(by('Started').message, 'Started container web');
    for (const r of ['Pulling', 'Pulled', 'Created', 'Started']) {
      assert.deepEqual(by(r).source, { component: 'kubelet', host: p.spec?.nodeName }, r);
      assert.equal(by(r).involvedObject.fieldPath, 'spec.containers{web}', r);
    }
    if (hasKubectl) {
      const d = await kubectl(c, ['describe', 'pod', 'web']);
      assert.equal(d.code, 0, d.stderr);
      assert.match(d.stdout, /Normal\s+Scheduled\s+.*default-scheduler\s+Successfully assigned default\/web to ev-\d/);
      assert.match(d.stdout, /Normal\s+Started\s+.*kubelet\s+Started container web/);
      const e = await kubectl(c, ['events', '--for', 'pod/web']);
      assert.equal(e.code, 0, e.stderr);
      assert.match(e.stdout, /Created\s+.*Created container: web/);
    }
    await api.delete(`${pods}/web`, { gracePeriodSeconds: 1 });
    await eventually(() => hasAll(['Killing'])('web'), 20_000, 'Killing');
    assert.equal((await eventsFor('web')).find((e) => e.reason === 'Killing')?.message, 'Stopping container web');
  });

  test('an unschedulable pod gets FailedScheduling with the scheduler\'s explanation', async () => {
    await api.request('POST', pods, pod('nowhere', { nodeSelector: { absent: 'label' } }));
    const e = await eventually(async () => (await eventsFor('nowhere')).find((x) => x.reason === 'FailedScheduling'), 20_000, 'FailedScheduling');
    assert.equal(e.type, 'Warning');
    assert.match(e.message ?? '', /^0\/2 nodes are available: /);
  });

  test('an image that cannot be pulled: Failed (with the error), then BackOff', async () => {
    await api.request('POST', pods, pod('badpull', { containers: [{ name: 'app', image: 'broken/app:1' }] }));
    await eventually(() => hasAll(['Pulling', 'Failed', 'BackOff'])('badpull'), 20_000, 'pull failure events');
    const evs = await eventsFor('badpull');
    assert.ok(evs.some((e) => e.reason === 'Failed' && e.type === 'Warning' && e.message?.startsWith('Failed to pull image "broken/app:1": ')));
    assert.ok(evs.some((e) => e.reason === 'Failed' && e.message === 'Error: ErrImagePull'));
    assert.ok(evs.some((e) => e.reason === 'BackOff' && e.message === 'Back-off pulling image "broken/app:1"'));
  });

  test('node events: RegisteredNode from node-controller; Starting and NodeReady from the kubelet; NodeNotReady when it goes silent', async () => {
    await eventually(() => hasAll(['RegisteredNode', 'Starting', 'NodeReady'])('ev-1'), 20_000, 'node events');
    const evs = await eventsFor('ev-1');
    assert.equal(evs.find((e) => e.reason === 'RegisteredNode')?.message, 'Node ev-1 event: Registered Node ev-1 in Controller');
    assert.equal(evs.find((e) => e.reason === 'RegisteredNode')?.source?.component, 'node-controller');
    assert.deepEqual(evs.find((e) => e.reason === 'Starting')?.source, { component: 'kubelet', host: 'ev-1' });
    assert.equal(evs.find((e) => e.reason === 'NodeReady')?.message, 'Node ev-1 status is now: NodeReady');
    await api.request('PATCH', '/api/v1/nodes/ev-1', { metadata: { annotations: { 'everynode.dev/heartbeat': 'stopped' } } }, 'application/merge-patch+json');
    const nr = await eventually(async () => (await eventsFor('ev-1')).find((e) => e.reason === 'NodeNotReady'), 20_000, 'NodeNotReady');
    assert.deepEqual([nr.message, nr.source?.component], ['Node ev-1 status is now: NodeNotReady', 'node-controller']);
    await api.request('PATCH', '/api/v1/nodes/ev-1', { metadata: { annotations: { 'everynode.dev/heartbeat': null } } }, 'application/merge-patch+json');
    if (hasKubectl) {
      const d = await kubectl(c, ['describe', 'node', 'ev-1']);
      assert.match(d.stdout, /RegisteredNode\s+.*node-controller\s+Node ev-1 event: Registered Node ev-1 in Controller/);
    }
  });

  test('a hostNetwork pod gets its node\'s InternalIP as podIP and hostIP', async () => {
    await api.request('POST', pods, pod('hostnet', { hostNetwork: true, nodeName: 'ev-0' }));
    const p = await eventually(async () => { const p = await getPod('hostnet'); return p.status?.podIP ? p : undefined; }, 20_000, 'hostnet running');
    assert.equal(p.status?.podIP, '172.16.0.1');
    assert.deepEqual(p.status?.podIPs, [{ ip: '172.16.0.1' }]);
    assert.equal(p.status?.hostIP, '172.16.0.1');
  });
});

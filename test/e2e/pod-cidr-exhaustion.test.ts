// End to end: pod addresses come from the node's own pod CIDR, whatever its size. A /29 block
// holds five pod addresses (host-local keeps the network address, the gateway and the broadcast
// address), so of ten pods on the node five run with distinct addresses in the block and five stay
// Pending in ContainerCreating with FailedCreatePodSandBox events; deleting a running pod lets a
// waiting one have its address at the kubelet's next retry.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Node, Pod } from '../../src/api/types.js';
import { RawClient } from '../../src/kube/client.js';
import { parseIP } from '../../src/nodes/podnetwork.js';
import { eventually, startTestCluster, type TestCluster } from '../helpers/cluster.js';

const CONFIG = `
clusterCIDR: 10.20.0.0/28
nodeCIDRMaskSize: 29
pools:
  - name: tiny
    count: 1
    pods: { startupDelay: 0, readinessDelay: 0 }
`;
interface CoreEvent { involvedObject: { name: string }; reason: string; type: string; message: string }

let dir: string;
let c: TestCluster;
let api: RawClient;
const pods = '/api/v1/namespaces/default/pods';
const list = async () => (await api.request<{ items: Pod[] }>('GET', pods)).items;
const sandboxEvents = async () => (await api.request<{ items: CoreEvent[] }>('GET', '/api/v1/namespaces/default/events')).items
  .filter((e) => e.reason === 'FailedCreatePodSandBox');
const running = (l: Pod[]) => l.filter((p) => p.status?.phase === 'Running' && p.metadata?.deletionTimestamp === undefined);

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'everynode-podcidr-'));
  writeFileSync(join(dir, 'cluster.yaml'), CONFIG);
  c = await startTestCluster({ configFile: join(dir, 'cluster.yaml'), scheduler: false, controller: false });
  api = new RawClient(c.kubeConfig());
});
after(async () => { api.close(); await c.stop(); rmSync(dir, { recursive: true, force: true }); });

test('a /29 node with ten pods: five run inside the block, five wait with FailedCreatePodSandBox; a freed address is reused', async () => {
  const node = await eventually(async () => {
    const n = await api.request<Node>('GET', '/api/v1/nodes/tiny-0');
    return n.spec?.podCIDR ? n : undefined;
  }, 20_000, 'the node\'s pod CIDR');
  const cidr = node.spec!.podCIDR!;
  assert.match(cidr, /^10\.20\.0\.(0|8)\/29$/);
  const base = Number(parseIP(cidr.split('/')[0]!)!.n);
  for (let i = 0; i < 10; i++) {
    await api.request('POST', pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${i}` }, spec: { nodeName: 'tiny-0', containers: [{ name: 'c', image: 'nginx:1' }] } });
  }
  const all = await eventually(async () => {
    const l = await list();
    // The kubelet posts the event and writes the pod's status separately: wait for both, in one list.
    const sandboxWaiting = l.filter((p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ContainerCreating');
    return running(l).length === 5 && sandboxWaiting.length === 5 && (await sandboxEvents()).length >= 5 ? l : undefined;
  }, 30_000, '5 pods Running, 5 waiting in ContainerCreating and 5 FailedCreatePodSandBox events');
  const ips = running(all).map((p) => p.status!.podIP!);
  assert.equal(new Set(ips).size, 5, `distinct addresses: ${ips.join(' ')}`);
  for (const ip of ips) {
    const n = Number(parseIP(ip)!.n);
    assert.ok(n >= base + 2 && n <= base + 6, `${ip} is a pod address of ${cidr} (not network, gateway or broadcast)`);
  }
  const waiting = all.filter((p) => p.status?.phase !== 'Running');
  assert.equal(waiting.length, 5);
  for (const p of waiting) {
    assert.equal(p.status?.phase, 'Pending');
    assert.equal(p.status?.podIP, undefined);
    assert.equal(p.status?.containerStatuses?.[0]?.state?.waiting?.reason, 'ContainerCreating');
    assert.equal(p.status?.conditions?.find((x) => x.type === 'PodReadyToStartContainers')?.status, 'False');
  }
  const events = await sandboxEvents();
  assert.deepEqual(new Set(events.map((e) => e.involvedObject.name)), new Set(waiting.map((p) => p.metadata!.name!)));
  const end = `10.20.0.${base % 256 + 6}`;
  for (const e of events) {
    assert.equal(e.type, 'Warning');
    assert.match(e.message, new RegExp(`no IP addresses available in range set: 10\\.20\\.0\\.${base % 256 + 1}-${end.replace(/\./g, '\\.')}$`));
  }

  // One running pod goes: its address is free, and a waiting pod gets it at its next retry.
  const victim = running(all)[0]!;
  await api.request('DELETE', `${pods}/${victim.metadata!.name}`, { gracePeriodSeconds: 0 });
  const heir = await eventually(async () => {
    const l = await list();
    return l.find((p) => waiting.some((w) => w.metadata!.name === p.metadata!.name) && p.status?.phase === 'Running');
  }, 30_000, 'a waiting pod to run once an address is free');
  assert.equal(heir.status!.podIP, victim.status!.podIP);
  const after = running(await list());
  assert.equal(after.length, 5);
  assert.equal(new Set(after.map((p) => p.status!.podIP)).size, 5);
});

// Every component names itself in its User-Agent, as client-go's clients do, so that the field
// manager the API server derives from it (managerOrUserAgent) says whose fields these are:
// "kubelet" for the simulated nodes' writes, "everynode" for a client that names no component.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, eventually, type TestCluster } from '../helpers/cluster.js';
import { RawClient, defaultUserAgent, userAgent } from '../../src/kube/client.js';
import type { KObject } from '../../src/api/types.js';

let c: TestCluster;
before(async () => { c = await startTestCluster({ nodes: 1 }); });
after(async () => { await c?.stop(); });

const managers = (o: KObject) => (o.metadata?.managedFields ?? []).map((e) => e.manager);

test("userAgent has client-go's form: binary/version (os/arch) everynode/version[/component]", () => {
  assert.match(userAgent('kubelet'), /^kubelet\/\d+\.\d+\.\d+ \(\w+\/\w+\) everynode\/\d+\.\d+\.\d+$/);
  assert.match(userAgent('kube-controller-manager', 'pod-garbage-collector'), /^kube-controller-manager\/\S+ \(\S+\) everynode\/\S+\/pod-garbage-collector$/);
  assert.match(defaultUserAgent, /^everynode\//);
  // Go's architecture names, as a real cluster's audit log shows them.
  if (process.arch === 'x64') assert.match(defaultUserAgent, /\/amd64\)/);
});

test('the simulated kubelet owns its node and its lease under the manager "kubelet"', async () => {
  const client = new RawClient(c.kubeConfig());
  try {
    const nodes = await client.request<{ items: KObject[] }>('GET', '/api/v1/nodes');
    assert.equal(nodes.items.length, 1);
    const node = nodes.items[0]!;
    assert.deepEqual([...new Set(managers(node))].filter((m) => m === 'unknown' || m === ''), []);
    assert.ok(managers(node).includes('kubelet'), `node managers: ${managers(node).join(', ')}`);
    const name = node.metadata!.name!;
    const lease = await eventually(async () => client.request<KObject>('GET', `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`), 30_000, 'node lease');
    assert.deepEqual(managers(lease as KObject), ['kubelet']);
  } finally { client.close(); }
});

test('a client that names no component writes as "everynode"; one that does, under its binary', async () => {
  const plain = new RawClient(c.kubeConfig());
  const scheduler = new RawClient(c.kubeConfig(), { userAgent: userAgent('kube-scheduler') });
  // A view of a client (withSignal) keeps its User-Agent.
  const view = scheduler.withSignal(new AbortController().signal);
  try {
    const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: '1' } });
    const a = await plain.request<KObject>('POST', '/api/v1/namespaces/default/configmaps', cm('ua-plain'));
    assert.deepEqual(managers(a), ['everynode']);
    const b = await view.request<KObject>('POST', '/api/v1/namespaces/default/configmaps', cm('ua-scheduler'));
    assert.deepEqual(managers(b), ['kube-scheduler']);
  } finally { plain.close(); scheduler.close(); }
});

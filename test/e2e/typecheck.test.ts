// Issue #9 over real HTTPS: the bodies that were stored and then took the cluster down are
// refused by the decoder with 400 and never reach storage, and the cluster keeps serving.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { rawRequest } from '../helpers/http.js';

let c: TestCluster;
before(async () => { c = await startTestCluster({ controller: true }); });
after(async () => { await c.stop(); });

const pod = (name: string, extra: { metadata?: object; spec?: object } = {}) => JSON.stringify({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, ...extra.metadata },
  spec: { containers: [{ name: 'c', image: 'i' }], ...extra.spec },
});

async function assertBadRequest(path: string, body: string, message: string): Promise<void> {
  const r = await rawRequest(c, 'POST', path, { body });
  assert.equal(r.status, 400, r.text);
  const s = r.json();
  assert.equal(s.kind, 'Status');
  assert.equal(s.reason, 'BadRequest');
  assert.equal(s.code, 400);
  assert.equal(s.message, message);
}

test('a Pod with ownerReferences:"" is 400 and not stored', async () => {
  await assertBadRequest('/api/v1/namespaces/default/pods', pod('owner-string', { metadata: { ownerReferences: '' } }),
    'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field ObjectMeta.metadata.ownerReferences of type []v1.OwnerReference');
  assert.equal((await rawRequest(c, 'GET', '/api/v1/namespaces/default/pods/owner-string')).status, 404);
});

test('a Node with status.conditions:0 is 400 and not stored', async () => {
  await assertBadRequest('/api/v1/nodes', JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'conditions-number' }, status: { conditions: 0 } }),
    'Node in version "v1" cannot be handled as a Node: json: cannot unmarshal number into Go struct field NodeStatus.status.conditions of type []v1.NodeCondition');
  assert.equal((await rawRequest(c, 'GET', '/api/v1/nodes/conditions-number')).status, 404);
});

test('a Pod with spec.containers:"x" is 400 (it was a 500)', async () => {
  await assertBadRequest('/api/v1/namespaces/default/pods', JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'containers-string' }, spec: { containers: 'x' } }),
    'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type []v1.Container');
  assert.equal((await rawRequest(c, 'GET', '/api/v1/namespaces/default/pods/containers-string')).status, 404);
});

test('after the refused bodies the cluster still serves writes', async () => {
  const r = await rawRequest(c, 'POST', '/api/v1/namespaces/default/pods', { body: pod('after') });
  assert.equal(r.status, 201, r.text);
  assert.equal((await rawRequest(c, 'GET', '/api/v1/namespaces/default/pods/after')).status, 200);
});

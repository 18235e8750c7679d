// The rollout controller's writes over real HTTPS: each action is idempotent against a changed
// world (a second replica, or a re-sync, repeating an old plan changes nothing), and the
// preflight of `everynode controller` refuses in one line when the CRD is missing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DaemonSet, Node, Pod } from '../../src/api/types.js';
import { RawClient } from '../../src/kube/client.js';
import { preflightAccess } from '../../src/kube/preflight.js';
import { applyAction } from '../../src/rollout/controller-actions.js';
import { eventually, startTestCluster, type TestCluster } from '../helpers/cluster.js';

let c: TestCluster;
let api: RawClient;
before(async () => { c = await startTestCluster(); api = new RawClient(c.kubeConfig()); });
after(async () => { api.close(); await c.stop(); });

const podBody = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: { 'controller-revision-hash': 'old' } }, spec: { nodeName: 'n1', containers: [{ name: 'main', image: 'a:1' }] } });
const podPath = (name: string) => `/api/v1/namespaces/default/pods/${name}`;

test('DeletePod and PatchPodImages of a pod recreated under the same name do nothing', async () => {
  const old = await api.request<Pod>('POST', '/api/v1/namespaces/default/pods', podBody('agent-x'));
  await api.delete(podPath('agent-x'), { gracePeriodSeconds: 0 });
  const fresh = await api.request<Pod>('POST', '/api/v1/namespaces/default/pods', podBody('agent-x'));
  const ref = { namespace: 'default', name: 'agent-x', uid: old.metadata!.uid!, node: 'n1', daemonSet: 'agent' };
  assert.equal(await applyAction(api, 'default', { type: 'DeletePod', purpose: 'Update', ...ref }), 'gone');
  assert.equal(await applyAction(api, 'default', { type: 'PatchPodImages', ...ref, images: { main: 'a:2' }, initImages: {}, revisionHash: 'new', updatedAt: '2026-01-01T00:00:00Z' }), 'gone');
  const still = await api.request<Pod>('GET', podPath('agent-x'));
  assert.equal(still.metadata?.uid, fresh.metadata?.uid);
  assert.equal(still.spec?.containers[0].image, 'a:1');
  // With the right UID the patch changes the image, the hash label and the annotation only.
  assert.equal(await applyAction(api, 'default', { type: 'PatchPodImages', ...ref, uid: fresh.metadata!.uid!, images: { main: 'a:2' }, initImages: {}, revisionHash: 'new', updatedAt: '2026-01-01T00:00:00Z' }), 'done');
  const patched = await api.request<Pod>('GET', podPath('agent-x'));
  assert.equal(patched.spec?.containers[0].image, 'a:2');
  assert.equal(patched.metadata?.labels?.['controller-revision-hash'], 'new');
  assert.equal(patched.metadata?.annotations?.['everynode.dev/updated-at'], '2026-01-01T00:00:00Z');
  // A second delete of the same pod (a second replica's) is harmless: it is terminating, or gone.
  assert.equal(await applyAction(api, 'default', { type: 'DeletePod', purpose: 'Update', ...ref, uid: fresh.metadata!.uid! }), 'done');
  assert.ok(['done', 'gone'].includes(await applyAction(api, 'default', { type: 'DeletePod', purpose: 'Update', ...ref, uid: fresh.metadata!.uid! })));
  const after = await api.request<Pod>('GET', podPath('agent-x')).catch(() => undefined);
  assert.ok(!after || (after.metadata?.uid === fresh.metadata?.uid && after.metadata?.deletionTimestamp), 'no other pod was touched');
});

test('RollbackTemplate replaces the whole template; SetOnDelete keeps the first original; quarantine is an annotation', async () => {
  const ds: DaemonSet = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'default' }, spec: {
    selector: { matchLabels: { app: 'agent' } }, updateStrategy: { type: 'RollingUpdate' },
    template: { metadata: { labels: { app: 'agent', extra: 'x' } }, spec: { containers: [{ name: 'main', image: 'a:2', args: ['--new'] }] } } } };
  await api.request('POST', '/apis/apps/v1/namespaces/default/daemonsets', ds);
  const template = { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'main', image: 'a:1' }] } };
  await applyAction(api, 'default', { type: 'RollbackTemplate', daemonSet: 'agent', toRevision: 'h1', template });
  await applyAction(api, 'default', { type: 'SetOnDelete', daemonSet: 'agent', original: { type: 'RollingUpdate' } });
  await applyAction(api, 'default', { type: 'SetOnDelete', daemonSet: 'agent', original: { type: 'OnDelete' } });
  const back = await api.request<DaemonSet>('GET', '/apis/apps/v1/namespaces/default/daemonsets/agent');
  assert.equal(back.spec?.template.spec?.containers[0].image, 'a:1');
  assert.equal(back.spec?.template.spec?.containers[0].args, undefined, 'nothing of the bad template is left');
  assert.equal(back.spec?.template.metadata?.labels?.extra, undefined);
  assert.equal(back.spec?.updateStrategy?.type, 'OnDelete');
  assert.equal(JSON.parse(back.metadata!.annotations!['everynode.dev/original-update-strategy']!).type, 'RollingUpdate');
  await api.request('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'q1', annotations: { 'everynode.dev/simulate': 'false' } } });
  await applyAction(api, '', { type: 'QuarantineNode', node: 'q1', value: 'default/r' });
  assert.equal((await api.request<Node>('GET', '/api/v1/nodes/q1')).metadata?.annotations?.['everynode.dev/quarantined'], 'default/r');
  await applyAction(api, '', { type: 'ReleaseNode', node: 'q1' });
  assert.equal((await api.request<Node>('GET', '/api/v1/nodes/q1')).metadata?.annotations?.['everynode.dev/quarantined'], undefined);
  assert.equal(await applyAction(api, '', { type: 'ReleaseNode', node: 'gone' }), 'gone');
});

test('preflight: without the CRD, `everynode controller --rollouts` refuses in one line', async () => {
  await eventually(async () => (await api.request('GET', '/apis/everynode.dev/v1alpha1').then(() => true, () => false)), 20_000, 'the CRD installed at start');
  await preflightAccess(api, { rollouts: true });
  await api.request('DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/daemonsetrollouts.everynode.dev');
  await eventually(async () => (await api.request('GET', '/apis/everynode.dev/v1alpha1').then(() => false, () => true)), 20_000, 'the CRD gone');
  await assert.rejects(preflightAccess(api, { rollouts: true }), /^Error: the DaemonSetRollout CRD is not installed \(kubectl apply -k config\/crd\), or run with --rollouts=false$/);
  await preflightAccess(api, { rollouts: false });
});

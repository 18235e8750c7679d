// evictPod (src/rollout/evict.ts), make-room's one API call, against the embedded API server's
// Eviction subresource: a PodDisruptionBudget with no disruption left blocks (429), one with a
// disruption left lets the pod go and spends it, and a pod gone or replaced (other UID) is Gone.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { RawClient } from '../../src/kube/client.js';
import type { Pod, PodDisruptionBudget } from '../../src/api/types.js';
import { evictPod } from '../../src/rollout/evict.js';

describe('evictPod through the Eviction API', () => {
  let c: TestCluster;
  let api: RawClient;
  before(async () => { c = await startTestCluster(); api = new RawClient(c.kubeConfig()); });
  after(async () => { api?.close(); await c?.stop(); });

  const createPod = (name: string) => api.request<Pod>('POST', '/api/v1/namespaces/default/pods', {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'batch' } }, spec: { containers: [{ name: 'c', image: 'batch:1' }] },
  });
  const setAllowed = async (allowed: number) => {
    const pdb = await api.request<PodDisruptionBudget>('GET', '/apis/policy/v1/namespaces/default/poddisruptionbudgets/batch');
    await api.request('PUT', '/apis/policy/v1/namespaces/default/poddisruptionbudgets/batch/status', {
      ...pdb, status: { observedGeneration: pdb.metadata!.generation, disruptionsAllowed: allowed, currentHealthy: 2, desiredHealthy: 2 - allowed, expectedPods: 2 },
    });
  };

  test('blocked by a PDB with no disruption left, evicted once one is allowed, and the budget spent', async () => {
    const a = await createPod('batch-a');
    const b = await createPod('batch-b');
    await api.request('POST', '/apis/policy/v1/namespaces/default/poddisruptionbudgets', {
      apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'batch' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'batch' } } },
    });
    await setAllowed(0);
    const blocked = await evictPod(api, { namespace: 'default', name: 'batch-a', uid: a.metadata!.uid });
    assert.equal(blocked.result, 'Blocked');
    // The server's words name the budget, for the rollout's EvictionBlocked blocker.
    assert.match(blocked.result === 'Blocked' ? blocked.message : '', /disruption budget batch needs 2 healthy pods/);
    await setAllowed(1);
    assert.deepEqual(await evictPod(api, { namespace: 'default', name: 'batch-a', uid: a.metadata!.uid }), { result: 'Evicted' });
    assert.equal((await evictPod(api, { namespace: 'default', name: 'batch-b', uid: b.metadata!.uid })).result, 'Blocked', 'the one disruption was spent');
  });

  test('a pod that is gone, or was replaced under the same name, is Gone', async () => {
    assert.deepEqual(await evictPod(api, { namespace: 'default', name: 'nope' }), { result: 'Gone' });
    await api.request('DELETE', '/apis/policy/v1/namespaces/default/poddisruptionbudgets/batch');
    await createPod('batch-c');
    assert.deepEqual(await evictPod(api, { namespace: 'default', name: 'batch-c', uid: 'an-older-uid' }), { result: 'Gone' });
    assert.deepEqual(await evictPod(api, { namespace: 'default', name: 'batch-c' }), { result: 'Evicted' });
  });
});

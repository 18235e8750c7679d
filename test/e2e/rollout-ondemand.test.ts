// The rollout controller's pod and node caches cost nothing while no DaemonSetRollout exists: no
// list or watch of pods or nodes is sent (counted at the controller's API client) until the first
// rollout appears, and they stop (cache dropped) when the last one is deleted. The rollout still
// gets planned on complete caches once they have listed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeConfig } from '@kubernetes/client-node';
import { RawClient } from '../../src/kube/client.js';
import { RolloutController } from '../../src/rollout/controller.js';
import type { DaemonSetRollout } from '../../src/rollout/api/types.js';
import { eventually, startTestCluster, type TestCluster } from '../helpers/cluster.js';

/** Counts the reads (lists and watches) of each collection the informers make through it. */
class CountingClient extends RawClient {
  readonly reads = new Map<string, number>();
  constructor(kc: KubeConfig) { super(kc); }
  #count(path: string) { const p = path.split('?')[0]; this.reads.set(p, (this.reads.get(p) ?? 0) + 1); }
  override async requestOptions(method: string, path: string) { if (/[?&]watch=true/.test(path)) this.#count(`WATCH ${path}`); return super.requestOptions(method, path); }
  override async listAll<T>(path: string, query: Record<string, string> = {}, call = {}) { this.#count(`LIST ${path}`); return super.listAll<T>(path, query, call); }
  of(verb: 'LIST' | 'WATCH', path: string) { return this.reads.get(`${verb} ${path}`) ?? 0; }
}

const DSR = '/apis/everynode.dev/v1alpha1/namespaces/default/daemonsetrollouts';
let c: TestCluster;
let api: RawClient;
let counting: CountingClient;
let controller: RolloutController;
const stop = new AbortController();
let running: Promise<void>;

before(async () => {
  c = await startTestCluster({ nodes: 2, scheduler: true, controller: false });
  api = new RawClient(c.kubeConfig());
  counting = new CountingClient(c.kubeConfig());
  controller = new RolloutController(c.kubeConfig(), { apiClient: counting });
  running = controller.start(stop.signal);
});
after(async () => { stop.abort(); await running; counting?.close(); api?.close(); await c?.stop(); });

test('no pod or node list/watch while no rollout exists; started by the first, stopped after the last', { timeout: 60_000 }, async () => {
  const { rollouts, daemonSets, pods, nodes, pdbs } = controller.caches;
  await eventually(() => rollouts.hasSynced() && daemonSets.hasSynced() && pods.hasSynced() && nodes.hasSynced(), 20_000, 'the caches synced');
  // Rollouts are watched from the start (the trigger of everything else).
  await eventually(() => counting.of('WATCH', '/apis/everynode.dev/v1alpha1/daemonsetrollouts') > 0, 20_000, 'the rollouts watched');
  assert.equal(counting.of('LIST', '/api/v1/pods') + counting.of('WATCH', '/api/v1/pods'), 0, 'no pod read');
  assert.equal(counting.of('LIST', '/api/v1/nodes') + counting.of('WATCH', '/api/v1/nodes'), 0, 'no node read');
  assert.equal(pods.starts + nodes.starts + pdbs.starts, 0);

  await api.request('POST', DSR, { apiVersion: 'everynode.dev/v1alpha1', kind: 'DaemonSetRollout', metadata: { name: 'r' }, spec: { targetRef: { name: 'nothing' }, waves: [{ name: 'all' }] } });
  await eventually(() => counting.of('WATCH', '/api/v1/pods') > 0 && counting.of('WATCH', '/api/v1/nodes') > 0, 20_000, 'pods and nodes watched');
  assert.equal(counting.of('LIST', '/api/v1/pods'), 1);
  assert.equal(nodes.list().length, 2, 'the node cache is complete');
  // Planned (status written) only once the caches listed: no DaemonSet matches.
  await eventually(async () => (await api.request<DaemonSetRollout>('GET', `${DSR}/r`)).status?.conditions?.some((x) => x.reason === 'NoTarget'), 20_000, 'the rollout planned');
  assert.equal(pdbs.starts, 0, 'budgets only for a rollout that makes room');
  await api.request('PATCH', `${DSR}/r`, { spec: { makeRoom: true } }, 'application/merge-patch+json');
  await eventually(() => pdbs.listed, 20_000, 'the budgets listed for make-room');

  await api.request('DELETE', `${DSR}/r`);
  // The finalizer is removed by the controller (it releases quarantined nodes first), then the caches stop.
  await eventually(() => !pods.running && !nodes.running && !pdbs.running, 20_000, 'the on-demand caches stopped');
  assert.deepEqual(pods.list(), [], 'the pod cache dropped');
  assert.equal(pods.starts, 1);
});

// SharedInformers over real HTTPS: one watch per collection however many components ask, and a
// component that joins late (an informer, a handler or an index added to a running factory)
// sees everything that came before it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../src/api/types.js';
import { RawClient } from '../../src/kube/client.js';
import { SharedInformers } from '../../src/kube/shared.js';
import { eventually, startTestCluster, type TestCluster } from '../helpers/cluster.js';

let c: TestCluster;
let api: RawClient;
before(async () => { c = await startTestCluster(); api = new RawClient(c.kubeConfig()); });
after(async () => { api.close(); await c.stop(); });

const cm = (name: string, app: string) => ({ metadata: { name, labels: { app } }, data: {} });

test('components asking for the same collection share one informer; late handlers, indexes and informers catch up', async () => {
  const ns = 'shared-inf';
  await api.request('POST', '/api/v1/namespaces', { metadata: { name: ns } });
  for (const [n, app] of [['a', 'x'], ['b', 'y']]) await api.request('POST', `/api/v1/namespaces/${ns}/configmaps`, cm(n, app));

  const factory = new SharedInformers(c.kubeConfig());
  const first = factory.informer<KObject>(`/api/v1/namespaces/${ns}/configmaps`);
  assert.equal(factory.informer(`/api/v1/namespaces/${ns}/configmaps`), first, 'same path, same informer');
  assert.notEqual(factory.informer(`/api/v1/namespaces/${ns}/configmaps`, { labelSelector: 'app=x' }), first, 'other selectors, another informer');
  const stop = new AbortController();
  const running = factory.start(stop.signal);
  assert.equal(factory.start(stop.signal), running, 'start is idempotent: every sharing component calls it');
  await first.waitForSync();

  // A handler added to the running informer is told of what is already cached.
  const seen: string[] = [];
  first.addHandler({ onAdd: (o) => seen.push(o.metadata!.name!) });
  assert.deepEqual(seen.sort(), ['a', 'b']);
  // An index added late covers the existing objects, and a second request for the same name keeps the first.
  first.addIndex('app', (o) => [o.metadata?.labels?.app ?? '']);
  first.addIndex('app', () => ['other']);
  assert.deepEqual(first.byIndex('app', 'x').map((o) => o.metadata!.name), ['a']);

  // An informer asked for after start is started at once.
  const late = factory.informer<KObject>(`/api/v1/namespaces/${ns}/configmaps`, { labelSelector: 'app=y' });
  await late.waitForSync();
  assert.deepEqual(late.list().map((o) => o.metadata!.name), ['b']);
  await api.request('POST', `/api/v1/namespaces/${ns}/configmaps`, cm('c', 'y'));
  await eventually(() => late.get(`${ns}/c`) && seen.includes('c') && first.byIndex('app', 'y').length === 2, 10_000, 'the new object in every view');

  stop.abort();
  await running; // resolves once every informer, the late one included, has stopped
});

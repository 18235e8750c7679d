// The informers' watch stream against the embedded server over HTTPS: events in order, a silent
// stream abandoned after its idle timeout, a refused request reported with its status.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { RawClient } from '../../src/kube/client.js';
import { watchStream, type RawWatchEvent } from '../../src/kube/watchstream.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let c: TestCluster;
let api: RawClient;
before(async () => {
  c = await startTestCluster();
  api = new RawClient(c.kubeConfig());
  await api.request('POST', '/api/v1/namespaces', { metadata: { name: 'ws' } });
  // The root-CA publisher adds kube-root-ca.crt to every new namespace, as on a real cluster: let
  // it land before the watch starts, or it may arrive as a fourth event.
  for (let i = 0; ; i++) {
    try { await api.request('GET', '/api/v1/namespaces/ws/configmaps/kube-root-ca.crt'); break; } catch (e) { if (i > 100) throw e; }
    await new Promise((r) => setTimeout(r, 50));
  }
});
after(async () => { api.close(); await c.stop(); });

test('events arrive in order; a stream silent past its idle timeout ends as idle', async () => {
  const list = await api.request<{ metadata: { resourceVersion: string } }>('GET', '/api/v1/namespaces/ws/configmaps');
  const seen: RawWatchEvent[] = [];
  const stop = new AbortController();
  const ended = watchStream(api, '/api/v1/namespaces/ws/configmaps', { resourceVersion: list.metadata.resourceVersion }, (ev) => seen.push(ev), { signal: stop.signal, idleTimeoutMs: 1500 });
  for (const n of ['a', 'b']) await api.request('POST', '/api/v1/namespaces/ws/configmaps', { metadata: { name: n } });
  await api.request('DELETE', '/api/v1/namespaces/ws/configmaps/a');
  // No more writes: the server's heartbeat comes every 15 s, so the 1.5 s idle timeout fires.
  assert.deepEqual(await ended, { kind: 'idle' });
  assert.deepEqual(seen.map((e) => `${e.type} ${(e.object as { metadata: { name: string } }).metadata.name}`), ['ADDED a', 'ADDED b', 'DELETED a']);
});

test('abort ends the stream as closed; a refused watch reports its status', async () => {
  const stop = new AbortController();
  const ended = watchStream(api, '/api/v1/namespaces/ws/configmaps', {}, () => {}, { signal: stop.signal });
  setTimeout(() => stop.abort(), 200);
  assert.deepEqual(await ended, { kind: 'closed' });
  const refused = await watchStream(api, '/api/v1/namespaces/ws/nosuchthings', {}, () => {}, { signal: new AbortController().signal });
  assert.equal(refused.kind, 'status');
  assert.equal(refused.kind === 'status' && refused.code, 404);
});

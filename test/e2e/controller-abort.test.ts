// When the controller's client signal aborts (SIGTERM, or leadership lost), the reconciles whose
// requests it cancelled fail with RequestAbortedError: retried quietly, never reported as a
// FailedSync Warning on the DaemonSet (nothing is wrong with the object).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DaemonSet } from '../../src/api/types.js';
import { DaemonSetController } from '../../src/controller/controller.js';
import { RawClient } from '../../src/kube/client.js';
import { eventually, startTestCluster, type TestCluster } from '../helpers/cluster.js';

let c: TestCluster;
let api: RawClient;
before(async () => { c = await startTestCluster(); api = new RawClient(c.kubeConfig()); await api.request('POST', '/api/v1/namespaces', { metadata: { name: 'ab' } }); });
after(async () => { api.close(); await c.stop(); });

test('aborted requests are not FailedSync events', { timeout: 60_000 }, async () => {
  await api.request('POST', '/apis/apps/v1/namespaces/ab/daemonsets', {
    metadata: { name: 'd' },
    spec: { selector: { matchLabels: { a: 'd' } }, template: { metadata: { labels: { a: 'd' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
  });
  const requests = new AbortController();
  const run = new AbortController();
  const logs: string[] = [];
  const controller = new DaemonSetController(c.kubeConfig(), { client: { signal: requests.signal }, log: (l) => logs.push(l) });
  const posted: { reason?: string }[] = [];
  (controller as unknown as { eventSink: { post(ns: string, e: { reason?: string }): void } }).eventSink.post = (_ns, e) => { posted.push(e); };
  const running = controller.start(run.signal);
  try {
    await eventually(() => controller.caches.daemonSets.get('ab/d')?.status?.observedGeneration === 1, 30_000, 'the first status write');
    requests.abort();
    // Make the next sync need a write (a status the cache says is stale), so it sends a request.
    (controller.caches.daemonSets.get('ab/d') as DaemonSet).status!.observedGeneration = 0;
    controller.queue.add('ab/d');
    await eventually(() => controller.queue.numRequeues('ab/d') > 0, 10_000, 'the failed sync to be re-queued');
    assert.ok(logs.some((l) => /sync ab\/d failed: .*aborted/.test(l)), logs.join('\n'));
    assert.deepEqual(posted.filter((e) => e.reason === 'FailedSync'), []);
  } finally {
    run.abort();
    await running;
  }
});

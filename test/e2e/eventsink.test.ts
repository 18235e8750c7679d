// EventSink against the embedded server: events are written without the caller waiting, and a
// full backlog drops the newest instead of growing without bound.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { RawClient } from '../../src/kube/client.js';
import { EventSink } from '../../src/kube/eventsink.js';
import { eventually, startTestCluster, type TestCluster } from '../helpers/cluster.js';

let c: TestCluster;
let api: RawClient;
before(async () => { c = await startTestCluster(); api = new RawClient(c.kubeConfig()); });
after(async () => { api.close(); await c.stop(); });

const event = (i: number) => ({
  apiVersion: 'v1', kind: 'Event', metadata: { name: `sink.${i}`, namespace: 'default' },
  involvedObject: { apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: `p${i}` },
  reason: 'Test', message: `event ${i}`, type: 'Normal', source: { component: 'test' },
});

test('events are sent in the background; beyond the backlog they are dropped and counted', async () => {
  const sink = new EventSink(c.kubeConfig(), { concurrency: 1, maxBacklog: 3 });
  try {
    for (let i = 0; i < 10; i++) sink.post('default', event(i)); // returns at once
    // One in flight, three waiting, six dropped.
    assert.equal(sink.dropped, 6);
    const names = await eventually(async () => {
      const l = await api.request<{ items: { metadata: { name: string } }[] }>('GET', '/api/v1/namespaces/default/events');
      const got = l.items.map((e) => e.metadata.name).filter((n) => n.startsWith('sink.')).sort();
      return got.length === 4 ? got : undefined;
    }, 10_000, 'the four kept events');
    assert.deepEqual(names, ['sink.0', 'sink.1', 'sink.2', 'sink.3']);
    assert.equal(sink.backlog, 0);
  } finally {
    sink.close();
  }
});

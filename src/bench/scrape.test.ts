import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ControllerMetrics } from '../kube/metrics.js';
import { scrape, scrapeResult, summarizeExposition } from './scrape.js';

test('summarizeExposition counts series per family: histogram buckets, _sum and _count are one family\'s', () => {
  const text = [
    '# HELP workqueue_depth Current depth of workqueue',
    '# TYPE workqueue_depth gauge',
    'workqueue_depth{name="daemonset"} 0',
    'workqueue_depth{name="a b}c"} 1',
    '',
    '# HELP t Length of time',
    '# TYPE t histogram',
    't_bucket{le="0.1",controller="x"} 1',
    't_bucket{le="+Inf",controller="x"} 2',
    't_sum{controller="x"} 0.3',
    't_count{controller="x"} 2',
    '# TYPE c counter',
    'c_total 5',
    'untyped_thing 3',
  ].join('\n');
  const s = summarizeExposition(text);
  assert.equal(s.series, 8);
  assert.equal(s.families, 4);
  assert.deepEqual(s.largest, [{ name: 't', series: 4 }, { name: 'workqueue_depth', series: 2 }, { name: 'c', series: 1 }]);
  assert.equal(s.bytes, Buffer.byteLength(text));
  assert.deepEqual(summarizeExposition(''), { bytes: 0, series: 0, families: 0, largest: [] });
});

test('summarizeExposition reads prom-client\'s own exposition: every family of the controller\'s registry, each sample once', async () => {
  const m = new ControllerMetrics({ processMetrics: false });
  m.controller('daemonset').reconciled('success', 0.01);
  m.queue('daemonset');
  m.daemonSets.podCreated('ns', 'agent');
  const text = (await m.text()).body;
  const s = summarizeExposition(text, 100);
  const samples = text.split('\n').filter((l) => l && !l.startsWith('#')).length;
  assert.equal(s.series, samples);
  assert.equal(s.families, text.split('\n').filter((l) => l.startsWith('# TYPE ')).length);
  // 40 buckets + +Inf + _sum + _count, for one controller.
  assert.equal(s.largest.find((f) => f.name === 'controller_runtime_reconcile_time_seconds')?.series, 43);
  assert.equal(s.largest.find((f) => f.name === 'everynode_daemonset_pods_created_total')?.series, 1);
});

test('scrapeResult: median and max of the times', () => {
  const r = scrapeResult([5, 1, 9, 3], '# TYPE a gauge\na 1\n');
  assert.equal(r.p50Ms, 3);
  assert.equal(r.maxMs, 9);
  assert.equal(r.series, 1);
  assert.ok(Number.isNaN(scrapeResult([], '').maxMs));
});

test('scrape GETs the URL count times and sums up the exposition', async () => {
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    res.statusCode = req.url === '/metrics' ? 200 : 404;
    res.end(req.url === '/metrics' ? '# TYPE up gauge\nup 1\n' : 'not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
    const r = await scrape(url, 4);
    assert.equal(hits, 4);
    assert.equal(r.timesMs.length, 4);
    assert.equal(r.series, 1);
    assert.equal(r.bytes, 21);
    await assert.rejects(scrape(url.replace('/metrics', '/nothing'), 1), /HTTP 404/);
  } finally {
    server.close();
  }
});

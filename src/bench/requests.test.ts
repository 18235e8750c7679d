import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ControllerMetrics } from '../kube/metrics.js';
import { reportRequestResult } from '../kube/client.js';
import { methodDelta, reconcileTime, requestsPerChange, restRequestsBy, restRequestsByMethod, restRequestsTotal } from './requests.js';

test('restRequestsTotal sums every code/method/host sample; other metrics and junk are ignored', () => {
  const text = [
    '# HELP rest_client_requests_total Number of HTTP requests, partitioned by status code, method, and host',
    '# TYPE rest_client_requests_total counter',
    'rest_client_requests_total{code="201",method="POST",host="127.0.0.1:6443"} 200',
    'rest_client_requests_total{code="200",method="PUT",host="127.0.0.1:6443"} 31',
    'rest_client_requests_total{code="<error>",method="GET",host="127.0.0.1:6443"} 2',
    'rest_client_requests_totally_other 99',
    'workqueue_adds_total{name="daemonset"} 7',
    'rest_client_requests_total{code="200",method="GET",host="x"} NaN',
  ].join('\n');
  assert.equal(restRequestsTotal(text), 233);
  assert.deepEqual([...restRequestsByMethod(text)], [['POST', 200], ['PUT', 31], ['GET', 2]]);
  assert.equal(methodDelta(new Map([['POST', 150], ['GET', 2]]), restRequestsByMethod(text)), 'POST 50, PUT 31');
  assert.deepEqual([...restRequestsBy(text, 'code')], [['201', 200], ['200', 31], ['<error>', 2]]);
  assert.deepEqual([...restRequestsBy(text, 'host')], [['127.0.0.1:6443', 233]]);
  assert.equal(restRequestsTotal('workqueue_adds_total 1\n'), undefined);
  assert.equal(restRequestsTotal(''), undefined);
});

test('the controller process\'s own registry is what is read: each request its clients report counts once', async () => {
  const m = new ControllerMetrics();
  const uninstall = m.install();
  try {
    const before = restRequestsTotal((await m.text()).body) ?? 0;
    for (let i = 0; i < 5; i++) reportRequestResult('POST', '127.0.0.1:1', 201);
    reportRequestResult('GET', '127.0.0.1:1', undefined);
    assert.equal((restRequestsTotal((await m.text()).body) ?? 0) - before, 6);
  } finally { uninstall(); }
});

test('requestsPerChange takes the idle background out of the change window', () => {
  // 0.5 req/s idle (lease renewals); 20 s window with 310 requests for 100 node changes.
  const r = requestsPerChange({ before: 1000, after: 1310, ms: 20_000, count: 100 }, { before: 900, after: 915, ms: 30_000 });
  assert.equal(r.backgroundPerSecond, 0.5);
  assert.equal(r.attributed, 300);
  assert.equal(r.perChange, 3);
  assert.equal(requestsPerChange({ before: 0, after: 1, ms: 10_000, count: 1 }, { before: 0, after: 100, ms: 1000 }).perChange, 0, 'never negative');
  assert.ok(Number.isNaN(requestsPerChange({ before: 0, after: 1, ms: 1, count: 0 }, { before: 0, after: 0, ms: 0 }).perChange));
});

test('reconcileTime reads one controller\'s reconcile count and seconds from the registry the controller process serves', async () => {
  const m = new ControllerMetrics();
  m.reconcileTime.observe({ controller: 'daemonset' }, 0.25);
  m.reconcileTime.observe({ controller: 'daemonset' }, 0.5);
  m.reconcileTime.observe({ controller: 'daemonsetrollout' }, 9);
  const text = (await m.text()).body;
  assert.deepEqual(reconcileTime(text, 'daemonset'), { count: 2, seconds: 0.75 });
  assert.deepEqual(reconcileTime(text, 'daemonsetrollout'), { count: 1, seconds: 9 });
  assert.equal(reconcileTime(text, 'daemon'), undefined, 'a label value is matched whole');
  assert.equal(reconcileTime('controller_runtime_reconcile_time_seconds_sum{controller="daemonset"} 1\n', 'daemonset'), undefined, 'a sum without a count is no reading');
  assert.equal(reconcileTime('', 'daemonset'), undefined);
});

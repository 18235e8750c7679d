import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ControllerMetrics } from './metrics.js';
import { WorkQueue } from './workqueue.js';
import { reportRequestResult } from './client.js';

test("controller-runtime's names and labels, fed by the queue, client and controller hooks", async () => {
  const m = new ControllerMetrics({ processMetrics: false });
  const uninstall = m.install({ daemonset: 4 });
  try {
    const q = new WorkQueue<string>({ name: 'daemonset' });
    q.add('ns/a');
    q.addRateLimited('ns/b');
    const worker = q.work(async (k) => (k === 'ns/a' ? 'requeue_after' : undefined));
    for (let i = 0; i < 10 && !(await m.text()).body.includes('result="requeue_after"} 1'); i++) await new Promise((r) => setImmediate(r));
    q.shutDown();
    await worker;
    reportRequestResult('POST', '127.0.0.1:6443', 201);
    reportRequestResult('GET', '127.0.0.1:6443', undefined);
    m.daemonSets.podCreated('ns', 'a');
    m.daemonSets.podDeleted('ns', 'a');
    m.leading('everynode-controller', true);
    const { body, contentType } = await m.text();
    assert.match(contentType, /^text\/plain/);
    for (const line of [
      'controller_runtime_reconcile_total{controller="daemonset",result="requeue_after"} 1',
      'controller_runtime_reconcile_total{controller="daemonset",result="error"} 0',
      'controller_runtime_reconcile_errors_total{controller="daemonset"} 0',
      'controller_runtime_reconcile_time_seconds_count{controller="daemonset"} 1',
      'controller_runtime_active_workers{controller="daemonset"} 0',
      'controller_runtime_max_concurrent_reconciles{controller="daemonset"} 4',
      'workqueue_adds_total{name="daemonset"} 1',
      'workqueue_retries_total{name="daemonset"} 1',
      'workqueue_depth{name="daemonset"} 0',
      'workqueue_queue_duration_seconds_count{name="daemonset"} 1',
      'workqueue_work_duration_seconds_count{name="daemonset"} 1',
      'rest_client_requests_total{code="201",method="POST",host="127.0.0.1:6443"} 1',
      'rest_client_requests_total{code="<error>",method="GET",host="127.0.0.1:6443"} 1',
      'leader_election_master_status{name="everynode-controller"} 1',
      'everynode_daemonset_pods_created_total{namespace="ns",daemonset="a"} 1',
      'everynode_daemonset_pods_deleted_total{namespace="ns",daemonset="a"} 1',
    ]) assert.ok(body.split('\n').includes(line), `missing: ${line}`);
  } finally { uninstall(); }
  // Uninstalled: nothing reports any more.
  reportRequestResult('PUT', 'h', 200);
  assert.ok(!(await m.text()).body.includes('method="PUT"'));
});

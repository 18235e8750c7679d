import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ControllerMetrics } from './metrics.js';
import { ControllerLoop, TerminalError } from './controllerloop.js';
import { reportRequestResult } from './client.js';

test("controller-runtime's names and labels, fed by the queue, client and controller hooks", async () => {
  const m = new ControllerMetrics({ processMetrics: false });
  const uninstall = m.install();
  try {
    let release = () => {};
    let retried = false;
    const loop = new ControllerLoop({
      name: 'daemonset', workers: 4,
      reconciler: {
        reconcile: async (k) => {
          if (k === 'ns/a') return { requeueAfterMs: 60_000 };
          if (k === 'ns/bad') throw new TerminalError('invalid');
          if (k === 'ns/b') { retried = true; return; }
          await new Promise<void>((r) => { release = r; }); // ns/slow stays in progress until scraped
        },
      },
    });
    const stop = new AbortController();
    const running = loop.start(stop.signal);
    loop.queue.add('ns/a');
    loop.queue.addRateLimited('ns/b');
    loop.queue.add('ns/bad');
    loop.queue.add('ns/slow');
    let inProgress: string[] = [];
    const gauge = (name: string) => Number(inProgress.find((l) => l.startsWith(`${name}{name="daemonset"} `))?.split(' ')[1]);
    // Bounded: until ns/b's retry has run and ns/slow has been in progress for a measurable time.
    for (let i = 0; i < 500 && !(retried && gauge('workqueue_unfinished_work_seconds') > 0); i++) {
      await new Promise((r) => setTimeout(r, 10));
      inProgress = (await m.text()).body.split('\n');
    }
    assert.ok(gauge('workqueue_unfinished_work_seconds') > 0, 'ns/slow is in progress');
    assert.ok(gauge('workqueue_longest_running_processor_seconds') > 0);
    release();
    stop.abort();
    await running;
    reportRequestResult('POST', '127.0.0.1:6443', 201);
    reportRequestResult('GET', '127.0.0.1:6443', undefined);
    m.daemonSets.podCreated('ns', 'a');
    m.daemonSets.podDeleted('ns', 'a');
    m.leading('everynode-controller', true);
    const { body, contentType } = await m.text();
    assert.match(contentType, /^text\/plain/);
    for (const line of [
      'controller_runtime_reconcile_total{controller="daemonset",result="requeue_after"} 1',
      'controller_runtime_reconcile_total{controller="daemonset",result="error"} 1',
      'controller_runtime_reconcile_errors_total{controller="daemonset"} 1',
      'controller_runtime_terminal_reconcile_errors_total{controller="daemonset"} 1',
      'controller_runtime_reconcile_time_seconds_count{controller="daemonset"} 4',
      'controller_runtime_active_workers{controller="daemonset"} 0',
      'controller_runtime_max_concurrent_reconciles{controller="daemonset"} 4',
      'workqueue_adds_total{name="daemonset"} 4',
      'workqueue_retries_total{name="daemonset"} 1',
      'workqueue_depth{name="daemonset"} 0',
      'workqueue_queue_duration_seconds_count{name="daemonset"} 4',
      'workqueue_work_duration_seconds_count{name="daemonset"} 4',
      'workqueue_unfinished_work_seconds{name="daemonset"} 0',
      'workqueue_longest_running_processor_seconds{name="daemonset"} 0',
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

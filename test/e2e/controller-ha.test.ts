// Two `everynode controller` processes against one embedded cluster: exactly one leads and acts
// (it alone holds the Lease and creates the pods); SIGKILL the leader and the standby takes over
// within about one lease duration; a leader whose lease is taken exits non-zero ("leaderelection
// lost"); SIGTERM releases the lease at once. Short timings through the election flags.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DaemonSet, Lease, Pod } from '../../src/api/types.js';
import { RawClient } from '../../src/kube/client.js';
import { CONTROLLER_TEST_CLUSTER, eventually, startTestCluster, type TestCluster } from '../helpers/cluster.js';

const repo = new URL('../..', import.meta.url).pathname;
const LEASE = '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/everynode-e2e';
const LEASE_MS = 3000;

interface Proc { id: string; child: ChildProcess; log: () => string; metricsUrl: string; probesUrl: string; exited: Promise<number | null> }

let c: TestCluster;
let api: RawClient;
let dir: string;
const procs: Proc[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'everynode-ha-'));
  writeFileSync(join(dir, 'cluster.yaml'), CONTROLLER_TEST_CLUSTER);
  c = await startTestCluster({ configFile: join(dir, 'cluster.yaml'), scheduler: true, controller: false });
  api = new RawClient(c.kubeConfig());
  await api.request('POST', '/api/v1/namespaces', { metadata: { name: 'ha' } });
});

after(async () => {
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all(procs.map((p) => p.exited));
  api?.close();
  await c?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Starts one controller process and waits until it serves its endpoints (it may still be a standby). */
async function startController(id: string): Promise<Proc> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'controller', '--kubeconfig', c.kubeconfigPath,
    '--identity', id, '--leader-elect-id', 'everynode-e2e', '--leader-elect-namespace', 'kube-system',
    '--leader-elect-lease-duration', `${LEASE_MS}ms`, '--leader-elect-renew-deadline', '2s', '--leader-elect-retry-period', '500ms',
    '--metrics-bind-address', '127.0.0.1:0', '--health-probe-bind-address', '127.0.0.1:0'], { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const m = await eventually(() => {
    if (child.exitCode !== null) throw new Error(`controller ${id} exited (${child.exitCode}): ${err}`);
    const metrics = /serving metrics on (\S+)\/metrics/.exec(err);
    const probes = /serving health probes on (\S+)\/healthz/.exec(err);
    return metrics && probes ? { metricsUrl: metrics[1], probesUrl: probes[1] } : undefined;
  }, 30_000, `controller ${id} serving its endpoints`);
  const p = { id, child, log: () => err, exited, ...m };
  procs.push(p);
  return p;
}

const holder = async () => (await api.request<Lease>('GET', LEASE).catch(() => undefined))?.spec?.holderIdentity;
const scrape = async (p: Proc) => (await fetch(`${p.metricsUrl}/metrics`)).text();
const metric = (text: string, series: string) => Number(text.split('\n').find((l) => l.startsWith(`${series} `))?.split(' ')[1] ?? 0);
const livePods = async () => (await api.request<{ items: Pod[] }>('GET', '/api/v1/namespaces/ha/pods')).items.filter((p) => !p.metadata?.deletionTimestamp);
const readyPods = async () => (await livePods()).filter((p) => p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'));

const daemonSet: DaemonSet = {
  apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'ha' },
  spec: {
    selector: { matchLabels: { app: 'agent' } },
    template: { metadata: { labels: { app: 'agent' } }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'a', image: 'registry.k8s.io/pause:3.9' }] } },
  },
};

test('one leader acts; SIGKILL hands over within a lease duration; a taken lease is lost; SIGTERM releases', { timeout: 180_000 }, async () => {
  const [a, b] = await Promise.all([startController('ctl-a'), startController('ctl-b')]);
  const first = await eventually(async () => { const h = await holder(); return h === 'ctl-a' || h === 'ctl-b' ? h : undefined; }, 30_000, 'a leader');
  const [leader, standby] = first === 'ctl-a' ? [a, b] : [b, a];

  await api.request('POST', '/apis/apps/v1/namespaces/ha/daemonsets', daemonSet);
  await eventually(async () => (await readyPods()).length === 3, 60_000, '3 ready daemon pods');
  assert.equal((await livePods()).length, 3);
  assert.equal(await holder(), leader.id, 'the lease never moved');

  const [lm, sm] = [await scrape(leader), await scrape(standby)];
  assert.equal(metric(lm, 'everynode_daemonset_pods_created_total{namespace="ha",daemonset="agent"}'), 3, 'the leader created each pod once');
  assert.equal(metric(sm, 'everynode_daemonset_pods_created_total{namespace="ha",daemonset="agent"}'), 0, 'the standby created none');
  assert.ok(metric(lm, 'controller_runtime_reconcile_total{controller="daemonset",result="success"}') > 0);
  assert.equal(metric(sm, 'controller_runtime_reconcile_total{controller="daemonset",result="success"}'), 0);
  assert.equal(metric(lm, 'leader_election_master_status{name="everynode-e2e"}'), 1);
  for (const name of ['controller_runtime_reconcile_errors_total', 'controller_runtime_reconcile_time_seconds_bucket', 'controller_runtime_active_workers',
    'workqueue_depth', 'workqueue_adds_total', 'workqueue_queue_duration_seconds_bucket', 'workqueue_work_duration_seconds_bucket', 'workqueue_retries_total',
    'workqueue_unfinished_work_seconds', 'workqueue_longest_running_processor_seconds', 'controller_runtime_max_concurrent_reconciles',
    'controller_runtime_terminal_reconcile_errors_total',
    'rest_client_requests_total', 'process_cpu_seconds_total', 'nodejs_heap_size_used_bytes']) {
    assert.ok(lm.split('\n').some((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `)), `${name} exported`);
  }
  assert.ok(metric(lm, 'workqueue_adds_total{name="daemonset"}') > 0);
  assert.equal(metric(lm, 'controller_runtime_max_concurrent_reconciles{controller="daemonset"}'), 4, 'the default --workers');
  assert.equal(metric(lm, 'controller_runtime_terminal_reconcile_errors_total{controller="daemonset"}'), 0);
  assert.ok(lm.includes('workqueue_longest_running_processor_seconds{name="daemonset"} '));
  assert.ok(metric(lm, `rest_client_requests_total{code="201",method="POST",host="${new URL(c.url).host}"}`) >= 3, 'pod creates counted by the rest client');
  assert.equal(metric(sm, 'leader_election_master_status{name="everynode-e2e"}'), 0);
  // Both are ready: the leader has synced its caches, the standby stands by.
  for (const p of [leader, standby]) assert.equal((await fetch(`${p.probesUrl}/readyz`)).status, 200, p.id);
  assert.equal((await fetch(`${leader.probesUrl}/healthz`)).status, 200);

  // SIGKILL: no release; the standby waits out the lease (from when it last saw it change).
  leader.child.kill('SIGKILL');
  await leader.exited;
  const killedAt = Date.now();
  // Bounded wait (lease + jittered retry + start-up slack on a loaded machine), not a timing assertion.
  await eventually(async () => (await holder()) === standby.id, LEASE_MS * 4, 'the standby to take over');
  const tookMs = Date.now() - killedAt;
  // The Lease is written before the new leader's log line crosses its stdout pipe.
  await eventually(async () => /successfully acquired lease kube-system\/everynode-e2e/.test(standby.log()), 10_000, 'the standby to log its acquisition');
  // The new leader acts: a deleted pod comes back, and no duplicates appear.
  const victim = (await livePods())[0];
  await api.request('DELETE', `/api/v1/namespaces/ha/pods/${victim.metadata!.name}`, { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0 });
  await eventually(async () => { const ps = await readyPods(); return ps.length === 3 && !ps.some((p) => p.metadata?.uid === victim.metadata?.uid); }, 60_000, 'the pod replaced by the new leader');
  assert.equal((await livePods()).length, 3);
  assert.equal(metric(await scrape(standby), 'everynode_daemonset_pods_created_total{namespace="ha",daemonset="agent"}'), 1);

  // Someone else takes the lease: the leader cannot renew, gives up within its renew deadline and exits 1.
  const l = await api.request<Lease>('GET', LEASE);
  await api.request('PUT', LEASE, { ...l, spec: { ...l.spec, holderIdentity: 'usurper', leaseDurationSeconds: 60 } });
  assert.equal(await standby.exited, 1);
  assert.match(standby.log(), /leaderelection lost/);

  // SIGTERM with no other candidate: the lease is released (empty holder) before the process exits 0.
  const l2 = await api.request<Lease>('GET', LEASE);
  await api.request('PUT', LEASE, { ...l2, spec: { ...l2.spec, holderIdentity: '' } });
  const cProc = await startController('ctl-c');
  await eventually(async () => (await holder()) === 'ctl-c', 30_000, 'ctl-c to acquire the released lease');
  const transitions = (await api.request<Lease>('GET', LEASE)).spec?.leaseTransitions ?? 0;
  cProc.child.kill('SIGTERM');
  assert.equal(await cProc.exited, 0);
  const released = await api.request<Lease>('GET', LEASE);
  assert.equal(released.spec?.holderIdentity, '');
  assert.equal(released.spec?.leaseTransitions, transitions);
  assert.match(cProc.log(), /released lease kube-system\/everynode-e2e/);
  console.error(`# takeover after SIGKILL took ${tookMs} ms (lease duration ${LEASE_MS} ms)`);
});

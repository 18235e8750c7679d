// Two `everynode controller --daemonsets=false` processes, leader-elected, against one cluster
// whose DaemonSet controller is the test's: only the leader reconciles rollouts; SIGKILL it in
// the middle of a rollout and the standby takes over (after the lease runs out) and completes
// it — with the wave's budget never exceeded at any moment (from the pod watch) and every old
// pod deleted exactly once (a second delete of the same name would hit the new pod).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Lease } from '../../src/api/types.js';
import { DaemonSetController } from '../../src/controller/controller.js';
import { eventually, hasKubectl } from '../helpers/cluster.js';
import { FleetRecorder, daemonSetYaml, ok, rolloutStatus, startRolloutCluster, waitFleet, zonesOfNodes, type RolloutCluster } from './rollout-helpers.js';

const skip = hasKubectl ? false : 'kubectl is not installed on this machine';
const repo = fileURLToPath(new URL('../..', import.meta.url));
const LEASE = '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/everynode-rollout-ha';
const LEASE_MS = 3000;
const SUCCESS = 'controller_runtime_reconcile_total{controller="daemonsetrollout",result="success"}';

interface Proc { id: string; child: ChildProcess; log: () => string; metricsUrl: string; exited: Promise<unknown> }
let rc: RolloutCluster;
const procs: Proc[] = [];
const dsc = new AbortController();
let dsRunning: Promise<void> = Promise.resolve();

before(async () => {
  if (skip) return;
  rc = await startRolloutCluster({ controller: false });
  dsRunning = new DaemonSetController(rc.c.kubeConfig(), {}).start(dsc.signal);
});
after(async () => {
  if (skip) return;
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all(procs.map((p) => p.exited));
  dsc.abort();
  await dsRunning;
  await rc.stop();
});

async function startController(id: string): Promise<Proc> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'controller', '--kubeconfig', rc.c.kubeconfigPath, '--daemonsets=false',
    '--identity', id, '--leader-elect-id', 'everynode-rollout-ha', '--leader-elect-namespace', 'kube-system',
    '--leader-elect-lease-duration', `${LEASE_MS}ms`, '--leader-elect-renew-deadline', '2s', '--leader-elect-retry-period', '500ms',
    '--metrics-bind-address', '127.0.0.1:0'], { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise((r) => child.once('exit', r));
  const metricsUrl = await eventually(() => {
    if (child.exitCode !== null) throw new Error(`controller ${id} exited (${child.exitCode}): ${err}`);
    return /serving metrics on (\S+)\/metrics/.exec(err)?.[1];
  }, 30_000, `controller ${id} serving metrics`);
  const p = { id, child, log: () => err, metricsUrl, exited };
  procs.push(p);
  return p;
}

const holder = async () => (await rc.api.request<Lease>('GET', LEASE).catch(() => undefined))?.spec?.holderIdentity;
const successes = async (p: Proc) => Number((await (await fetch(`${p.metricsUrl}/metrics`)).text()).split('\n').find((l) => l.startsWith(`${SUCCESS} `))?.split(' ')[1] ?? 0);

test('only the leader acts; killed mid-rollout, the standby completes it within the budget, deleting each old pod once', { skip, timeout: 180_000 }, async () => {
  const { c, api } = rc;
  const [a, b] = await Promise.all([startController('rollout-a'), startController('rollout-b')]);
  const first = await eventually(async () => { const h = await holder(); return h === a.id || h === b.id ? h : undefined; }, 30_000, 'a leader');
  const [leader, standby] = first === a.id ? [a, b] : [b, a];

  await ok(c, ['apply', '-f', '-'], daemonSetYaml('ha', 'ha:v1'));
  await waitFleet(api, 'ha', 'ha:v1', 9);
  // minReadySeconds makes each pair of nodes take a couple of seconds: time to kill the leader in between.
  await ok(c, ['apply', '-f', '-'], `apiVersion: everynode.dev/v1alpha1
kind: DaemonSetRollout
metadata: { name: ha, namespace: default }
spec:
  targetRef: { name: ha }
  health: { minReadySeconds: 2 }
  waves:
    - { name: all, maxUnavailable: 2 }
`);
  // Idle, or Complete when minReadySeconds made the first sync see pods not yet available.
  const v1 = await eventually(async () => { const st = await rolloutStatus(c, 'ha'); return st.phase === 'Idle' || st.phase === 'Complete' ? st.toRevision as string : undefined; }, 20_000, 'the rollout settled on v1');
  assert.ok(await successes(leader) > 0, 'the leader reconciles');
  assert.equal(await successes(standby), 0, 'the standby does not');

  const rec = new FleetRecorder(api, 'ha', await zonesOfNodes(api));
  await rec.start();
  try {
    await ok(c, ['set', 'image', 'daemonset/ha', 'main=ha:v2']);
    await eventually(async () => ((await rolloutStatus(c, 'ha')).updatedNodes ?? 0) >= 2, 30_000, 'the rollout under way');
    leader.child.kill('SIGKILL');
    await leader.exited;
    const mid = await rolloutStatus(c, 'ha');
    assert.ok((mid.updatedNodes ?? 0) < 9, `killed mid-rollout (${mid.updatedNodes} of 9 updated)`);
    await eventually(async () => (await holder()) === standby.id, LEASE_MS * 5, 'the standby to take over');
    await eventually(async () => { const st = await rolloutStatus(c, 'ha'); return st.phase === 'Complete' && st.toRevision !== v1; }, 90_000, 'the rollout of v2 Complete');
    await waitFleet(api, 'ha', 'ha:v2', 9);
  } finally { await rec.stop(); }
  assert.ok(await successes(standby) > 0, 'the new leader reconciled');
  assert.ok(rec.maxTotal <= 2, `at most 2 nodes unavailable at any moment, saw ${rec.maxTotal}`);
  const deleted = rec.deletions;
  assert.deepEqual(deleted.map((d) => d.image), Array(9).fill('ha:v1'), 'only old pods deleted, nine in all');
  assert.equal(new Set(deleted.map((d) => d.node)).size, 9, 'one per node');
});

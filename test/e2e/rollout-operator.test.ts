// `everynode controller --daemonsets=false` against `everynode up --no-controller`: the
// DaemonSetRollout controller in its own process (leader-elected, with metrics), the DaemonSet
// controller in another (here the test's), as where kube-controller-manager runs DaemonSets.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { eventually, hasKubectl } from '../helpers/cluster.js';
import { DaemonSetController } from '../../src/controller/controller.js';
import { FleetRecorder, daemonSetYaml, ok, rolloutStatus, startRolloutCluster, waitFleet, zonesOfNodes, type RolloutCluster } from './rollout-helpers.js';

const skip = hasKubectl ? false : 'kubectl is not installed on this machine';
const repo = fileURLToPath(new URL('../..', import.meta.url));
let rc: RolloutCluster;
let child: ChildProcess | undefined;
let exited: Promise<unknown> = Promise.resolve();
const dsc = new AbortController();
let dsRunning: Promise<void> = Promise.resolve();

before(async () => {
  if (skip) return;
  rc = await startRolloutCluster({ controller: false });
  dsRunning = new DaemonSetController(rc.c.kubeConfig(), {}).start(dsc.signal);
});
after(async () => {
  if (skip) return;
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await exited;
  dsc.abort();
  await dsRunning;
  await rc.stop();
});

test('the rollout controller as its own process drives a rollout the DaemonSet controller of another process carries out', { skip, timeout: 180_000 }, async () => {
  const { c, api } = rc;
  child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'controller', '--kubeconfig', c.kubeconfigPath, '--daemonsets=false',
    '--leader-elect-id', 'everynode-rollouts', '--leader-elect-namespace', 'kube-system', '--leader-elect-retry-period', '500ms',
    '--metrics-bind-address', '127.0.0.1:0'], { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  exited = new Promise((r) => child!.once('exit', r));
  const metricsUrl = await eventually(() => {
    if (child!.exitCode !== null) throw new Error(`controller exited (${child!.exitCode}): ${err}`);
    return /serving metrics on (\S+)\/metrics/.exec(err)?.[1];
  }, 30_000, 'the controller serving metrics');
  await eventually(() => /DaemonSetRollout controller running/.test(err), 30_000, `the controller leading: ${err}`);

  await ok(c, ['apply', '-f', '-'], daemonSetYaml('op', 'op:v1'));
  await waitFleet(api, 'op', 'op:v1', 9);
  await ok(c, ['apply', '-f', '-'], `apiVersion: everynode.dev/v1alpha1
kind: DaemonSetRollout
metadata: { name: op, namespace: default }
spec:
  targetRef: { name: op }
  waves:
    - { name: first, nodeSelector: { matchLabels: { topology.kubernetes.io/zone: a } }, maxUnavailable: 1 }
    - { name: rest, maxUnavailable: 3 }
`);
  await eventually(async () => (await rolloutStatus(c, 'op')).phase === 'Idle', 20_000, 'the rollout Idle');
  const rec = new FleetRecorder(api, 'op', await zonesOfNodes(api));
  await rec.start();
  try {
    await ok(c, ['set', 'image', 'daemonset/op', 'main=op:v2']);
    await eventually(async () => (await rolloutStatus(c, 'op')).phase === 'Complete', 90_000, 'the rollout Complete');
    await waitFleet(api, 'op', 'op:v2', 9);
  } finally { await rec.stop(); }
  const zones = rec.deletions.filter((d) => d.image === 'op:v1').map((d) => d.zone);
  assert.equal(zones.length, 9);
  assert.deepEqual(zones.slice(0, 3), ['a', 'a', 'a'], `the first wave first: ${zones.join(',')}`);
  assert.ok((rec.maxUnavailable.get('a') ?? 0) <= 1);
  const text = await (await fetch(`${metricsUrl}/metrics`)).text();
  assert.match(text, /everynode_rollout_phase\{namespace="default",name="op",phase="Complete"\} 1/);
  assert.match(text, /everynode_rollout_nodes\{namespace="default",name="op",state="updated"\} 9/);
  assert.match(text, /controller_runtime_reconcile_total\{controller="daemonsetrollout",result="success"\} [1-9]/);
});

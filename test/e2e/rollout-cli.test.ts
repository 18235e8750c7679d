// `everynode rollout …` and `kubectl everynode rollout …` against the embedded cluster, with the
// real kubectl. No controller runs here (neither the DaemonSet's nor the rollout's): the test
// writes the ControllerRevisions and the rollout status those would write (the status through the
// status subresource), and checks what the CLI prints, exits with and writes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, hasKubectl, kubectl, startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { RawClient } from '../../src/kube/client.js';
import type { DaemonSetRolloutStatus } from '../../src/rollout/api/types.js';
import type { DaemonSet } from '../../src/api/types.js';
import { templateHash } from '../../src/controller/core/history.js';

const repo = new URL('../..', import.meta.url).pathname;
const BIN = join(repo, 'bin/everynode.mjs');
const DSR = '/apis/everynode.dev/v1alpha1/namespaces/mon/daemonsetrollouts';

interface Run { code: number; stdout: string; stderr: string }
function run(file: string, args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { env: { ...process.env, ...env }, timeout: 60_000, cwd: repo }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0, stdout, stderr });
    });
  });
}

const DS = `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: node-exporter, namespace: mon}
spec:
  selector: {matchLabels: {app: node-exporter}}
  updateStrategy: {type: OnDelete}
  template:
    metadata: {labels: {app: node-exporter}}
    spec: {containers: [{name: node-exporter, image: "prom/node-exporter:v1.8.0"}]}
`;
const ROLLOUT = `apiVersion: everynode.dev/v1alpha1
kind: DaemonSetRollout
metadata: {name: node-exporter, namespace: mon}
spec:
  targetRef: {name: node-exporter}
  waves:
  - {name: canary, nodeSelector: {matchLabels: {everynode.dev/canary: "true"}}, approval: Manual}
  - {name: rest}
`;

describe('everynode rollout', { skip: !hasKubectl && 'kubectl is not installed' }, () => {
  let c: TestCluster;
  let api: RawClient;
  let env: Record<string, string>;
  let hashes = { good: '', bad: '' };
  const cli = (...args: string[]) => run(process.execPath, [BIN, 'rollout', ...args], env);
  const ok = async (args: string[], input?: string) => { const r = await kubectl(c, args, input); assert.equal(r.code, 0, r.stderr); return r.stdout; };
  const setStatus = async (status: DaemonSetRolloutStatus) => {
    const cur = await api.request<{ metadata: { generation: number } }>('GET', `${DSR}/node-exporter`);
    await api.request('PATCH', `${DSR}/node-exporter/status`, { status: { observedGeneration: cur.metadata.generation, ...status } }, 'application/merge-patch+json');
  };
  const waves = (canary: string, rest: string, failed = 0) => [
    { name: 'canary', nodes: 2, updated: failed ? 1 : 0, ready: 0, failed, quarantined: 0, state: canary },
    { name: 'rest', nodes: 8, updated: 0, ready: 0, failed: 0, quarantined: 0, state: rest },
  ] as DaemonSetRolloutStatus['waves'];

  before(async () => {
    c = await startTestCluster({ controller: false });
    api = new RawClient(c.kubeConfig());
    env = { KUBECONFIG: c.kubeconfigPath, HOME: c.dir };
  });
  after(async () => { api?.close(); await c?.stop(); });

  test('without the CRD: one line naming the missing resource type, exit 1', async () => {
    // An embedded cluster may install the CRD itself, once, at start: delete it until it stays gone.
    const r = await eventually(async () => {
      await ok(['delete', 'crd', 'daemonsetrollouts.everynode.dev', '--ignore-not-found', '--wait']);
      const out = await cli('status', 'node-exporter', '-n', 'mon');
      return out.stderr.includes('resource type') ? out : undefined;
    }, 30_000, 'the CRD gone');
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'everynode: the server doesn\'t have a resource type "daemonsetrollouts" (install the CRD: kubectl apply -k config/crd)\n');
  });

  test('setup: CRD, namespace, an OnDelete DaemonSet with two revisions, the rollout', async () => {
    await ok(['apply', '-f', join(repo, 'config/crd/everynode.dev_daemonsetrollouts.yaml')]);
    await ok(['wait', '--for=condition=Established', 'crd/daemonsetrollouts.everynode.dev', '--timeout=30s']);
    await ok(['create', 'namespace', 'mon']);
    await ok(['apply', '-f', '-'], DS);
    const dsPath = '/apis/apps/v1/namespaces/mon/daemonsets/node-exporter';
    const first = await api.request<DaemonSet>('GET', dsPath);
    await ok(['set', 'image', '-n', 'mon', 'ds/node-exporter', 'node-exporter=prom/node-exporter:v9-broken']);
    const second = await api.request<DaemonSet>('GET', dsPath);
    hashes = { good: templateHash(first), bad: templateHash(second) };
    // The two revisions the DaemonSet controller would have written, as it writes them.
    for (const [n, ds, hash] of [[1, first, hashes.good], [2, second, hashes.bad]] as const) {
      await ok(['apply', '-f', '-'], JSON.stringify({
        apiVersion: 'apps/v1', kind: 'ControllerRevision', revision: n,
        metadata: { name: `node-exporter-${hash}`, namespace: 'mon', labels: { 'controller-revision-hash': hash, app: 'node-exporter' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'node-exporter', uid: first.metadata!.uid, controller: true, blockOwnerDeletion: true }] },
        data: { spec: { template: { ...ds.spec!.template, $patch: 'replace' } } },
      }));
    }
    await ok(['apply', '-f', '-'], ROLLOUT);
  });

  test('NotFound: one line, exit 1', async () => {
    const r = await cli('pause', 'nope', '-n', 'mon');
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'everynode: daemonsetrollouts.everynode.dev "nope" not found in namespace "mon"\n');
  });

  test('status before any controller wrote one: --watch=false says so and exits 0; a wait times out with exit 1', async () => {
    const r = await cli('status', 'node-exporter', '-n', 'mon', '--watch=false');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Phase: +<not yet observed>/);
    const t = await cli('status', 'node-exporter', '-n', 'mon', '--timeout', '1s', '--interval', '200');
    assert.equal(t.code, 1);
    assert.match(t.stderr, /^everynode: timed out waiting for rollout "node-exporter" \(Waiting for rollout "node-exporter" to be observed/);
  });

  test('approve writes <wave>@<toRevision> for the waiting wave', async () => {
    await setStatus({ phase: 'WaitingApproval', currentWave: 'canary', fromRevision: 'good', toRevision: 'bad', waves: waves('WaitingApproval', 'Pending') });
    const r = await cli('approve', 'node-exporter', '-n', 'mon');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'daemonsetrollout.everynode.dev/node-exporter wave canary approved\n');
    assert.equal(await ok(['get', 'dsr', 'node-exporter', '-n', 'mon', '-o', 'jsonpath={.metadata.annotations.everynode\\.dev/approve}']), 'canary@bad');
    const again = await cli('approve', 'node-exporter', '-n', 'mon', '--wave', 'nope');
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^everynode: rollout "node-exporter" has no wave "nope" \(waves: canary, rest\)\n$/);
  });

  test('status waits while Progressing and exits 0 once Complete, printing the waves', async () => {
    await setStatus({ phase: 'Progressing', currentWave: 'canary', waves: waves('Progressing', 'Pending') });
    const child = spawn(process.execPath, [BIN, 'rollout', 'status', 'node-exporter', '-n', 'mon', '--interval', '200', '--timeout', '60s'], { env: { ...process.env, ...env }, cwd: repo });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d; });
    const exit = new Promise<number>((r) => child.on('exit', (code) => r(code ?? -1)));
    await eventually(() => out.includes('Waiting for rollout "node-exporter" to finish: Progressing, wave canary'), 30_000, 'a waiting line');
    await setStatus({ phase: 'Complete', currentWave: 'rest', waves: waves('Complete', 'Complete') });
    assert.equal(await exit, 0);
    assert.match(out, /^WAVE +NODES +UPDATED +READY +FAILED +QUARANTINED +STATE\ncanary +2 +0 +0 +0 +0 +Complete\nrest +8 /m);
    assert.match(out, /rollout "node-exporter" successfully rolled out \(revision bad\)\n$/);
  });

  test('status of a Failed rollout prints the blockers and exits 1; -o json prints the object', async () => {
    await setStatus({
      phase: 'Failed', currentWave: 'canary', waves: waves('Progressing', 'Pending', 1),
      failure: { reason: 'HealthGate', message: '1 node(s) failed after the update (max 0): canary-0 (CrashLoop)', at: new Date(Date.now() - 5000).toISOString(), toRevision: 'bad' },
      blockedNodes: [{ node: 'canary-0', wave: 'canary', reason: 'CrashLoop', cause: 'Revision', since: new Date().toISOString(), message: 'back-off restarting failed container' }],
      targets: [],
    });
    const r = await cli('status', 'node-exporter', '-n', 'mon');
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^NODE +WAVE +REASON +CAUSE +SINCE +MESSAGE\ncanary-0 +canary +CrashLoop +Revision +\d+s +back-off restarting failed container$/m);
    assert.match(r.stdout, /rollout "node-exporter" failed: HealthGate: 1 node\(s\) failed/);
    const j = await cli('status', 'node-exporter', '-n', 'mon', '-o', 'json');
    assert.equal(j.code, 1);
    assert.equal(JSON.parse(j.stdout).status.phase, 'Failed');
    const y = await cli('status', 'node-exporter', '-n', 'mon', '-o', 'yaml', '--watch=false');
    assert.match(y.stdout, /^ {2}phase: Failed$/m);
  });

  test('the kubectl plugin: kubectl everynode rollout status, with kubectl-everynode on PATH', async () => {
    const bin = join(c.dir, 'plugins');
    mkdirSync(bin, { recursive: true });
    symlinkSync(join(repo, 'bin/kubectl-everynode.mjs'), join(bin, 'kubectl-everynode'));
    const pathEnv = { ...env, PATH: `${bin}:${process.env.PATH}` };
    const list = await run('kubectl', ['plugin', 'list'], pathEnv);
    assert.match(list.stdout, /kubectl-everynode/);
    const r = await run('kubectl', ['everynode', 'rollout', 'status', 'node-exporter', '-n', 'mon', '--watch=false'], pathEnv);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /Phase: +Failed \(wave canary\)/);
  });

  test('pause and abort set spec.paused; resume clears it and, after the trip, writes the resume time', async () => {
    const p = await cli('pause', 'node-exporter', '-n', 'mon');
    assert.equal(p.stdout, 'daemonsetrollout.everynode.dev/node-exporter paused\n');
    assert.equal(await ok(['get', 'dsr', 'node-exporter', '-n', 'mon', '-o', 'jsonpath={.spec.paused}']), 'true');
    const r = await cli('resume', 'node-exporter', '-n', 'mon');
    assert.equal(r.stdout, 'daemonsetrollout.everynode.dev/node-exporter resumed (gate trip HealthGate cleared)\n');
    assert.equal(await ok(['get', 'dsr', 'node-exporter', '-n', 'mon', '-o', 'jsonpath={.spec.paused}']), 'false');
    const at = await ok(['get', 'dsr', 'node-exporter', '-n', 'mon', '-o', 'jsonpath={.metadata.annotations.everynode\\.dev/resume}']);
    const failedAt = await ok(['get', 'dsr', 'node-exporter', '-n', 'mon', '-o', 'jsonpath={.status.failure.at}']);
    assert.ok(Date.parse(at) > Date.parse(failedAt), `${at} after ${failedAt}`);
    const a = await cli('abort', 'node-exporter', '-n', 'mon');
    assert.match(a.stdout, /^daemonsetrollout.everynode.dev\/node-exporter aborted: paused, no more pods are replaced; .*everynode rollout undo node-exporter\)\n$/);
    assert.equal(await ok(['get', 'dsr', 'node-exporter', '-n', 'mon', '-o', 'jsonpath={.spec.paused}']), 'true');
  });

  test('undo puts the fromRevision template back into the DaemonSet and unpauses the rollout', async () => {
    await setStatus({ targets: [{ name: 'node-exporter', fromRevision: hashes.good, toRevision: hashes.bad, strategy: 'OnDelete' }] });
    const r = await cli('undo', 'node-exporter', '-n', 'mon');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `daemonset.apps/node-exporter rolled back to revision ${hashes.good}\ndaemonsetrollout.everynode.dev/node-exporter resumed, so that the rollback proceeds\n`);
    assert.equal(await ok(['get', 'ds', 'node-exporter', '-n', 'mon', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']), 'prom/node-exporter:v1.8.0');
    assert.equal(await ok(['get', 'dsr', 'node-exporter', '-n', 'mon', '-o', 'jsonpath={.spec.paused}']), 'false');
    const again = await cli('undo', 'node-exporter', '-n', 'mon');
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^everynode: rollout "node-exporter" has nothing to undo/);
  });

  test('forbidden, a missing context and a missing kubeconfig: one line each, exit 1', async () => {
    await ok(['create', 'serviceaccount', 'nobody', '-n', 'mon']);
    const token = (await ok(['create', 'token', 'nobody', '-n', 'mon'])).trim();
    const kc = join(c.dir, 'nobody.kubeconfig');
    copyFileSync(c.kubeconfigPath, kc);
    const cfg = (args: string[]) => run('kubectl', ['--kubeconfig', kc, 'config', ...args], env);
    assert.equal((await cfg(['set-credentials', 'nobody', `--token=${token}`])).code, 0);
    assert.equal((await cfg(['set-context', 'nobody', '--user=nobody', `--cluster=${(await cfg(['view', '-o', 'jsonpath={.clusters[0].name}'])).stdout}`, '--namespace=mon'])).code, 0);
    const f = await cli('pause', 'node-exporter', '--kubeconfig', kc, '--context', 'nobody');
    assert.equal(f.code, 1);
    assert.match(f.stderr, /^everynode: Error from server \(Forbidden\): .*daemonsetrollouts.* is forbidden: User "system:serviceaccount:mon:nobody" cannot patch resource "daemonsetrollouts" in API group "everynode.dev" in the namespace "mon"\n$/);
    const ctx = await cli('status', 'node-exporter', '--kubeconfig', kc, '--context', 'nope');
    assert.equal(ctx.stderr, 'everynode: context "nope" does not exist\n');
    const none = await cli('status', 'x', '--kubeconfig', join(c.dir, 'missing'));
    assert.equal(none.stderr, `everynode: kubeconfig ${join(c.dir, 'missing')} not found\n`);
    assert.equal(none.code, 1);
  });
});

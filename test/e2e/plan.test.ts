// `everynode plan` against the embedded cluster: a DaemonSet on labelled nodes, a new template,
// and the plan of a canary + zone rollout, read over real HTTPS.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DaemonSet, Pod } from '../../src/api/types.js';
import { isPodReady } from '../../src/controller/core/pods.js';
import { runPlan } from '../../src/cli/commands/plan.js';
import type { PlanReport } from '../../src/rollout/report/plan.js';
import { eventually, startControllerTestCluster, type ControllerTestCluster } from '../helpers/cluster.js';

const CLUSTER = `
pools:
  - {name: canary, count: 1, labels: {zone: a, canary: "true"}, pods: {startupDelay: 50, readinessDelay: 100}}
  - {name: za, count: 2, labels: {zone: a}, pods: {startupDelay: 50, readinessDelay: 100}}
  - {name: zb, count: 2, labels: {zone: b}, pods: {startupDelay: 50, readinessDelay: 100}}
`;

let t: ControllerTestCluster;
before(async () => { t = await startControllerTestCluster(CLUSTER); });
after(async () => { await t?.stop(); });

const ds = (strategy: 'OnDelete' | 'RollingUpdate'): DaemonSet => ({
  apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: `agent-${strategy.toLowerCase()}`, namespace: 'default' },
  spec: {
    selector: { matchLabels: { app: `agent-${strategy.toLowerCase()}` } }, updateStrategy: { type: strategy },
    template: { metadata: { labels: { app: `agent-${strategy.toLowerCase()}` } }, spec: { containers: [{ name: 'agent', image: 'example.com/agent:1' }] } },
  },
});

function rolloutFile(target: string, extra = ''): string {
  const p = join(t.c.dir, `rollout-${target}.yaml`);
  writeFileSync(p, `apiVersion: everynode.dev/v1alpha1
kind: DaemonSetRollout
metadata: {name: ${target}, namespace: default}
spec:
  targetRef: {name: ${target}}
  waves:
  - {name: canary, nodeSelector: {matchLabels: {canary: "true"}}, maxUnavailable: 1, bakeSeconds: 60}
  - {name: zone, splitBy: zone, maxUnavailable: 50%}
  - {name: gpu, nodeSelector: {matchLabels: {gpu: "true"}}}
${extra}`);
  return p;
}

async function plan(file: string, output?: 'json' | 'wide') {
  const out: string[] = [], err: string[] = [];
  const code = await runPlan({ file, kubeconfig: t.c.kubeconfigPath, output }, (s) => out.push(s), (s) => err.push(s));
  return { code, out: out.join(''), err };
}

test('plan of an OnDelete DaemonSet after a template change: waves, budgets, the canary first; read-only', async () => {
  await t.api.request('POST', '/apis/apps/v1/namespaces/default/daemonsets', ds('OnDelete'));
  const pods = async () => (await t.api.request<{ items: Pod[] }>('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dagent-ondelete')).items;
  await eventually(async () => { const ps = await pods(); return ps.length === 5 && ps.every(isPodReady); }, 60_000, '5 ready pods');
  await t.api.request('PATCH', '/apis/apps/v1/namespaces/default/daemonsets/agent-ondelete', { spec: { template: { spec: { containers: [{ name: 'agent', image: 'example.com/agent:2' }] } } } }, 'application/strategic-merge-patch+json');
  const before = (await pods()).map((p) => p.metadata?.uid).sort();

  const r = await plan(rolloutFile('agent-ondelete'), 'json');
  assert.equal(r.code, 0, r.err.join('\n'));
  const report = JSON.parse(r.out) as PlanReport;
  assert.equal(report.targets[0].strategy, 'OnDelete');
  assert.notEqual(report.targets[0].fromRevision, report.targets[0].toRevision);
  assert.deepEqual(report.waves.map((w) => [w.name, w.nodes, w.maxUnavailable]), [['canary', 1, 1], ['zone-a', 2, 1], ['zone-b', 2, 1], ['gpu', 0, 1]]);
  assert.deepEqual(report.waves[0].nodeNames, ['canary-0']);
  assert.deepEqual(report.firstSync.map((a) => a.type === 'DeletePod' ? a.node : a.type), ['canary-0']);
  assert.deepEqual(r.err, ['everynode plan: warning: wave gpu selects no nodes']);

  const wide = await plan(rolloutFile('agent-ondelete'), 'wide');
  assert.match(wide.out, /^zone-b\s+2\s+0\s+1\s+-\s+0s\s+Auto\s+zb-0,zb-1$/m);
  assert.deepEqual((await pods()).map((p) => p.metadata?.uid).sort(), before, 'plan deletes nothing');
});

test('plan exits 1 with one line per problem: a RollingUpdate target, no target', async () => {
  await t.api.request('POST', '/apis/apps/v1/namespaces/default/daemonsets', ds('RollingUpdate'));
  const r = await plan(rolloutFile('agent-rollingupdate'));
  assert.equal(r.code, 1);
  assert.ok(r.err.some((l) => /^everynode plan: error: DaemonSet agent-rollingupdate uses RollingUpdate/.test(l)), r.err.join('\n'));
  const managed = await plan(rolloutFile('agent-rollingupdate', '  manageStrategy: true\n'));
  assert.equal(managed.code, 0, managed.err.join('\n'));
  assert.match(managed.out, /SetOnDelete\s+-\s+agent-rollingupdate/);
  const none = await plan(rolloutFile('nothing'));
  assert.equal(none.code, 1);
  assert.ok(none.err.some((l) => l === 'everynode plan: error: no DaemonSet nothing in namespace default'), none.err.join('\n'));
});

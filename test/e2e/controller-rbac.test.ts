// `everynode controller` run as config/rbac's ServiceAccount with a token from TokenRequest,
// against the embedded cluster that now enforces RBAC: with the shipped roles a DaemonSet
// converges; with one verb taken away the controller refuses to start, naming it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, hasKubectl, kubectl, startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { kubeconfigYaml } from '../../src/cluster/kubeconfig.js';
import { RawClient } from '../../src/kube/client.js';
import type { DaemonSet } from '../../src/api/types.js';

const skip = hasKubectl ? false : 'kubectl is not installed on this machine';
const repo = new URL('../..', import.meta.url).pathname;
let c: TestCluster;
let api: RawClient;
let dir: string;
let saKubeconfig: string;

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'everynode-ctl-rbac-'));
  writeFileSync(join(dir, 'cluster.yaml'), 'pools:\n  - name: node\n    count: 2\n    pods: {startupDelay: 20, readinessDelay: 20}\n');
  c = await startTestCluster({ configFile: join(dir, 'cluster.yaml'), scheduler: true, controller: false });
  api = new RawClient(c.kubeConfig());
  // config/rbac as shipped, in the namespace its manifests name (config/default renames it).
  const ok = async (args: string[]) => { const r = await kubectl(c, args); assert.equal(r.code, 0, r.stderr); return r.stdout; };
  await ok(['create', 'namespace', 'system']);
  await ok(['apply', '-k', join(repo, 'config/rbac')]);
  const token = (await ok(['create', 'token', 'controller-manager', '-n', 'system'])).trim();
  saKubeconfig = join(dir, 'sa-kubeconfig');
  writeFileSync(saKubeconfig, kubeconfigYaml({ server: c.url, caCertPem: c.caCertPem, token }), { mode: 0o600 });
});

after(async () => {
  if (skip) return;
  api?.close();
  await c?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function runController(signalAfter?: () => Promise<unknown>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'controller', '--kubeconfig', saKubeconfig, '--leader-elect-namespace', 'system'], { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  if (signalAfter) void signalAfter().finally(() => child.kill('SIGTERM'));
  return exited.then((code) => { clearTimeout(killer); return { code, stderr }; });
}

test('with the shipped roles the controller converges a DaemonSet; without one verb it refuses at start, naming it', { skip, timeout: 240_000 }, async () => {
  await api.request('POST', '/api/v1/namespaces', { metadata: { name: 'agents' } });
  const ds: DaemonSet = {
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'agents' },
    spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'a', image: 'registry.k8s.io/pause:3.9' }] } } },
  };
  await api.request('POST', '/apis/apps/v1/namespaces/agents/daemonsets', ds);
  const converged = eventually(async () => {
    const d = await api.request<DaemonSet>('GET', '/apis/apps/v1/namespaces/agents/daemonsets/agent');
    return d.status?.desiredNumberScheduled === 2 && d.status.numberReady === 2 && d.status.updatedNumberScheduled === 2;
  }, 90_000, 'the DaemonSet converged by the RBAC-limited controller');
  const run = await runController(() => converged.catch(() => undefined));
  await converged;
  assert.equal(run.code, 0, run.stderr);
  assert.doesNotMatch(run.stderr, /forbidden/i);

  // The same role without "patch" on pods (the adopt/release write).
  const r = await kubectl(c, ['patch', 'clusterrole', 'manager-role', '--type=json', '-p', JSON.stringify([{ op: 'replace', path: '/rules/3/verbs', value: ['list', 'watch', 'create', 'delete'] }])]);
  assert.equal(r.code, 0, r.stderr);
  const refused = await runController();
  assert.equal(refused.code, 1);
  const lines = refused.stderr.trim().split('\n');
  assert.equal(lines.length, 1, refused.stderr);
  assert.equal(lines[0], 'everynode: the controller may not patch pods cluster-wide; grant what config/rbac/ grants (SelfSubjectAccessReview denied)');
});

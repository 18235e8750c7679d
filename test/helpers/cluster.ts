// Starts an embedded cluster on a free loopback port for end-to-end tests, with a kubeconfig
// file for the real kubectl and a KubeConfig for client-node.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile, spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { startCluster, type Cluster, type ClusterOptions } from '../../src/cluster/cluster.js';
import { clusterConfigOf } from '../../src/cluster/components.js';
import { RawClient } from '../../src/kube/client.js';
import { DaemonSetController } from '../../src/controller/controller.js';
import { writeFileSync } from 'node:fs';
import type { Node } from '../../src/api/types.js';

export interface TestCluster extends Cluster {
  dir: string;
  kubeconfigPath: string;
  stop(): Promise<void>;
}

export async function startTestCluster(o: Partial<ClusterOptions> = {}): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'everynode-test-'));
  const kubeconfigPath = join(dir, 'kubeconfig');
  const cluster = await startCluster({ dataDir: null, port: 0, kubeconfigPath, controller: false, scheduler: false, nodes: 0, ...o });
  const ac = new AbortController();
  const running = cluster.run(ac.signal);
  // The simulated nodes register asynchronously (in a worker thread); a test starts once every
  // configured node is Ready, as a user would after 'kubectl wait --for=condition=Ready nodes'.
  const expected = clusterConfigOf({ nodes: 0, ...o }).pools.reduce((n, p) => n + p.count, 0);
  if (expected > 0) {
    const client = new RawClient(cluster.kubeConfig());
    const ready = (n: Node) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    await eventually(async () => (await client.request<{ items: Node[] }>('GET', '/api/v1/nodes')).items.filter(ready).length >= expected, 60_000, `${expected} nodes Ready`);
    client.close();
  }
  return Object.assign(cluster, {
    dir, kubeconfigPath,
    async stop() {
      ac.abort();
      await running;
      rmSync(dir, { recursive: true, force: true });
    },
  });
}

export const hasKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;

export interface KubectlResult { code: number; stdout: string; stderr: string }

/** Runs the real kubectl against the cluster with its own HOME, so no user config or cache leaks in. */
export function kubectl(c: TestCluster, args: string[], input?: string): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = execFile('kubectl', ['--kubeconfig', c.kubeconfigPath, '--cache-dir', join(c.dir, 'cache'), ...args], {
      env: { ...process.env, HOME: c.dir, KUBECONFIG: c.kubeconfigPath }, timeout: 60_000,
    }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0, stdout, stderr });
    });
    if (input !== undefined) { child.stdin?.write(input); }
    child.stdin?.end();
  });
}

/** Runs kubectl and asserts it succeeded, returning stdout. */
export async function kubectlOk(c: TestCluster, args: string[], input?: string): Promise<string> {
  const r = await kubectl(c, args, input);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}`);
  return r.stdout;
}

/** Polls until fn returns a truthy value (or throws after timeoutMs). Not a timed assertion: it only bounds a wait. */
export async function eventually<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as T;
    } catch (err) { last = err; }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface ControllerTestCluster { c: TestCluster; api: RawClient; stop(): Promise<void> }

/**
 * A cluster from a cluster-file text, with the scheduler and a DaemonSet controller that the test
 * owns (started here rather than through the cluster's `controller` option, so the test controls
 * its lifecycle and options whatever the composition root wires in).
 */
/** Three nodes with fast, deterministic-enough pods; foo:non-existent never pulls (a stuck rollout). */
export const CONTROLLER_TEST_CLUSTER = `
pools:
  - name: node
    count: 3
    pods:
      startupDelay: 50
      readinessDelay: 100
      rules:
        - image: "foo:non-existent"
          pullError: ErrImagePull
`;

export async function startControllerTestCluster(clusterYaml = CONTROLLER_TEST_CLUSTER): Promise<ControllerTestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'everynode-controller-'));
  writeFileSync(join(dir, 'cluster.yaml'), clusterYaml);
  const c = await startTestCluster({ configFile: join(dir, 'cluster.yaml'), scheduler: true, controller: false });
  const ac = new AbortController();
  const running = new DaemonSetController(c.kubeConfig(), {}).start(ac.signal);
  const api = new RawClient(c.kubeConfig());
  return {
    c, api,
    async stop() { ac.abort(); await running; api.close(); await c.stop(); rmSync(dir, { recursive: true, force: true }); },
  };
}

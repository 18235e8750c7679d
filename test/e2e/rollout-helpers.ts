// Shared setup of the DaemonSetRollout e2e tests: a zoned cluster with both controllers (as
// `everynode up` runs them), an OnDelete DaemonSet, and a pod watch that records what happens.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import type { KObject, Pod } from '../../src/api/types.js';
import { controllerRefOf } from '../../src/api/meta.js';
import { RawClient } from '../../src/kube/client.js';
import { Informer } from '../../src/kube/informer.js';
import { eventually, kubectl, startTestCluster, type TestCluster } from '../helpers/cluster.js';
import type { ClusterOptions } from '../../src/cluster/cluster.js';

export const ZONES = ['a', 'b', 'c'];

/** Nine nodes, three per zone; pods start and turn Ready fast; `:crash` images crash-loop. */
export const ZONED_CLUSTER = `
nodeMonitorGracePeriodMs: 4000
heartbeatIntervalMs: 1000
pools:
${ZONES.map((z) => `  - name: ${z}
    count: 3
    labels: { topology.kubernetes.io/zone: ${z} }
    pods:
      startupDelay: 50
      readinessDelay: 100
      rules:
        - imageRegex: ":crash$"
          crashLoop: { after: 200, exitCode: 1 }
        - image: "*:never-ready"
          neverReady: true`).join('\n')}
`;

export interface RolloutCluster { c: TestCluster; api: RawClient; dir: string; stop(): Promise<void> }

export async function startRolloutCluster(o: Partial<ClusterOptions> = {}, yaml = ZONED_CLUSTER): Promise<RolloutCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'everynode-rollout-'));
  writeFileSync(join(dir, 'cluster.yaml'), yaml);
  const c = await startTestCluster({ configFile: join(dir, 'cluster.yaml'), scheduler: true, controller: true, ...o });
  const api = new RawClient(c.kubeConfig());
  // Installed by the cluster at start: kubectl knows the kind once discovery has it.
  await eventually(async () => (await kubectl(c, ['get', 'daemonsetrollouts'])).code === 0, 30_000, 'the DaemonSetRollout kind served');
  return { c, api, dir, async stop() { api.close(); await c.stop(); rmSync(dir, { recursive: true, force: true }); } };
}

export async function ok(c: TestCluster, args: string[], input?: string): Promise<string> {
  const r = await kubectl(c, args, input);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}`);
  return r.stdout;
}

export const daemonSetYaml = (name: string, image: string) => `apiVersion: apps/v1
kind: DaemonSet
metadata: { name: ${name}, namespace: default }
spec:
  selector: { matchLabels: { app: ${name} } }
  updateStrategy: { type: OnDelete }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      terminationGracePeriodSeconds: 0
      containers: [{ name: main, image: ${image} }]
`;

const ready = (p: Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

/** Waits until every node runs one Ready, non-terminating pod of the DaemonSet with this image. */
export async function waitFleet(api: RawClient, ds: string, image: string, nodes: number, timeoutMs = 60_000): Promise<void> {
  await eventually(async () => {
    const pods = (await api.request<{ items: Pod[] }>('GET', `/api/v1/namespaces/default/pods?labelSelector=app%3D${ds}`)).items;
    const good = pods.filter((p) => !p.metadata?.deletionTimestamp && ready(p) && p.spec?.containers?.[0]?.image === image);
    return new Set(good.map((p) => p.spec?.nodeName)).size === nodes;
  }, timeoutMs, `${nodes} Ready pods of ${ds} running ${image}`);
}

export interface Deletion { node: string; zone: string; image: string; at: number }

/**
 * Watches the DaemonSet's pods and, after every event, counts per zone the nodes without a
 * Ready, non-terminating pod: `maxUnavailable[zone]` is the most seen at any moment, and
 * `zonesAtOnce` the most zones with an unavailable node at the same moment.
 */
export class FleetRecorder {
  readonly deletions: Deletion[] = [];
  readonly maxUnavailable = new Map<string, number>();
  zonesAtOnce = 0;
  /** The most nodes (of every zone) unavailable at the same moment. */
  maxTotal = 0;
  readonly #inf: Informer<Pod & KObject>;
  readonly #ac = new AbortController();
  #running: Promise<void> | undefined;

  constructor(api: RawClient, private readonly ds: string, private readonly zoneOf: Map<string, string>) {
    this.#inf = new Informer<Pod & KObject>(api, '/api/v1/namespaces/default/pods', { labelSelector: `app=${ds}` });
    this.#inf.addHandler({
      onAdd: () => this.#measure(),
      onUpdate: (old, p) => {
        if (!old.metadata?.deletionTimestamp && p.metadata?.deletionTimestamp) this.#deleted(p);
        this.#measure();
      },
      onDelete: (p) => { if (!p.metadata?.deletionTimestamp) this.#deleted(p); this.#measure(); },
    });
  }

  /** Measures from the first full list on (while it fills, the cache is short of pods, not the fleet). */
  #live = false;
  async start(): Promise<void> { this.#running = this.#inf.start(this.#ac.signal); await this.#inf.waitForSync(); this.#live = true; this.#measure(); }
  async stop(): Promise<void> { this.#ac.abort(); await this.#running; }

  #deleted(p: Pod): void {
    const node = p.spec?.nodeName ?? '';
    this.deletions.push({ node, zone: this.zoneOf.get(node) ?? '?', image: p.spec?.containers?.[0]?.image ?? '', at: Date.now() });
  }

  #measure(): void {
    if (!this.#live) return;
    const fine = new Set(this.#inf.list().filter((p) => controllerRefOf(p) && !p.metadata?.deletionTimestamp && ready(p)).map((p) => p.spec?.nodeName));
    const down = new Map<string, number>();
    for (const [node, zone] of this.zoneOf) if (!fine.has(node)) down.set(zone, (down.get(zone) ?? 0) + 1);
    if (process.env.ROLLOUT_DEBUG) console.log(Date.now() % 100000, JSON.stringify([...down]), this.#inf.list().map((p) => `${p.spec?.nodeName}:${p.spec?.containers?.[0]?.image}:${ready(p) ? 'R' : '-'}${p.metadata?.deletionTimestamp ? 'T' : ''}`).sort().join(' '));
    for (const [z, n] of down) this.maxUnavailable.set(z, Math.max(this.maxUnavailable.get(z) ?? 0, n));
    this.zonesAtOnce = Math.max(this.zonesAtOnce, down.size);
    this.maxTotal = Math.max(this.maxTotal, [...down.values()].reduce((a, n) => a + n, 0));
  }
}

export async function zonesOfNodes(api: RawClient): Promise<Map<string, string>> {
  const nodes = (await api.request<{ items: KObject[] }>('GET', '/api/v1/nodes')).items;
  return new Map(nodes.map((n) => [n.metadata!.name!, n.metadata?.labels?.['topology.kubernetes.io/zone'] ?? '?']));
}

export async function rolloutStatus(c: TestCluster, name: string): Promise<Record<string, any>> {
  return JSON.parse(await ok(c, ['get', 'daemonsetrollout', name, '-o', 'jsonpath={.status}']) || '{}');
}

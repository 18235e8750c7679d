// Issue #9: one bad object must never take the cluster down. Malformed objects are written
// straight into the storage backend (as an older server, another writer or a damaged data file
// would leave them, whatever the API's own type checks), before the components start and while
// they run. The cluster must keep running, DaemonSets must converge on the good nodes, and a
// Warning Event must name each bad object.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { startCluster, type Cluster } from '../../src/cluster/cluster.js';
import { objectKey } from '../../src/apiserver/keys.js';
import { RawClient } from '../../src/kube/client.js';
import type { DaemonSet, Node, Pod } from '../../src/api/types.js';
import { eventually } from '../helpers/cluster.js';

const CLUSTER = `
pools:
  - name: good
    count: 2
    labels: { tier: good }
    pods: { startupDelay: 20, readinessDelay: 20 }
`;

/** Writes a document into the backend as it is, bypassing every check of the API server. */
function storeRaw(c: Cluster, group: string, resource: string, namespace: string, name: string, doc: Record<string, unknown>): void {
  const key = objectKey(group, resource, namespace, name);
  const value = JSON.stringify(doc);
  const backend = c.api.store.backend;
  const cur = backend.get(key);
  const r = cur ? backend.update(key, value, cur.modRev) : backend.create(key, value);
  assert.ok(r.ok, `stored ${key}`);
}

const meta = (name: string, namespace?: string, extra: Record<string, unknown> = {}) => ({
  name, ...(namespace ? { namespace } : {}), uid: randomUUID(), creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), ...extra,
});

/** The two crash reproductions and the 500 of the issue, plus a few more shapes of the same kind. */
function storeBadObjects(c: Cluster, suffix: string): void {
  storeRaw(c, '', 'pods', 'default', `owner-refs-${suffix}`, {
    apiVersion: 'v1', kind: 'Pod', metadata: meta(`owner-refs-${suffix}`, 'default', { ownerReferences: '', labels: { app: 'x' } }),
    spec: { containers: [{ name: 'c', image: 'i' }] },
  });
  storeRaw(c, '', 'pods', 'default', `null-labels-${suffix}`, {
    apiVersion: 'v1', kind: 'Pod', metadata: meta(`null-labels-${suffix}`, 'default', { labels: null }),
    spec: { containers: 'none', tolerations: 7 }, status: { conditions: [null] },
  });
  storeRaw(c, '', 'nodes', '', `bad-conditions-${suffix}`, {
    apiVersion: 'v1', kind: 'Node',
    // Not simulated: no kubelet repairs it, so the node lifecycle controller keeps meeting it.
    metadata: meta(`bad-conditions-${suffix}`, undefined, { annotations: { 'everynode.dev/simulate': 'false' }, labels: 'tier=good' }),
    spec: { taints: [null, { key: 1 }] }, status: { conditions: 0, capacity: { cpu: {} } },
  });
  storeRaw(c, '', 'nodes', '', `null-conditions-${suffix}`, {
    apiVersion: 'v1', kind: 'Node',
    metadata: meta(`null-conditions-${suffix}`, undefined, { annotations: { 'everynode.dev/simulate': 'false' } }),
    status: { conditions: [null] },
  });
  storeRaw(c, '', 'pods', 'default', `unnamed-${suffix}`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 42, namespace: 'default' } });
}

/** A DaemonSet for the good pool whose first affinity term is unparsable (skipped, as upstream does). */
function daemonSet(name: string): DaemonSet {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name, namespace: 'default' },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9' }],
          affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [
            { matchExpressions: [{ key: 'tier', operator: 'Gt', values: ['0x10'] }] },
            { matchExpressions: [{ key: 'tier', operator: 'In', values: ['good'] }] },
          ] } } },
        },
      },
    },
  };
}

describe('components under malformed stored objects', () => {
  let dir: string;
  let cluster: Cluster;
  let api: RawClient;
  const stop = new AbortController();
  let running: Promise<{ componentFailures: number }>;
  let ended = false;
  const logs: string[] = [];
  /** A component that failed would have been restarted (supervise.ts) and logged so. */
  const componentFailures = () => logs.filter((l) => /^everynode: \S+ failed:/.test(l));

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'everynode-hostile-'));
    writeFileSync(join(dir, 'cluster.yaml'), CLUSTER);
    cluster = await startCluster({ dataDir: null, port: 0, configFile: join(dir, 'cluster.yaml'), controller: true, scheduler: true, nodeGraceMs: 2_000, log: (l) => logs.push(l) });
    api = new RawClient(cluster.kubeConfig());
    // Stored before any component starts: their first list meets them.
    storeBadObjects(cluster, 'early');
    await api.request('POST', '/apis/apps/v1/namespaces/default/daemonsets', daemonSet('early'));
    running = cluster.run(stop.signal).finally(() => { ended = true; });
  });

  after(async () => {
    stop.abort();
    const { componentFailures: n } = await running;
    assert.equal(n, 0, 'no component failed during the run');
    api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const goodNodes = async () => (await api.request<{ items: Node[] }>('GET', '/api/v1/nodes?labelSelector=tier%3Dgood')).items;
  const readyOn = async (app: string) => {
    const pods = (await api.request<{ items: Pod[] }>('GET', `/api/v1/namespaces/default/pods?labelSelector=app%3D${app}`)).items;
    return new Set(pods.filter((p) => p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True')).map((p) => p.spec?.nodeName));
  };
  const converged = async (app: string) => {
    const nodes = await goodNodes();
    const on = await readyOn(app);
    return nodes.length === 2 && nodes.every((n) => on.has(n.metadata?.name));
  };
  const warningsAbout = async (name: string) => {
    const fs = encodeURIComponent(`involvedObject.name=${name},type=Warning`);
    return (await api.request<{ items: { reason?: string; message?: string; source?: { component?: string } }[] }>('GET', `/api/v1/events?fieldSelector=${fs}`)).items;
  };

  it('stored before start: the cluster runs, the DaemonSet converges on the good nodes, and the bad objects are named', async () => {
    await eventually(() => converged('early'), 60_000, 'DaemonSet early ready on both good nodes');
    for (const name of ['owner-refs-early', 'null-labels-early', 'bad-conditions-early', 'null-conditions-early']) {
      const evs = await eventually(async () => { const e = await warningsAbout(name); return e.length ? e : undefined; }, 20_000, `a Warning about ${name}`);
      assert.ok(evs.every((e) => e.reason === 'InvalidObject'), JSON.stringify(evs));
    }
    const ownerRefs = await warningsAbout('owner-refs-early');
    assert.ok(ownerRefs.some((e) => e.source?.component === 'daemonset-controller' && /metadata\.ownerReferences/.test(e.message ?? '')), JSON.stringify(ownerRefs));
    // The node lifecycle controller's monitor has met the bad nodes many times over (every 500 ms).
    await new Promise((r) => setTimeout(r, 3_000));
    assert.equal(ended, false, 'the cluster is still running');
    assert.deepEqual(componentFailures(), []);
  });

  it('a label-selector list of pods answers despite a pod with null labels', async () => {
    const list = await api.request<{ items: Pod[] }>('GET', '/api/v1/pods?labelSelector=app%3Dx');
    assert.deepEqual(list.items.map((p) => p.metadata?.name).sort(), ['owner-refs-early']);
  });

  it('stored while running: nothing stops, and a new DaemonSet still converges', async () => {
    storeBadObjects(cluster, 'late');
    await eventually(async () => (await warningsAbout('owner-refs-late')).length > 0, 20_000, 'a Warning about owner-refs-late');
    await eventually(async () => (await warningsAbout('bad-conditions-late')).length > 0, 20_000, 'a Warning about bad-conditions-late');
    await api.request('POST', '/apis/apps/v1/namespaces/default/daemonsets', daemonSet('late'));
    await eventually(() => converged('late'), 60_000, 'DaemonSet late ready on both good nodes');
    await new Promise((r) => setTimeout(r, 3_000));
    assert.equal(ended, false, 'the cluster is still running');
    assert.deepEqual(componentFailures(), []);
    assert.ok(await converged('early'));
  });
});

// The Daemon Service seed's claims, end to end on the embedded cluster: one pod per node by
// default, nodeSelector subsets that follow relabelling, daemons without a scheduler, cordoned
// nodes, priority, the legacy extensions/v1beta1 manifest, rolling updates within budget,
// self-healing, and a controller that survives malformed objects.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DaemonSet, KObject, Node, Pod } from '../../src/api/types.js';
import { RawClient, isNotFound } from '../../src/kube/client.js';
import { Informer } from '../../src/kube/informer.js';
import { DaemonSetController, type ControllerOptions } from '../../src/controller/controller.js';
import { isPodReady } from '../../src/controller/core/pods.js';
import { startTestCluster, eventually, hasKubectl, kubectl, type TestCluster } from '../helpers/cluster.js';

const MERGE = 'application/merge-patch+json';
const STRATEGIC = 'application/strategic-merge-patch+json';
const FAST_PODS = 'pods: {startupDelay: 50, readinessDelay: 100}';

interface Env { c: TestCluster; api: RawClient; stop(): Promise<void> }

/** A cluster from a cluster file, with a DaemonSet controller this test owns. */
async function env(clusterFile: string, o: { scheduler: boolean; controller?: ControllerOptions }): Promise<Env> {
  const dir = mkdtempSync(join(tmpdir(), 'everynode-seed-'));
  writeFileSync(join(dir, 'cluster.yaml'), clusterFile);
  const c = await startTestCluster({ configFile: join(dir, 'cluster.yaml'), scheduler: o.scheduler, controller: false });
  const ac = new AbortController();
  const running = new DaemonSetController(c.kubeConfig(), o.controller ?? {}).start(ac.signal);
  const api = new RawClient(c.kubeConfig());
  const want = [...clusterFile.matchAll(/count: (\d+)/g)].reduce((a, m) => a + Number(m[1]), 0);
  await eventually(async () => (await nodesOf(api)).filter(isNodeReady).length === want, 30_000, `${want} ready nodes`);
  return { c, api, async stop() { ac.abort(); await running; api.close(); await c.stop(); } };
}

const isNodeReady = (n: Node) => n.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') ?? false;
const nodesOf = async (api: RawClient) => (await api.request<{ items: Node[] }>('GET', '/api/v1/nodes')).items;
const live = (p: Pod) => !p.metadata?.deletionTimestamp;
let nsCounter = 0;

async function namespace(api: RawClient): Promise<string> {
  const name = `seed-${++nsCounter}`;
  await api.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return name;
}

function daemonSet(ns: string, name: string, podSpec: Record<string, unknown> = {}, extra: { annotations?: Record<string, string>; spec?: Record<string, unknown> } = {}): DaemonSet {
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet',
    metadata: { name, namespace: ns, ...(extra.annotations ? { annotations: extra.annotations } : {}) },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'daemon', image: 'busybox:1.36' }], ...podSpec } },
      ...extra.spec,
    },
  };
}

const create = (api: RawClient, ds: DaemonSet) => api.request<DaemonSet>('POST', `/apis/apps/v1/namespaces/${ds.metadata!.namespace}/daemonsets`, ds);
const podsOf = async (api: RawClient, ns: string, app: string) =>
  (await api.request<{ items: Pod[] }>('GET', `/api/v1/namespaces/${ns}/pods?labelSelector=app%3D${app}`)).items;

/** Ready daemon pods by node name (live ones only); undefined if a node has two. */
async function placement(api: RawClient, ns: string, app: string): Promise<Map<string, Pod> | undefined> {
  const out = new Map<string, Pod>();
  for (const p of (await podsOf(api, ns, app)).filter(live)) {
    const node = p.spec?.nodeName;
    if (!node || !isPodReady(p) || out.has(node)) return undefined;
    out.set(node, p);
  }
  return out;
}

/** Waits until exactly `nodes` each run one ready pod of `app` and no other node does. */
async function runsExactlyOn(api: RawClient, ns: string, app: string, nodes: string[], what: string): Promise<Map<string, Pod>> {
  const want = [...nodes].sort().join(',');
  return eventually(async () => {
    const m = await placement(api, ns, app);
    return m && [...m.keys()].sort().join(',') === want ? m : undefined;
  }, 30_000, what);
}

const label = (api: RawClient, node: string, labels: Record<string, string | null>) =>
  api.request('PATCH', `/api/v1/nodes/${node}`, { metadata: { labels } }, MERGE);

describe('seed: the Daemon Service pattern', () => {
  let e: Env;
  const all = ['general-0', 'general-1', 'general-2', 'secure-0', 'secure-1', 'tiny-0'];
  before(async () => {
    e = await env(`
pools:
  - {name: general, count: 3, ${FAST_PODS}}
  - {name: secure, count: 2, labels: {feature: hw-rng}, ${FAST_PODS}}
  - {name: tiny, count: 1, labels: {pool: tiny}, capacity: {cpu: "1"}, ${FAST_PODS}}
`, { scheduler: true });
  });
  after(() => e?.stop());

  it('every node gets exactly one pod by default', async () => {
    const ns = await namespace(e.api);
    await create(e.api, daemonSet(ns, 'everywhere'));
    await runsExactlyOn(e.api, ns, 'everywhere', all, 'one pod on each of the 6 nodes');
    const ds = await eventually(async () => {
      const d = await e.api.request<DaemonSet>('GET', `/apis/apps/v1/namespaces/${ns}/daemonsets/everywhere`);
      return d.status?.numberAvailable === 6 ? d : undefined;
    }, 20_000, 'status');
    assert.equal(ds.status?.desiredNumberScheduled, 6);
  });

  it('nodeSelector picks the labelled subset, and relabelling moves pods', async () => {
    const ns = await namespace(e.api);
    await create(e.api, daemonSet(ns, 'rng', { nodeSelector: { feature: 'hw-rng' } }));
    await runsExactlyOn(e.api, ns, 'rng', ['secure-0', 'secure-1'], 'pods on the hw-rng nodes');
    await label(e.api, 'general-0', { feature: 'hw-rng' });
    await label(e.api, 'secure-1', { feature: null });
    await runsExactlyOn(e.api, ns, 'rng', ['secure-0', 'general-0'], 'pods followed the labels');
    await label(e.api, 'general-0', { feature: null });
    await label(e.api, 'secure-1', { feature: 'hw-rng' });
    await runsExactlyOn(e.api, ns, 'rng', ['secure-0', 'secure-1'], 'pods back');
  });

  it('the seed\'s extensions/v1beta1 manifest applies unchanged and runs on the hw-rng nodes', { skip: !hasKubectl && 'kubectl not installed' }, async () => {
    const ns = await namespace(e.api);
    const yaml = readFileSync(new URL('../../examples/random-refresher.yaml', import.meta.url), 'utf8');
    const r = await kubectl(e.c, ['-n', ns, 'apply', '-f', '-'], yaml);
    assert.equal(r.code, 0, r.stderr);
    await runsExactlyOn(e.api, ns, 'random-refresher', ['secure-0', 'secure-1'], 'random-refresher on hw-rng nodes');
    const pod = (await podsOf(e.api, ns, 'random-refresher'))[0];
    assert.deepEqual(pod.spec?.volumes?.[0]?.hostPath?.path, '/dev');
  });

  it('a cordoned node keeps its daemon pod and gets one for a new DaemonSet', async () => {
    const ns = await namespace(e.api);
    await create(e.api, daemonSet(ns, 'first'));
    const before = await runsExactlyOn(e.api, ns, 'first', all, 'first everywhere');
    await e.api.request('PATCH', '/api/v1/nodes/general-1', { spec: { unschedulable: true } }, STRATEGIC);
    try {
      await eventually(async () => (await e.api.request<Node>('GET', '/api/v1/nodes/general-1')).spec?.taints?.some((t) => t.key === 'node.kubernetes.io/unschedulable'), 20_000, 'cordon taint');
      await create(e.api, daemonSet(ns, 'second'));
      await runsExactlyOn(e.api, ns, 'second', all, 'second everywhere, cordoned node included');
      const now = await runsExactlyOn(e.api, ns, 'first', all, 'first still everywhere');
      assert.equal(now.get('general-1')?.metadata?.name, before.get('general-1')?.metadata?.name, 'the cordoned node kept its pod');
    } finally {
      await e.api.request('PATCH', '/api/v1/nodes/general-1', { spec: { unschedulable: false } }, STRATEGIC);
    }
  });

  it('a system-node-critical daemon pod evicts a lower-priority pod from a full node', async () => {
    const ns = await namespace(e.api);
    const cpu = (v: string) => ({ resources: { requests: { cpu: v } } });
    await e.api.request('POST', `/api/v1/namespaces/${ns}/pods`, {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'filler' },
      spec: { nodeSelector: { pool: 'tiny' }, terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox:1.36', ...cpu('900m') }] },
    });
    await eventually(async () => isPodReady(await e.api.request<Pod>('GET', `/api/v1/namespaces/${ns}/pods/filler`)), 20_000, 'filler running on the tiny node');
    await create(e.api, daemonSet(ns, 'critical', {
      nodeSelector: { pool: 'tiny' }, priorityClassName: 'system-node-critical', containers: [{ name: 'daemon', image: 'busybox:1.36', ...cpu('500m') }],
    }));
    await runsExactlyOn(e.api, ns, 'critical', ['tiny-0'], 'critical daemon running on the full node');
    await eventually(async () => {
      try { const p = await e.api.request<Pod>('GET', `/api/v1/namespaces/${ns}/pods/filler`); return !live(p); } catch (err) { return isNotFound(err); }
    }, 20_000, 'filler preempted');
  });

  it('a rolling update never exceeds maxUnavailable at any moment', async () => {
    const ns = await namespace(e.api);
    await create(e.api, daemonSet(ns, 'rolling', {}, { spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } } } }));
    await runsExactlyOn(e.api, ns, 'rolling', all, 'rolling everywhere');
    const inf = new Informer<Pod & KObject>(e.api, `/api/v1/namespaces/${ns}/pods`);
    let synced = false, worst = 0;
    const check = () => {
      if (!synced) return;
      const ps = inf.list();
      const down = all.filter((n) => !ps.some((p) => p.spec?.nodeName === n && live(p) && isPodReady(p))).length;
      worst = Math.max(worst, down);
    };
    inf.addHandler({ onAdd: check, onUpdate: check, onDelete: check });
    const ac = new AbortController();
    const watching = inf.start(ac.signal);
    await inf.waitForSync();
    synced = true;
    try {
      await e.api.request('PATCH', `/apis/apps/v1/namespaces/${ns}/daemonsets/rolling`, { spec: { template: { spec: { containers: [{ name: 'daemon', image: 'busybox:1.37' }] } } } }, STRATEGIC);
      await eventually(async () => {
        const m = await placement(e.api, ns, 'rolling');
        return m && m.size === all.length && [...m.values()].every((p) => p.spec?.containers?.[0]?.image === 'busybox:1.37');
      }, 60_000, 'rolled out');
    } finally {
      ac.abort();
      await watching;
    }
    assert.ok(worst <= 2, `at worst ${worst} nodes were without an available pod`);
    assert.ok(worst >= 1, 'the watch saw the rollout happen');
  });

  it('a deleted or failed pod is replaced', async () => {
    const ns = await namespace(e.api);
    await create(e.api, daemonSet(ns, 'healing'));
    const first = await runsExactlyOn(e.api, ns, 'healing', all, 'healing everywhere');
    const deleted = first.get('general-0')!.metadata!.name!;
    await e.api.request('DELETE', `/api/v1/namespaces/${ns}/pods/${deleted}`);
    const failed = first.get('secure-0')!;
    await e.api.request('PUT', `/api/v1/namespaces/${ns}/pods/${failed.metadata!.name}/status`, { ...failed, status: { ...failed.status, phase: 'Failed' } });
    await eventually(async () => {
      const m = await placement(e.api, ns, 'healing');
      return m && m.size === all.length && m.get('general-0')?.metadata?.name !== deleted && m.get('secure-0')?.metadata?.name !== failed.metadata?.name;
    }, 30_000, 'both replaced');
  });

  it('never crashes on a malformed DaemonSet: it records a Warning event and goes on', async () => {
    const ns = await namespace(e.api);
    await create(e.api, daemonSet(ns, 'odd'));
    await runsExactlyOn(e.api, ns, 'odd', all, 'odd everywhere');
    // Store a template no API server would accept (tolerations must be a list), behind validation's back.
    const store = e.c.api.store;
    const def = store.catalog.lookup('apps', 'v1', 'daemonsets')!;
    const kv = store.getKV(def, ns, 'odd')!;
    const broken = store.decode(def, kv) as DaemonSet;
    (broken.spec!.template.spec as unknown as Record<string, unknown>).tolerations = 'tolerate everything';
    store.commit(def, kv, broken as KObject);

    await eventually(async () => {
      const events = (await e.api.request<{ items: { reason?: string; type?: string; involvedObject?: { name?: string } }[] }>('GET', `/api/v1/namespaces/${ns}/events`)).items;
      return events.some((x) => x.type === 'Warning' && (x.reason === 'InvalidObject' || x.reason === 'FailedSync') && x.involvedObject?.name === 'odd');
    }, 20_000, 'Warning event on the malformed DaemonSet');
    // The controller is still serving everyone else.
    await create(e.api, daemonSet(ns, 'after-odd'));
    await runsExactlyOn(e.api, ns, 'after-odd', all, 'a new DaemonSet still gets its pods');
  });
});

describe('seed: daemons run before (and without) the scheduler', () => {
  const file = `pools:\n  - {name: node, count: 2, ${FAST_PODS}}\n`;

  it('with the global bind-directly option every pod runs', async () => {
    const e = await env(file, { scheduler: false, controller: { bindDirectly: true } });
    try {
      const ns = await namespace(e.api);
      await create(e.api, daemonSet(ns, 'early'));
      await runsExactlyOn(e.api, ns, 'early', ['node-0', 'node-1'], 'bound and running with no scheduler');
    } finally { await e.stop(); }
  });

  it('with the everynode.dev/bind: direct annotation the DaemonSet\'s pods run; without it they wait for a scheduler', async () => {
    const e = await env(file, { scheduler: false });
    try {
      const ns = await namespace(e.api);
      await create(e.api, daemonSet(ns, 'scheduled'));
      await create(e.api, daemonSet(ns, 'direct', {}, { annotations: { 'everynode.dev/bind': 'direct' } }));
      await runsExactlyOn(e.api, ns, 'direct', ['node-0', 'node-1'], 'annotated DaemonSet running');
      const waiting = await eventually(async () => { const ps = await podsOf(e.api, ns, 'scheduled'); return ps.length === 2 ? ps : undefined; }, 20_000, 'scheduler-bound pods created');
      assert.ok(waiting.every((p) => !p.spec?.nodeName && p.status?.phase === 'Pending'), 'no scheduler: nobody binds them');
    } finally { await e.stop(); }
  });
});

// The DaemonSet controller's reconciler against upstream's daemon_controller.go where the cache,
// the network or a concurrent writer disagree with it. The controller runs in process, reaching
// the embedded API server only through the chaos proxy, whose intercept hook puts one exact
// fault (or one concurrent write) on one exact request; the test reads the server directly.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeConfig } from '@kubernetes/client-node';
import type { ControllerRevision, DaemonSet, Node, OwnerReference, Pod } from '../../src/api/types.js';
import { DaemonSetController } from '../../src/controller/controller.js';
import { revisionData, templateHash } from '../../src/controller/core/history.js';
import { RawClient } from '../../src/kube/client.js';
import { ChaosProxy } from '../../src/reliability/chaos/proxy.js';
import { isWatchRequest, type Decision } from '../../src/reliability/chaos/faults.js';
import { eventually, startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Hook = (method: string, path: string) => Decision | undefined | Promise<Decision | undefined>;

let c: TestCluster;
let dir: string;
let api: RawClient;
let proxy: ChaosProxy;
let controller: DaemonSetController;
let running: Promise<void>;
const stop = new AbortController();
let hook: Hook | undefined;
const requests: { method: string; path: string }[] = [];
let nsCounter = 0;

const STRATEGIC = 'application/strategic-merge-patch+json';
const MERGE = 'application/merge-patch+json';
const STALL: Decision = { kind: 'watchStall', afterMs: 0, stallMs: 600_000 };
const bare = (path: string) => path.split('?')[0];
const dsPath = (ns: string, name = '') => `/apis/apps/v1/namespaces/${ns}/daemonsets${name ? `/${name}` : ''}`;
const podsPath = (ns: string) => `/api/v1/namespaces/${ns}/pods`;
const revsPath = (ns: string) => `/apis/apps/v1/namespaces/${ns}/controllerrevisions`;
const getDs = (ns: string, name = 'd') => api.request<DaemonSet>('GET', dsPath(ns, name));
const listPods = async (ns: string) => (await api.request<{ items: Pod[] }>('GET', podsPath(ns))).items;
const listRevisions = async (ns: string) => (await api.request<{ items: ControllerRevision[] }>('GET', revsPath(ns))).items;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'everynode-parity-'));
  // Two nodes and no scheduler: daemon pods stay pinned by node affinity, so every pod that
  // exists is one the controller created and nothing else moves them.
  writeFileSync(join(dir, 'cluster.yaml'), 'pools:\n  - name: node\n    count: 2\n');
  c = await startTestCluster({ configFile: join(dir, 'cluster.yaml'), scheduler: false });
  api = new RawClient(c.kubeConfig());
  proxy = new ChaosProxy({
    upstream: c.url, upstreamCaPem: c.caCertPem, seed: 1,
    intercept: (method, path) => { requests.push({ method, path }); return hook?.(method, path); },
  });
  await proxy.start();
  const kc = new KubeConfig();
  kc.loadFromString(proxy.kubeconfig(c.token));
  controller = new DaemonSetController(kc, { log: () => {} });
  running = controller.start(stop.signal);
});

after(async () => {
  stop.abort();
  await running;
  api.close();
  await proxy.close();
  await c.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function newNamespace(): Promise<string> {
  const name = `parity-${++nsCounter}`;
  await api.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return name;
}

async function nodeNames(): Promise<string[]> {
  return (await api.request<{ items: Node[] }>('GET', '/api/v1/nodes')).items.map((n) => n.metadata!.name!).sort();
}

function daemonSet(ns: string, o: { nodeSelector?: Record<string, string>; finalizers?: string[] } = {}): DaemonSet {
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet',
    metadata: { name: 'd', namespace: ns, ...(o.finalizers ? { finalizers: o.finalizers } : {}) },
    spec: {
      selector: { matchLabels: { app: 'd' } },
      template: {
        metadata: { labels: { app: 'd' } },
        spec: { containers: [{ name: 'c', image: 'img:1' }], ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}) },
      },
    },
  };
}

const createDs = (ds: DaemonSet) => api.request<DaemonSet>('POST', dsPath(ds.metadata!.namespace!), ds);

/** The controller has synced the current generation and has a pod on every node it wants. */
async function settled(ns: string, desired: number): Promise<DaemonSet | false> {
  const ds = await getDs(ns);
  const s = ds.status;
  return s?.observedGeneration === ds.metadata?.generation && s?.desiredNumberScheduled === desired && s?.currentNumberScheduled === desired && ds;
}

/** Requests the proxy saw from index `from` on that satisfy `f`. */
const seenSince = (from: number, f: (m: string, p: string) => boolean) => requests.slice(from).filter((r) => f(r.method, r.path));

const podWatch = (m: string, p: string) => m === 'GET' && bare(p) === '/api/v1/pods' && isWatchRequest(p);
const dsWatch = (m: string, p: string) => m === 'GET' && bare(p) === '/apis/apps/v1/daemonsets' && isWatchRequest(p);

/** Cuts every watch and waits until the controller's watch of that kind is open again (through the hook). */
async function rewatch(which: (m: string, p: string) => boolean): Promise<void> {
  const from = requests.length;
  proxy.cutWatches();
  await eventually(() => seenSince(from, which).length > 0, 30_000, 'the controller to watch again');
}

const ownerRefTo = (o: { metadata?: { name?: string; uid?: string } }, kind: string): OwnerReference =>
  ({ apiVersion: 'v1', kind, name: o.metadata!.name!, uid: o.metadata!.uid! });

async function configMap(ns: string, name: string) {
  return api.request<{ metadata: { name: string; uid: string } }>('POST', `/api/v1/namespaces/${ns}/configmaps`, { metadata: { name } });
}

test('a pod create whose answer is lost is not sent again before the informer shows the pod', { timeout: 90_000 }, async () => {
  const ns = await newNamespace();
  const [node] = await nodeNames();
  // The controller hears nothing about new pods until the test lets it.
  hook = (m, p) => (podWatch(m, p) ? STALL : undefined);
  await rewatch(podWatch);
  let creates = 0;
  let liveReads = 0;
  hook = (m, p) => {
    if (podWatch(m, p)) return STALL;
    if (m === 'POST' && bare(p) === podsPath(ns)) return ++creates === 1 ? { kind: 'resetAfter' } : undefined;
    if (m === 'GET' && bare(p) === podsPath(ns)) liveReads++;
    return undefined;
  };
  await createDs(daemonSet(ns, { nodeSelector: { 'kubernetes.io/hostname': node } }));
  // Before the fix the failed create lowered the expectation and the retry created a second pod.
  await eventually(() => creates >= 2 || liveReads >= 1, 30_000, 'a second create or a live read');
  hook = (m, p) => { if (m === 'POST' && bare(p) === podsPath(ns)) creates++; return undefined; };
  await rewatch(podWatch);
  await eventually(() => settled(ns, 1), 30_000, 'the DaemonSet to settle');
  assert.equal(creates, 1, 'the pod the lost answer belonged to was created again');
  assert.equal((await listPods(ns)).length, 1);
  hook = undefined;
});

test('a sync acts only on a cache read after its expectations were found satisfied', { timeout: 90_000 }, async () => {
  // The informer shows the pod of a lost create answer while the sync's live read of it is still
  // out: the sync must not go on with the pods it read from its cache before that read.
  const ns = await newNamespace();
  const [node] = await nodeNames();
  let stallPods = true;
  hook = (m, p) => (podWatch(m, p) && stallPods ? STALL : undefined);
  await rewatch(podWatch);
  let creates = 0;
  let liveRead = false;
  let release!: () => void;
  const held = new Promise<undefined>((r) => { release = () => r(undefined); });
  hook = (m, p) => {
    if (podWatch(m, p)) return stallPods ? STALL : undefined;
    if (m === 'POST' && bare(p) === podsPath(ns)) return ++creates === 1 ? { kind: 'resetAfter' } : undefined;
    if (m === 'GET' && bare(p) === podsPath(ns) && !isWatchRequest(p) && !liveRead) { liveRead = true; return held; }
    return undefined;
  };
  await createDs(daemonSet(ns, { nodeSelector: { 'kubernetes.io/hostname': node } }));
  await eventually(() => creates >= 2 || liveRead, 30_000, 'a second create or a live read');
  stallPods = false;
  await rewatch(podWatch);
  await eventually(() => controller.caches.pods.list().some((p) => p.metadata?.namespace === ns), 30_000, 'the informer to show the pod');
  release();
  await eventually(() => settled(ns, 1), 30_000, 'the DaemonSet to settle');
  assert.equal(creates, 1, 'a second pod was created from the cache read before the live read');
  assert.equal((await listPods(ns)).length, 1);
  hook = undefined;
});

test('a create the server refused is retried at once (it will never be observed)', { timeout: 60_000 }, async () => {
  const ns = await newNamespace();
  const [node] = await nodeNames();
  let creates = 0;
  hook = (m, p) => (m === 'POST' && bare(p) === podsPath(ns) && ++creates === 1
    ? { kind: 'status', fault: 'error500', code: 500, reason: 'InternalError' } : undefined);
  await createDs(daemonSet(ns, { nodeSelector: { 'kubernetes.io/hostname': node } }));
  await eventually(() => settled(ns, 1), 30_000, 'the DaemonSet to settle');
  assert.equal(creates, 2);
  hook = undefined;
});

test('deleting the current ControllerRevision is repaired: the snapshot is recreated', { timeout: 90_000 }, async () => {
  const ns = await newNamespace();
  await createDs(daemonSet(ns));
  await eventually(() => settled(ns, 2), 30_000, 'the DaemonSet to settle');
  const [rev] = await eventually(async () => { const rs = await listRevisions(ns); return rs.length === 1 && rs; }, 30_000, 'one revision');
  // Quiet: the controller has seen its own last status write and has nothing queued, so only
  // the revision's deletion can make it sync again.
  await eventually(async () => controller.caches.daemonSets.get(`${ns}/d`)?.metadata?.resourceVersion === (await getDs(ns)).metadata?.resourceVersion &&
    controller.queue.len() === 0 && !controller.queue.isProcessing(`${ns}/d`), 30_000, 'the controller to be idle');
  await api.request('DELETE', `${revsPath(ns)}/${rev.metadata!.name}`);
  const again = await eventually(async () => (await listRevisions(ns)).find((r) => r.metadata?.name === rev.metadata?.name), 30_000, 'the revision to be recreated');
  assert.notEqual(again.metadata?.uid, rev.metadata?.uid);
  assert.equal(again.metadata?.labels?.['controller-revision-hash'], rev.metadata?.labels?.['controller-revision-hash']);
});

test('a sync whose live re-check finds the DaemonSet being deleted creates nothing', { timeout: 90_000 }, async () => {
  const ns = await newNamespace();
  const [node] = await nodeNames();
  await createDs(daemonSet(ns, { nodeSelector: { 'parity/run': 'yes' }, finalizers: ['parity.test/hold'] }));
  await eventually(() => settled(ns, 0), 30_000, 'the DaemonSet to settle with no node');
  // The controller's cache keeps the DaemonSet as it is; the server starts deleting it.
  hook = (m, p) => (dsWatch(m, p) ? STALL : undefined);
  await rewatch(dsWatch);
  await api.request('DELETE', dsPath(ns, 'd'));
  let creates = 0;
  const rechecks = () => seenSince(0, (m, p) => m === 'GET' && bare(p) === dsPath(ns, 'd')).length;
  hook = (m, p) => {
    if (dsWatch(m, p)) return STALL;
    if (m === 'POST' && (bare(p) === podsPath(ns) || bare(p) === revsPath(ns))) creates++;
    return undefined;
  };
  // An orphan to adopt makes the sync re-check the DaemonSet live (upstream's RecheckDeletionTimestamp).
  await api.request('POST', podsPath(ns), { metadata: { name: 'orphan', labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'img:1' }] } });
  await eventually(() => rechecks() > 0, 30_000, 'a live re-check');
  // Now a node wants a pod; every sync from here on would create it unless the re-check stops it.
  await api.request('PATCH', `/api/v1/nodes/${node}`, { metadata: { labels: { 'parity/run': 'yes' } } }, MERGE);
  await eventually(() => controller.caches.nodes.get(node)?.metadata?.labels?.['parity/run'] === 'yes', 30_000, 'the controller to see the label');
  const before = rechecks();
  // Two more re-checks: the second belongs to a sync that began after the label was seen.
  await eventually(() => creates > 0 || rechecks() >= before + 2, 30_000, 'two syncs after the label');
  assert.equal(creates, 0, 'created pods or revisions for a DaemonSet being deleted');
  const orphan = (await listPods(ns)).find((p) => p.metadata?.name === 'orphan');
  assert.equal(orphan?.metadata?.ownerReferences, undefined, 'adopted by a DaemonSet being deleted');
  hook = undefined;
  await rewatch(dsWatch);
  await api.request('PATCH', dsPath(ns, 'd'), { metadata: { finalizers: null } }, MERGE);
  await api.request('PATCH', `/api/v1/nodes/${node}`, { metadata: { labels: { 'parity/run': null } } }, MERGE);
});

// (A lower collisionCount the server refuses itself: ValidateDaemonSetStatusUpdate.)
test('the status conflict retry keeps a concurrent writer\'s conditions', { timeout: 90_000 }, async () => {
  const ns = await newNamespace();
  let concurrent = 0;
  hook = async (m, p) => {
    if (m !== 'PUT' || p !== `${dsPath(ns, 'd')}/status` || concurrent++ > 0) return undefined;
    // Another writer updates the status between the controller's read and its write.
    const live = await getDs(ns);
    await api.request('PUT', `${dsPath(ns, 'd')}/status`, {
      ...live,
      status: {
        ...(live.status ?? {}),
        conditions: [{ type: 'ParityTest', status: 'True', reason: 'Concurrent', message: 'set by another writer', lastTransitionTime: '2026-01-01T00:00:00Z' }],
      },
    });
    return undefined; // then forwarded: 409, and the controller retries on the fresh object
  };
  await createDs(daemonSet(ns));
  const ds = await eventually(() => settled(ns, 2), 30_000, 'the DaemonSet to settle');
  assert.ok(concurrent >= 2, 'the controller retried its status write');
  assert.deepEqual(ds.status?.conditions?.map((x) => x.type), ['ParityTest']);
  hook = undefined;
});

test('an identical revision owned by someone else is this template\'s snapshot, not a hash collision', { timeout: 90_000 }, async () => {
  const ns = await newNamespace();
  // Hold the controller's revision creates until the foreign revision is in place.
  let held = true;
  hook = (m, p) => (held && m === 'POST' && bare(p) === revsPath(ns) ? { kind: 'status', fault: 'error503', code: 503, reason: 'ServiceUnavailable' } : undefined);
  const stored = await createDs(daemonSet(ns));
  const owner = await configMap(ns, 'someone-else');
  const hash = templateHash(stored);
  await api.request('POST', revsPath(ns), {
    apiVersion: 'apps/v1', kind: 'ControllerRevision',
    metadata: { name: `d-${hash}`, labels: { other: 'x' }, ownerReferences: [{ ...ownerRefTo(owner, 'ConfigMap'), controller: true }] },
    data: revisionData(stored), revision: 1,
  });
  held = false;
  const ds = await eventually(() => settled(ns, 2), 30_000, 'the DaemonSet to settle');
  assert.equal(ds.status?.collisionCount ?? 0, 0, 'treated as a hash collision');
  const pods = await listPods(ns);
  assert.deepEqual(pods.map((p) => p.metadata?.labels?.['controller-revision-hash']), [hash, hash]);
  hook = undefined;
});

test('adopt and release patch only the DaemonSet\'s ownerReference, keeping one added concurrently', { timeout: 90_000 }, async () => {
  const ns = await newNamespace();
  const [a, b, c2] = [await configMap(ns, 'a'), await configMap(ns, 'b'), await configMap(ns, 'c')];
  const ds = await createDs(daemonSet(ns, { nodeSelector: { 'parity/none': 'x' } }));
  await eventually(() => settled(ns, 0), 30_000, 'the DaemonSet to settle');
  const addOwner = async (cm: { metadata: { name: string; uid: string } }) => {
    const pod = await api.request<Pod>('GET', `${podsPath(ns)}/orphan`);
    await api.request('PATCH', `${podsPath(ns)}/orphan`, { metadata: { ownerReferences: [...(pod.metadata?.ownerReferences ?? []), ownerRefTo(cm, 'ConfigMap')] } }, MERGE);
  };
  // Between the controller's cache and its patch, another client adds an owner.
  let patches = 0;
  let concurrentOwner = b;
  hook = async (m, p) => {
    if (m === 'PATCH' && p === `${podsPath(ns)}/orphan` && patches++ === 0) await addOwner(concurrentOwner);
    return undefined;
  };
  await api.request('POST', podsPath(ns), {
    metadata: { name: 'orphan', labels: { app: 'd' }, ownerReferences: [ownerRefTo(a, 'ConfigMap')] },
    spec: { containers: [{ name: 'c', image: 'img:1' }] },
  });
  const adopted = await eventually(async () => {
    const pod = await api.request<Pod>('GET', `${podsPath(ns)}/orphan`);
    return pod.metadata?.ownerReferences?.some((r) => r.controller && r.uid === ds.metadata?.uid) && pod;
  }, 30_000, 'the orphan to be adopted');
  assert.deepEqual(adopted.metadata?.ownerReferences?.map((r) => r.name).sort(), ['a', 'b', 'd']);

  patches = 0;
  concurrentOwner = c2;
  await api.request('PATCH', `${podsPath(ns)}/orphan`, { metadata: { labels: { app: 'other' } } }, STRATEGIC);
  const released = await eventually(async () => {
    const pod = await api.request<Pod>('GET', `${podsPath(ns)}/orphan`);
    return !pod.metadata?.ownerReferences?.some((r) => r.uid === ds.metadata?.uid) && pod;
  }, 30_000, 'the pod to be released');
  assert.deepEqual(released.metadata?.ownerReferences?.map((r) => r.name).sort(), ['a', 'b', 'c']);
  hook = undefined;
});

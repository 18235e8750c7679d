// Upstream's DaemonSet e2e scenarios (daemonset-controller.md §9.1: test/e2e/apps/daemon_set.go
// and controller_revision.go) against the embedded cluster, driven only through the API.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ControllerRevision, DaemonSet, KObject, Node, Pod } from '../../src/api/types.js';
import { RawClient, isNotFound } from '../../src/kube/client.js';
import { Informer } from '../../src/kube/informer.js';
import { nodeShouldRunDaemonPod } from '../../src/controller/core/eligibility.js';
import { isPodReady } from '../../src/controller/core/pods.js';
import { startControllerTestCluster, eventually } from '../helpers/cluster.js';

const MERGE = 'application/merge-patch+json';
const STRATEGIC = 'application/strategic-merge-patch+json';
const HASH = 'controller-revision-hash';
const IMAGE = 'registry.k8s.io/e2e-test-images/httpd:2.4.38-4';
const NEW_IMAGE = 'registry.k8s.io/e2e-test-images/httpd:2.4.39-4';

let api: RawClient;
let stopController: () => Promise<void>;
let nsCounter = 0;

before(async () => {
  const t = await startControllerTestCluster();
  api = t.api;
  stopController = t.stop;
  await eventually(async () => (await nodes()).length === 3 && (await nodes()).every(isNodeReady), 30_000, '3 ready nodes');
});

after(async () => { await stopController?.(); });

const isNodeReady = (n: Node) => n.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') ?? false;
const nodes = async () => (await api.request<{ items: Node[] }>('GET', '/api/v1/nodes')).items;
const dsPath = (ns: string, name = '') => `/apis/apps/v1/namespaces/${ns}/daemonsets${name ? `/${name}` : ''}`;
const getDs = (ns: string, name: string) => api.request<DaemonSet>('GET', dsPath(ns, name));
const pods = async (ns: string) => (await api.request<{ items: Pod[] }>('GET', `/api/v1/namespaces/${ns}/pods?labelSelector=daemonset-name%3Ddaemon-set`)).items;
const revisions = async (ns: string, selector = 'daemonset-name%3Ddaemon-set') =>
  (await api.request<{ items: ControllerRevision[] }>('GET', `/apis/apps/v1/namespaces/${ns}/controllerrevisions?labelSelector=${selector}`)).items;
const live = (p: Pod) => !p.metadata?.deletionTimestamp;

async function newNamespace(): Promise<string> {
  const name = `ds-e2e-${++nsCounter}`;
  await api.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return name;
}

function daemonSet(ns: string, spec: Partial<NonNullable<DaemonSet['spec']>> = {}, podSpec: Record<string, unknown> = {}): DaemonSet {
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet',
    metadata: { name: 'daemon-set', namespace: ns, labels: { 'daemonset-name': 'daemon-set' } },
    spec: {
      selector: { matchLabels: { 'daemonset-name': 'daemon-set' } },
      template: {
        metadata: { labels: { 'daemonset-name': 'daemon-set' } },
        spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', image: IMAGE, ports: [{ containerPort: 9376 }] }], ...podSpec },
      },
      ...spec,
    },
  };
}

const createDs = (ds: DaemonSet) => api.request<DaemonSet>('POST', dsPath(ds.metadata!.namespace!), ds);

/** checkRunningOnAllNodes: one ready, live, controlled pod on every node that should run it, none elsewhere. */
async function runningOnAllNodes(ns: string, name = 'daemon-set'): Promise<boolean> {
  const ds = await getDs(ns, name);
  const ps = (await pods(ns)).filter((p) => p.metadata?.ownerReferences?.some((r) => r.uid === ds.metadata?.uid && r.controller));
  for (const node of await nodes()) {
    const here = ps.filter((p) => p.spec?.nodeName === node.metadata?.name && live(p));
    const want = nodeShouldRunDaemonPod(node, ds).shouldRun ? 1 : 0;
    if (here.length !== want || !here.every(isPodReady)) return false;
  }
  return ps.every((p) => p.spec?.nodeName);
}

/** checkDaemonStatus: desired == current == ready, observed the latest generation. */
async function statusConsistent(ns: string, name = 'daemon-set'): Promise<boolean> {
  const ds = await getDs(ns, name);
  const s = ds.status;
  return s !== undefined && s.observedGeneration === ds.metadata?.generation &&
    s.desiredNumberScheduled === s.currentNumberScheduled && s.currentNumberScheduled === s.numberReady;
}

async function settled(ns: string, what: string): Promise<void> {
  await eventually(() => runningOnAllNodes(ns), 30_000, `${what}: running on all nodes`);
  await eventually(() => statusConsistent(ns), 30_000, `${what}: status consistent`);
}

async function labelNode(name: string, labels: Record<string, string | null>): Promise<void> {
  await api.request('PATCH', `/api/v1/nodes/${name}`, { metadata: { labels } }, MERGE);
}

/** Watches the namespace's pods and calls check on every change, so invariants hold at every moment observed. */
async function watchPods(ns: string, check: (pods: Pod[]) => void): Promise<() => Promise<void>> {
  const inf = new Informer<Pod & KObject>(api, `/api/v1/namespaces/${ns}/pods`);
  const violations: unknown[] = [];
  let synced = false; // the initial list arrives one add at a time: judge only whole states
  const run = () => { if (!synced) return; try { check(inf.list()); } catch (err) { violations.push(err); } };
  inf.addHandler({ onAdd: run, onUpdate: run, onDelete: run });
  const ac = new AbortController();
  const done = inf.start(ac.signal);
  await inf.waitForSync();
  synced = true;
  run();
  return async () => { ac.abort(); await done; if (violations.length) throw violations[0]; };
}

const imageOf = (p: Pod) => p.spec?.containers?.[0]?.image;
const describePods = (ps: Pod[]) => ps.map((p) => `${p.metadata?.name}@${p.spec?.nodeName ?? '-'}:${p.metadata?.labels?.[HASH]}:${isPodReady(p) ? 'ready' : 'unready'}${live(p) ? '' : ':deleting'}:${p.status?.phase}`).join(' ');

describe('Daemon set [Serial]', () => {
  it('should run and stop simple daemon', async () => {
    const ns = await newNamespace();
    await createDs(daemonSet(ns));
    await settled(ns, 'created');
    const victim = (await pods(ns))[0];
    await api.request('DELETE', `/api/v1/namespaces/${ns}/pods/${victim.metadata!.name}`);
    await eventually(async () => !(await pods(ns)).some((p) => p.metadata?.name === victim.metadata?.name), 10_000, "pod gone").catch(async (e) => { console.log(JSON.stringify(await pods(ns), null, 1)); throw e; });
    await settled(ns, 'revived');
  });

  it('should run and stop complex daemon', async () => {
    const ns = await newNamespace();
    await createDs(daemonSet(ns, {}, { nodeSelector: { 'daemonset-color': 'blue' } }));
    await eventually(() => statusConsistent(ns), 30_000, 'status observed');
    assert.equal((await pods(ns)).length, 0, 'no node is blue yet');

    await labelNode('node-0', { 'daemonset-color': 'blue' });
    await eventually(async () => { const ps = await pods(ns); return ps.length === 1 && ps[0].spec?.nodeName === 'node-0' && isPodReady(ps[0]); }, 30_000, 'pod on the blue node');
    await eventually(() => statusConsistent(ns), 30_000, 'status');

    await labelNode('node-0', { 'daemonset-color': 'green' });
    await eventually(async () => (await pods(ns)).length === 0, 30_000, 'pod unscheduled from the green node');

    // The upstream test's patch carries updateStrategy at the top level, where it is dropped.
    await api.request('PATCH', dsPath(ns, 'daemon-set'), JSON.stringify({
      spec: { template: { spec: { nodeSelector: { 'daemonset-color': 'green' } } } },
      updateStrategy: { type: 'RollingUpdate' },
    }), STRATEGIC);
    await eventually(async () => { const ps = (await pods(ns)).filter(live); return ps.length === 1 && ps[0].spec?.nodeName === 'node-0' && isPodReady(ps[0]); }, 30_000, 'pod on the green node');
    await eventually(() => statusConsistent(ns), 30_000, 'status');
    await labelNode('node-0', { 'daemonset-color': null });
  });

  it('should run and stop complex daemon with node affinity', async () => {
    const ns = await newNamespace();
    await createDs(daemonSet(ns, {}, {
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'daemonset-color', operator: 'In', values: ['blue'] }] }] } } },
    }));
    await eventually(() => statusConsistent(ns), 30_000, 'status observed');
    assert.equal((await pods(ns)).length, 0);
    await labelNode('node-1', { 'daemonset-color': 'blue' });
    await eventually(async () => { const ps = await pods(ns); return ps.length === 1 && ps[0].spec?.nodeName === 'node-1' && isPodReady(ps[0]); }, 30_000, 'pod on the blue node');
    // The controller replaced the user's required terms with the single matchFields pin (§3.3).
    const terms = (await pods(ns))[0].spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
    assert.deepEqual(terms, [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-1'] }] }]);
    await labelNode('node-1', { 'daemonset-color': null });
    await eventually(async () => (await pods(ns)).length === 0, 30_000, 'pod unscheduled');
  });

  it('should retry creating failed daemon pods', async () => {
    const ns = await newNamespace();
    await createDs(daemonSet(ns));
    await settled(ns, 'created');
    const victim = (await pods(ns))[0];
    const path = `/api/v1/namespaces/${ns}/pods/${victim.metadata!.name}/status`;
    const fresh = await api.request<Pod>('GET', `/api/v1/namespaces/${ns}/pods/${victim.metadata!.name}`);
    await api.request('PUT', path, { ...fresh, status: { ...fresh.status, phase: 'Failed' } });
    await eventually(async () => {
      try { await api.request('GET', `/api/v1/namespaces/${ns}/pods/${victim.metadata!.name}`); return false; } catch (err) { return isNotFound(err); }
    }, 30_000, 'failed pod deleted');
    await settled(ns, 'replaced');
    const events = (await api.request<{ items: { reason?: string; message?: string }[] }>('GET', `/api/v1/namespaces/${ns}/events`)).items;
    assert.ok(events.some((e) => e.reason === 'FailedDaemonPod' && e.message?.includes(victim.metadata!.name!)), 'FailedDaemonPod event');
  });

  it('should not update pod when spec was updated and update strategy is OnDelete', async () => {
    const ns = await newNamespace();
    await createDs(daemonSet(ns, { updateStrategy: { type: 'OnDelete' } }));
    await settled(ns, 'created');
    const [first] = await revisions(ns);
    assert.equal(first.revision, 1);
    const firstHash = first.metadata?.labels?.[HASH];
    assert.ok((await pods(ns)).every((p) => p.metadata?.labels?.[HASH] === firstHash));

    await api.request('PATCH', dsPath(ns, 'daemon-set'), { spec: { template: { spec: { containers: [{ name: 'app', image: NEW_IMAGE }] } } } }, STRATEGIC);
    await eventually(async () => (await revisions(ns)).length === 2, 30_000, 'second revision');
    await eventually(() => statusConsistent(ns), 30_000, 'status observed');
    const ps = await pods(ns);
    assert.equal(ps.length, 3);
    assert.ok(ps.every((p) => imageOf(p) === IMAGE && p.metadata?.labels?.[HASH] === firstHash), 'pods untouched');
    const cur = (await revisions(ns)).find((r) => r.revision === 2);
    assert.ok(cur && cur.metadata?.labels?.[HASH] !== firstHash);
    assert.equal((await getDs(ns, 'daemon-set')).status?.updatedNumberScheduled, 0);
  });

  it('should update pod when spec was updated and update strategy is RollingUpdate', async () => {
    const ns = await newNamespace();
    await createDs(daemonSet(ns));
    await settled(ns, 'created');
    assert.equal((await revisions(ns))[0].revision, 1);
    const node = await nodes();
    const stopWatch = await watchPods(ns, (ps) => {
      const unavailable = node.filter((n) => !ps.some((p) => p.spec?.nodeName === n.metadata?.name && live(p) && isPodReady(p))).length;
      assert.ok(unavailable <= 1, `${unavailable} nodes without an available daemon pod (maxUnavailable 1): ${describePods(ps)}`);
    });
    await api.request('PATCH', dsPath(ns, 'daemon-set'), { spec: { template: { spec: { containers: [{ name: 'app', image: NEW_IMAGE }] } } } }, STRATEGIC);
    await eventually(async () => { const ps = await pods(ns); return ps.length === 3 && ps.every((p) => imageOf(p) === NEW_IMAGE && isPodReady(p)); }, 60_000, 'all pods updated');
    await settled(ns, 'rolled out');
    await stopWatch();
    const revs = await revisions(ns);
    assert.equal(revs.length, 2);
    const cur = revs.find((r) => r.revision === 2)!;
    assert.ok((await pods(ns)).every((p) => p.metadata?.labels?.[HASH] === cur.metadata?.labels?.[HASH]));
  });

  it('should rollback without unnecessary restarts', async () => {
    const ns = await newNamespace();
    await createDs(daemonSet(ns));
    await settled(ns, 'created');
    await api.request('PATCH', dsPath(ns, 'daemon-set'), { spec: { template: { spec: { containers: [{ name: 'app', image: 'foo:non-existent' }] } } } }, STRATEGIC);
    // Stuck midway: one new pod that never becomes ready, the other old pods untouched.
    const mid = await eventually(async () => {
      const ps = (await pods(ns)).filter(live);
      const fresh = ps.filter((p) => imageOf(p) === 'foo:non-existent');
      return fresh.length === 1 && ps.length === 3 ? ps : undefined;
    }, 30_000, 'rollout stuck midway');
    const oldNames = mid.filter((p) => imageOf(p) === IMAGE).map((p) => p.metadata!.name!);
    assert.equal(oldNames.length, 2);

    await api.request('PATCH', dsPath(ns, 'daemon-set'), { spec: { template: { spec: { containers: [{ name: 'app', image: IMAGE }] } } } }, STRATEGIC);
    await eventually(async () => { const ps = (await pods(ns)).filter(live); return ps.length === 3 && ps.every((p) => imageOf(p) === IMAGE); }, 30_000, 'rolled back');
    await settled(ns, 'rolled back');
    const names = (await pods(ns)).map((p) => p.metadata!.name!);
    for (const n of oldNames) assert.ok(names.includes(n), `old pod ${n} was restarted`);
    // Revision 1 was renumbered to 3 rather than a new revision being created (§4.3).
    assert.deepEqual((await revisions(ns)).map((r) => r.revision).sort(), [2, 3]);
  });

  it('should surge pods onto nodes when spec was updated and update strategy is RollingUpdate', async () => {
    const ns = await newNamespace();
    await createDs(daemonSet(ns, { minReadySeconds: 1, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '20%' } } }));
    await settled(ns, 'created');
    const node = await nodes();
    // Old pods Ready for less than minReadySeconds are unavailable, and upstream replaces those
    // outside the surge budget: start once all are available, as the upstream test does.
    await eventually(async () => (await getDs(ns, 'daemon-set')).status?.numberAvailable === 3, 20_000, 'all available');
    const firstHash = (await revisions(ns))[0].metadata?.labels?.[HASH];
    const stopWatch = await watchPods(ns, (ps) => {
      const versions = new Set(ps.map((p) => p.metadata?.labels?.[HASH]));
      assert.ok(versions.size <= 2, 'at most two versions');
      for (const n of node) {
        const here = ps.filter((p) => p.spec?.nodeName === n.metadata?.name && live(p));
        for (const v of versions) assert.ok(here.filter((p) => p.metadata?.labels?.[HASH] === v).length <= 1, 'one live pod per version per node');
        assert.ok(here.some(isPodReady), `node ${n.metadata?.name} kept an available pod (maxUnavailable 0): ${describePods(ps)}`);
      }
      // Upstream's bound: new unavailable pods ≤ maxSurge (20% of 3 rounds up to 1) when no old pod is
      // unavailable. (Two nodes may briefly hold two pods: creates are issued before the deletes.)
      const newUnready = ps.filter((p) => live(p) && p.metadata?.labels?.[HASH] !== firstHash && !isPodReady(p)).length;
      assert.ok(newUnready <= 1, `${newUnready} new pods unavailable at once: ${describePods(ps)}`);
    });
    await api.request('PATCH', dsPath(ns, 'daemon-set'), { spec: { template: { spec: { containers: [{ name: 'app', image: IMAGE, env: [{ name: 'VERSION', value: '2' }] }] } } } }, STRATEGIC);
    await eventually(async () => { const ps = await pods(ns); return ps.length === 3 && ps.every((p) => p.spec?.containers?.[0]?.env?.[0]?.value === '2' && isPodReady(p)); }, 60_000, 'all pods surged');
    await settled(ns, 'surged');
    await stopWatch();
    const revs = await revisions(ns);
    assert.equal(revs.length, 2);
    const cur = revs.find((r) => r.revision === 2)!;
    assert.ok((await pods(ns)).every((p) => p.metadata?.labels?.[HASH] === cur.metadata?.labels?.[HASH]));
  });

  it('should list and delete a collection of DaemonSets', async () => {
    const ns = await newNamespace();
    await createDs(daemonSet(ns));
    await settled(ns, 'created');
    const list = () => api.request<{ items: DaemonSet[] }>('GET', '/apis/apps/v1/daemonsets?labelSelector=daemonset-name%3Ddaemon-set');
    assert.equal((await list()).items.filter((d) => d.metadata?.namespace === ns).length, 1);
    await api.request('DELETE', `${dsPath(ns)}?labelSelector=daemonset-name%3Ddaemon-set`, { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 1 });
    await eventually(async () => (await list()).items.every((d) => d.metadata?.namespace !== ns), 30_000, 'collection deleted');
    await eventually(async () => (await pods(ns)).length === 0, 30_000, 'pods garbage collected');
  });

  it('should verify changes to a daemon set status', async () => {
    const ns = await newNamespace();
    await createDs(daemonSet(ns));
    await settled(ns, 'created');
    const seen: string[] = [];
    const inf = new Informer<DaemonSet & KObject>(api, dsPath(ns));
    inf.addHandler({ onUpdate: (_o, d) => { for (const x of d.status?.conditions ?? []) seen.push(x.type); } });
    const ac = new AbortController();
    const running = inf.start(ac.signal);
    await inf.waitForSync();
    try {
      const st = await api.request<DaemonSet>('GET', `${dsPath(ns, 'daemon-set')}/status`);
      assert.equal(st.kind, 'DaemonSet');
      const condition = { type: 'StatusUpdate', status: 'True', reason: 'E2E', message: 'Set from e2e test', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
      await api.request('PUT', `${dsPath(ns, 'daemon-set')}/status`, { ...st, status: { ...st.status, conditions: [...(st.status?.conditions ?? []), condition] } });
      await eventually(() => seen.includes('StatusUpdate'), 20_000, 'watch saw StatusUpdate');
      await api.request('PATCH', `${dsPath(ns, 'daemon-set')}/status`, { status: { conditions: [{ type: 'StatusPatched', status: 'True' }] } }, MERGE);
      await eventually(() => seen.includes('StatusPatched'), 20_000, 'watch saw StatusPatched');
      // A later sync that rewrites the counters keeps foreign conditions.
      const victim = (await pods(ns))[0];
      await api.request('DELETE', `/api/v1/namespaces/${ns}/pods/${victim.metadata!.name}`);
      await settled(ns, 'revived');
      await eventually(async () => (await getDs(ns, 'daemon-set')).status?.numberReady === 3, 20_000, 'ready');
      assert.deepEqual((await getDs(ns, 'daemon-set')).status?.conditions?.map((x) => x.type), ['StatusPatched']);
    } finally {
      ac.abort();
      await running;
    }
  });
});

describe('ControllerRevision [Serial]', () => {
  it('should manage the lifecycle of a ControllerRevision', async () => {
    const ns = await newNamespace();
    const name = 'e2e-lifecycle-daemon-set';
    const ds = daemonSet(ns);
    ds.metadata!.name = name;
    const created = await createDs(ds);
    await eventually(() => runningOnAllNodes(ns, name), 30_000, 'running');
    const initial = await eventually(async () => { const r = await revisions(ns); return r.length === 1 ? r[0] : undefined; }, 20_000, 'one revision');
    const revPath = (n: string) => `/apis/apps/v1/namespaces/${ns}/controllerrevisions/${n}`;

    await api.request('PATCH', revPath(initial.metadata!.name!), { metadata: { labels: { [initial.metadata!.name!]: 'patched' } } }, MERGE);
    // A hand-made second revision owned by the DaemonSet, with the same data: the controller must
    // not react to its creation by de-duplicating it away.
    await api.request('POST', `/apis/apps/v1/namespaces/${ns}/controllerrevisions`, {
      apiVersion: 'apps/v1', kind: 'ControllerRevision',
      metadata: {
        name: `${name}-hand-made`, namespace: ns, labels: { 'daemonset-name': 'daemon-set' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name, uid: created.metadata!.uid!, controller: true, blockOwnerDeletion: true }],
      },
      data: initial.data, revision: (initial.revision ?? 0) + 1,
    });
    assert.equal((await revisions(ns)).length, 2);
    await api.request('DELETE', revPath(initial.metadata!.name!));
    assert.equal((await revisions(ns)).length, 1);
    await api.request('PATCH', revPath(`${name}-hand-made`), { metadata: { labels: { [`${name}-hand-made`]: 'updated' } } }, MERGE);

    await api.request('PATCH', dsPath(ns, name), { spec: { template: { spec: { terminationGracePeriodSeconds: 2 } } } }, STRATEGIC);
    await eventually(async () => (await revisions(ns)).length === 2, 20_000, 'two revisions after the template change');
    await api.request('DELETE', `/apis/apps/v1/namespaces/${ns}/controllerrevisions?labelSelector=${name}-hand-made%3Dupdated`);
    const remaining = await eventually(async () => { const r = await revisions(ns); return r.length === 1 ? r : undefined; }, 20_000, 'one revision left');
    assert.equal(remaining[0].revision, 3);
  });
});

// End to end with the official @kubernetes/client-node 1.4.0 over real HTTPS: the client is
// used unchanged, exactly as an application would use it against a real cluster.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AppsV1Api, CoreV1Api, PatchStrategy, makeInformer, setHeaderOptions,
  type KubeConfig, type V1ConfigMap, type V1DaemonSet, type V1Pod,
} from '@kubernetes/client-node';
import { eventually, startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { rawRequest } from '../helpers/http.js';
import type { ServerBackend } from '../../src/storage/index.js';

let c: TestCluster;
let kc: KubeConfig;
let core: CoreV1Api;
let apps: AppsV1Api;

before(async () => {
  c = await startTestCluster();
  kc = c.kubeConfig();
  core = kc.makeApiClient(CoreV1Api);
  apps = kc.makeApiClient(AppsV1Api);
});
after(async () => { await c.stop(); });

/** The Status body of a failed client-node call (1.4.0 hands it over as a string or object). */
async function statusOf(p: Promise<unknown>): Promise<{ code: number; reason: string; message: string; details?: any }> {
  try {
    await p;
  } catch (err) {
    const e = err as { code?: number; body?: unknown };
    assert.equal(typeof e.code, 'number', `expected an ApiException, got ${String(err)}`);
    const body = typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
    assert.equal(body.kind, 'Status');
    assert.equal(body.status, 'Failure');
    assert.equal(body.code, e.code);
    return body;
  }
  assert.fail('expected the request to fail');
}

async function namespace(name: string): Promise<void> {
  await core.createNamespace({ body: { metadata: { name } } });
}

const podTemplate = (labels: Record<string, string>, image = 'nginx:1.25') => ({
  metadata: { labels },
  spec: { containers: [{ name: 'c', image }] },
});

function daemonSet(name: string, image = 'nginx:1.25'): V1DaemonSet {
  return { metadata: { name }, spec: { selector: { matchLabels: { app: name } }, template: podTemplate({ app: name }, image) } };
}

function ownedPod(name: string, owner: { kind: string; apiVersion: string; name: string; uid: string }, labels: Record<string, string> = {}): V1Pod {
  return {
    metadata: { name, labels, ownerReferences: [{ ...owner, controller: true, blockOwnerDeletion: true }] },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
  };
}

describe('CRUD and concurrency', () => {
  test('configmaps, pods, namespaces, leases: create, read, replace, delete', async () => {
    await namespace('crud');
    const cm = await core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { name: 'one' }, data: { a: '1' } } });
    assert.equal(cm.metadata?.namespace, 'crud');
    assert.match(cm.metadata?.uid ?? '', /^[0-9a-f-]{36}$/);
    assert.match(cm.metadata?.creationTimestamp?.toISOString() ?? '', /^\d{4}-/);
    const got = await core.readNamespacedConfigMap({ name: 'one', namespace: 'crud' });
    assert.deepEqual(got.data, { a: '1' });
    const replaced = await core.replaceNamespacedConfigMap({ name: 'one', namespace: 'crud', body: { ...got, data: { a: '2' } } });
    assert.ok(Number(replaced.metadata!.resourceVersion) > Number(got.metadata!.resourceVersion));

    const pod = await core.createNamespacedPod({ namespace: 'crud', body: { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } });
    assert.equal(pod.status?.phase, 'Pending');
    assert.equal(pod.spec?.restartPolicy, 'Always');
    assert.equal(pod.spec?.containers[0]!.imagePullPolicy, 'Always');
    const lease = await kc.makeApiClient((await import('@kubernetes/client-node')).CoordinationV1Api)
      .createNamespacedLease({ namespace: 'crud', body: { metadata: { name: 'l' }, spec: { holderIdentity: 'me' } } });
    assert.equal(lease.spec?.holderIdentity, 'me');

    await core.deleteNamespacedConfigMap({ name: 'one', namespace: 'crud' });
    const nf = await statusOf(core.readNamespacedConfigMap({ name: 'one', namespace: 'crud' }));
    assert.equal(nf.code, 404);
    assert.equal(nf.reason, 'NotFound');
    assert.equal(nf.message, 'configmaps "one" not found');
    const dup = await statusOf(core.createNamespacedPod({ namespace: 'crud', body: { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } }));
    assert.equal(dup.code, 409);
    assert.equal(dup.reason, 'AlreadyExists');
  });

  test('a stale resourceVersion on replace is 409 Conflict', async () => {
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'stale' }, data: { v: '1' } } });
    const first = await core.readNamespacedConfigMap({ name: 'stale', namespace: 'default' });
    await core.replaceNamespacedConfigMap({ name: 'stale', namespace: 'default', body: { ...first, data: { v: '2' } } });
    const s = await statusOf(core.replaceNamespacedConfigMap({ name: 'stale', namespace: 'default', body: { ...first, data: { v: '3' } } }));
    assert.equal(s.code, 409);
    assert.equal(s.reason, 'Conflict');
    assert.match(s.message, /the object has been modified; please apply your changes to the latest version and try again/);
    assert.equal((await core.readNamespacedConfigMap({ name: 'stale', namespace: 'default' })).data?.v, '2');
  });

  test('generateName gives a unique name with the prefix', async () => {
    const a = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { generateName: 'gen-' } } });
    const b = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { generateName: 'gen-' } } });
    assert.match(a.metadata!.name!, /^gen-[a-z0-9]{5}$/);
    assert.notEqual(a.metadata!.name, b.metadata!.name);
  });

  test('dryRun=All validates and answers but stores nothing', async () => {
    const cm = await core.createNamespacedConfigMap({ namespace: 'default', dryRun: 'All', body: { metadata: { name: 'dry' } } });
    assert.equal(cm.metadata?.name, 'dry');
    assert.equal((await statusOf(core.readNamespacedConfigMap({ name: 'dry', namespace: 'default' }))).code, 404);
    const bad = await statusOf(apps.createNamespacedDaemonSet({ namespace: 'default', dryRun: 'All', body: { metadata: { name: 'x' }, spec: { selector: { matchLabels: { a: 'b' } }, template: podTemplate({ a: 'c' }) } } }));
    assert.equal(bad.code, 422);
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'dry2' } } });
    await core.deleteNamespacedConfigMap({ name: 'dry2', namespace: 'default', dryRun: 'All' });
    assert.equal((await core.readNamespacedConfigMap({ name: 'dry2', namespace: 'default' })).metadata?.name, 'dry2');
  });
});

describe('lists', () => {
  before(async () => {
    await namespace('lists');
    for (let i = 0; i < 7; i++) {
      await core.createNamespacedConfigMap({ namespace: 'lists', body: { metadata: { name: `cm-${i}`, labels: { tier: i % 2 ? 'odd' : 'even', n: String(i) } } } });
    }
  });

  test('label selectors: equality, set, existence, negation', async () => {
    const names = async (labelSelector: string) =>
      (await core.listNamespacedConfigMap({ namespace: 'lists', labelSelector })).items.map((i) => i.metadata!.name).sort();
    assert.deepEqual(await names('tier=odd'), ['cm-1', 'cm-3', 'cm-5']);
    assert.deepEqual(await names('tier!=odd,n in (0,1,2)'), ['cm-0', 'cm-2']);
    assert.deepEqual(await names('n notin (0,1,2,3,4,5)'), ['cm-6']);
    assert.deepEqual(await names('!tier'), []);
    assert.equal((await names('tier')).length, 7);
    const bad = await statusOf(core.listNamespacedConfigMap({ namespace: 'lists', labelSelector: 'a in (b' }));
    assert.equal(bad.code, 400);
    assert.equal(bad.reason, 'BadRequest');
  });

  test('field selectors: metadata.name, pod fields, and 400 for an unsupported field', async () => {
    const one = await core.listNamespacedConfigMap({ namespace: 'lists', fieldSelector: 'metadata.name=cm-3' });
    assert.deepEqual(one.items.map((i) => i.metadata!.name), ['cm-3']);
    const not = await core.listNamespacedConfigMap({ namespace: 'lists', fieldSelector: 'metadata.name!=cm-3' });
    assert.equal(not.items.length, 6);
    await core.createNamespacedPod({ namespace: 'lists', body: { metadata: { name: 'on-n1' }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'x' }] } } });
    await core.createNamespacedPod({ namespace: 'lists', body: { metadata: { name: 'floating' }, spec: { containers: [{ name: 'c', image: 'x' }] } } });
    const onN1 = await core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=n1,status.phase!=Succeeded' });
    assert.deepEqual(onN1.items.map((p) => p.metadata!.name), ['on-n1']);
    const unscheduled = await core.listNamespacedPod({ namespace: 'lists', fieldSelector: 'spec.nodeName=' });
    assert.deepEqual(unscheduled.items.map((p) => p.metadata!.name), ['floating']);
    const bad = await statusOf(core.listNamespacedConfigMap({ namespace: 'lists', fieldSelector: 'spec.nope=1' }));
    assert.equal(bad.code, 400);
    assert.equal(bad.reason, 'BadRequest');
    assert.equal(bad.message, 'field label not supported: spec.nope');
  });

  test('limit/continue pages through everything once, with the first page\'s resourceVersion', async () => {
    const seen: string[] = [];
    let cont: string | undefined;
    let firstRv: string | undefined;
    let pages = 0;
    do {
      const page = await core.listNamespacedConfigMap({ namespace: 'lists', limit: 3, _continue: cont });
      pages++;
      firstRv ??= page.metadata!.resourceVersion;
      assert.equal(page.metadata!.resourceVersion, firstRv);
      assert.ok(page.items.length <= 3);
      seen.push(...page.items.map((i) => i.metadata!.name!));
      cont = page.metadata!._continue || undefined;
      if (pages === 1) await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { generateName: 'between-' } } });
    } while (cont);
    assert.equal(pages, 3);
    assert.deepEqual(seen, ['cm-0', 'cm-1', 'cm-2', 'cm-3', 'cm-4', 'cm-5', 'cm-6']);
    const bad = await statusOf(core.listNamespacedConfigMap({ namespace: 'lists', limit: 3, _continue: 'garbage' }));
    assert.ok([400, 410].includes(bad.code));
  });
});

describe('informer', () => {
  test('start → watch → resume from RV → 410 after compaction → re-list', async () => {
    await namespace('inf');
    await core.createNamespacedConfigMap({ namespace: 'inf', body: { metadata: { name: 'before' } } });
    let lists = 0;
    const inf = makeInformer<V1ConfigMap>(kc, '/api/v1/namespaces/inf/configmaps', () => { lists++; return core.listNamespacedConfigMap({ namespace: 'inf' }); });
    // makeInformer returns client-node's ListWatch, whose resourceVersion getter the Informer type omits.
    const rvOf = () => (inf as unknown as { latestResourceVersion(): string }).latestResourceVersion();
    const log: string[] = [];
    const errors: unknown[] = [];
    inf.on('add', (o) => log.push(`add ${o.metadata!.name}`));
    inf.on('update', (o) => log.push(`update ${o.metadata!.name} ${o.data?.v ?? ''}`));
    inf.on('delete', (o) => log.push(`delete ${o.metadata!.name}`));
    inf.on('error', (e) => errors.push(e));
    await inf.start();
    try {
      assert.deepEqual(log, ['add before']);
      assert.equal(lists, 1);

      // Live watch events.
      await core.createNamespacedConfigMap({ namespace: 'inf', body: { metadata: { name: 'live' } } });
      await core.patchNamespacedConfigMap({ name: 'live', namespace: 'inf', body: { data: { v: '1' } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
      await eventually(() => log.includes('update live 1'), 10_000, 'watch MODIFIED');
      assert.deepEqual(log, ['add before', 'add live', 'update live 1']);

      // Resume: changes made while stopped arrive from the stored resourceVersion, without a list.
      await inf.stop();
      const rv = rvOf();
      await core.deleteNamespacedConfigMap({ name: 'live', namespace: 'inf' });
      await core.createNamespacedConfigMap({ namespace: 'inf', body: { metadata: { name: 'while-stopped' } } });
      await inf.start();
      await eventually(() => log.includes('add while-stopped'), 10_000, 'resumed watch');
      assert.equal(lists, 1, 'resume must not re-list');
      assert.ok(Number(rvOf()) > Number(rv));
      assert.deepEqual(log.slice(3), ['delete live', 'add while-stopped']);

      // 410: history compacted past the informer's resourceVersion → ERROR 410 → re-list.
      await inf.stop();
      await core.deleteNamespacedConfigMap({ name: 'before', namespace: 'inf' });
      await core.createNamespacedConfigMap({ namespace: 'inf', body: { metadata: { name: 'after-compaction' } } });
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { generateName: 'bump-' } } });
      (c.api.store.backend as ServerBackend).compact(0);
      const expired = await rawRequest(c, 'GET', `/api/v1/namespaces/inf/configmaps?watch=true&resourceVersion=${rvOf()}`);
      const ev = JSON.parse(expired.text.trim().split('\n')[0]!);
      assert.equal(ev.type, 'ERROR');
      assert.equal(ev.object.code, 410);
      assert.equal(ev.object.reason, 'Expired');
      await inf.start();
      await eventually(() => lists === 2 && log.includes('add after-compaction') && log.includes('delete before'), 10_000, 're-list after 410');
      assert.deepEqual(inf.list('inf').map((o) => o.metadata!.name).sort(), ['after-compaction', 'while-stopped']);
      // Stops reported by the informer are our own aborts only.
      for (const e of errors) assert.match(String((e as Error).name ?? e), /Abort/);
    } finally {
      await inf.stop();
    }
  });
});

describe('status subresource and generation', () => {
  test('main resource writes keep status; status writes keep spec; generation follows spec', async () => {
    const ds = await apps.createNamespacedDaemonSet({ namespace: 'default', body: daemonSet('gen') });
    assert.equal(ds.metadata?.generation, 1);
    assert.equal(ds.spec?.updateStrategy?.type, 'RollingUpdate');
    assert.equal(ds.spec?.updateStrategy?.rollingUpdate?.maxUnavailable, 1);
    assert.equal(ds.spec?.revisionHistoryLimit, 10);
    assert.equal(ds.metadata?.annotations?.['deprecated.daemonset.template.generation'], '1');

    // A status write changes only status, and not the generation.
    const st = await apps.replaceNamespacedDaemonSetStatus({ name: 'gen', namespace: 'default', body: {
      ...ds, spec: { ...ds.spec!, minReadySeconds: 99 },
      status: { currentNumberScheduled: 2, desiredNumberScheduled: 2, numberMisscheduled: 0, numberReady: 1, observedGeneration: 1 },
    } });
    assert.equal(st.status?.desiredNumberScheduled, 2);
    assert.equal(st.spec?.minReadySeconds, undefined);
    assert.equal(st.metadata?.generation, 1);

    // A main-resource write cannot change status; a metadata-only change keeps the generation.
    const labelled = await apps.patchNamespacedDaemonSet({ name: 'gen', namespace: 'default', body: { metadata: { labels: { x: 'y' } }, status: { desiredNumberScheduled: 7 } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    assert.equal(labelled.metadata?.generation, 1);
    assert.equal(labelled.status?.desiredNumberScheduled, 2);

    // A spec change outside the template bumps the generation only; a template change bumps both.
    const spec = await apps.patchNamespacedDaemonSet({ name: 'gen', namespace: 'default', body: { spec: { minReadySeconds: 5 } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    assert.equal(spec.metadata?.generation, 2);
    assert.equal(spec.metadata?.annotations?.['deprecated.daemonset.template.generation'], '1');
    const tmpl = await apps.patchNamespacedDaemonSet({ name: 'gen', namespace: 'default', body: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'nginx:1.26' }] }, setHeaderOptions('Content-Type', PatchStrategy.JsonPatch));
    assert.equal(tmpl.metadata?.generation, 3);
    assert.equal(tmpl.metadata?.annotations?.['deprecated.daemonset.template.generation'], '2');

    // The selector is immutable (422 with the field path).
    const imm = await statusOf(apps.patchNamespacedDaemonSet({ name: 'gen', namespace: 'default', body: { spec: { selector: { matchLabels: { app: 'gen', more: 'x' } }, template: { metadata: { labels: { app: 'gen', more: 'x' } } } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)));
    assert.equal(imm.code, 422);
    assert.equal(imm.reason, 'Invalid');
    assert.ok(imm.details.causes.some((x: { field: string }) => x.field === 'spec.selector'));
  });

  test('pod status writes keep the spec', async () => {
    const p = await core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'stat' }, spec: { containers: [{ name: 'c', image: 'x' }] } } });
    const s = await core.replaceNamespacedPodStatus({ name: 'stat', namespace: 'default', body: { ...p, spec: { ...p.spec!, nodeName: 'sneaky' }, status: { phase: 'Running' } } });
    assert.equal(s.status?.phase, 'Running');
    assert.equal(s.spec?.nodeName, undefined);
  });
});

describe('patches', () => {
  test('merge, JSON, strategic and server-side apply patches', async () => {
    await apps.createNamespacedDaemonSet({ namespace: 'default', body: {
      metadata: { name: 'patchy', labels: { keep: 'me' } },
      spec: { selector: { matchLabels: { app: 'patchy' } }, template: { metadata: { labels: { app: 'patchy' } }, spec: { containers: [
        { name: 'a', image: 'a:1', env: [{ name: 'X', value: '1' }] }, { name: 'b', image: 'b:1' },
      ] } } },
    } });
    const opts = (t: string) => setHeaderOptions('Content-Type', t);
    // Strategic merge: containers merge by name, so only 'b' changes and 'a' keeps its env.
    const smp = await apps.patchNamespacedDaemonSet({ name: 'patchy', namespace: 'default', body: { spec: { template: { spec: { containers: [{ name: 'b', image: 'b:2' }] } } } } }, opts(PatchStrategy.StrategicMergePatch));
    const cs = smp.spec!.template.spec!.containers;
    assert.deepEqual(cs.map((x) => `${x.name}=${x.image}`), ['a=a:1', 'b=b:2']);
    assert.equal(cs[0]!.env?.[0]?.value, '1');
    // Merge patch replaces lists wholesale.
    const merge = await apps.patchNamespacedDaemonSet({ name: 'patchy', namespace: 'default', body: { spec: { template: { spec: { containers: [{ name: 'only', image: 'o:1' }] } } } } }, opts(PatchStrategy.MergePatch));
    assert.deepEqual(merge.spec!.template.spec!.containers.map((x) => x.name), ['only']);
    // JSON patch, including a failing test op → 422.
    const jp = await apps.patchNamespacedDaemonSet({ name: 'patchy', namespace: 'default', body: [{ op: 'add', path: '/metadata/labels/j', value: 'p' }] }, opts(PatchStrategy.JsonPatch));
    assert.equal(jp.metadata?.labels?.j, 'p');
    const failed = await statusOf(apps.patchNamespacedDaemonSet({ name: 'patchy', namespace: 'default', body: [{ op: 'test', path: '/metadata/labels/j', value: 'nope' }] }, opts(PatchStrategy.JsonPatch)));
    assert.equal(failed.code, 422);
    // Server-side apply merges into the live object (never a replace) and creates when absent.
    const ssa = await apps.patchNamespacedDaemonSet({ name: 'patchy', namespace: 'default', fieldManager: 'test', body: { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'patchy', labels: { applied: 'yes' } } } }, opts(PatchStrategy.ServerSideApply));
    assert.deepEqual(ssa.metadata?.labels, { keep: 'me', j: 'p', applied: 'yes' });
    assert.equal(ssa.spec!.template.spec!.containers[0]!.name, 'only');
    const created = await core.patchNamespacedConfigMap({ name: 'ssa-new', namespace: 'default', fieldManager: 'test', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa-new' }, data: { k: 'v' } } }, opts(PatchStrategy.ServerSideApply));
    assert.deepEqual(created.data, { k: 'v' });
    // A patch with a stale resourceVersion precondition conflicts.
    const stale = await statusOf(core.patchNamespacedConfigMap({ name: 'ssa-new', namespace: 'default', body: { metadata: { resourceVersion: '1' }, data: { k: 'w' } } }, opts(PatchStrategy.MergePatch)));
    assert.equal(stale.code, 409);
  });

  test('fieldValidation: Strict refuses unknown fields, Warn and Ignore drop them', async () => {
    // client-node's serializer drops properties its models lack, so unknown fields go out raw.
    const body = JSON.stringify({ metadata: { name: 'fv' }, data: { a: 'b' }, bogus: 1 });
    const strict = await rawRequest(c, 'POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Strict', { body });
    assert.equal(strict.status, 400);
    assert.equal(strict.json().reason, 'BadRequest');
    assert.equal(strict.json().message, 'strict decoding error: unknown field "bogus"');
    const ignored = await rawRequest(c, 'POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Ignore', { body });
    assert.equal(ignored.status, 201);
    assert.equal(ignored.headers.warning, undefined);
    assert.equal(ignored.json().bogus, undefined);
    const r = await rawRequest(c, 'POST', '/apis/apps/v1/namespaces/default/daemonsets?fieldValidation=Warn', { body: JSON.stringify({ ...daemonSet('warned'), spec: { ...daemonSet('warned').spec, foo: 1 } }) });
    assert.equal(r.status, 201);
    assert.match(String(r.headers.warning), /299 - "unknown field \\"spec.foo\\""/);
    assert.equal(r.json().spec.foo, undefined);
  });
});

describe('garbage collection and namespaces', () => {
  const owner = (ds: V1DaemonSet) => ({ kind: 'DaemonSet', apiVersion: 'apps/v1', name: ds.metadata!.name!, uid: ds.metadata!.uid! });

  async function dsWithDependents(name: string): Promise<V1DaemonSet> {
    const ds = await apps.createNamespacedDaemonSet({ namespace: 'default', body: daemonSet(name) });
    await core.createNamespacedPod({ namespace: 'default', body: ownedPod(`${name}-pod`, owner(ds), { app: name }) });
    await apps.createNamespacedControllerRevision({ namespace: 'default', body: {
      metadata: { name: `${name}-rev`, labels: { app: name }, ownerReferences: [{ ...owner(ds), controller: true }] }, revision: 1, data: {},
    } });
    return ds;
  }

  const exists = async (p: Promise<unknown>) => { try { await p; return true; } catch { return false; } };

  test('Background: deleting a DaemonSet deletes its pods and ControllerRevisions', async () => {
    await dsWithDependents('bg');
    await apps.deleteNamespacedDaemonSet({ name: 'bg', namespace: 'default', propagationPolicy: 'Background' });
    await eventually(async () => !(await exists(core.readNamespacedPod({ name: 'bg-pod', namespace: 'default' })))
      && !(await exists(apps.readNamespacedControllerRevision({ name: 'bg-rev', namespace: 'default' }))), 15_000, 'dependents deleted');
  });

  test('Orphan: dependents stay, without the ownerReference', async () => {
    await dsWithDependents('orph');
    await apps.deleteNamespacedDaemonSet({ name: 'orph', namespace: 'default', propagationPolicy: 'Orphan' });
    await eventually(async () => !(await exists(apps.readNamespacedDaemonSet({ name: 'orph', namespace: 'default' }))), 15_000, 'owner gone');
    const pod = await core.readNamespacedPod({ name: 'orph-pod', namespace: 'default' });
    assert.deepEqual(pod.metadata?.ownerReferences ?? [], []);
    const rev = await apps.readNamespacedControllerRevision({ name: 'orph-rev', namespace: 'default' });
    assert.deepEqual(rev.metadata?.ownerReferences ?? [], []);
  });

  test('Foreground: the owner waits (deletionTimestamp, finalizer) until its dependents are gone', async () => {
    await dsWithDependents('fg');
    const r = await apps.deleteNamespacedDaemonSet({ name: 'fg', namespace: 'default', propagationPolicy: 'Foreground' });
    assert.ok(r);
    let sawOwnerWaiting = false;
    await eventually(async () => {
      const ds = await apps.readNamespacedDaemonSet({ name: 'fg', namespace: 'default' }).catch(() => undefined);
      if (ds) {
        assert.ok(ds.metadata?.finalizers?.includes('foregroundDeletion'));
        sawOwnerWaiting = true;
        return false;
      }
      return true;
    }, 15_000, 'owner deleted after dependents');
    assert.ok(!(await exists(core.readNamespacedPod({ name: 'fg-pod', namespace: 'default' }))));
    assert.ok(!(await exists(apps.readNamespacedControllerRevision({ name: 'fg-rev', namespace: 'default' }))));
    assert.ok(sawOwnerWaiting, 'the owner should have been visible while terminating');
  });

  test('deleting a namespace removes its content, then the namespace', async () => {
    await namespace('doomed');
    await core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'x' } } });
    await apps.createNamespacedDaemonSet({ namespace: 'doomed', body: daemonSet('d') });
    await core.deleteNamespace({ name: 'doomed' });
    const forbidden = await statusOf(core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'late' } } })).catch(() => undefined);
    if (forbidden) assert.ok([403, 404].includes(forbidden.code));
    await eventually(async () => !(await exists(core.readNamespace({ name: 'doomed' }))), 15_000, 'namespace gone');
    assert.equal((await apps.listDaemonSetForAllNamespaces({ fieldSelector: 'metadata.namespace=doomed' })).items.length, 0);
    const def = await statusOf(core.deleteNamespace({ name: 'default' }));
    assert.equal(def.code, 403);
  });
});

describe('bad input and authentication', () => {
  test('no token → 401 Status', async () => {
    const r = await rawRequest(c, 'GET', '/api/v1/namespaces', { token: null });
    assert.equal(r.status, 401);
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(r.json().reason, 'Unauthorized');
    assert.equal((await rawRequest(c, 'GET', '/api/v1/namespaces', { token: 'wrong' })).status, 401);
  });

  test('malformed JSON → 400, > 3 MiB → 413, unknown resource → 404, wrong method → 405', async () => {
    const bad = await rawRequest(c, 'POST', '/api/v1/namespaces/default/configmaps', { body: '{"metadata":' });
    assert.equal(bad.status, 400);
    assert.equal(bad.json().reason, 'BadRequest');
    const big = await rawRequest(c, 'POST', '/api/v1/namespaces/default/configmaps', { body: JSON.stringify({ metadata: { name: 'big' }, data: { x: 'a'.repeat(3 * 1024 * 1024 + 10) } }) });
    assert.equal(big.status, 413);
    assert.equal(big.json().reason, 'RequestEntityTooLarge');
    const unknown = await rawRequest(c, 'GET', '/api/v1/namespaces/default/widgets');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json().reason, 'NotFound');
    assert.equal((await rawRequest(c, 'GET', '/apis/apps/v9/daemonsets')).status, 404);
    const wrong = await rawRequest(c, 'POST', '/api/v1/namespaces/default/configmaps/some-name', { body: '{}' });
    assert.equal(wrong.status, 405);
    assert.equal(wrong.json().reason, 'MethodNotAllowed');
    const eviction = await rawRequest(c, 'GET', '/api/v1/namespaces/default/pods/x/eviction');
    assert.equal(eviction.status, 405);
    for (const r of [bad, big, unknown, wrong]) {
      assert.equal(r.headers['content-type'], 'application/json');
      assert.equal(r.json().kind, 'Status');
    }
    // The server is still fine.
    assert.equal((await core.readNamespace({ name: 'default' })).metadata?.name, 'default');
  });
});

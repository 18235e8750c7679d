import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { KObject } from '../../api/types.js';
import { builtinApplyType } from './builtin.js';
import { applyConfiguration, lastAppliedAnnotation, managerFor, resetFieldsFilter, updateManagedFields, type ApplyResult, type FieldManagerContext } from './fieldmanager.js';
import { capUpdateManagers, decodeManagedFields, type ManagedFieldsEntry, type Managers } from './managed.js';
import { FieldSet } from './fieldpath.js';
import { toFieldSet } from './typed.js';

const type = builtinApplyType('apps', 'v1', 'DaemonSet')!;
const T0 = '2026-12-03T12:00:00Z', T1 = '2026-12-03T12:00:05Z';
const ctx = (manager: string, now = T0, subresource = ''): FieldManagerContext =>
  ({ type, apiVersion: 'apps/v1', manager, subresource, now, ignore: resetFieldsFilter(subresource, true) });

interface Opts { image?: string; labels?: Record<string, string>; env?: Array<{ name: string; value: string }>; extra?: Record<string, unknown> }
function ds({ image = 'a:1', labels = { app: 'x' }, env, extra = {} }: Opts = {}): KObject {
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'x', labels },
    spec: { selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'app', image, ...(env ? { env } : {}) }] } }, ...extra },
  } as KObject;
}

/** A create by `manager` as the store records it. */
function created(obj: KObject, manager: string): KObject {
  const out = structuredClone(obj);
  const mf = updateManagedFields(undefined, out, ctx(manager));
  (out.metadata as Record<string, unknown>).managedFields = mf;
  return out;
}

function applied(r: ApplyResult): KObject {
  assert.ok(r.ok, r.ok ? '' : r.message);
  return r.object;
}

const entries = (o: KObject) => (o.metadata?.managedFields ?? []) as ManagedFieldsEntry[];
const entry = (o: KObject, manager: string) => entries(o).find((e) => e.manager === manager);
const image = (o: KObject) => (o.spec as { template: { spec: { containers: Array<{ image?: string }> } } }).template.spec.containers[0]!.image;

describe('Update entries', () => {
  test('a create records the creator, with the time and every field it set', () => {
    const o = created(ds(), 'kubectl-create');
    assert.deepEqual(entries(o).map((e) => [e.manager, e.operation, e.apiVersion, e.time, e.fieldsType]), [['kubectl-create', 'Update', 'apps/v1', T0, 'FieldsV1']]);
    const set = FieldSet.fromFieldsV1(entry(o, 'kubectl-create')!.fieldsV1) as FieldSet;
    assert.ok(set.has([{ f: 'spec' }, { f: 'template' }, { f: 'spec' }, { f: 'containers' }, { k: [['name', 'app']] }, { f: 'image' }]));
    assert.ok(!set.has([{ f: 'metadata' }, { f: 'name' }]), 'metadata.name is never owned');
  });

  test('an update takes the fields it changes from their owner; removed fields leave every owner', () => {
    const o = created(ds({ labels: { app: 'x', drop: 'y' } }), 'kubectl-create');
    const next = ds({ image: 'a:2' });
    const mf = updateManagedFields(o, { ...next, metadata: { ...next.metadata, managedFields: o.metadata!.managedFields } } as KObject, ctx('kubectl-edit', T1))!;
    const byName = decodeManagedFields(mf) as Managers;
    const creator = [...byName.values()].find((m) => m.manager === 'kubectl-create')!;
    const editor = [...byName.values()].find((m) => m.manager === 'kubectl-edit')!;
    assert.deepEqual(editor.set.toFieldsV1(), { 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"app"}': { 'f:image': {} } } } } } });
    assert.equal(editor.time, T1);
    const img = [{ f: 'spec' }, { f: 'template' }, { f: 'spec' }, { f: 'containers' }, { k: [['name', 'app']] }, { f: 'image' }] as const;
    assert.ok(!creator.set.has(img));
    assert.ok(!creator.set.has([{ f: 'metadata' }, { f: 'labels' }, { f: 'drop' }]));
    assert.equal(creator.time, T0, 'losing fields does not touch the time');
  });

  test('a status write that changes nothing owned leaves managedFields byte-identical; changing an owned field moves only its time', () => {
    // managedFieldsUpdater: the writer's entry (and its time) changes only when the write took
    // fields; one that repeats the stored status takes none.
    const T2 = '2026-12-03T12:00:09Z';
    const base = created(ds(), 'everynode');
    const withStatus = (o: KObject, numberReady: number): KObject => ({ ...o, status: { numberReady, desiredNumberScheduled: 3 } } as KObject);
    const write = (live: KObject, next: KObject, now: string): KObject => {
      const mf = updateManagedFields(live, next, ctx('kube-controller-manager', now, 'status'));
      return { ...next, metadata: { ...next.metadata, managedFields: mf } } as KObject;
    };
    const first = write(base, withStatus(base, 1), T0);
    assert.deepEqual(entries(first).map((e) => [e.manager, e.subresource, e.time]), [['everynode', undefined, T0], ['kube-controller-manager', 'status', T0]]);
    const repeated = write(first, withStatus(first, 1), T1);
    assert.equal(JSON.stringify(repeated.metadata!.managedFields), JSON.stringify(first.metadata!.managedFields));
    const changed = write(repeated, withStatus(repeated, 2), T2);
    const [creator, writer] = entries(changed);
    assert.equal(JSON.stringify(creator), JSON.stringify(entries(first)[0]), "another manager's entry is untouched");
    assert.equal(JSON.stringify(writer!.fieldsV1), JSON.stringify(entries(first)[1]!.fieldsV1), 'the same fields, in the same encoding');
    assert.equal(writer!.time, T2);
  });

  test('managedFields in the request: [] and [{}] clear them, garbage is ignored, subresources ignore them', () => {
    const o = created(ds(), 'kubectl-create');
    const withMf = (mf: unknown) => ({ ...o, metadata: { ...o.metadata, managedFields: mf } } as KObject);
    assert.equal(updateManagedFields(o, withMf([{}]), ctx('m')), undefined);
    assert.equal(updateManagedFields(o, withMf([]), ctx('m')), undefined);
    assert.deepEqual(updateManagedFields(o, withMf([{ manager: 'x', operation: 'Bogus' }]), ctx('m')), o.metadata!.managedFields);
    assert.deepEqual(updateManagedFields(o, withMf(undefined), ctx('m')), o.metadata!.managedFields);
    // A client may also set them outright.
    const own = [{ manager: 'mine', operation: 'Update', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:selector': {} } } }];
    assert.deepEqual(updateManagedFields(o, withMf(own), ctx('m'))!.map((e) => e.manager), ['mine']);
    const status = { ...o, status: { numberReady: 1 } } as KObject;
    const st = updateManagedFields(o, { ...status, metadata: { ...status.metadata, managedFields: [] } } as KObject, ctx('kcm', T1, 'status'))!;
    assert.deepEqual(st.map((e) => [e.manager, e.subresource ?? '']), [['kubectl-create', ''], ['kcm', 'status']]);
    assert.deepEqual(st[1]!.fieldsV1, { 'f:status': { 'f:numberReady': {} } });
  });

  test('the main resource never owns status; an object without managedFields stays untracked', () => {
    const o = created(ds(), 'c');
    const next = { ...o, status: { numberReady: 3 } } as KObject;
    assert.deepEqual(updateManagedFields(o, next, ctx('c')), o.metadata!.managedFields);
    const bare = ds();
    assert.equal(updateManagedFields(bare, ds({ image: 'b' }), ctx('m')), undefined);
  });

  test('more than ten update managers are merged, oldest first, into ancient-changes', () => {
    const managers: Managers = new Map();
    for (let i = 0; i < 12; i++) {
      const m = { manager: `m${i}`, operation: 'Update' as const, apiVersion: 'apps/v1', subresource: '', set: FieldSet.of([{ f: `f${i}` }]), time: `2026-12-03T12:00:${String(10 + i)}Z` };
      managers.set(`m${i}`, m);
    }
    const capped = capUpdateManagers(managers);
    assert.equal(capped.size, 10);
    const bucket = [...capped.values()].find((m) => m.manager === 'ancient-changes')!;
    assert.deepEqual(bucket.set.toFieldsV1(), { 'f:f0': {}, 'f:f1': {}, 'f:f2': {} });
  });
});

describe('apply', () => {
  test('creates, owns exactly what it applied, and a second identical apply changes nothing', () => {
    const first = applied(applyConfiguration(undefined, ds(), ctx('ssa'), false));
    const mine = entry(first, 'ssa')!;
    assert.equal(mine.operation, 'Apply');
    assert.equal(mine.time, T0);
    const again = applyConfiguration(first, ds(), ctx('ssa', T1), false);
    assert.ok(again.ok && !again.changed);
    assert.deepEqual(again.object, first);
  });

  test('a changed field owned by another manager conflicts; force takes it; the same value is shared', () => {
    const live = created(ds(), 'kubectl-client-side-apply');
    const r = applyConfiguration(live, ds({ image: 'a:2' }), ctx('argocd'), false);
    assert.ok(!r.ok);
    assert.equal(r.message, 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.template.spec.containers[name="app"].image');
    const shared = applied(applyConfiguration(live, ds(), ctx('argocd'), false));
    assert.ok(entry(shared, 'argocd') && entry(shared, 'kubectl-client-side-apply'), 'both own the unchanged fields');
    const forced = applied(applyConfiguration(live, ds({ image: 'a:2' }), ctx('argocd'), true));
    assert.equal(image(forced), 'a:2');
    const csa = FieldSet.fromFieldsV1(entry(forced, 'kubectl-client-side-apply')!.fieldsV1) as FieldSet;
    assert.ok(!csa.has([{ f: 'spec' }, { f: 'template' }, { f: 'spec' }, { f: 'containers' }, { k: [['name', 'app']] }, { f: 'image' }]));
  });

  test('several conflicts are grouped by manager, as upstream words them', () => {
    const live = applied(applyConfiguration(created(ds(), 'a'), ds({ labels: { app: 'x', l: '1' } }), ctx('b'), false));
    const r = applyConfiguration(live, ds({ image: 'z', labels: { app: 'x', l: '2' } }), ctx('c'), false);
    assert.ok(!r.ok);
    // "b" applied the image too (unchanged, so it shares it with "a").
    assert.equal(r.message, 'Apply failed with 3 conflicts: conflicts with "a" using apps/v1:\n- .spec.template.spec.containers[name="app"].image\nconflicts with "b":\n- .metadata.labels.l\n- .spec.template.spec.containers[name="app"].image');
  });

  test('a field the manager stops applying is removed, unless another manager owns it', () => {
    const base = applied(applyConfiguration(undefined, ds({ env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }), ctx('ssa'), false));
    const dropped = applied(applyConfiguration(base, ds({ env: [{ name: 'A', value: '1' }] }), ctx('ssa'), false));
    const envOf = (o: KObject) => (o.spec as { template: { spec: { containers: Array<{ env?: unknown[] }> } } }).template.spec.containers[0]!.env;
    assert.deepEqual(envOf(dropped), [{ name: 'A', value: '1' }]);
    // Another applier also applies B: it stays when the first one drops it.
    const both = applied(applyConfiguration(base, ds({ env: [{ name: 'B', value: '2' }] }), ctx('other'), false));
    const kept = applied(applyConfiguration(both, ds({ env: [{ name: 'A', value: '1' }] }), ctx('ssa'), false));
    assert.deepEqual(envOf(kept), [{ name: 'A', value: '1' }, { name: 'B', value: '2' }]);
  });

  test('fields nobody applied (defaults, other updaters) survive an apply that drops its own', () => {
    const base = applied(applyConfiguration(undefined, ds({ labels: { app: 'x', mine: '1' } }), ctx('ssa'), false));
    const defaulted = { ...base, spec: { ...(base.spec as object), revisionHistoryLimit: 10 } } as KObject;
    const out = applied(applyConfiguration(defaulted, ds(), ctx('ssa'), false));
    assert.equal((out.spec as { revisionHistoryLimit?: number }).revisionHistoryLimit, 10);
    assert.deepEqual(out.metadata!.labels, { app: 'x' });
  });

  test('a null in the configuration removes the field; nulls of the live object stay', () => {
    const live = applied(applyConfiguration(undefined, ds({ extra: { revisionHistoryLimit: 5 } }), ctx('ssa'), false));
    ((live.spec as { template: { metadata: Record<string, unknown> } }).template.metadata).creationTimestamp = null;
    const out = applied(applyConfiguration(live, ds({ extra: { revisionHistoryLimit: null } }), ctx('ssa'), false));
    assert.equal('revisionHistoryLimit' in (out.spec as object), false);
    assert.equal((out.spec as { template: { metadata: Record<string, unknown> } }).template.metadata.creationTimestamp, null);
  });

  test('an object without managedFields belongs to before-first-apply', () => {
    const r = applyConfiguration(ds(), ds({ image: 'b' }), ctx('ssa'), false);
    assert.ok(!r.ok);
    assert.match(r.message, /conflict with "before-first-apply" using apps\/v1: \.spec\.template\.spec\.containers\[name="app"\]\.image/);
  });

  test("kubectl's first server-side apply of a client-side-applied object takes over without conflicts", () => {
    const csa = ds();
    (csa.metadata as Record<string, unknown>).annotations = { [lastAppliedAnnotation]: JSON.stringify(ds()) };
    const live = created(csa, 'kubectl-client-side-apply');
    const out = applied(applyConfiguration(live, ds({ image: 'a:2' }), ctx('kubectl'), false));
    assert.equal(image(out), 'a:2');
    // The annotation follows what kubectl now applies, so a later client-side apply diffs right.
    assert.equal(JSON.parse((out.metadata!.annotations as Record<string, string>)[lastAppliedAnnotation]!).spec.template.spec.containers[0].image, 'a:2');
    // A field someone else changed since the last client-side apply still conflicts.
    const edited = structuredClone(live);
    (edited.spec as { template: { spec: { containers: Array<{ image: string }> } } }).template.spec.containers[0]!.image = 'edited';
    (edited.metadata as Record<string, unknown>).managedFields = updateManagedFields(live, edited, ctx('kubectl-edit', T1));
    const r = applyConfiguration(edited, ds({ image: 'a:3' }), ctx('kubectl'), false);
    assert.ok(!r.ok);
    assert.match(r.message, /conflict with "kubectl-edit" using apps\/v1/);
  });

  test('a status apply owns only status', () => {
    const live = applied(applyConfiguration(undefined, ds(), ctx('ssa'), false));
    const cfg = { ...ds(), status: { numberReady: 2 } } as KObject;
    const out = applied(applyConfiguration(live, cfg, ctx('kcm', T1, 'status'), false));
    const st = entries(out).find((e) => e.subresource === 'status')!;
    assert.deepEqual(st.fieldsV1, { 'f:status': { 'f:numberReady': {} } });
  });
});

// ---- properties -----------------------------------------------------------------------------

const envs = fc.uniqueArray(fc.record({ name: fc.constantFrom('A', 'B', 'C'), value: fc.constantFrom('1', '2') }), { selector: (e) => e.name, maxLength: 3 });
const labels = fc.dictionary(fc.constantFrom('app', 'p', 'q'), fc.constantFrom('1', '2'), { minKeys: 1, maxKeys: 3 });
const config = fc.record({ image: fc.constantFrom('a:1', 'a:2'), labels, env: envs }).map((o) => ds(o));

describe('apply properties', () => {
  test('applying the same configuration twice is a no-op', () => {
    fc.assert(fc.property(config, config, (a, b) => {
      const first = applied(applyConfiguration(applied(applyConfiguration(undefined, a, ctx('m'), false)), b, ctx('m'), true));
      const again = applyConfiguration(first, b, ctx('m', T1), false);
      assert.ok(again.ok && !again.changed);
      assert.deepEqual(again.object, first);
    }));
  });

  test('the applier owns exactly the fields of its configuration', () => {
    fc.assert(fc.property(config, config, (a, b) => {
      const out = applied(applyConfiguration(applied(applyConfiguration(undefined, a, ctx('other'), false)), b, ctx('m'), true));
      const mine = FieldSet.fromFieldsV1(entry(out, 'm')!.fieldsV1) as FieldSet;
      const expected = toFieldSet(b, type, true).recursiveDifference(FieldSet.of([{ f: 'apiVersion' }], [{ f: 'kind' }])).difference(FieldSet.of([{ f: 'metadata' }, { f: 'name' }]));
      assert.ok(mine.equals(expected), `${JSON.stringify(mine.toFieldsV1())} vs ${JSON.stringify(expected.toFieldsV1())}`);
    }));
  });

  test('a label dropped from the configuration is removed iff no other manager owns it', () => {
    fc.assert(fc.property(labels, labels, fc.constantFrom('p', 'q'), (mine, theirs, dropped) => {
      const withIt = ds({ labels: { ...mine, [dropped]: '1' } });
      const other = ds({ labels: { ...theirs } });
      let live = applied(applyConfiguration(undefined, withIt, ctx('m'), false));
      live = applied(applyConfiguration(live, other, ctx('o'), true));
      const { [dropped]: _gone, ...rest } = mine;
      const out = applied(applyConfiguration(live, ds({ labels: { app: 'x', ...rest } }), ctx('m'), true));
      const otherOwns = dropped in theirs;
      assert.equal(dropped in (out.metadata!.labels ?? {}), otherOwns);
    }));
  });
});

describe('managerFor', () => {
  test('the fieldManager parameter, else the User-Agent before its first "/"', () => {
    assert.equal(managerFor('helm', 'kubectl/v1.32.4 (linux/amd64) kubernetes/abc'), 'helm');
    assert.equal(managerFor(null, 'kubectl/v1.32.4 (linux/amd64) kubernetes/abc'), 'kubectl');
    assert.equal(managerFor('', undefined), '');
  });
});

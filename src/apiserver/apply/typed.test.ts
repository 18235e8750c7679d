import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { builtinApplyType } from './builtin.js';
import { compare, jsonEqual, merge, removeItems, toFieldSet, TypedError } from './typed.js';
import { FieldSet } from './fieldpath.js';
import { fromOpenAPI, type FieldType } from './schema.js';
import { smpSchemaFor, type SmpSchema } from '../../api/patchschema.js';

const ds = builtinApplyType('apps', 'v1', 'DaemonSet')!;
const pod = builtinApplyType('', 'v1', 'Pod')!;
const podSpec = (spec: unknown) => ({ spec: { template: { spec } } });

describe('the built-in schemas', () => {
  test('every list the strategic merge patch merges is associative with the same key', () => {
    // The two tables describe the same upstream Go tags: a merge list must never be atomic here.
    const walk = (smp: SmpSchema, t: FieldType, where: string) => {
      assert.equal(t.kind, 'map', where);
      if (t.kind !== 'map') return;
      for (const [name, field] of Object.entries(smp)) {
        const ft = t.field(name);
        if (!ft) continue;
        const at = `${where}.${name}`;
        if (field.merge) {
          assert.equal(ft.kind, 'list', at);
          if (ft.kind !== 'list') continue;
          assert.equal(ft.list, field.mergeKey ? 'map' : 'set', at);
          if (field.mergeKey) assert.ok(ft.keys.includes(field.mergeKey), at);
          if (field.schema) walk(field.schema, ft.elements, at);
        } else if (field.schema) walk(field.schema, ft, at);
      }
    };
    for (const [group, kind] of [['apps', 'DaemonSet'], ['apps', 'Deployment'], ['apps', 'ReplicaSet'], ['', 'Pod'], ['', 'Node'], ['', 'Service'], ['', 'ServiceAccount'], ['', 'Namespace']] as const) {
      walk(smpSchemaFor(kind)!, builtinApplyType(group, 'v1', kind)!, kind);
    }
  });

  test('unknown kinds have no schema (the caller falls back to untyped)', () => {
    assert.equal(builtinApplyType('apps', 'v1', 'StatefulSet'), undefined);
  });
});

describe('toFieldSet', () => {
  test('leaves, keyed list items (with key defaults), map entries; struct fields only on the way', () => {
    const s = toFieldSet({
      metadata: { labels: { app: 'x' } },
      spec: { template: { spec: { containers: [{ name: 'app', image: 'a:1', ports: [{ containerPort: 80 }] }] } } },
    }, ds);
    assert.deepEqual(s.toFieldsV1(), {
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"app"}': {
        '.': {}, 'f:image': {}, 'f:name': {}, 'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
      } } } } },
    });
  });

  test('atomic lists and structs are one leaf; sets list their values; empty objects are members', () => {
    const s = toFieldSet({
      metadata: { finalizers: ['a', 'b'], annotations: {} },
      spec: { selector: { matchLabels: { app: 'x' } }, template: { spec: { tolerations: [{ key: 'k' }], nodeSelector: { a: 'b' }, containers: [{ name: 'c', args: ['x', 'y'] }] } } },
    }, ds);
    assert.deepEqual(s.toFieldsV1(), {
      'f:metadata': { 'f:annotations': {}, 'f:finalizers': { 'v:"a"': {}, 'v:"b"': {} } },
      'f:spec': { 'f:selector': {}, 'f:template': { 'f:spec': {
        'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:args': {}, 'f:name': {} } }, 'f:nodeSelector': {}, 'f:tolerations': {},
      } } },
    });
  });

  test('an applied configuration with duplicate or keyless list items is refused, a live object is not', () => {
    const dup = podSpec({ containers: [{ name: 'a' }, { name: 'a' }] });
    assert.throws(() => toFieldSet(dup, ds, true), (e: Error) => e instanceof TypedError && e.message === '.spec.template.spec.containers: duplicate entries for key [name="a"]');
    const keyless = podSpec({ containers: [{ image: 'x' }] });
    assert.throws(() => toFieldSet(keyless, ds, true), /\.spec\.template\.spec\.containers: element 0: associative list with keys has an element that omits all key fields \["name"\]/);
    assert.throws(() => toFieldSet({ metadata: { finalizers: [{}] } }, ds, true), /element 0: associative list without keys has an element that's a map type/);
    // Live objects may hold duplicates (upstream: AllowDuplicates): the item is owned whole.
    assert.deepEqual(toFieldSet(dup, ds).toFieldsV1(), { 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"a"}': {} } } } } });
  });
});

describe('merge', () => {
  test('associative lists merge by key in applied order, keeping live-only items in place', () => {
    const live = podSpec({ containers: [{ name: 'a', image: 'a:1', env: [{ name: 'X', value: '1' }] }, { name: 'b', image: 'b:1' }, { name: 'c', image: 'c:1' }] });
    const out = merge(live, podSpec({ containers: [{ name: 'c', image: 'c:2' }, { name: 'a', image: 'a:2' }] }), ds) as ReturnType<typeof podSpec>;
    assert.deepEqual(out.spec.template.spec, { containers: [
      { name: 'b', image: 'b:1' }, { name: 'c', image: 'c:2' }, { name: 'a', image: 'a:2', env: [{ name: 'X', value: '1' }] },
    ] });
  });

  test('atomic lists and maps are replaced whole, granular maps merge, sets union', () => {
    const live = { metadata: { labels: { a: '1' }, finalizers: ['x'] }, spec: { template: { spec: { tolerations: [{ key: 'a' }, { key: 'b' }], nodeSelector: { a: '1' } } } } };
    const cfg = { metadata: { labels: { b: '2' }, finalizers: ['y'] }, spec: { template: { spec: { tolerations: [{ key: 'c' }], nodeSelector: { b: '2' } } } } };
    assert.deepEqual(merge(live, cfg, ds), {
      metadata: { labels: { a: '1', b: '2' }, finalizers: ['x', 'y'] },
      spec: { template: { spec: { tolerations: [{ key: 'c' }], nodeSelector: { b: '2' } } } },
    });
  });

  test('untyped values (no schema) merge maps and replace lists', () => {
    const t = fromOpenAPI({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
    assert.deepEqual(merge({ a: { x: 1 }, l: [1, 2] }, { a: { y: 2 }, l: [3] }, t), { a: { x: 1, y: 2 }, l: [3] });
  });
});

describe('compare', () => {
  test('added, modified and removed paths, granular nodes included', () => {
    const c = compare(
      { metadata: { labels: { a: '1', gone: 'x' } }, spec: { template: { spec: { containers: [{ name: 'a', image: 'a:1' }] } } } },
      { metadata: { labels: { a: '2' } }, spec: { template: { spec: { containers: [{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:1' }] } } } },
      ds,
    );
    assert.deepEqual(c.modified.toFieldsV1(), { 'f:metadata': { 'f:labels': { 'f:a': {} } } });
    assert.deepEqual(c.removed.toFieldsV1(), { 'f:metadata': { 'f:labels': { 'f:gone': {} } } });
    assert.deepEqual(c.added.toFieldsV1(), { 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"b"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } } } });
  });
});

describe('removeItems', () => {
  test('a member path removes its subtree; emptied maps go', () => {
    const v = { metadata: { labels: { a: '1' } }, spec: { template: { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b' }] } } } };
    const set = FieldSet.of(
      [{ f: 'metadata' }, { f: 'labels' }, { f: 'a' }],
      [{ f: 'spec' }, { f: 'template' }, { f: 'spec' }, { f: 'containers' }, { k: [['name', 'b']] }],
      [{ f: 'spec' }, { f: 'template' }, { f: 'spec' }, { f: 'containers' }, { k: [['name', 'a']] }, { f: 'image' }],
    );
    assert.deepEqual(removeItems(v, set, ds), { spec: { template: { spec: { containers: [{ name: 'a' }] } } } });
  });
});

// ---- properties over generated pod specs ----------------------------------------------------

const names = fc.constantFrom('a', 'b', 'c', 'd');
const container = fc.record({
  name: names,
  image: fc.constantFrom('x:1', 'x:2'),
  env: fc.uniqueArray(fc.record({ name: names, value: fc.constantFrom('1', '2') }), { selector: (e) => e.name, maxLength: 3 }),
}, { requiredKeys: ['name'] });
// No empty objects or atomic lists: an applied `{}` owns its node, which a merge may fill, and an
// empty list set where there was none is dropped (upstream does both).
const spec = fc.record({
  metadata: fc.record({ labels: fc.dictionary(names, fc.constantFrom('1', '2'), { minKeys: 1, maxKeys: 3 }), finalizers: fc.uniqueArray(names, { maxLength: 3 }) }),
  spec: fc.record({
    containers: fc.uniqueArray(container, { selector: (c) => c.name, maxLength: 3 }),
    tolerations: fc.array(fc.record({ key: names }), { minLength: 1, maxLength: 2 }),
  }),
}, { requiredKeys: [] }).map((v) => JSON.parse(JSON.stringify(v)) as Record<string, unknown>);

describe('properties', () => {
  test('merging a value into itself, or merging twice, changes nothing', () => {
    fc.assert(fc.property(spec, spec, (l, r) => {
      assert.ok(jsonEqual(merge(l, l, pod), l));
      const once = merge(l, r, pod);
      assert.deepEqual(merge(once, r, pod), once);
    }));
  });

  test('the merge contains every field of the applied value, with its value', () => {
    fc.assert(fc.property(spec, spec, (l, r) => {
      const out = merge(l, r, pod);
      const applied = toFieldSet(r, pod);
      assert.ok(applied.difference(toFieldSet(out, pod)).isEmpty());
      assert.ok(compare(r, removeItems(out, toFieldSet(out, pod).difference(applied), pod) ?? {}, pod).modified.isEmpty());
    }));
  });

  test('compare of a value with itself is empty; with {} everything is added', () => {
    fc.assert(fc.property(spec, (v) => {
      const same = compare(v, v, pod);
      assert.ok(same.added.isEmpty() && same.modified.isEmpty() && same.removed.isEmpty());
      const fromNothing = compare({}, v, pod);
      assert.ok(toFieldSet(v, pod).difference(fromNothing.added).isEmpty());
    }));
  });
});

describe('custom resource schemas (structural OpenAPI with x-kubernetes extensions)', () => {
  const t = fromOpenAPI({
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          endpoints: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['port', 'path'],
            items: { type: 'object', properties: { port: { 'x-kubernetes-int-or-string': true }, path: { type: 'string', default: '/metrics' }, interval: { type: 'string' } } } },
          dnsNames: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
          selector: { type: 'object', 'x-kubernetes-map-type': 'atomic', properties: { matchLabels: { type: 'object', additionalProperties: { type: 'string' } } } },
          extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        },
      },
    },
  });

  test('list-map keys with defaults, sets, atomic maps and preserved unknown fields', () => {
    const v = { spec: { endpoints: [{ port: 'web', interval: '30s' }], dnsNames: ['a.example'], selector: { matchLabels: { a: 'b' } }, extra: { anything: { goes: 1 } } } };
    assert.deepEqual(toFieldSet(v, t, true).toFieldsV1(), { 'f:spec': {
      'f:dnsNames': { 'v:"a.example"': {} },
      'f:endpoints': { 'k:{"path":"/metrics","port":"web"}': { '.': {}, 'f:interval': {}, 'f:port': {} } },
      // Keys of a preserve-unknown-fields map are entries, not struct fields: members themselves.
      'f:extra': { 'f:anything': { '.': {}, 'f:goes': {} } },
      'f:selector': {},
    } });
    const merged = merge(v, { spec: { endpoints: [{ port: 'web', interval: '10s' }, { port: 9090 }], selector: { matchLabels: { c: 'd' } } } }, t);
    assert.deepEqual(merged, { spec: {
      endpoints: [{ port: 'web', interval: '10s' }, { port: 9090 }], dnsNames: ['a.example'], selector: { matchLabels: { c: 'd' } }, extra: { anything: { goes: 1 } },
    } });
  });
});

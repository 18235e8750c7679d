import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FieldSet, comparePathElements, parsePathElement, pathString, serializePathElement, type Path, type PathElement } from './fieldpath.js';

const f = (name: string): PathElement => ({ f: name });
const k = (...kv: Array<[string, unknown]>): PathElement => ({ k: kv });

describe('path elements', () => {
  test('serialise as fieldsV1 keys and parse back', () => {
    const cases: Array<[PathElement, string]> = [
      [f('image'), 'f:image'],
      [k(['name', 'app']), 'k:{"name":"app"}'],
      [k(['containerPort', 80], ['protocol', 'TCP']), 'k:{"containerPort":80,"protocol":"TCP"}'],
      [{ v: 'foregroundDeletion' }, 'v:"foregroundDeletion"'],
      [{ v: 8080 }, 'v:8080'],
      [{ i: 3 }, 'i:3'],
    ];
    for (const [pe, s] of cases) {
      assert.equal(serializePathElement(pe), s);
      assert.deepEqual(parsePathElement(s), pe);
    }
  });

  test('malformed keys do not parse', () => {
    for (const s of ['x:y', 'k:{', 'k:[1]', 'k:{}', 'i:-1', 'i:01', 'v:', 'i:a', '']) assert.equal(parsePathElement(s), undefined, s);
  });

  test('order: field names, then keys, then values, then indices', () => {
    const sorted = [f('a'), f('b'), k(['name', 'a']), k(['name', 'b']), { v: 1 }, { v: 'a' }, { i: 0 }, { i: 2 }];
    const shuffled = [...sorted].reverse();
    assert.deepEqual(shuffled.sort(comparePathElements), sorted);
  });

  test('paths print as conflict messages print them', () => {
    assert.equal(pathString([f('spec'), f('template'), f('spec'), f('containers'), k(['name', 'app']), f('image')]),
      '.spec.template.spec.containers[name="app"].image');
    assert.equal(pathString([f('spec'), f('ports'), k(['port', 80], ['protocol', 'TCP'])]), '.spec.ports[port=80,protocol="TCP"]');
    assert.equal(pathString([f('metadata'), f('finalizers'), { v: 'x' }]), '.metadata.finalizers[="x"]');
    assert.equal(pathString([f('a'), { i: 2 }]), '.a[2]');
  });
});

describe('fieldsV1', () => {
  test('an inner node that is also a member gets "." first; leaves are {}', () => {
    const s = FieldSet.of(
      [f('metadata'), f('labels')], [f('metadata'), f('labels'), f('app')],
      [f('spec'), f('containers'), k(['name', 'a'])], [f('spec'), f('containers'), k(['name', 'a']), f('image')],
    );
    assert.deepEqual(s.toFieldsV1(), {
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
      'f:spec': { 'f:containers': { 'k:{"name":"a"}': { '.': {}, 'f:image': {} } } },
    });
    assert.deepEqual(Object.keys((s.toFieldsV1()['f:metadata'] as Record<string, Record<string, unknown>>)['f:labels']!), ['.', 'f:app']);
    const back = FieldSet.fromFieldsV1(s.toFieldsV1());
    assert.ok(back instanceof FieldSet && back.equals(s));
  });

  test('malformed fieldsV1 is refused with a reason', () => {
    for (const bad of [[], 'x', { 'f:a': 1 }, { 'q:a': {} }, { 'f:a': { 'k:{': {} } }]) assert.equal(typeof FieldSet.fromFieldsV1(bad), 'string');
  });
});

// ---- set algebra against plain sets of serialised paths -------------------------------------

const element = fc.oneof(
  fc.constantFrom('a', 'b', 'c').map(f),
  fc.constantFrom('x', 'y').map((n) => k(['name', n])),
  fc.constantFrom(1, 'v').map((v): PathElement => ({ v })),
  fc.nat(2).map((i): PathElement => ({ i })),
);
const path = fc.array(element, { minLength: 1, maxLength: 4 });
const paths = fc.array(path, { maxLength: 12 });
const key = (p: Path) => p.map(serializePathElement).join('/');
const keys = (s: FieldSet) => new Set(s.paths().map(key));

describe('set operations are the set operations on paths', () => {
  test('union, difference, intersection, has', () => {
    fc.assert(fc.property(paths, paths, (a, b) => {
      const A = FieldSet.of(...a), B = FieldSet.of(...b);
      const ka = new Set(a.map(key)), kb = new Set(b.map(key));
      assert.deepEqual(keys(A), ka);
      assert.deepEqual(keys(A.union(B)), new Set([...ka, ...kb]));
      assert.deepEqual(keys(A.difference(B)), new Set([...ka].filter((x) => !kb.has(x))));
      assert.deepEqual(keys(A.intersection(B)), new Set([...ka].filter((x) => kb.has(x))));
      for (const p of [...a, ...b]) assert.equal(A.has(p), ka.has(key(p)));
      assert.equal(A.difference(A).isEmpty(), true);
    }));
  });

  test('recursiveDifference drops every path under a member of the other set', () => {
    fc.assert(fc.property(paths, paths, (a, b) => {
      const A = FieldSet.of(...a), B = FieldSet.of(...b);
      const prefixes = new Set(b.map(key));
      const expected = new Set(a.map(key).filter((x) => ![...prefixes].some((p) => x === p || x.startsWith(`${p}/`))));
      assert.deepEqual(keys(A.recursiveDifference(B)), expected);
    }));
  });

  test('fieldsV1 round-trips any set', () => {
    fc.assert(fc.property(paths, (a) => {
      const s = FieldSet.of(...a);
      const back = FieldSet.fromFieldsV1(JSON.parse(JSON.stringify(s.toFieldsV1())));
      assert.ok(back instanceof FieldSet);
      assert.deepEqual(keys(back), keys(s));
    }));
  });
});

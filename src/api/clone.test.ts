import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { deepCopy } from './clone.js';

test('deepCopy equals structuredClone on JSON values and shares nothing with its input', () => {
  fc.assert(fc.property(fc.jsonValue(), (v) => {
    const c = deepCopy(v);
    assert.deepStrictEqual(c, structuredClone(v));
    if (typeof v === 'object' && v !== null) assert.notEqual(c, v);
  }));
  const o = { a: { b: [1, { c: 2 }] }, u: undefined };
  const c = deepCopy(o);
  c.a.b.push(3);
  (c.a.b[1] as { c: number }).c = 9;
  assert.deepStrictEqual(o, { a: { b: [1, { c: 2 }] }, u: undefined });
  assert.ok('u' in c, 'undefined members are kept, as structuredClone keeps them');
  const evil = JSON.parse('{"__proto__":{"x":1}}') as object;
  const e = deepCopy(evil);
  assert.equal(Object.getPrototypeOf(e), Object.prototype);
  assert.deepStrictEqual(Object.keys(e), ['__proto__']);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fieldErrorMessage } from '../../api/fielderrors.js';
import { compileRule } from './cel.js';
import { validateValue, type JSONSchemaProps } from './schema.js';

const run = (rule: string, self: unknown) => { const f = compileRule(rule); assert.ok(f, `${rule} should compile`); return f(self); };

test('the subset: presence, sizes, comparisons, logic, literals, strings, lists', () => {
  const self = { a: 1, b: 'xyz', l: [1, 2, 3], m: { k: 'v' }, t: true, e: {} };
  assert.equal(run('has(self.a) != has(self.z)', self), true);
  assert.equal(run('has(self.a) != has(self.b)', self), false);
  assert.equal(run('(has(self.m) && size(self.m) > 0) || (has(self.e) && size(self.e) > 0)', self), true);
  assert.equal(run('!has(self.z) || has(self.a)', self), true);
  assert.equal(run('self.a + 1 == 2 && self.l.size() == 3 && size(self.b) == 3', self), true);
  assert.equal(run("self.b.startsWith('x') && self.b.endsWith(\"z\") && self.b.contains('y')", self), true);
  assert.equal(run('2 in self.l && !(5 in self.l) && "k" in self.m', self), true);
  assert.equal(run('self.l[0] < self.l[2] && self.m["k"] == "v"', self), true);
  assert.equal(run('self.t ? self.a == 1 : false', self), true);
  assert.equal(run('self.l == [1, 2, 3] && self.a >= 1 && self.a <= 1 && -self.a < 0 && 7 / 2 == 3 && 7 % 2 == 1', self), true);
});

test('errors are absorbed where CEL absorbs them, undecided otherwise', () => {
  assert.equal(run('self.missing == 1 || true', {}), true);
  assert.equal(run('self.missing == 1 && false', {}), false);
  assert.equal(run('self.missing == 1', {}), undefined);
  assert.equal(run('self.a > "x"', { a: 1 }), undefined);
  assert.equal(run('1 / 0 == 1', {}), undefined);
});

test('outside the subset: no compile, so the rule is skipped', () => {
  for (const r of ['self.all(x, x > 0)', 'oldSelf == self', 'self.x.matches("a")', 'duration(self.d) > duration("1s")', 'self.', '((', 'other == 1', 'self @ 1']) {
    assert.equal(compileRule(r), undefined, r);
  }
});

test('rules in a schema: message, default message, reason, fieldPath; skipped rules never fail', () => {
  const s: JSONSchemaProps = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        'x-kubernetes-validations': [
          { rule: 'has(self.targetRef) != has(self.selector)', message: 'exactly one of targetRef and selector must be set' },
          { rule: 'size(self.waves) > 0' },
          { rule: '!has(self.order) || has(self.splitBy)', message: 'order needs splitBy', reason: 'FieldValueForbidden', fieldPath: '.order' },
          { rule: 'self.waves.all(w, w > 0)', message: 'never evaluated' },
        ],
        properties: { targetRef: { type: 'object' }, selector: { type: 'object' }, waves: { type: 'array', items: { type: 'integer' } }, order: { type: 'string' }, splitBy: { type: 'string' } },
      },
    },
  };
  const msgs = (spec: unknown) => validateValue({ spec }, s).map(fieldErrorMessage);
  assert.deepEqual(msgs({ targetRef: {}, waves: [1] }), []);
  assert.deepEqual(msgs({ targetRef: {}, selector: {}, waves: [], order: 'x' }), [
    'spec: Invalid value: "object": exactly one of targetRef and selector must be set',
    'spec: Invalid value: "object": failed rule: size(self.waves) > 0',
    'spec.order: Forbidden: order needs splitBy',
  ]);
  assert.deepEqual(msgs({ selector: {} }), [], 'a rule that cannot be decided (no waves) is not a violation');
});

test('property: compiling and evaluating never throws, whatever the rule and value', () => {
  const piece = fc.constantFrom('self', '.a', '.b', 'has(', ')', '(', '[', ']', '0', '1', '"s"', '==', '!=', '&&', '||', '!', '+', '/', 'size(', 'in', '?', ':', ',', 'true', 'null', '.size()');
  const value = fc.oneof(fc.constant(null), fc.integer(), fc.string(), fc.array(fc.integer(), { maxLength: 3 }), fc.dictionary(fc.constantFrom('a', 'b'), fc.oneof(fc.integer(), fc.string(), fc.constant(null))));
  fc.assert(fc.property(fc.array(piece, { maxLength: 12 }), value, (parts, v) => {
    const f = compileRule(parts.join(' '));
    if (f) assert.ok([true, false, undefined].includes(f(v)));
  }), { numRuns: 1000 });
});

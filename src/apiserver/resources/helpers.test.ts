// Tests for the small shared helpers: added syntax checks in src/api/validation.ts, quantities,
// int-or-percent and semantic equality.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorMessage } from '../../api/fielderrors.js';
import {
  isConfigMapKey, isDNS1035Label, isRelaxedEnvVarName, isValidCIDR, isValidIP, isValidPercent, isValidPortName, isValidPortNum,
} from '../../api/validation.js';
import { semanticEqual } from './equality.js';
import { intOrPercentValue, notMoreThan100Percent, validatePositiveIntOrPercent } from './intstr.js';
import { parseQuantity } from './quantity.js';

test('port numbers and names', () => {
  for (const p of [1, 80, 65535]) assert.deepEqual(isValidPortNum(p), [], String(p));
  for (const p of [0, -1, 65536, 1.5]) assert.deepEqual(isValidPortNum(p), ['must be between 1 and 65535, inclusive'], String(p));
  assert.deepEqual(isValidPortName('http-metrics'), []);
  assert.deepEqual(isValidPortName('1234'), ['must contain at least one letter (a-z)']);
  assert.deepEqual(isValidPortName('a--b'), ['must not contain consecutive hyphens']);
  assert.deepEqual(isValidPortName('-ab'), ['must not begin or end with a hyphen']);
  assert.deepEqual(isValidPortName('HTTP'), ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)', 'must contain at least one letter (a-z)']);
  assert.deepEqual(isValidPortName('abcdefghijklmnop'), ['must be no more than 15 characters']);
});

test('names, keys, env vars', () => {
  assert.deepEqual(isDNS1035Label('web'), []);
  assert.equal(isDNS1035Label('1web').length, 1);
  assert.deepEqual(isConfigMapKey('a.b_c-D'), []);
  assert.deepEqual(isConfigMapKey('..x'), [`must not start with '..'`]);
  assert.equal(isConfigMapKey('a/b').length, 1);
  assert.deepEqual(isRelaxedEnvVarName('1 weird.NAME'), []);
  assert.equal(isRelaxedEnvVarName('A=B').length, 1);
  assert.deepEqual(isValidPercent('50%'), []);
  assert.equal(isValidPercent('5.5%').length, 1);
});

test('IP and CIDR syntax', () => {
  for (const ok of ['10.0.0.1', '::1', '2001:db8::ffff', '::ffff:1.2.3.4']) assert.deepEqual(isValidIP(ok), [], ok);
  for (const bad of ['10.0.0', '256.0.0.1', '01.2.3.4', '1::2::3', 'x']) assert.equal(isValidIP(bad).length, 1, bad);
  for (const ok of ['10.244.0.0/24', '2001:db8::/64']) assert.deepEqual(isValidCIDR(ok), [], ok);
  for (const bad of ['10.244.0.0', '10.0.0.0/33', '::/129', 'a/8']) assert.equal(isValidCIDR(bad).length, 1, bad);
});

test('parseQuantity understands suffixes and rejects junk', () => {
  const cases: [unknown, number | undefined][] = [
    ['100m', 0.1], ['1', 1], ['1.5', 1.5], ['1Ki', 1024], ['128Mi', 128 * 2 ** 20], ['1G', 1e9], ['1e3', 1000], [2, 2],
    ['-1', -1], ['abc', undefined], ['1 Gi', undefined], ['1KB', undefined], ['', undefined], [null, undefined],
  ];
  for (const [q, want] of cases) assert.equal(parseQuantity(q), want, String(q));
});

test('int-or-percent helpers', () => {
  assert.equal(intOrPercentValue('30%'), 30);
  assert.equal(intOrPercentValue(4), 4);
  assert.equal(intOrPercentValue('junk'), 0);
  assert.deepEqual(validatePositiveIntOrPercent(-1, 'p').map(fieldErrorMessage), ['p: Invalid value: -1: must be greater than or equal to 0']);
  assert.match(fieldErrorMessage(validatePositiveIntOrPercent('x', 'p')[0]), /^p: Invalid value: "x": a valid percent string/);
  assert.deepEqual(notMoreThan100Percent('101%', 'p').map(fieldErrorMessage), ['p: Invalid value: "101%": must not be greater than 100%']);
  assert.deepEqual(notMoreThan100Percent('100%', 'p'), []);
});

test('semanticEqual ignores key order and empty-vs-missing collections', () => {
  assert.ok(semanticEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 }));
  assert.ok(semanticEqual({ a: [], b: {} }, {}));
  assert.ok(!semanticEqual({ a: [1] }, { a: [2] }));
  assert.ok(!semanticEqual({ a: 0 }, {}));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Pod } from './types.js';
import {
  parseQuantity, quantityMilli, quantityValue, formatMilli, formatBytes, toAmounts, fromAmounts,
  podRequests, podNonZeroRequests,
} from './quantity.js';

const milli = (s: string) => quantityMilli(parseQuantity(s)!);
const value = (s: string) => quantityValue(parseQuantity(s)!);

test('parses decimal, binary and exponent forms exactly', () => {
  assert.equal(milli('100m'), 100n);
  assert.equal(milli('1.5'), 1500n);
  assert.equal(milli('2'), 2000n);
  assert.equal(milli('0.1'), 100n);
  assert.equal(milli('.5'), 500n);
  assert.equal(milli('1e3'), 1_000_000n);
  assert.equal(milli('1E-3'), 1n);
  assert.equal(value('2Gi'), 2n * 1024n ** 3n);
  assert.equal(value('1.5Ki'), 1536n);
  assert.equal(value('500M'), 500_000_000n);
  assert.equal(value('1k'), 1000n);
  assert.equal(value('128974848'), 128974848n);
  assert.equal(value('129e6'), 129_000_000n);
  assert.equal(value('+3'), 3n);
  assert.equal(milli('-100m'), -100n);
});

test('rounds up like Value() and MilliValue()', () => {
  assert.equal(value('100m'), 1n);
  assert.equal(milli('1n'), 1n);
  assert.equal(milli('0.0001'), 1n);
  assert.equal(value('0'), 0n);
  assert.equal(value('-100m'), 0n); // ceil(-0.1)
});

test('rejects what the grammar rejects', () => {
  for (const bad of ['', 'abc', '1.2.3', '1Kb', '1 Gi', ' 1', '1ki', 'Gi', '1e', '--1', '1.5x', '1e99999']) {
    assert.equal(parseQuantity(bad), undefined, bad);
  }
});

test('formatting round-trips', () => {
  assert.equal(formatMilli(1500n), '1500m');
  assert.equal(formatMilli(2000n), '2');
  assert.equal(formatBytes(2n * 1024n ** 3n), '2Gi');
  assert.equal(formatBytes(500_000_000n), '500M');
  assert.equal(formatBytes(1001n), '1001');
  assert.equal(formatBytes(0n), '0');
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: 1n << 62n }), (n) => value(formatBytes(n)) === n && milli(formatMilli(n)) === n));
  assert.deepEqual(fromAmounts(toAmounts({ cpu: '1.5', memory: '1Gi', pods: '110', 'ephemeral-storage': '100G' })),
    { cpu: '1500m', memory: '1Gi', pods: '110', 'ephemeral-storage': '100G' });
});

const c = (requests?: Record<string, string>, limits?: Record<string, string>, restartPolicy?: string) =>
  ({ name: 'c', image: 'x', resources: { requests, limits }, restartPolicy });

test('podRequests: max(sum containers, max init) + overhead', () => {
  const pod: Pod = { spec: {
    containers: [c({ cpu: '100m', memory: '100Mi' }), c({ cpu: '200m' })],
    initContainers: [c({ cpu: '500m' }), c({ memory: '50Mi' })],
    overhead: { cpu: '10m' },
  } };
  assert.deepEqual(podRequests(pod), { cpu: 510n, memory: 100n * 1024n ** 2n });
});

test('podRequests: limits stand in for missing requests', () => {
  assert.deepEqual(podRequests({ spec: { containers: [c(undefined, { cpu: '1', memory: '1Gi' })] } }), { cpu: 1000n, memory: 1024n ** 3n });
  assert.deepEqual(podRequests({ spec: { containers: [c({ cpu: '200m' }, { cpu: '1' })] } }), { cpu: 200n });
});

test('podRequests: sidecar init containers run alongside the rest', () => {
  const pod: Pod = { spec: {
    initContainers: [c({ cpu: '300m' }, undefined, 'Always'), c({ cpu: '400m' })],
    containers: [c({ cpu: '100m' })],
  } };
  // init peak: 400+300 = 700; steady state: 100+300 = 400
  assert.deepEqual(podRequests(pod), { cpu: 700n });
});

test('podNonZeroRequests fills scoring defaults', () => {
  assert.deepEqual(podNonZeroRequests({ spec: { containers: [c(), c({ cpu: '1' })] } }), { cpu: 1100n, memory: 400n * 1024n ** 2n });
});

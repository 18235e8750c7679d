// Hostile scalar and structural values: wrong types, boundary numbers, odd strings and keys.
// Deep documents and huge strings are placeholders expanded after JSON.stringify (see
// encode.ts), so the fuzzer itself never recurses thousands of levels deep.
import type { Rng } from './prng.js';

export const DEEP = '\u0000fuzz-deep:';
export const HUGE = '\u0000fuzz-huge:';

/** Placeholder for a JSON value nested `depth` levels deep (arrays or objects). */
export const deep = (depth: number, objects: boolean) => `${DEEP}${objects ? 'o' : 'a'}${depth}`;
/** Placeholder for a string of `bytes` characters. */
export const huge = (bytes: number) => `${HUGE}${bytes}`;

export const oddStrings = [
  '', ' ', 'x', '-', '..', '.', '/', 'a/b', '%2e%2e', '%ZZ', '\u0000', '\t\n', 'ключ', '名前', '😀', '\ud800',
  'A'.repeat(254), 'a'.repeat(64), 'true', 'null', '0', '-1', '1e999', '0x10', 'NaN', '{}', '[]', '"',
  "'; DROP TABLE objects;--", '${x}', '*', '!', '=', ',', '!=', 'in (a)', 'Always', '100m', '1Ki', '1.5', '-0',
  '2006-01-02T15:04:05Z', 'not-a-date', 'apps/v1', 'v1', 'default', 'kube-system',
];

export const oddKeys = ['', ' ', 'ключ', '名前', '😀', 'a/b', 'a.b', '-a', '$patch', '$retainKeys', '__proto__', 'constructor', 'k'.repeat(300), '\u0000', 'metadata', 'apiVersion'];

export const oddNumbers = [0, -1, 1, 1.5, -0.5, 2147483647, 2147483648, 2147484, 9007199254740993, -9007199254740993, 1e308, -1e308, 1e-308, 65536, 65535];

/** A value whose JSON type differs from `expected` (an OpenAPI type name or undefined). */
export function wrongTyped(rng: Rng, expected: string | undefined): unknown {
  const all: Array<[string, () => unknown]> = [
    ['string', () => rng.pick(oddStrings)],
    ['integer', () => rng.pick(oddNumbers)],
    ['number', () => rng.pick(oddNumbers)],
    ['boolean', () => rng.chance(0.5)],
    ['null', () => null],
    ['array', () => rng.pick<unknown>([[], [null], [1], [''], [[]], [{}], [{ '': null }]])],
    ['object', () => rng.pick<unknown>([{}, { '': null }, { a: 1 }, { a: null }, { [rng.pick(oddKeys)]: rng.pick(oddStrings) }, { a: { b: [] } }])],
  ];
  const others = all.filter(([t]) => t !== expected && !(expected === 'number' && t === 'integer') && !(expected === 'integer' && t === 'number'));
  return rng.pick(others)[1]();
}

/** A value of the right JSON type but an odd content. */
export function oddTyped(rng: Rng, expected: string | undefined): unknown {
  switch (expected) {
    case 'string': return rng.chance(0.05) ? huge(rng.pick([1024, 4096, 65536])) : rng.pick(oddStrings);
    case 'integer': case 'number': return rng.pick(oddNumbers);
    case 'boolean': return rng.chance(0.5);
    case 'array': return rng.pick<unknown>([[], [null], [null, null], Array.from({ length: rng.pick([2, 50, 1000]) }, () => ({}))]);
    case 'object': return rng.pick<unknown>([{}, { [rng.pick(oddKeys)]: rng.pick(oddStrings) }]);
    default: return wrongTyped(rng, undefined);
  }
}

/** Any hostile value: wrong type, null, huge or deep. */
export function hostile(rng: Rng, expected: string | undefined): unknown {
  return rng.weighted<() => unknown>([
    [6, () => wrongTyped(rng, expected)],
    [3, () => oddTyped(rng, expected)],
    [2, () => null],
    [1, () => huge(rng.pick([256, 4096, 65536]))],
    [1, () => deep(rng.pick([16, 64, 1000, 5000]), rng.chance(0.5))],
  ])();
}

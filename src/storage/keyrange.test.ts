import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compareKeys, isWellFormedKey, prefixEnd } from './keyrange.js';

describe('prefixEnd', () => {
  it('bumps the last code point, carrying past U+10FFFF and skipping surrogates', () => {
    assert.equal(prefixEnd('/a/'), '/a0');
    assert.equal(prefixEnd('a\u{10FFFF}'), 'b');
    assert.equal(prefixEnd('a\ud7ff'), 'a\ue000');
    assert.equal(prefixEnd('a😀'), 'a😁');
    assert.equal(prefixEnd(''), undefined);
    assert.equal(prefixEnd('\u{10FFFF}\u{10FFFF}'), undefined);
  });

  it('bounds exactly the strings that start with the prefix (UTF-8 byte order)', () => {
    const str = fc.string({ unit: 'grapheme', maxLength: 4 });
    const withEdges = fc.oneof(str, fc.constantFrom('\u{10FFFF}', '\uffff', '\ud7ff', '\ue000', 'a\u{10FFFF}'));
    fc.assert(fc.property(withEdges, fc.tuple(withEdges, withEdges).map(([a, b]) => a + b), (prefix, key) => {
      const end = prefixEnd(prefix);
      const inRange = compareKeys(key, prefix) >= 0 && (end === undefined || compareKeys(key, end) < 0);
      assert.equal(inRange, key.startsWith(prefix), `prefix=${JSON.stringify(prefix)} key=${JSON.stringify(key)}`);
    }), { numRuns: 2000 });
  });
});

describe('compareKeys', () => {
  it('orders by UTF-8 bytes, not UTF-16 code units', () => {
    assert.ok(compareKeys('\uffff', '😀') < 0); // '\uffff' > '😀' in JavaScript's own comparison
    assert.ok('\uffff' > '😀');
    assert.equal(compareKeys('/a', '/a'), 0);
    assert.ok(compareKeys('/a/', '/a0') < 0);
  });
});

describe('isWellFormedKey', () => {
  it('rejects lone surrogates only', () => {
    assert.equal(isWellFormedKey('/pods/ns/😀'), true);
    assert.equal(isWellFormedKey('/x\ud800'), false);
    assert.equal(isWellFormedKey('\udc00/x'), false);
  });
});

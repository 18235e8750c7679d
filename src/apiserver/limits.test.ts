import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bearerToken, isStalled, overBudget, warningHeaderValues, watchAllowance } from './limits.js';

/** node's own header-value check (lib/_http_common.js checkInvalidHeaderChar). */
const validHeaderValue = (v: string) => !/[^\t\x20-\x7e\x80-\xff]/.test(v);

describe('watch limits', () => {
  test('the snapshot is admitted on top of the live allowance until it is flushed', () => {
    assert.equal(watchAllowance(100, 0, 0), 100);
    assert.equal(watchAllowance(100, 1000, 0), 1100);
    assert.equal(watchAllowance(100, 1000, 400), 700);
    assert.equal(watchAllowance(100, 1000, 5000), 100);
  });

  test('stalled only with data waiting and no progress for the whole window', () => {
    assert.equal(isStalled(0, 0, 10_000, 1000), false);
    assert.equal(isStalled(5, 9_500, 10_000, 1000), false);
    assert.equal(isStalled(5, 9_000, 10_000, 1000), true);
  });

  test('over budget: the largest backlogs go first, until the rest fit', () => {
    assert.deepEqual(overBudget([1, 2, 3], 10), []);
    assert.deepEqual(overBudget([5, 50, 10], 20), [1]);
    assert.deepEqual(overBudget([30, 40, 30], 20), [1, 0, 2]);
    assert.deepEqual(overBudget([], 0), []);
  });

  test('property: what survives fits the budget, and no survivor holds more than a victim', () => {
    fc.assert(fc.property(fc.array(fc.nat({ max: 1e6 }), { maxLength: 30 }), fc.nat({ max: 5e6 }), (backlogs, budget) => {
      const victims = new Set(overBudget(backlogs, budget));
      const kept = backlogs.filter((_, i) => !victims.has(i));
      assert.ok(kept.reduce((a, b) => a + b, 0) <= budget);
      const smallestVictim = Math.min(...[...victims].map((i) => backlogs[i]));
      for (const k of kept) assert.ok(k <= smallestVictim);
    }));
  });
});

describe('bearerToken', () => {
  test('the scheme is case-insensitive and surrounding space is ignored', () => {
    assert.equal(bearerToken('Bearer abc'), 'abc');
    assert.equal(bearerToken('bearer abc'), 'abc');
    assert.equal(bearerToken('BEARER abc'), 'abc');
    assert.equal(bearerToken('  Bearer abc  '), 'abc');
  });

  test('anything else carries no token', () => {
    for (const h of [undefined, '', 'Bearer', 'Bearer ', 'Bearer  abc', 'Basic abc', 'Bearerabc']) assert.equal(bearerToken(h), undefined, String(h));
  });
});

describe('warningHeaderValues', () => {
  test('non-ASCII text goes out as UTF-8 bytes in a valid header value', () => {
    const [v] = warningHeaderValues(['unknown field "spec.größe€🎉"']);
    assert.ok(validHeaderValue(v));
    assert.equal(Buffer.from(v, 'latin1').toString('utf8'), '299 - "unknown field \\"spec.größe€🎉\\""');
  });

  test('control and format characters become spaces', () => {
    const [v] = warningHeaderValues(['a\r\nb\u0000c\u202ed\u007f']);
    assert.equal(v, '299 - "a  b c d "');
  });

  test('duplicates are dropped and the total is capped', () => {
    assert.equal(warningHeaderValues(['x', 'x']).length, 1);
    const many = warningHeaderValues(Array.from({ length: 1000 }, (_, i) => `unknown field "f${i}${'y'.repeat(300)}"`));
    const text = many.join('');
    assert.ok(text.length < 4096 + many.length * 16, `${text.length}`);
    assert.ok(many.length > 0);
  });

  test('property: every value is a valid header value whatever the warning text', () => {
    fc.assert(fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 50 }), { maxLength: 10 }), (ws) => {
      for (const v of warningHeaderValues(ws)) assert.ok(validHeaderValue(v), JSON.stringify(v));
    }));
  });
});

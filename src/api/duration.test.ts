import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { humanDuration, isZeroTime, translateTimestampSince } from './duration.js';

const s = 1000, m = 60 * s, h = 60 * m, d = 24 * h, y = 365 * d;

test('humanDuration follows every precision step of apimachinery HumanDuration', () => {
  const cases: [number, string][] = [
    [-2 * s, '<invalid>'],
    [-1999, '0s'], // truncates to -1s: tolerated clock skew
    [-1 * s, '0s'],
    [-1, '0s'],
    [0, '0s'],
    [999, '0s'],
    [1 * s, '1s'],
    [59 * s, '59s'],
    [60 * s, '60s'],
    [119 * s, '119s'],
    [2 * m, '2m'],
    [2 * m + 1 * s, '2m1s'],
    [9 * m + 59 * s, '9m59s'],
    [10 * m, '10m'],
    [10 * m + 30 * s, '10m'],
    [179 * m + 59 * s, '179m'],
    [3 * h, '3h'],
    [3 * h + 5 * m, '3h5m'],
    [7 * h + 59 * m, '7h59m'],
    [8 * h, '8h'],
    [8 * h + 30 * m, '8h'],
    [47 * h + 59 * m, '47h'],
    [48 * h, '2d'],
    [2 * d + 1 * h, '2d1h'],
    [7 * d + 23 * h, '7d23h'],
    [8 * d, '8d'],
    [8 * d + 5 * h, '8d'],
    [2 * y - 1 * d, '729d'],
    [2 * y, '2y'],
    [2 * y + 10 * d, '2y10d'],
    [7 * y + 364 * d, '7y364d'],
    [8 * y, '8y'],
    [8 * y + 100 * d, '8y'],
    [30 * y, '30y'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, `humanDuration(${ms})`);
});

test('humanDuration never gets shorter as time passes (monotone in its leading unit)', () => {
  const unit: Record<string, number> = { s, m, h, d, y };
  const leading = (txt: string) => {
    const match = /^(\d+)([smhdy])/.exec(txt)!;
    return Number(match[1]) * unit[match[2]];
  };
  fc.assert(fc.property(fc.integer({ min: 0, max: 20 * y }), fc.integer({ min: 0, max: y }), (a, delta) => {
    assert.ok(leading(humanDuration(a + delta)) >= leading(humanDuration(a)));
  }));
});

test('translateTimestampSince renders ages and "<unknown>" for unset times', () => {
  const now = Date.parse('2024-05-01T12:00:00Z');
  assert.equal(translateTimestampSince('2024-05-01T11:55:00Z', now), '5m');
  assert.equal(translateTimestampSince('2024-05-01T11:59:59.500000Z', now), '0s'); // MicroTime
  assert.equal(translateTimestampSince('2024-05-01T12:00:05Z', now), '<invalid>');
  assert.equal(translateTimestampSince(undefined, now), '<unknown>');
  assert.equal(translateTimestampSince(null, now), '<unknown>');
  assert.equal(translateTimestampSince('', now), '<unknown>');
  assert.equal(translateTimestampSince('0001-01-01T00:00:00Z', now), '<unknown>');
  assert.equal(isZeroTime('2024-05-01T12:00:00Z'), false);
});

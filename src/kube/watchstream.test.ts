import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { LineSplitter } from './watchstream.js';

test('LineSplitter yields the same lines however the bytes are cut, and skips heartbeats', () => {
  const line = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }).filter((s) => !s.includes('\n'));
  fc.assert(fc.property(fc.array(fc.oneof(line, fc.constant('')), { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 10 }), (lines, cuts) => {
    const bytes = Buffer.from(lines.map((l) => `${l}\n`).join(''));
    const points = [...new Set(cuts.map((c) => (bytes.length ? c % bytes.length : 0)))].sort((a, b) => a - b);
    const got: string[] = [];
    const s = new LineSplitter();
    let at = 0;
    for (const p of [...points, bytes.length]) {
      const chunk = Buffer.from(bytes.subarray(at, p)); // a copy, as a socket would hand over
      s.push(chunk, (t) => got.push(t));
      chunk.fill(0); // the stream may reuse a chunk's memory once push returns
      at = p;
    }
    assert.deepEqual(got, lines.filter((l) => l !== ''));
  }));
});

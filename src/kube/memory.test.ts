import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startIdleCollector } from './memory.js';

test('after the heap grows and the process goes quiet, one full collection gives the garbage back', async () => {
  const stop = startIdleCollector({ windowMs: 200, minGrowthBytes: 8 * 2 ** 20 });
  try {
    // Garbage that survives young-generation collections long enough to reach the old space.
    let keep: unknown[] = [];
    for (let round = 0; round < 20; round++) {
      keep = Array.from({ length: 20_000 }, (_, i) => ({ i, s: `item-${round}-${i}` }));
      await new Promise((r) => setImmediate(r));
    }
    keep = [];
    const grown = process.memoryUsage().heapUsed;
    // Quiet now: within a few windows the collector runs.
    let after = grown;
    for (let i = 0; i < 20 && after > grown - 4 * 2 ** 20; i++) {
      await new Promise((r) => setTimeout(r, 200));
      after = process.memoryUsage().heapUsed;
    }
    assert.ok(after < grown - 4 * 2 ** 20, `heap went from ${grown >> 20} MiB to ${after >> 20} MiB`);
    assert.equal(keep.length, 0);
  } finally {
    stop();
  }
});

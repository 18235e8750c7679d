import assert from 'node:assert/strict';
import { test } from 'node:test';
import { slowStart } from './slowstart.js';

const tick = () => new Promise<void>((r) => setImmediate(r));

test('the window starts at one and grows by one per success', async () => {
  let active = 0;
  const peaks: number[] = [];
  const { results, notStarted } = await slowStart(Array.from({ length: 40 }, (_, i) => i), async (i) => {
    active++;
    peaks.push(active);
    await tick();
    active--;
    return i * 2;
  });
  assert.equal(notStarted, 0);
  assert.deepEqual(results.map((r) => r.ok && r.value), Array.from({ length: 40 }, (_, i) => i * 2));
  assert.equal(peaks[0], 1, 'the first request goes alone');
  assert.ok(Math.max(...peaks) > 8, 'and the window opens up as requests succeed');
});

test('a failure stops new starts; what was in flight finishes', async () => {
  const started: number[] = [];
  const { results, notStarted } = await slowStart(Array.from({ length: 100 }, (_, i) => i), async (i) => {
    started.push(i);
    await tick();
    if (i === 5) throw new Error('quota');
    return i;
  });
  assert.equal(results.length + notStarted, 100);
  assert.ok(notStarted > 80, `most were never started (${notStarted})`);
  assert.deepEqual(results.filter((r) => !r.ok).length, 1);
  assert.equal(started.length, results.length);
});

test('max caps the window; an empty list resolves at once', async () => {
  let active = 0;
  let peak = 0;
  await slowStart(Array.from({ length: 50 }, (_, i) => i), async () => { active++; peak = Math.max(peak, active); await tick(); active--; }, { max: 4 });
  assert.equal(peak, 4);
  assert.deepEqual(await slowStart([], async () => 1), { results: [], notStarted: 0, window: 1 });
  assert.equal((await slowStart([1, 2, 3], async () => 1, { initial: 8 })).window, 11, 'starts at initial, +1 per success');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Limiter } from './limiter.js';

test('never runs more than max jobs at once, and runs them all in order', async () => {
  const l = new Limiter(2);
  let active = 0, peak = 0;
  const order: number[] = [];
  const gates: (() => void)[] = [];
  const jobs = [0, 1, 2, 3, 4].map((i) => l.run(async () => {
    active++; peak = Math.max(peak, active); order.push(i);
    await new Promise<void>((r) => gates.push(r));
    active--;
    return i;
  }));
  while (order.length < 5) { await new Promise((r) => setImmediate(r)); gates.shift()?.(); }
  gates.forEach((g) => g());
  assert.deepEqual(await Promise.all(jobs), [0, 1, 2, 3, 4]);
  assert.equal(peak, 2);
  assert.deepEqual(order, [0, 1, 2, 3, 4]);
});

test('a failing job frees its slot', async () => {
  const l = new Limiter(1);
  await assert.rejects(l.run(async () => { throw new Error('boom'); }), /boom/);
  assert.equal(await l.run(async () => 7), 7);
});

test('a long waiting line (the simulator queues tens of thousands of writes) runs in FIFO order and counts down', async () => {
  const l = new Limiter(3);
  const n = 20_000;
  const order: number[] = [];
  const pendingSeen: number[] = [];
  const jobs = Array.from({ length: n }, (_, i) => l.run(async () => {
    order.push(i);
    if (i > 0 && i % 5000 === 0) pendingSeen.push(l.pending);
    await Promise.resolve();
  }));
  assert.equal(l.pending, n - 3);
  await Promise.all(jobs);
  assert.equal(l.pending, 0);
  assert.deepEqual(order, Array.from({ length: n }, (_, i) => i));
  assert.ok(pendingSeen.every((p, k) => k === 0 || p < pendingSeen[k - 1]), `pending must fall: ${pendingSeen.join(', ')}`);
});

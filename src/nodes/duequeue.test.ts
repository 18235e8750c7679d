import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DueQueue } from './duequeue.js';

test('pops due keys earliest first, leaves later ones', () => {
  const q = new DueQueue();
  q.schedule('b', 20); q.schedule('a', 10); q.schedule('c', 30);
  assert.deepEqual(q.popDue(25), ['a', 'b']);
  assert.equal(q.peek(), 30);
  assert.deepEqual(q.popDue(29), []);
  assert.equal(q.size, 1);
});

test('rescheduling moves a key; cancel removes it', () => {
  const q = new DueQueue();
  q.schedule('a', 10); q.schedule('b', 5); q.schedule('a', 50); q.cancel('b');
  assert.equal(q.peek(), 50);
  assert.deepEqual(q.popDue(100), ['a']);
  assert.equal(q.peek(), undefined);
});

test('popDue honours the limit', () => {
  const q = new DueQueue();
  for (let i = 0; i < 10; i++) q.schedule(`k${i}`, i);
  assert.deepEqual(q.popDue(100, 3), ['k0', 'k1', 'k2']);
  assert.equal(q.size, 7);
});

test('matches a model under random schedule/cancel/pop', () => {
  fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom('s', 's', 'c', 'p'), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 1000 })), { maxLength: 300 }), (ops) => {
    const q = new DueQueue();
    const model = new Map<string, number>();
    for (const [op, k, t] of ops) {
      const key = `k${k}`;
      if (op === 's') { q.schedule(key, t); model.set(key, t); }
      else if (op === 'c') { q.cancel(key); model.delete(key); }
      else {
        const got = q.popDue(t);
        const want = [...model].filter(([, at]) => at <= t).map(([kk]) => kk);
        assert.deepEqual([...got].sort(), want.sort());
        for (const g of got) model.delete(g);
      }
      assert.equal(q.size, model.size);
      assert.equal(q.peek(), model.size ? Math.min(...model.values()) : undefined);
    }
  }));
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue, type QueueClock } from './workqueue.js';

/** A manual clock: timers fire only when the test advances time. */
class FakeClock implements QueueClock {
  t = 0;
  timers: { at: number; fn: () => void; live: boolean }[] = [];
  now() { return this.t; }
  setTimer(fn: () => void, ms: number) {
    const timer = { at: this.t + ms, fn, live: true };
    this.timers.push(timer);
    return () => { timer.live = false; };
  }
  advance(ms: number) {
    this.t += ms;
    for (const tm of [...this.timers].sort((a, b) => a.at - b.at)) {
      if (tm.live && tm.at <= this.t) { tm.live = false; tm.fn(); }
    }
    this.timers = this.timers.filter((tm) => tm.live);
  }
  pending() { return this.timers.filter((tm) => tm.live).map((tm) => tm.at - this.t); }
}

const take = async (q: WorkQueue<string>) => { const k = await q.get(); assert.ok(k !== undefined); return k; };

describe('WorkQueue', () => {
  it('is fair (FIFO) and collapses repeated adds of a waiting key', async () => {
    const q = new WorkQueue<string>({ clock: new FakeClock() });
    for (const k of ['a', 'b', 'a', 'c', 'b']) q.add(k);
    assert.equal(q.len(), 3);
    assert.deepEqual([await take(q), await take(q), await take(q)], ['a', 'b', 'c']);
    assert.equal(q.len(), 0);
  });

  it('never hands out a key that is being processed; a re-add while processing runs once more after done', async () => {
    const q = new WorkQueue<string>({ clock: new FakeClock() });
    q.add('a');
    assert.equal(await take(q), 'a');
    assert.ok(q.isProcessing('a'));
    q.add('a');
    q.add('a');
    assert.equal(q.len(), 0, 'not queued while processing');
    q.add('b');
    assert.equal(await take(q), 'b');
    q.done('b');
    q.done('a');
    assert.equal(q.len(), 1, 'queued again exactly once');
    assert.equal(await take(q), 'a');
    q.done('a');
    assert.equal(q.len(), 0);
  });

  it('done without a re-add does not requeue', async () => {
    const q = new WorkQueue<string>({ clock: new FakeClock() });
    q.add('a');
    await take(q);
    q.done('a');
    assert.equal(q.len(), 0);
    assert.equal(q.isProcessing('a'), false);
  });

  it('wakes a waiting worker on add', async () => {
    const q = new WorkQueue<string>({ clock: new FakeClock() });
    const pending = q.get();
    q.add('x');
    assert.equal(await pending, 'x');
    assert.ok(q.isProcessing('x'));
  });

  it('addAfter: the earliest pending time wins, and the key is added once', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock });
    q.addAfter('a', 100);
    q.addAfter('a', 50);
    q.addAfter('a', 200);
    clock.advance(49);
    assert.equal(q.len(), 0);
    clock.advance(1);
    assert.equal(q.len(), 1);
    clock.advance(500);
    assert.equal(q.len(), 1, 'the later timers were dropped, not fired');
    assert.equal(await take(q), 'a');
  });

  it('addAfter with a zero or negative delay adds at once', () => {
    const q = new WorkQueue<string>({ clock: new FakeClock() });
    q.addAfter('a', 0);
    q.addAfter('b', -5);
    assert.equal(q.len(), 2);
  });

  it('rate-limited re-adds back off exponentially per key up to the cap; forget resets', () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock, baseDelayMs: 5, maxDelayMs: 40 });
    const delays = Array.from({ length: 6 }, () => q.whenRetry('a'));
    assert.deepEqual(delays, [5, 10, 20, 40, 40, 40]);
    assert.equal(q.numRequeues('a'), 6);
    assert.equal(q.whenRetry('b'), 5, 'other keys have their own history');
    q.forget('a');
    assert.equal(q.numRequeues('a'), 0);
    assert.equal(q.whenRetry('a'), 5);
  });

  it('addRateLimited schedules the back-off delay', () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock, baseDelayMs: 5 });
    q.addRateLimited('a');
    q.addRateLimited('a'); // 10 ms, later than the pending 5 ms: the earlier one stays
    assert.deepEqual(clock.pending(), [5]);
    clock.advance(5);
    assert.equal(q.len(), 1);
  });

  it('the overall bucket delays retries once its burst is spent', () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock, baseDelayMs: 1, maxDelayMs: 1, bucket: { qps: 10, burst: 2 } });
    assert.equal(q.whenRetry('a'), 1);
    assert.equal(q.whenRetry('b'), 1);
    assert.equal(q.whenRetry('c'), 100, 'third within the same instant waits 1/qps');
    assert.equal(q.whenRetry('d'), 200);
    clock.advance(1000); // refills to the burst, not beyond
    assert.equal(q.whenRetry('e'), 1);
    assert.equal(q.whenRetry('f'), 1);
    assert.equal(q.whenRetry('g'), 100);
  });

  it('does not overflow for very many failures', () => {
    const q = new WorkQueue<string>({ clock: new FakeClock(), baseDelayMs: 5, maxDelayMs: 1_000_000 });
    let last = 0;
    for (let i = 0; i < 2000; i++) last = q.whenRetry('a');
    assert.equal(last, 1_000_000);
  });

  it('shutDown releases waiting workers, cancels delayed adds and refuses new work', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock });
    const waiting = q.get();
    q.addAfter('later', 10);
    q.shutDown();
    assert.equal(await waiting, undefined);
    assert.equal(clock.pending().length, 0);
    q.add('x');
    q.addAfter('y', 1);
    clock.advance(100);
    assert.equal(q.len(), 0);
    assert.equal(await q.get(), undefined);
    assert.ok(q.shuttingDown());
  });

  it('stops handing out keys still queued at shutdown', async () => {
    const q = new WorkQueue<string>({ clock: new FakeClock() });
    q.add('a');
    q.shutDown();
    assert.equal(await q.get(), undefined);
  });
});

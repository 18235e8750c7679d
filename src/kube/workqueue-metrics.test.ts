// The work queue's metrics hook: what a named queue reports to the provider, in fake time.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue, setWorkQueueMetricsProvider, type QueueClock, type ReconcileResult, type WorkQueueMetrics } from './workqueue.js';

class ManualClock implements QueueClock {
  t = 1_000;
  now() { return this.t; }
  setTimer(fn: () => void, ms: number) { const at = this.t + ms; this.timers.push({ at, fn }); return () => { this.timers = this.timers.filter((x) => x.fn !== fn); }; }
  timers: { at: number; fn: () => void }[] = [];
  advance(ms: number) { this.t += ms; for (const x of this.timers.filter((y) => y.at <= this.t)) { this.timers = this.timers.filter((y) => y !== x); x.fn(); } }
}

class Recorder implements WorkQueueMetrics {
  adds = 0; retries = 0; depths: number[] = []; queuedS: number[] = []; workedS: number[] = [];
  results: [ReconcileResult, number][] = []; activeNow = 0; activeMax = 0;
  added() { this.adds++; }
  depth(n: number) { this.depths.push(n); }
  queued(s: number) { this.queuedS.push(s); }
  worked(s: number) { this.workedS.push(s); }
  retried() { this.retries++; }
  reconciled(r: ReconcileResult, s: number) { this.results.push([r, s]); }
  active(d: 1 | -1) { this.activeNow += d; this.activeMax = Math.max(this.activeMax, this.activeNow); }
}

afterEach(() => setWorkQueueMetricsProvider(undefined));

test('adds, depth, queue and work durations, with repeated adds collapsed and counted as client-go counts them', async () => {
  const rec = new Recorder();
  const names: string[] = [];
  setWorkQueueMetricsProvider((name) => { names.push(name); return rec; });
  const clock = new ManualClock();
  const q = new WorkQueue<string>({ name: 'daemonset', clock });
  assert.deepEqual(names, ['daemonset']);
  q.add('a'); q.add('a'); q.add('b');
  assert.equal(rec.adds, 2, 'a repeated add of a pending key is not an add');
  assert.deepEqual(rec.depths, [1, 2]);
  clock.advance(500);
  assert.equal(await q.get(), 'a');
  assert.deepEqual(rec.queuedS, [0.5]);
  assert.equal(rec.depths.at(-1), 1);
  q.add('a'); // while processing: counted now, queued again by done()
  clock.advance(250);
  q.done('a');
  assert.equal(rec.adds, 3);
  assert.deepEqual(rec.workedS, [0.25]);
  assert.equal(rec.depths.at(-1), 2);
  assert.equal(await q.get(), 'b');
  assert.equal(await q.get(), 'a');
  assert.deepEqual(rec.queuedS, [0.5, 0.75, 0.25], 'the re-queued key waited from its add during processing');
  q.addRateLimited('a');
  assert.equal(rec.retries, 1);
});

test('work() reports each handler run with its result and the active workers', async () => {
  const rec = new Recorder();
  setWorkQueueMetricsProvider(() => rec);
  const clock = new ManualClock();
  const q = new WorkQueue<string>({ name: 'x', clock });
  const outcomes: Record<string, () => Promise<void | ReconcileResult>> = {
    ok: async () => { clock.advance(100); },
    later: async () => 'requeue_after',
    again: async () => 'requeue',
    bad: async () => { throw new Error('boom'); },
  };
  for (const k of Object.keys(outcomes)) q.add(k);
  const errors: string[] = [];
  const worker = q.work((k) => outcomes[k](), (k) => errors.push(k));
  for (let i = 0; i < 20 && rec.results.length < 4; i++) await new Promise((r) => setImmediate(r));
  q.shutDown();
  await worker;
  assert.deepEqual(rec.results, [['success', 0.1], ['requeue_after', 0], ['requeue', 0], ['error', 0]]);
  assert.deepEqual(errors, ['bad']);
  assert.equal(rec.activeMax, 1);
  assert.equal(rec.activeNow, 0);
});

test('a queue without a name reports nothing', () => {
  let asked = false;
  setWorkQueueMetricsProvider(() => { asked = true; return new Recorder(); });
  const q = new WorkQueue<string>();
  q.add('a');
  assert.equal(asked, false);
});

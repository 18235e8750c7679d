// The work queue's metrics hook: what a named queue reports to the provider, in fake time.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue, setWorkQueueMetricsProvider, type InFlightWork, type QueueClock, type WorkQueueMetrics } from './workqueue.js';

class ManualClock implements QueueClock {
  t = 1_000;
  now() { return this.t; }
  setTimer(fn: () => void, ms: number) { const at = this.t + ms; this.timers.push({ at, fn }); return () => { this.timers = this.timers.filter((x) => x.fn !== fn); }; }
  timers: { at: number; fn: () => void }[] = [];
  advance(ms: number) { this.t += ms; for (const x of this.timers.filter((y) => y.at <= this.t)) { this.timers = this.timers.filter((y) => y !== x); x.fn(); } }
}

class Recorder implements WorkQueueMetrics {
  adds = 0; retries = 0; depths: number[] = []; queuedS: number[] = []; workedS: number[] = [];
  read: (() => InFlightWork) | undefined;
  added() { this.adds++; }
  depth(n: number) { this.depths.push(n); }
  queued(s: number) { this.queuedS.push(s); }
  worked(s: number) { this.workedS.push(s); }
  retried() { this.retries++; }
  inFlight(read: () => InFlightWork) { this.read = read; }
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

test('work in progress: summed and longest seconds of the keys taken and not done (unfinished_work, longest_running_processor)', async () => {
  const rec = new Recorder();
  setWorkQueueMetricsProvider(() => rec);
  const clock = new ManualClock();
  const q = new WorkQueue<string>({ name: 'x', clock });
  assert.deepEqual(rec.read!(), { unfinishedSeconds: 0, longestSeconds: 0 });
  q.add('a'); q.add('b'); q.add('c');
  assert.equal(await q.get(), 'a');
  clock.advance(2_000);
  assert.equal(await q.get(), 'b');
  clock.advance(500);
  assert.deepEqual(rec.read!(), { unfinishedSeconds: 3, longestSeconds: 2.5 }, 'c waits: not in progress');
  q.done('a');
  assert.deepEqual(rec.read!(), { unfinishedSeconds: 0.5, longestSeconds: 0.5 });
  q.done('b');
  assert.deepEqual(rec.read!(), { unfinishedSeconds: 0, longestSeconds: 0 });
});

test('a queue without a name reports nothing', () => {
  let asked = false;
  setWorkQueueMetricsProvider(() => { asked = true; return new Recorder(); });
  const q = new WorkQueue<string>();
  q.add('a');
  assert.equal(asked, false);
});

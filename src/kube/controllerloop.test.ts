// The controller loop in fake time: every outcome of a reconcile, what the queue does next, what
// is logged and reported, exception recovery, the worker count, and the reconcile metrics.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ApiStatusError, RequestAbortedError } from './client.js';
import { ManualClock } from './clock.js';
import {
  ControllerLoop, TerminalError, disposition, setReconcileMetricsProvider,
  type ReconcileMetrics, type ReconcileOutcome, type ReconcileResult,
} from './controllerloop.js';

const tick = async (n = 5) => { for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r)); };
const ok = (value: unknown) => ({ ok: true as const, value });
const failed = (error: unknown) => ({ ok: false as const, error });

describe('disposition (the outcome mapping)', () => {
  it('success forgets; requeueAfterMs forgets then adds later; requeue backs off without an error', () => {
    assert.deepEqual(disposition('c', 'k', ok(undefined), false), { result: 'success', queue: 'forget' });
    assert.deepEqual(disposition('c', 'k', ok({}), false), { result: 'success', queue: 'forget' });
    assert.deepEqual(disposition('c', 'k', ok({ requeueAfterMs: 0 }), false), { result: 'success', queue: 'forget' }, '0 is "not set", as RequeueAfter 0');
    assert.deepEqual(disposition('c', 'k', ok({ requeueAfterMs: 250 }), false), { result: 'requeue_after', queue: 'after', afterMs: 250 });
    assert.deepEqual(disposition('c', 'k', ok({ requeue: true }), false), { result: 'requeue', queue: 'backoff' });
    assert.deepEqual(disposition('c', 'k', ok({ requeue: true, requeueAfterMs: 9 }), false).queue, 'after', 'requeueAfter wins, as in controller-runtime');
  });

  it('an invalid requeueAfterMs is an error of the reconciler, reported and retried', () => {
    for (const bad of [-1, NaN, Infinity, '5' as unknown as number]) {
      const d = disposition('c', 'k', ok({ requeueAfterMs: bad }), false);
      assert.equal(d.result, 'error');
      assert.equal(d.queue, 'backoff');
      assert.match(d.report!.message, /invalid requeueAfterMs/);
    }
  });

  it('API errors and aborted requests are logged and retried quietly; other exceptions are reported too', () => {
    const api = disposition('daemonset', 'ns/a', failed(new ApiStatusError(409, 'Conflict', 'the object has been modified', {})), false);
    assert.deepEqual(api, { result: 'error', queue: 'backoff', log: 'daemonset: sync ns/a failed: the object has been modified' });
    const aborted = disposition('daemonset', 'ns/a', failed(new RequestAbortedError('GET', '/x', 'aborted')), false);
    assert.equal(aborted.report, undefined);
    assert.match(aborted.log!, /GET \/x: aborted/);
    const bug = disposition('daemonset', 'ns/a', failed(new TypeError('x is undefined')), false);
    assert.deepEqual(bug.report, { message: 'x is undefined', terminal: false });
    assert.equal(disposition('c', 'k', failed('a string'), false).report?.message, 'a string');
  });

  it('a TerminalError is logged, reported as terminal and dropped', () => {
    assert.deepEqual(disposition('c', 'k', failed(new TerminalError('spec.selector is empty')), false), {
      result: 'error', queue: 'drop', terminal: true, log: 'c: sync k failed, not retrying: spec.selector is empty', report: { message: 'spec.selector is empty', terminal: true },
    });
  });

  it('a failure while stopping is neither logged nor reported', () => {
    assert.deepEqual(disposition('c', 'k', failed(new Error('socket hang up')), true), { result: 'error', queue: 'backoff' });
  });

  it('property: every outcome maps to exactly one queue action, and only failures log or report', () => {
    const outcome = fc.oneof(
      fc.record({ ok: fc.constant(true as const), value: fc.oneof(fc.constant(undefined), fc.record({ requeueAfterMs: fc.option(fc.double(), { nil: undefined }), requeue: fc.option(fc.boolean(), { nil: undefined }) })) }),
      fc.record({ ok: fc.constant(false as const), error: fc.oneof(fc.string().map((m) => new Error(m)), fc.string().map((m) => new TerminalError(m)), fc.anything()) }),
    );
    fc.assert(fc.property(outcome, fc.boolean(), (r, stopping) => {
      const d = disposition('c', 'k', r, stopping);
      assert.ok(['forget', 'after', 'backoff', 'drop'].includes(d.queue));
      if (d.result === 'success' || d.result === 'requeue' || d.result === 'requeue_after') { assert.equal(d.log, undefined); assert.equal(d.report, undefined); }
      if (d.queue === 'after') assert.ok(d.afterMs! > 0 && Number.isFinite(d.afterMs));
      if (d.terminal) assert.equal(d.queue, 'drop');
      if (!r.ok && !(r.error instanceof TerminalError) && stopping) { assert.equal(d.log, undefined); assert.equal(d.report, undefined); }
    }));
  });
});

class Recorder implements ReconcileMetrics {
  max = 0; results: [ReconcileResult, number][] = []; terminals = 0; activeNow = 0; activeMax = 0;
  workers(n: number) { this.max = n; }
  reconciled(r: ReconcileResult, s: number) { this.results.push([r, s]); }
  terminal() { this.terminals++; }
  active(d: 1 | -1) { this.activeNow += d; this.activeMax = Math.max(this.activeMax, this.activeNow); }
}

describe('ControllerLoop', () => {
  afterEach(() => setReconcileMetricsProvider(undefined));

  it('runs the queue through the mapping: back-off on errors, later on requeueAfter, dropped on terminal errors', async () => {
    const clock = new ManualClock();
    const calls: string[] = [];
    const outcomes: Record<string, (n: number) => ReconcileOutcome | void> = {
      ok: () => undefined,
      later: (n) => (n === 1 ? { requeueAfterMs: 1_000 } : undefined),
      flaky: (n) => { if (n === 1) throw new Error('boom'); },
      invalid: () => { throw new TerminalError('bad spec'); },
    };
    const count = new Map<string, number>();
    const logs: string[] = [];
    const reports: unknown[] = [];
    const loop = new ControllerLoop({
      name: 'test', clock, backoff: { baseDelayMs: 100 }, log: (l) => logs.push(l), report: (f) => reports.push(f),
      reconciler: { reconcile: async (key) => { calls.push(key); const n = (count.get(key) ?? 0) + 1; count.set(key, n); return outcomes[key](n); } },
    });
    const stop = new AbortController();
    const running = loop.start(stop.signal);
    for (const k of Object.keys(outcomes)) loop.queue.add(k);
    await tick();
    assert.deepEqual(calls, ['ok', 'later', 'flaky', 'invalid']);
    assert.equal(loop.queue.numRequeues('flaky'), 1);
    assert.equal(loop.queue.numRequeues('invalid'), 0);
    assert.deepEqual(logs, ['test: sync flaky failed: boom', 'test: sync invalid failed, not retrying: bad spec']);
    assert.deepEqual(reports, [{ key: 'flaky', message: 'boom', terminal: false }, { key: 'invalid', message: 'bad spec', terminal: true }]);
    clock.advance(100);
    await tick();
    assert.deepEqual(calls.slice(4), ['flaky'], 'the failed key after its back-off');
    assert.equal(loop.queue.numRequeues('flaky'), 0, 'forgotten after success');
    clock.advance(900);
    await tick();
    assert.deepEqual(calls.slice(5), ['later']);
    clock.advance(60_000);
    await tick();
    assert.equal(calls.length, 6, 'the terminal key is not retried');
    stop.abort();
    await running;
  });

  it('recovers from a reconcile that throws synchronously or throws a non-Error, and from a throwing report callback', async () => {
    const logs: string[] = [];
    let n = 0;
    const loop = new ControllerLoop({
      name: 'x', clock: new ManualClock(), log: (l) => logs.push(l), report: () => { throw new Error('recorder broke'); },
      reconciler: { reconcile: ((key: string) => { n++; if (key === 'sync') throw new Error('sync throw'); if (key === 'str') return Promise.reject('just a string'); return Promise.resolve(); }) as (k: string) => Promise<void> },
    });
    const stop = new AbortController();
    const running = loop.start(stop.signal);
    for (const k of ['sync', 'str', 'fine']) loop.queue.add(k);
    await tick();
    assert.equal(n, 3, 'the worker survived both');
    assert.ok(logs.includes('x: sync sync failed: sync throw'));
    assert.ok(logs.includes('x: sync str failed: just a string'));
    assert.ok(logs.some((l) => /reporting the sync of sync failed: recorder broke/.test(l)));
    stop.abort();
    await running;
  });

  it('runs at most `workers` reconciles at once and never one key twice at once', async () => {
    let active = 0, max = 0;
    const inFlight = new Set<string>();
    const release: (() => void)[] = [];
    const loop = new ControllerLoop({
      name: 'w', workers: 3, clock: new ManualClock(),
      reconciler: {
        reconcile: async (key) => {
          assert.ok(!inFlight.has(key), `${key} twice at once`);
          inFlight.add(key); active++; max = Math.max(max, active);
          await new Promise<void>((r) => release.push(r));
          inFlight.delete(key); active--;
        },
      },
    });
    const stop = new AbortController();
    const running = loop.start(stop.signal);
    for (const k of ['a', 'b', 'c', 'd', 'e']) loop.queue.add(k);
    await tick();
    assert.equal(active, 3);
    loop.queue.add('a'); // while a is processing: queued again, handed out after done
    for (let i = 0; i < 20 && (release.length || active); i++) { release.shift()?.(); await tick(); }
    assert.equal(max, 3);
    stop.abort();
    await running;
  });

  it('passes its signal to the reconcile; stopping ends the workers after the reconcile in progress, quietly', async () => {
    const logs: string[] = [];
    let seen: AbortSignal | undefined;
    const loop = new ControllerLoop({
      name: 's', clock: new ManualClock(), log: (l) => logs.push(l),
      reconciler: { reconcile: (_k, signal) => { seen = signal; return new Promise((_r, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))); } },
    });
    const stop = new AbortController();
    const running = loop.start(stop.signal);
    loop.queue.add('k');
    await tick();
    assert.equal(seen, stop.signal);
    stop.abort();
    await running;
    assert.deepEqual(logs, []);
    assert.equal(loop.queue.shuttingDown(), true);
  });

  it('a loop started with an aborted signal ends at once', async () => {
    const stop = new AbortController();
    stop.abort();
    const loop = new ControllerLoop({ name: 'a', reconciler: { reconcile: async () => assert.fail('no reconcile') } });
    loop.queue.add('k');
    await loop.start(stop.signal);
  });

  it('refuses a worker count that is not a positive integer', () => {
    for (const workers of [0, -1, 1.5, NaN]) assert.throws(() => new ControllerLoop({ name: 'n', workers, reconciler: { reconcile: async () => {} } }), /workers must be a positive integer/);
  });

  it('reports max concurrency, each result with its duration, terminal errors and active workers', async () => {
    const rec = new Recorder();
    const names: string[] = [];
    setReconcileMetricsProvider((name) => { names.push(name); return rec; });
    const clock = new ManualClock();
    const outcomes: Record<string, () => Promise<ReconcileOutcome | void>> = {
      ok: async () => { clock.advance(100); },
      later: async () => ({ requeueAfterMs: 5 }),
      again: async () => ({ requeue: true }),
      bad: async () => { throw new Error('boom'); },
      invalid: async () => { throw new TerminalError('no'); },
    };
    const loop = new ControllerLoop({ name: 'daemonset', workers: 2, clock, reconciler: { reconcile: (k) => outcomes[k]() } });
    assert.deepEqual(names, ['daemonset']);
    assert.equal(rec.max, 2);
    const stop = new AbortController();
    const running = loop.start(stop.signal);
    for (const k of Object.keys(outcomes)) loop.queue.add(k);
    await tick(10);
    stop.abort();
    await running;
    assert.deepEqual(rec.results.map(([r]) => r).sort(), ['error', 'error', 'requeue', 'requeue_after', 'success']);
    assert.ok(rec.results.some(([r, s]) => r === 'success' && s === 0.1));
    assert.equal(rec.terminals, 1);
    assert.equal(rec.activeNow, 0);
    assert.equal(rec.activeMax, 2);
  });
});

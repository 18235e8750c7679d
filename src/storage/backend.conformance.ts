// The shared suite every Backend implementation must pass (see hono's router case tests): each
// implementation's own *.test.ts calls runBackendConformance with a factory. Skips must say why.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import fc from 'fast-check';
import type { Backend, KV, WatchEvent, Watcher } from './backend.js';

export interface BackendUnderTest {
  /** A fresh, empty backend. */
  backend: Backend;
  /** Drops history so that only the newest `keep` events remain. Omit if the backend cannot compact. */
  compact?: (keep: number) => void;
  /** Closes the backend and opens the same store again. Omit for stores that do not persist. */
  reopen?: () => Backend;
}

export interface ConformanceOptions {
  /** Tests to skip by name, each group with the reason. */
  skip?: { reason: string; tests: string[] }[];
  /** fast-check runs for the model property (default 60). */
  propertyRuns?: number;
}

export function runBackendConformance(
  name: string,
  makeBackend: () => BackendUnderTest,
  options: ConformanceOptions = {},
): void {
  const skipReason = new Map<string, string>();
  for (const group of options.skip ?? []) for (const test of group.tests) skipReason.set(test, group.reason);

  /** Runs body with a fresh backend and always closes whatever backend is current at the end. */
  function test(title: string, body: (ut: Harness, t: TestContext) => void | Promise<void>): void {
    const skip = skipReason.get(title);
    it(title, skip ? { skip } : {}, async (t) => {
      const ut = new Harness(makeBackend());
      try {
        await body(ut, t);
      } finally {
        ut.close();
      }
    });
  }

  describe(`Backend conformance: ${name}`, () => {
    test('an empty store has revision 0 and no keys', ({ b }) => {
      assert.equal(b.currentRevision(), 0);
      assert.equal(b.compactedRevision(), 0);
      assert.equal(b.get('/a'), undefined);
      assert.deepEqual(b.list(''), { rev: 0, kvs: [], more: false });
      assert.equal(b.count(''), 0);
    });

    test('create stores a key once and reports the existing one on a second create', ({ b }) => {
      const first = b.create('/a', 'v1');
      assert.deepEqual(first, { ok: true, kv: { key: '/a', value: 'v1', createRev: 1, modRev: 1 } });
      assert.deepEqual(b.get('/a'), { key: '/a', value: 'v1', createRev: 1, modRev: 1 });
      assert.deepEqual(b.create('/a', 'v2'), { ok: false, current: { key: '/a', value: 'v1', createRev: 1, modRev: 1 } });
      assert.equal(b.currentRevision(), 1, 'a refused create consumes no revision');
      assert.equal(b.get('/a')?.value, 'v1');
    });

    test('one revision counter is shared by all keys', ({ b }) => {
      const revs = ['/x/1', '/y/1', '/x/2'].map((k) => mustOk(b.create(k, 'v')).kv.modRev);
      assert.deepEqual(revs, [1, 2, 3]);
      assert.equal(mustOk(b.update('/y/1', 'w')).kv.modRev, 4);
      assert.equal(b.currentRevision(), 4);
    });

    test('update is a compare-and-swap on modRev', ({ b }) => {
      assertMissing(b.update('/missing', 'v'));
      assertMissing(b.update('/missing', 'v', 1));
      const created = mustOk(b.create('/a', 'v1')).kv;
      b.create('/other', 'x'); // moves the global revision past /a's modRev
      const stale = b.update('/a', 'v2', created.modRev + 1);
      assert.deepEqual(stale, { ok: false, current: created });
      const updated = mustOk(b.update('/a', 'v2', created.modRev)).kv;
      assert.deepEqual(updated, { key: '/a', value: 'v2', createRev: created.createRev, modRev: 3 });
      assert.deepEqual(b.update('/a', 'v3', created.modRev), { ok: false, current: updated }, 'old modRev no longer matches');
      const unconditional = mustOk(b.update('/a', 'v3')).kv;
      assert.deepEqual(unconditional, { key: '/a', value: 'v3', createRev: 1, modRev: 4 });
      assert.equal(b.currentRevision(), 4, 'failed compare-and-swaps consume no revision');
    });

    test('delete honours expectModRev and frees the key for a new create', ({ b }) => {
      assertMissing(b.delete('/missing'));
      const kv = mustOk(b.create('/a', 'v1')).kv;
      assert.deepEqual(b.delete('/a', kv.modRev + 5), { ok: false, current: kv });
      assert.deepEqual(b.get('/a'), kv, 'a refused delete changes nothing');
      assert.deepEqual(b.delete('/a', kv.modRev), { ok: true, rev: 2, prev: kv });
      assert.equal(b.get('/a'), undefined);
      assertMissing(b.delete('/a'));
      const again = mustOk(b.create('/a', 'v2')).kv;
      assert.deepEqual(again, { key: '/a', value: 'v2', createRev: 3, modRev: 3 }, 'createRev restarts after deletion');
      assert.equal(mustOk(b.delete('/a')).rev, 4, 'delete without expectModRev is unconditional');
    });

    test('list matches prefixes exactly, even with LIKE wildcards in keys', ({ b }) => {
      for (const k of ['/a/%/1', '/a/_/1', '/a/x/1', '/a%', '/a_', '/ab', '/a/', '/b/1', '/']) b.create(k, k);
      assert.deepEqual(keys(b.list('/a/')), ['/a/', '/a/%/1', '/a/_/1', '/a/x/1']);
      assert.deepEqual(keys(b.list('/a/%')), ['/a/%/1']);
      assert.deepEqual(keys(b.list('/a/_')), ['/a/_/1']);
      assert.deepEqual(keys(b.list('/a%')), ['/a%']);
      assert.deepEqual(keys(b.list('/a')), ['/a%', '/a/', '/a/%/1', '/a/_/1', '/a/x/1', '/a_', '/ab']);
      assert.deepEqual(keys(b.list('/c')), []);
      assert.deepEqual(keys(b.list('')), ['/', '/a%', '/a/', '/a/%/1', '/a/_/1', '/a/x/1', '/a_', '/ab', '/b/1']);
      assert.equal(b.count('/a/'), 4);
      assert.equal(b.count('/a/_'), 1);
      assert.equal(b.count(''), 9);
      assert.equal(b.count('/zzz'), 0);
      const listed = b.list('/b/');
      assert.equal(listed.rev, b.currentRevision());
      assert.deepEqual(listed.kvs, [b.get('/b/1')]);
    });

    test('list paginates with limit and after, and says whether keys remain', ({ b }) => {
      for (let i = 0; i < 7; i++) b.create(`/p/${i}`, `v${i}`);
      b.create('/q/0', 'outside');
      const page1 = b.list('/p/', { limit: 3 });
      assert.deepEqual(keys(page1), ['/p/0', '/p/1', '/p/2']);
      assert.equal(page1.more, true);
      const page2 = b.list('/p/', { limit: 3, after: '/p/2' });
      assert.deepEqual(keys(page2), ['/p/3', '/p/4', '/p/5']);
      assert.equal(page2.more, true);
      const page3 = b.list('/p/', { limit: 3, after: '/p/5' });
      assert.deepEqual(keys(page3), ['/p/6']);
      assert.equal(page3.more, false);
      const exact = b.list('/p/', { limit: 7 });
      assert.equal(exact.kvs.length, 7);
      assert.equal(exact.more, false, 'a page that ends exactly at the last key has no more');
      assert.deepEqual(keys(b.list('/p/', { after: '/a' })).length, 7, 'after below the prefix is ignored');
      assert.deepEqual(keys(b.list('/p/', { after: '/p/6' })), []);
      assert.deepEqual(keys(b.list('/p/', { after: '/p/3x' })), ['/p/4', '/p/5', '/p/6'], 'after need not exist');
      assert.deepEqual(keys(b.list('/p/', { after: '/z' })), []);
      const none = b.list('/p/', { limit: 0 });
      assert.deepEqual(none.kvs, []);
      assert.equal(none.more, true);
    });

    test('watch replays history after fromRev, then live events, filtered by prefix', ({ b }) => {
      b.create('/w/a', 'a1'); // rev 1
      b.create('/other', 'o'); // rev 2
      b.update('/w/a', 'a2'); // rev 3
      b.create('/w/b', 'b1'); // rev 4
      const seen = collect(b, '/w/', 1);
      assert.deepEqual(seen.events, [
        { type: 'put', rev: 3, key: '/w/a', value: 'a2', prevValue: 'a1' },
        { type: 'put', rev: 4, key: '/w/b', value: 'b1' },
      ]);
      b.create('/other2', 'o'); // rev 5, not under the prefix
      b.delete('/w/b'); // rev 6
      b.create('/w/c', 'c1'); // rev 7
      assert.deepEqual(seen.events.slice(2), [
        { type: 'delete', rev: 6, key: '/w/b', value: 'b1', prevValue: 'b1' },
        { type: 'put', rev: 7, key: '/w/c', value: 'c1' },
      ]);
      assert.ok(seen.batches.every((batch) => batch.length > 0), 'no empty batches');
      seen.watcher.stop();
      b.create('/w/d', 'd1');
      assert.equal(seen.events.length, 4, 'no events after stop()');
    });

    test('watch from the current revision gets only live events; from 0 gets everything', ({ b }) => {
      b.create('/a', '1');
      b.create('/b', '1');
      const live = collect(b, '', b.currentRevision());
      assert.deepEqual(live.events, []);
      b.update('/a', '2');
      assert.deepEqual(revs(live.events), [3]);
      const all = collect(b, '', 0);
      assert.deepEqual(revs(all.events), [1, 2, 3]);
      b.delete('/b');
      assert.deepEqual(revs(all.events), [1, 2, 3, 4]);
      assert.deepEqual(revs(live.events), [3, 4]);
    });

    test('watch has no gap and no duplicate when listeners write during replay and delivery', ({ b }) => {
      for (let i = 0; i < 5; i++) b.create(`/r/${i}`, 'v');
      let written = 0;
      /** A watcher that writes one more key per delivered batch, `budget` times. */
      const writer = (fromRev: number, budget: number) => {
        const seen: WatchEvent[] = [];
        const watcher = asWatcher(b.watch('/r/', fromRev, (batch) => {
          seen.push(...batch);
          if (budget-- > 0) b.create(`/r/w-${written++}`, 'v');
        }));
        return { seen, watcher };
      };
      const early = collect(b, '/r/', 0);
      const duringReplay = writer(0, 3); // its writes land while its own history is replaying
      const duringPublish = writer(b.currentRevision(), 4); // writes from inside a live delivery
      const late = collect(b, '/r/', 0); // registered last: must still see commits in order
      b.create('/r/last', 'v');
      assert.equal(written, 7);
      const all = Array.from({ length: b.currentRevision() }, (_, i) => i + 1);
      assert.deepEqual(revs(early.events), all);
      assert.deepEqual(revs(duringReplay.seen), all);
      assert.deepEqual(revs(late.events), all);
      assert.deepEqual(revs(duringPublish.seen), all.filter((r) => r > 8));
      for (const w of [early.watcher, duringReplay.watcher, duringPublish.watcher, late.watcher]) w.stop();
    });

    test('a watch opened from inside a listener sees each revision once', ({ b }) => {
      b.create('/n/0', 'v');
      let inner: ReturnType<typeof collect> | undefined;
      const outer = asWatcher(b.watch('/n/', b.currentRevision(), () => {
        // Opened while revision 2 is being delivered: it is both in history and in flight live.
        inner ??= collect(b, '/n/', 0);
      }));
      b.create('/n/1', 'v');
      b.create('/n/2', 'v');
      assert.deepEqual(revs(inner!.events), [1, 2, 3]);
      outer.stop();
      inner!.watcher.stop();
    });

    test('a long history replays in order while the listener writes', ({ b }) => {
      // Long enough to need several replay chunks in a backend that pages its history.
      const historyLength = 2500;
      for (let i = 0; i < historyLength; i++) b.create(`/h/${i}`, 'v');
      const seen: number[] = [];
      let wrote = false;
      const watcher = asWatcher(b.watch('/h/', 0, (batch) => {
        seen.push(...revs(batch));
        if (!wrote) {
          wrote = true;
          b.create('/h/written-during-replay', 'v');
        }
      }));
      assert.deepEqual(seen, Array.from({ length: historyLength + 1 }, (_, i) => i + 1));
      watcher.stop();
    });

    test('a throwing listener breaks neither the writer nor other watchers', ({ b }) => {
      const bad = asWatcher(b.watch('', 0, () => { throw new Error('listener bug'); }));
      const good = collect(b, '', 0);
      const result = b.create('/a', 'v');
      assert.equal(result.ok, true);
      assert.deepEqual(revs(good.events), [1]);
      assert.equal(b.get('/a')?.value, 'v');
      bad.stop();
    });

    test('watch below the compacted revision answers compacted', (ut, t) => {
      const { b } = ut;
      if (!ut.compact) return t.skip('the factory gives no compact()');
      for (let i = 1; i <= 10; i++) b.create(`/c/${i}`, 'v');
      ut.compact(3);
      assert.equal(b.compactedRevision(), 7);
      assert.deepEqual(b.watch('/c/', 6, () => {}), { compacted: 7 });
      assert.deepEqual(b.watch('/c/', 0, () => {}), { compacted: 7 });
      const fromCompacted = collect(b, '/c/', 7);
      assert.deepEqual(revs(fromCompacted.events), [8, 9, 10], 'history after the compacted revision survives');
      assert.equal(b.list('/c/').kvs.length, 10, 'compaction keeps current state');
      ut.compact(3);
      assert.equal(b.compactedRevision(), 7, 'compacting again without new writes changes nothing');
      b.delete('/c/1');
      assert.deepEqual(revs(fromCompacted.events), [8, 9, 10, 11]);
      fromCompacted.watcher.stop();
    });

    test('revisions keep increasing across reopen, even after deleting the newest key', (ut, t) => {
      if (!ut.reopen) return t.skip('the factory gives no reopen() (store does not persist)');
      let b = ut.b;
      b.create('/a', '1'); // 1
      b.create('/b', '1'); // 2
      b.delete('/b'); // 3
      ut.compact?.(0);
      const before = b.currentRevision();
      const compactedBefore = b.compactedRevision();
      b = ut.reopenNow();
      assert.equal(b.currentRevision(), before);
      assert.equal(b.compactedRevision(), compactedBefore);
      assert.deepEqual(b.get('/a'), { key: '/a', value: '1', createRev: 1, modRev: 1 });
      assert.equal(b.get('/b'), undefined);
      assert.equal(mustOk(b.create('/b', '2')).kv.modRev, before + 1);
    });

    test('operations after close() throw', ({ b }) => {
      b.close();
      assert.throws(() => b.get('/a'), /closed/);
      assert.throws(() => b.create('/a', 'v'), /closed/);
      assert.throws(() => b.list(''), /closed/);
      assert.throws(() => b.watch('', 0, () => {}), /closed/);
      assert.throws(() => b.currentRevision(), /closed/);
    });

    test('property: replaying the watch reproduces list(""), and revisions strictly increase', () => {
      fc.assert(fc.property(fc.array(opArbitrary, { maxLength: 40 }), (ops) => {
        const ut = new Harness(makeBackend());
        try {
          checkAgainstModel(ut.b, ops);
        } finally {
          ut.close();
        }
      }), { numRuns: options.propertyRuns ?? 60 });
    });
  });
}

class Harness {
  b: Backend;
  readonly compact?: (keep: number) => void;
  readonly reopen?: () => Backend;
  constructor(made: BackendUnderTest) {
    this.b = made.backend;
    this.compact = made.compact;
    this.reopen = made.reopen;
  }
  reopenNow(): Backend {
    this.b = this.reopen!();
    return this.b;
  }
  close(): void {
    try {
      this.b.close();
    } catch {
      // already closed by the test
    }
  }
}

type Op =
  | { op: 'create'; key: string; value: string }
  | { op: 'update' | 'delete'; key: string; value: string; expect: 'none' | 'current' | 'stale' };

const keyArbitrary = fc.constantFrom('/k/a', '/k/b', '/k/c', '/l/a', '/k/a/x');
const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('create' as const), key: keyArbitrary, value: fc.string({ maxLength: 4 }) }),
  fc.record({
    op: fc.constantFrom('update' as const, 'delete' as const),
    key: keyArbitrary,
    value: fc.string({ maxLength: 4 }),
    expect: fc.constantFrom('none' as const, 'current' as const, 'stale' as const),
  }),
);

/** Applies ops to the backend and to a Map model, then checks results, watch replay and revisions. */
function checkAgainstModel(b: Backend, ops: Op[]): void {
  const model = new Map<string, KV>();
  const live = collect(b, '', 0);
  let lastRev = 0;
  for (const o of ops) {
    const current = model.get(o.key);
    if (o.op === 'create') {
      const r = b.create(o.key, o.value);
      assert.equal(r.ok, !current);
      if (r.ok) {
        assert.ok(r.kv.modRev > lastRev, 'revisions strictly increase');
        lastRev = r.kv.modRev;
        model.set(o.key, r.kv);
      }
      continue;
    }
    const expect = o.expect === 'none' ? undefined : o.expect === 'current' ? current?.modRev ?? 1 : (current?.modRev ?? 0) + 1000;
    const shouldSucceed = current !== undefined && o.expect !== 'stale';
    if (o.op === 'update') {
      const r = b.update(o.key, o.value, expect);
      assert.equal(r.ok, shouldSucceed);
      if (r.ok) {
        assert.ok(r.kv.modRev > lastRev);
        lastRev = r.kv.modRev;
        assert.equal(r.kv.createRev, current!.createRev);
        model.set(o.key, r.kv);
      }
    } else {
      const r = b.delete(o.key, expect);
      assert.equal(r.ok, shouldSucceed);
      if (r.ok) {
        assert.ok(r.rev > lastRev);
        lastRev = r.rev;
        assert.deepEqual(r.prev, current);
        model.delete(o.key);
      }
    }
  }
  assert.equal(b.currentRevision(), lastRev);
  const listed = b.list('').kvs;
  assert.deepEqual(listed, [...model.values()].sort((x, y) => (x.key < y.key ? -1 : 1)));
  const replayed = collect(b, '', 0).events;
  assert.deepEqual(live.events, replayed, 'live delivery and history replay agree');
  for (let i = 1; i < replayed.length; i++) assert.ok(replayed[i].rev > replayed[i - 1].rev);
  assert.deepEqual(applyEvents(replayed), listed);
  live.watcher.stop();
}

/** Rebuilds the key space from watch events alone, as a watching client would. */
function applyEvents(events: WatchEvent[]): KV[] {
  const state = new Map<string, KV>();
  for (const e of events) {
    if (e.type === 'delete') {
      assert.equal(state.get(e.key)?.value, e.value, 'delete carries the last value');
      state.delete(e.key);
      continue;
    }
    const prev = state.get(e.key);
    assert.equal(e.prevValue, prev?.value, 'put carries the previous value exactly when the key existed');
    state.set(e.key, { key: e.key, value: e.value, createRev: prev?.createRev ?? e.rev, modRev: e.rev });
  }
  return [...state.values()].sort((x, y) => (x.key < y.key ? -1 : 1));
}

function collect(b: Backend, prefix: string, fromRev: number) {
  const batches: WatchEvent[][] = [];
  const events: WatchEvent[] = [];
  const watcher = asWatcher(b.watch(prefix, fromRev, (batch) => {
    batches.push(batch);
    events.push(...batch);
  }));
  return { batches, events, watcher };
}

function asWatcher(w: Watcher | { compacted: number }): Watcher {
  assert.ok('stop' in w, `expected a watcher, got ${JSON.stringify(w)}`);
  return w;
}

function mustOk<T extends { ok: boolean }>(r: T): Extract<T, { ok: true }> {
  assert.equal(r.ok, true, `expected success, got ${JSON.stringify(r)}`);
  return r as Extract<T, { ok: true }>;
}

function keys(r: { kvs: KV[] }): string[] {
  return r.kvs.map((kv) => kv.key);
}

function revs(events: WatchEvent[]): number[] {
  return events.map((e) => e.rev);
}

/** A failed write on a missing key: ok false and no current (absent or undefined both fine). */
function assertMissing(r: { ok: boolean; current?: KV }): void {
  assert.equal(r.ok, false);
  assert.equal(r.current, undefined);
}

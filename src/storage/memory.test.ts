import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { runBackendConformance, type BackendUnderTest } from './backend.conformance.js';
import type { WatchEvent } from './backend.js';
import { openBackend, type ServerBackend } from './index.js';
import { compareKeys } from './keyrange.js';
import { compareCodePoints, MemoryBackend } from './memory.js';
import { SqliteBackend } from './sqlite.js';

// The suite throws from listeners on purpose; keep those out of the test output.
const quiet = { onListenerError: () => {} };

function memoryBackend(): BackendUnderTest {
  const backend = new MemoryBackend(quiet);
  return { backend, compact: (keep) => { backend.compact(keep); } };
}

runBackendConformance('memory', memoryBackend, { propertyRuns: 100 });

function revsOf(events: WatchEvent[]): number[] {
  return events.map((e) => e.rev);
}

describe('MemoryBackend specifics', () => {
  it('openBackend({ inMemory: true }) gives a MemoryBackend', () => {
    const mem = openBackend({ inMemory: true });
    assert.ok(mem instanceof MemoryBackend);
    mem.close();
  });

  it('orders keys by code point like SQLite (UTF-8 bytes), not by UTF-16 code unit', () => {
    const b = new MemoryBackend();
    for (const k of ['/é/😀', '/é/\uffff', '/é/a', '/é', '/f', '/\u{10FFFF}/x', '/\u{10FFFF}\u{10FFFF}']) b.create(k, 'v');
    assert.deepEqual(b.list('/é/').kvs.map((kv) => kv.key), ['/é/a', '/é/\uffff', '/é/😀']);
    assert.equal(b.count('/é/'), 3);
    assert.deepEqual(b.list('/\u{10FFFF}').kvs.map((kv) => kv.key), ['/\u{10FFFF}/x', '/\u{10FFFF}\u{10FFFF}']);
    assert.deepEqual(b.list('/é/', { after: '/é/\uffff' }).kvs.map((kv) => kv.key), ['/é/😀']);
    assert.throws(() => b.create('/bad\ud800', 'v'), /well-formed/);
    b.close();
  });

  it('compareCodePoints has the sign of keyrange.compareKeys', () => {
    const unit = fc.constantFrom('a', '/', 'é', '\ud7ff', '\ue000', '\uffff', '😀', '\u{10FFFF}', '\u{10000}');
    const key = fc.array(unit, { maxLength: 5 }).map((units) => units.join(''));
    const str = fc.oneof(key, fc.string({ unit: 'grapheme', maxLength: 6 }));
    fc.assert(fc.property(str, str, (a, b) => {
      assert.equal(Math.sign(compareCodePoints(a, b)), Math.sign(compareKeys(a, b)), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    }), { numRuns: 3000 });
  });

  it('list paginates and count agrees across thousands of keys inserted and deleted out of order', () => {
    const b = new MemoryBackend();
    const model = new Set<string>();
    // A fixed pseudo-random order (LCG) so inserts and deletes hit every position of the array.
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 6000; i++) {
      const key = `/${['a', 'b', 'ab'][next() % 3]}/${next() % 3000}`;
      if (model.has(key) && next() % 3 === 0) {
        assert.equal(b.delete(key).ok, true);
        model.delete(key);
      } else if (!model.has(key)) {
        assert.equal(b.create(key, key).ok, true);
        model.add(key);
      }
    }
    const sorted = [...model].sort(compareKeys);
    for (const prefix of ['', '/a', '/a/', '/ab/', '/b/1', '/c']) {
      const expected = sorted.filter((k) => k.startsWith(prefix));
      assert.equal(b.count(prefix), expected.length, `count(${prefix})`);
      const paged: string[] = [];
      let after: string | undefined;
      for (;;) {
        const page = b.list(prefix, { after, limit: 97 });
        paged.push(...page.kvs.map((kv) => kv.key));
        if (!page.more) break;
        after = page.kvs[page.kvs.length - 1].key;
      }
      assert.deepEqual(paged, expected, `pages of ${prefix}`);
      assert.deepEqual(b.list(prefix).kvs.map((kv) => kv.value), expected);
    }
    b.close();
  });

  it('compaction drops the oldest events and a revision is never reused after it', () => {
    const b = new MemoryBackend({ historyLimit: 2 });
    assert.equal(b.compact(), 0, 'nothing to drop yet');
    for (let i = 1; i <= 5; i++) b.create(`/k/${i}`, 'v');
    assert.equal(b.compact(), 3);
    assert.equal(b.compactedRevision(), 3);
    assert.equal(b.compact(), 3, 'idempotent');
    assert.deepEqual(b.watch('', 2, () => {}), { compacted: 3 });
    const replayed: number[] = [];
    b.watch('', 3, (batch) => replayed.push(...revsOf(batch)));
    assert.deepEqual(replayed, [4, 5]);
    b.delete('/k/5'); // rev 6, the newest event
    assert.equal(b.compact(0), 6, 'compact(0) drops every event');
    assert.equal(b.currentRevision(), 6);
    const created = b.create('/k/5', 'again');
    assert.equal(created.ok && created.kv.modRev, 7, 'the counter continues past the compacted events');
    assert.deepEqual(replayed, [4, 5, 6, 7]);
    assert.throws(() => b.compact(-1), /non-negative/);
    assert.throws(() => b.compact(1.5), /non-negative/);
    b.close();
  });

  it('replays a sparse prefix from a long history in chunks, in order', () => {
    const b = new MemoryBackend();
    for (let i = 0; i < 3000; i++) b.create(`/${i % 2 ? 'odd' : 'even'}/${i}`, 'v');
    const batches: number[][] = [];
    const w = b.watch('/odd/', 0, (batch) => batches.push(revsOf(batch)));
    assert.deepEqual(batches.map((batch) => batch.length), [1000, 500]);
    assert.deepEqual(batches.flat(), Array.from({ length: 1500 }, (_, i) => 2 * i + 2));
    b.create('/odd/live', 'v');
    assert.deepEqual(batches[2], [3001]);
    if ('stop' in w) w.stop();
    b.close();
  });

  it('batch() commits all writes as one watch batch, or none when fn throws', () => {
    const b = new MemoryBackend();
    const batches: number[][] = [];
    b.watch('', 0, (batch) => batches.push(revsOf(batch)));
    assert.equal(b.batch(() => {
      b.create('/a', '1');
      b.create('/b', '1');
      b.update('/a', '2');
      assert.equal(b.currentRevision(), 3, 'the open batch sees its own writes');
      assert.deepEqual(batches, [], 'nothing published before the batch returns');
      return 'done';
    }), 'done');
    assert.deepEqual(batches, [[1, 2, 3]]);
    assert.throws(() => b.batch(() => {
      b.create('/c', '1');
      b.delete('/a');
      b.update('/b', '2');
      throw new Error('abort');
    }), /abort/);
    assert.equal(batches.length, 1, 'a rolled-back batch publishes nothing');
    assert.equal(b.currentRevision(), 3);
    assert.deepEqual(b.list('').kvs.map((kv) => [kv.key, kv.value, kv.modRev]), [['/a', '2', 3], ['/b', '1', 2]]);
    assert.equal(b.count(''), 2);
    const next = b.create('/c', '1');
    assert.equal(next.ok && next.kv.modRev, 4, 'uncommitted revisions are handed out again, as in SQLite');
    const replay: number[] = [];
    b.watch('', 0, (batch) => replay.push(...revsOf(batch)));
    assert.deepEqual(replay, [1, 2, 3, 4], 'the log holds no rolled-back event');
    b.close();
  });

  it('a nested batch that throws rolls back only its own writes', () => {
    const b = new MemoryBackend();
    const seen: number[][] = [];
    b.watch('', 0, (batch) => seen.push(revsOf(batch)));
    b.batch(() => {
      b.create('/outer', '1');
      assert.throws(() => b.batch(() => {
        b.create('/inner', '1');
        b.delete('/outer');
        throw new Error('inner');
      }));
      b.create('/outer2', '1');
    });
    assert.deepEqual(b.list('').kvs.map((kv) => [kv.key, kv.modRev]), [['/outer', 1], ['/outer2', 2]]);
    assert.deepEqual(seen, [[1, 2]]);
    b.close();
  });

  it('a rolled-back compaction restores the history and the compacted revision', () => {
    const b = new MemoryBackend();
    for (let i = 1; i <= 5; i++) b.create(`/k/${i}`, 'v');
    b.compact(3);
    assert.throws(() => b.batch(() => {
      b.create('/k/6', 'v');
      b.compact(0);
      b.create('/k/7', 'v');
      throw new Error('roll back');
    }));
    assert.equal(b.compactedRevision(), 2);
    assert.equal(b.currentRevision(), 5);
    const replayed: number[] = [];
    b.watch('', 2, (batch) => replayed.push(...revsOf(batch)));
    assert.deepEqual(replayed, [3, 4, 5]);
    b.close();
  });

  it('a watch opened inside batch() gets the batch live after commit, not in its replay', () => {
    const b = new MemoryBackend();
    b.create('/a', '1');
    const batches: number[][] = [];
    b.batch(() => {
      b.create('/b', '1');
      b.watch('', 0, (batch) => batches.push(revsOf(batch)));
      b.create('/c', '1');
    });
    assert.deepEqual(batches, [[1], [2, 3]]);
    b.close();
  });

  it('listener errors go to onListenerError, both in replay and live', () => {
    const errors: string[] = [];
    const b = new MemoryBackend({ onListenerError: (err) => errors.push((err as Error).message) });
    b.create('/a', '1');
    b.watch('', 0, () => { throw new Error('boom'); });
    b.create('/b', '1');
    assert.deepEqual(errors, ['boom', 'boom']);
    b.close();
  });

  it('rejects invalid options and limits, and every call after close()', () => {
    assert.throws(() => new MemoryBackend({ historyLimit: -1 }), /historyLimit/);
    const b = new MemoryBackend();
    assert.throws(() => b.list('', { limit: 1.5 }), /limit/);
    assert.throws(() => b.list('', { limit: -1 }), /limit/);
    b.close();
    b.close(); // idempotent
    for (const call of [() => b.count(''), () => b.compact(), () => b.batch(() => 1), () => b.delete('/a'), () => b.update('/a', 'v')]) {
      assert.throws(call, /closed/);
    }
  });
});

// Differential test: random programs of writes, batches (nested, some throwing), compactions,
// watches, lists and counts run against MemoryBackend and SQLite ':memory:' must observe the same
// results, revisions and watch streams. SqliteBackend is the reference implementation.
type Leaf =
  | { op: 'create' | 'update' | 'delete'; key: string; value: string; expect: 'none' | 'current' | 'stale' }
  | { op: 'compact'; keep: number }
  | { op: 'watch'; prefix: string; back: number }
  | { op: 'list'; prefix: string; after?: string; limit?: number }
  | { op: 'count'; prefix: string };
type Op = Leaf | { op: 'batch'; body: Op[]; throws: boolean };

const keyArb = fc.constantFrom('/k/a', '/k/b', '/k/é', '/k/😀', '/k/\uffff', '/k/a/x', '/l/a');
const prefixArb = fc.constantFrom('', '/k/', '/k/a', '/l/', '/k/😀', '/z');
const leafArb: fc.Arbitrary<Leaf> = fc.oneof(
  { weight: 6, arbitrary: fc.record({
    op: fc.constantFrom('create' as const, 'update' as const, 'delete' as const),
    key: keyArb,
    value: fc.string({ maxLength: 3 }),
    expect: fc.constantFrom('none' as const, 'current' as const, 'stale' as const),
  }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('compact' as const), keep: fc.nat(6) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('watch' as const), prefix: prefixArb, back: fc.nat(8) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('list' as const), prefix: prefixArb, after: fc.option(keyArb, { nil: undefined }), limit: fc.option(fc.nat(3), { nil: undefined }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('count' as const), prefix: prefixArb }) },
);
const innerBatchArb = fc.record({ op: fc.constant('batch' as const), body: fc.array(leafArb, { maxLength: 5 }), throws: fc.boolean() });
const outerBatchArb = fc.record({
  op: fc.constant('batch' as const),
  body: fc.array(fc.oneof({ weight: 4, arbitrary: leafArb }, { weight: 1, arbitrary: innerBatchArb }), { maxLength: 8 }),
  throws: fc.boolean(),
});
const programArb = fc.array(fc.oneof({ weight: 5, arbitrary: leafArb }, { weight: 1, arbitrary: outerBatchArb }), { maxLength: 40 });

class Abort extends Error {}

/** Runs a program, returning every observable result and, per watch, the events it received. */
function run(b: ServerBackend, program: Op[]): { results: unknown[]; streams: WatchEvent[][] } {
  const results: unknown[] = [];
  const streams: WatchEvent[][] = [];
  const exec = (o: Op): void => {
    switch (o.op) {
      case 'create': results.push(b.create(o.key, o.value)); break;
      case 'update':
      case 'delete': {
        const modRev = b.get(o.key)?.modRev ?? 1;
        const expect = o.expect === 'none' ? undefined : o.expect === 'current' ? modRev : modRev + 1000;
        results.push(o.op === 'update' ? b.update(o.key, o.value, expect) : b.delete(o.key, expect));
        break;
      }
      case 'compact': results.push(b.compact(o.keep)); break;
      case 'watch': {
        const stream: WatchEvent[] = [];
        const w = b.watch(o.prefix, Math.max(0, b.currentRevision() - o.back), (batch) => stream.push(...batch));
        streams.push(stream);
        results.push('stop' in w ? 'watching' : w);
        break;
      }
      case 'list': results.push(b.list(o.prefix, { after: o.after, limit: o.limit })); break;
      case 'count': results.push(b.count(o.prefix)); break;
      case 'batch':
        try {
          b.batch(() => {
            for (const inner of o.body) exec(inner);
            if (o.throws) throw new Abort();
          });
          results.push('committed');
        } catch (err) {
          if (!(err instanceof Abort)) throw err;
          results.push('rolled back');
        }
        break;
    }
    results.push([b.currentRevision(), b.compactedRevision()]);
  };
  for (const o of program) exec(o);
  results.push(b.list(''));
  return { results, streams };
}

describe('MemoryBackend against SqliteBackend', () => {
  it('property: the same program observes the same results and watch streams', () => {
    fc.assert(fc.property(programArb, (program) => {
      const mem = new MemoryBackend(quiet);
      const sql = new SqliteBackend(':memory:', quiet);
      try {
        assert.deepEqual(run(mem, program), run(sql, program));
      } finally {
        mem.close();
        sql.close();
      }
    }), { numRuns: 300 });
  });
});

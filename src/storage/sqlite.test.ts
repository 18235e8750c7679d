import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { runBackendConformance, type BackendUnderTest } from './backend.conformance.js';
import type { WatchEvent } from './backend.js';
import { openBackend } from './index.js';
import { SqliteBackend } from './sqlite.js';

const root = mkdtempSync(join(tmpdir(), 'everynode-sqlite-'));
after(() => rmSync(root, { recursive: true, force: true }));
let fileCounter = 0;
const freshPath = () => join(root, `db-${++fileCounter}`, 'store.db'); // parent dir made by openBackend

// The suite throws from listeners on purpose; keep those out of the test output.
const quiet = { onListenerError: () => {} };

function fileBackend(): BackendUnderTest {
  const path = freshPath();
  let backend = openBackend({ path, ...quiet });
  return {
    backend,
    compact: (keep) => { backend.compact(keep); },
    reopen: () => {
      backend.close();
      backend = openBackend({ path, ...quiet });
      return backend;
    },
  };
}

function memoryBackend(): BackendUnderTest {
  const backend = new SqliteBackend(':memory:', { ...quiet });
  return { backend, compact: (keep) => { backend.compact(keep); } };
}

// The property runs mostly against :memory: (same code path); each file run pays for a new file.
runBackendConformance('sqlite file', fileBackend, { propertyRuns: 15 });
runBackendConformance('sqlite :memory:', memoryBackend, { propertyRuns: 100 });

describe('SqliteBackend specifics', () => {
  it('list and watch handle non-ASCII keys in UTF-8 byte order', () => {
    const b = new SqliteBackend(':memory:');
    // U+FFFF sorts below an astral character in UTF-8, though not in UTF-16; a prefix range built
    // with char(0xFFFF) as upper bound would miss '/é/😀'.
    for (const k of ['/é/😀', '/é/\uffff', '/é/a', '/é', '/f', '/\u{10FFFF}/x', '/\u{10FFFF}\u{10FFFF}']) b.create(k, 'v');
    assert.deepEqual(b.list('/é/').kvs.map((kv) => kv.key), ['/é/a', '/é/\uffff', '/é/😀']);
    assert.equal(b.count('/é/'), 3);
    assert.deepEqual(b.list('/\u{10FFFF}').kvs.map((kv) => kv.key), ['/\u{10FFFF}/x', '/\u{10FFFF}\u{10FFFF}']);
    assert.deepEqual(b.list('/é/', { after: '/é/\uffff' }).kvs.map((kv) => kv.key), ['/é/😀']);
    const seen: WatchEvent[] = [];
    b.watch('/é/', 0, (batch) => seen.push(...batch));
    assert.deepEqual(seen.map((e) => e.key), ['/é/😀', '/é/\uffff', '/é/a']);
    assert.throws(() => b.create('/bad\ud800', 'v'), /well-formed/);
    b.close();
  });

  it('batch() commits all writes as one watch batch, or none when fn throws', () => {
    const b = new SqliteBackend(':memory:');
    const batches: WatchEvent[][] = [];
    b.watch('', 0, (batch) => batches.push(batch));
    const result = b.batch(() => {
      b.create('/a', '1');
      b.create('/b', '1');
      b.update('/a', '2');
      return 'done';
    });
    assert.equal(result, 'done');
    assert.deepEqual(batches.map((batch) => batch.map((e) => e.rev)), [[1, 2, 3]]);
    assert.throws(() => b.batch(() => {
      b.create('/c', '1');
      b.delete('/a');
      throw new Error('abort');
    }), /abort/);
    assert.equal(batches.length, 1, 'a rolled-back batch publishes nothing');
    assert.equal(b.currentRevision(), 3);
    assert.equal(b.get('/c'), undefined);
    assert.equal(b.get('/a')?.value, '2');
    const next = b.create('/c', '1');
    // Revision 4 was handed out inside the rolled-back transaction but never committed, so the
    // counter (part of that transaction) rolled back too.
    assert.equal(next.ok && next.kv.modRev, 4);
    b.close();
  });

  it('a nested batch that throws rolls back only its own writes', () => {
    const b = new SqliteBackend(':memory:');
    const seen: number[] = [];
    b.watch('', 0, (batch) => seen.push(...batch.map((e) => e.rev)));
    b.batch(() => {
      b.create('/outer', '1');
      assert.throws(() => b.batch(() => {
        b.create('/inner', '1');
        throw new Error('inner');
      }));
      b.create('/outer2', '1');
    });
    assert.deepEqual(b.list('').kvs.map((kv) => [kv.key, kv.modRev]), [['/outer', 1], ['/outer2', 2]]);
    assert.deepEqual(seen, [1, 2]);
    b.close();
  });

  it('a watch opened inside batch() does not replay the uncommitted writes', () => {
    const b = new SqliteBackend(':memory:');
    b.create('/a', '1');
    const seen: number[] = [];
    assert.throws(() => b.batch(() => {
      b.create('/b', '1');
      b.watch('', 0, (batch) => seen.push(...batch.map((e) => e.rev)));
      throw new Error('roll back');
    }));
    assert.deepEqual(seen, [1]);
    b.create('/c', '1');
    assert.deepEqual(seen, [1, 2]);
    b.close();
  });

  it('compact() defaults to the historyLimit option and is idempotent', () => {
    const b = new SqliteBackend(':memory:', { historyLimit: 2 });
    assert.equal(b.compact(), 0, 'nothing to drop yet');
    for (let i = 0; i < 5; i++) b.create(`/k/${i}`, 'v');
    assert.equal(b.compact(), 3);
    assert.equal(b.compactedRevision(), 3);
    assert.equal(b.compact(), 3);
    assert.deepEqual(b.watch('', 2, () => {}), { compacted: 3 });
    assert.throws(() => b.compact(-1), /non-negative/);
    assert.throws(() => b.batch(() => {
      b.compact(0);
      throw new Error('roll back');
    }));
    assert.equal(b.compactedRevision(), 3, 'a rolled-back compaction leaves the compacted revision alone');
    const replayed: number[] = [];
    b.watch('', 3, (batch) => replayed.push(...batch.map((e) => e.rev)));
    assert.deepEqual(replayed, [4, 5], 'history after revision 3 is still there');
    b.close();
  });

  it('listener errors go to onListenerError', () => {
    const errors: unknown[] = [];
    const b = new SqliteBackend(':memory:', { onListenerError: (err) => errors.push(err) });
    b.create('/a', '1');
    b.watch('', 0, () => { throw new Error('in replay'); });
    b.create('/b', '1');
    assert.deepEqual(errors.map((e) => (e as Error).message), ['in replay', 'in replay']);
    b.close();
  });

  it('uses WAL with synchronous=NORMAL and the two-table schema', () => {
    const path = freshPath();
    const b = openBackend({ path });
    b.create('/a', 'v1');
    b.update('/a', 'v2');
    b.close();
    const db = new Database(path, { readonly: true });
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.deepEqual(db.prepare('SELECT key, create_rev, mod_rev, value FROM objects').all(),
        [{ key: '/a', create_rev: 1, mod_rev: 2, value: 'v2' }]);
      assert.deepEqual(db.prepare('SELECT rev, key, type, value, prev_value FROM events ORDER BY rev').all(), [
        { rev: 1, key: '/a', type: 'put', value: 'v1', prev_value: null },
        { rev: 2, key: '/a', type: 'put', value: 'v2', prev_value: 'v1' },
      ]);
    } finally {
      db.close();
    }
    // synchronous is per connection, so check it on a live backend's own handle.
    const live = new SqliteBackend(path);
    const handle = (live as unknown as { db: Database.Database }).db;
    assert.equal(handle.pragma('synchronous', { simple: true }), 1); // 1 = NORMAL
    live.close();
  });

  it('refuses a store written by a newer schema', () => {
    const path = freshPath();
    openBackend({ path }).close();
    const db = new Database(path);
    db.pragma('user_version = 99');
    db.close();
    assert.throws(() => openBackend({ path }), /schema version 99/);
  });

  it('rejects invalid list limits and history limits', () => {
    assert.throws(() => new SqliteBackend(':memory:', { historyLimit: -1 }), /historyLimit/);
    const b = new SqliteBackend(':memory:');
    assert.throws(() => b.list('', { limit: 1.5 }), /limit/);
    b.close();
  });
});

// Opening a damaged database: the backend either opens it with every committed write, exactly, or
// refuses with a StorageDamagedError naming the file, never opens it empty or with part of it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { SqliteBackend } from './sqlite.js';
import { StorageDamagedError } from './integrity.js';
import { openBackend } from './index.js';

const root = mkdtempSync(join(tmpdir(), 'everynode-integrity-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => { const d = join(root, `d${++dirs}`); mkdirSync(d, { recursive: true }); return d; };

interface Image { dir: string; committed: Map<string, { value: string; modRev: number }> }

/**
 * A crash image: the files of a backend that is still open (what SIGKILL leaves on disk, since every
 * commit was written to the kernel): part of the data checkpointed into the database file, the
 * newest part only in the -wal, whose start was reused after the checkpoint (older frames follow).
 */
function crashImage(): Image {
  const dir = freshDir();
  const file = join(dir, 'state.db');
  const live = openBackend({ path: file });
  const committed = new Map<string, { value: string; modRev: number }>();
  const put = (i: number) => {
    const key = `/k/${String(i).padStart(5, '0')}`;
    const value = JSON.stringify({ i, pad: 'p'.repeat(200 + (i * 37) % 900) });
    const r = live.create(key, value);
    assert.ok(r.ok);
    committed.set(key, { value, modRev: r.kv.modRev });
  };
  for (let i = 0; i < 600; i++) put(i);
  const other = new Database(file);
  other.pragma('wal_checkpoint(PASSIVE)');
  other.close();
  for (let i = 600; i < 800; i++) put(i);
  const image = join(dir, 'image');
  rmSync(image, { recursive: true, force: true });
  for (const suffix of ['', '-wal', '-shm']) copyFileSync(file + suffix, join(dir, `image${suffix}`));
  live.close();
  return { dir, committed };
}

function restore(img: Image): string {
  const dir = freshDir();
  const file = join(dir, 'state.db');
  openBackend({ path: file }).close(); // creates dir; then overwrite with the image
  for (const suffix of ['', '-wal', '-shm']) copyFileSync(join(img.dir, `image${suffix}`), file + suffix);
  return file;
}

function scribble(path: string, offset: number, bytes: Buffer): void {
  const fd = openSync(path, 'r+');
  try { writeSync(fd, bytes, 0, bytes.length, offset); } finally { closeSync(fd); }
}

/** Opens file and asserts the invariant; returns what happened. */
function openAndCheck(file: string, committed: Image['committed']): 'refused' | 'intact' {
  let backend: SqliteBackend;
  try {
    backend = new SqliteBackend(file);
  } catch (err) {
    assert.ok(err instanceof StorageDamagedError, `expected StorageDamagedError, got ${String(err)}`);
    assert.ok(err.message.includes(file), 'the error names the file');
    assert.ok(!err.message.includes('\n'), 'the error is one line');
    return 'refused';
  }
  try {
    const { kvs } = backend.list('/k/');
    assert.equal(kvs.length, committed.size, 'no committed key missing, none added');
    for (const kv of kvs) {
      const want = committed.get(kv.key);
      assert.ok(want, `unexpected key ${kv.key}`);
      assert.equal(kv.value, want.value);
      assert.equal(kv.modRev, want.modRev);
    }
    return 'intact';
  } finally {
    backend.close();
  }
}

describe('opening a crash image', () => {
  let img: Image;
  before(() => { img = crashImage(); });

  it('as it is: every committed write is there', () => {
    assert.equal(openAndCheck(restore(img), img.committed), 'intact');
  });

  it('-wal (or the database) truncated at any offset: all committed data, or a refusal', () => {
    const outcomes = new Set<string>();
    fc.assert(fc.property(fc.constantFrom('-wal', ''), fc.double({ min: 0, max: 1, noNaN: true }), (suffix, at) => {
      const file = restore(img);
      const size = statSync(file + suffix).size;
      truncateSync(file + suffix, Math.floor(at * size));
      outcomes.add(openAndCheck(file, img.committed));
    }), { numRuns: 40, seed: 9 });
    assert.ok(outcomes.has('refused'), 'some truncations lose committed data and must be refused');
  });

  it('-wal scribbled over at any offset: all committed data, or a refusal', () => {
    fc.assert(fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.uint8Array({ minLength: 1, maxLength: 64 }), (at, bytes) => {
      const file = restore(img);
      const size = statSync(`${file}-wal`).size;
      scribble(`${file}-wal`, Math.floor(at * (size - bytes.length)), Buffer.from(bytes));
      openAndCheck(file, img.committed);
    }), { numRuns: 40, seed: 11 });
  });

  it('-wal cut just after its last commit, or the torn tail of one more write: opens with everything', () => {
    const file = restore(img);
    // Append half a frame, as a process killed in the middle of a write(2) would leave.
    const wal = `${file}-wal`;
    const size = statSync(wal).size;
    scribble(wal, size, Buffer.alloc(2000, 7));
    assert.equal(openAndCheck(file, img.committed), 'intact');
  });

  it('a damaged b-tree page in the database file is refused', () => {
    const file = restore(img);
    // An early page holds the oldest rows, checkpointed and not in the -wal; a page header of 0xff
    // bytes is no valid b-tree page.
    scribble(file, 4096 * 9, Buffer.alloc(12, 0xff));
    assert.equal(openAndCheck(file, img.committed), 'refused');
  });
});

describe('files that are not a whole database', () => {
  it('an empty (0-byte) database file is refused, not taken for a new database', () => {
    const file = join(freshDir(), 'state.db');
    openBackend({ path: file }).close();
    truncateSync(file, 0);
    assert.throws(() => new SqliteBackend(file), (e: unknown) => e instanceof StorageDamagedError && /empty/.test(e.message));
  });

  it('a missing database file whose -wal is still there is refused', () => {
    const file = join(freshDir(), 'state.db');
    openBackend({ path: file }).close();
    rmSync(file);
    writeFileSync(`${file}-wal`, Buffer.alloc(100));
    assert.throws(() => new SqliteBackend(file), StorageDamagedError);
  });

  it('garbage in place of the database is refused', () => {
    const file = join(freshDir(), 'state.db');
    openBackend({ path: file }).close();
    writeFileSync(file, Buffer.alloc(8192, 0x41));
    assert.throws(() => new SqliteBackend(file), StorageDamagedError);
  });

  it('a new database is created complete, under a temporary name first', () => {
    const dir = freshDir();
    const file = join(dir, 'state.db');
    const b = openBackend({ path: file });
    b.close();
    assert.deepEqual(readdirSync(dir).sort(), ['state.db']);
    assert.ok(statSync(file).size > 0);
    assert.ok(!existsSync(`${file}.creating`));
  });
});

describe('options that reach the database', () => {
  it('--fsync always is synchronous=FULL, the default NORMAL (PRAGMA synchronous read back)', () => {
    const dir = freshDir();
    const full = new SqliteBackend(join(dir, 'a.db'), { fsync: 'always' });
    const normal = new SqliteBackend(join(dir, 'b.db'));
    try {
      assert.equal(full.openReport.synchronous, 'full');
      assert.equal(normal.openReport.synchronous, 'normal');
    } finally {
      full.close();
      normal.close();
    }
  });

  it('the watch history is compacted when the backend opens, not only periodically', () => {
    const file = join(freshDir(), 'state.db');
    const first = new SqliteBackend(file, { historyLimit: 5 });
    for (let i = 0; i < 20; i++) first.create(`/c/${i}`, '{}');
    assert.equal(first.compactedRevision(), 0, 'nothing compacted it yet');
    first.close();
    const reopened = openBackend({ path: file, historyLimit: 5 });
    try {
      assert.equal(reopened.compactedRevision(), 15);
      assert.deepEqual(reopened.watch('/c/', 3, () => {}), { compacted: 15 });
    } finally {
      reopened.close();
    }
  });
});

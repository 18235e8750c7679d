// The Backend contract over better-sqlite3 (synchronous, in-process). Two tables:
//   objects: the current state, one row per live key, for get/list/count;
//   events:  an append-only log whose AUTOINCREMENT rowid *is* the revision, for watch replay.
// Every write is one transaction that appends an event and changes the object row, so the two
// never disagree. Committed events go to watchers through an in-process Broadcaster.
import { chmodSync, existsSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import type {
  Backend, CreateResult, DeleteResult, KV, ListOptions, UpdateResult, WatchEvent, Watcher,
} from './backend.js';
import { Broadcaster } from './broadcaster.js';
import { PrefixWatcher } from './prefixwatcher.js';
import { compareKeys, isWellFormedKey, prefixEnd } from './keyrange.js';
import { asDamage, checkBeforeOpen, createDatabase, quickCheck, StorageDamagedError } from './integrity.js';

/**
 * When a commit is on disk. 'normal' (synchronous=NORMAL in WAL mode): the commit is handed to the
 * kernel before the call returns, fsync happens at checkpoints; it survives the process dying, but a
 * power loss or kernel crash may drop the newest commits. 'always' (synchronous=FULL): fsync of the
 * WAL at every commit; survives a power loss too, at the cost of one fsync per write.
 */
export type FsyncMode = 'normal' | 'always';

export interface SqliteBackendOptions {
  /** Events kept by compact(); older ones are dropped. Default 100_000. */
  historyLimit?: number;
  /** Receives errors thrown by watch listeners (they never reach the writer). Default: a process warning. */
  onListenerError?: (err: unknown) => void;
  /** Default 'normal'. */
  fsync?: FsyncMode;
}

/** What opening the file found, for the server's start-up log. */
export interface OpenReport {
  /** PRAGMA synchronous as read back from the connection. */
  synchronous: string;
  /** How long PRAGMA quick_check took; 0 for ':memory:'. */
  quickCheckMs: number;
  /** Something worth a log line (a torn WAL tail SQLite dropped), or undefined. */
  note?: string;
}

export const DEFAULT_HISTORY_LIMIT = 100_000;
/** History replay hands the listener at most this many events per call. */
const REPLAY_CHUNK = 1000;
const SCHEMA_VERSION = 1;
const NO_LIMIT = -1; // SQLite treats a negative LIMIT as "no limit"

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS objects (
    key        TEXT PRIMARY KEY,
    create_rev INTEGER NOT NULL,
    mod_rev    INTEGER NOT NULL,
    value      TEXT NOT NULL
  );
  -- AUTOINCREMENT (not a plain rowid) so a revision is never reused, even after the newest event
  -- is compacted away or the process restarts: sqlite_sequence remembers the high-water mark.
  CREATE TABLE IF NOT EXISTS events (
    rev        INTEGER PRIMARY KEY AUTOINCREMENT,
    key        TEXT NOT NULL,
    type       TEXT NOT NULL CHECK (type IN ('put', 'delete')),
    value      TEXT NOT NULL,
    prev_value TEXT  -- NULL for a create; also NULL for a delete, whose previous value equals value
  );
  CREATE TABLE IF NOT EXISTS meta (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
  );
`;

interface ObjectRow { key: string; create_rev: number; mod_rev: number; value: string }
interface EventRow { rev: number; key: string; type: 'put' | 'delete'; value: string; prev_value: string | null }

export class SqliteBackend implements Backend {
  private readonly db: Database.Database;
  private readonly historyLimit: number;
  private readonly broadcaster: Broadcaster<WatchEvent>;
  private readonly onListenerError: (err: unknown) => void;
  private readonly stmt: ReturnType<typeof prepareStatements>;
  private readonly inTransaction: Database.Transaction<(fn: () => unknown) => unknown>;
  /** Newest revision written, including writes of a transaction still open (batch). */
  private rev: number;
  /** Newest committed revision: history replay stops here, later events arrive live. */
  private committedRev: number;
  private compacted: number;
  /** Events committed by the current (outermost) transaction, published once it commits. */
  private uncommitted: WatchEvent[] = [];
  private txDepth = 0;
  private closed = false;
  readonly openReport: OpenReport;

  /**
   * `file` is a path or ':memory:'; both take the same code path, except that a file is checked
   * before and after SQLite opens it (integrity.ts) and created complete when missing. A damaged
   * file throws StorageDamagedError.
   */
  constructor(file: string, options: SqliteBackendOptions = {}) {
    this.historyLimit = options.historyLimit ?? DEFAULT_HISTORY_LIMIT;
    if (!Number.isInteger(this.historyLimit) || this.historyLimit < 0) {
      throw new Error(`historyLimit must be a non-negative integer, got ${this.historyLimit}`);
    }
    this.onListenerError = options.onListenerError
      ?? ((err: unknown) => process.emitWarning(`storage watch listener threw: ${String(err)}`));
    this.broadcaster = new Broadcaster<WatchEvent>(this.onListenerError);

    const onDisk = file !== ':memory:';
    let note: string | undefined;
    let quickCheckMs = 0;
    if (onDisk) {
      note = checkBeforeOpen(file);
      if (!existsSync(file)) createDatabase(file, (p) => new Database(p), migrate);
      restrictToOwner(file);
    }
    try {
      this.db = new Database(file, { fileMustExist: onDisk });
    } catch (err) {
      throw asDamage(file, err);
    }
    try {
      // WAL + synchronous=NORMAL (the default 'normal'): a commit is appended to the -wal file with
      // write(2) before the call returns, but fsync only happens at checkpoints. Data handed to the
      // kernel survives the process dying (kill -9, crash): the OS page cache still writes it out.
      // Only a power loss or kernel crash can drop the newest commits, which a local cluster accepts
      // in exchange for not paying an fsync per write; --fsync always (synchronous=FULL) pays it.
      this.db.pragma('journal_mode = WAL'); // ':memory:' answers 'memory', which is fine
      this.db.pragma(`synchronous = ${options.fsync === 'always' ? 'FULL' : 'NORMAL'}`);
      this.db.pragma('busy_timeout = 5000');
      // Checkpoints are where NORMAL pays its fsyncs; the default (every 1000 pages, ~4 MB) capped
      // single-key writes near 6.5k/s here, every 10000 pages (~40 MB of WAL) gives ~20k/s.
      this.db.pragma('wal_autocheckpoint = 10000');
      if (onDisk) {
        const started = performance.now();
        quickCheck(file, this.db);
        quickCheckMs = Math.round(performance.now() - started);
        const version = this.db.pragma('user_version', { simple: true }) as number;
        // Files are created initialised (createDatabase): version 0 means the header was damaged.
        if (version === 0) throw new StorageDamagedError(file, `its schema version is 0, expected ${SCHEMA_VERSION}`);
      }
      migrate(this.db);
      this.stmt = prepareStatements(this.db);
      // One wrapper compiled once; nested calls (a write inside batch()) become savepoints.
      this.inTransaction = this.db.transaction((fn: () => unknown) => fn());
      this.rev = this.readHighWaterMark();
      this.committedRev = this.rev;
      this.compacted = (this.stmt.getMeta.get('compacted') as { value: number } | undefined)?.value ?? 0;
      const synchronous = ['off', 'normal', 'full', 'extra'][this.db.pragma('synchronous', { simple: true }) as number] ?? 'unknown';
      this.openReport = { synchronous, quickCheckMs, note };
    } catch (err) {
      this.db.close();
      throw asDamage(file, err);
    }
  }

  currentRevision(): number {
    this.assertOpen();
    return this.rev;
  }

  compactedRevision(): number {
    this.assertOpen();
    return this.compacted;
  }

  get(key: string): KV | undefined {
    this.assertOpen();
    const row = this.stmt.getObject.get(key) as ObjectRow | undefined;
    return row && toKV(row);
  }

  list(prefix: string, opts: ListOptions = {}): { rev: number; kvs: KV[]; more: boolean } {
    this.assertOpen();
    const { limit } = opts;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
      throw new Error(`list limit must be a non-negative integer, got ${limit}`);
    }
    const end = prefixEnd(prefix);
    // Start after `after` only when it lies at or beyond the prefix; otherwise the prefix bounds it.
    const afterWins = opts.after !== undefined && compareKeys(opts.after, prefix) >= 0;
    const from = afterWins ? opts.after! : prefix;
    const stmt = afterWins
      ? (end === undefined ? this.stmt.listAfter : this.stmt.listAfterBounded)
      : (end === undefined ? this.stmt.listFrom : this.stmt.listFromBounded);
    // Ask for one extra row to learn whether more keys remain.
    const sqlLimit = limit === undefined ? NO_LIMIT : limit + 1;
    const params = end === undefined ? [from, sqlLimit] : [from, end, sqlLimit];
    const rows = stmt.all(...params) as ObjectRow[];
    const more = limit !== undefined && rows.length > limit;
    if (more) rows.length = limit;
    return { rev: this.rev, kvs: rows.map(toKV), more };
  }

  count(prefix: string): number {
    this.assertOpen();
    const end = prefixEnd(prefix);
    const row = (end === undefined
      ? this.stmt.countFrom.get(prefix)
      : this.stmt.countFromBounded.get(prefix, end)) as { n: number };
    return row.n;
  }

  create(key: string, value: string): CreateResult {
    this.assertOpen();
    if (!isWellFormedKey(key)) throw new Error(`storage key is not well-formed UTF-16: ${JSON.stringify(key)}`);
    return this.transaction((): CreateResult => {
      const current = this.get(key);
      if (current) return { ok: false, current };
      const rev = this.appendEvent({ type: 'put', key, value });
      this.stmt.insertObject.run(key, rev, rev, value);
      return { ok: true, kv: { key, value, createRev: rev, modRev: rev } };
    });
  }

  update(key: string, value: string, expectModRev?: number): UpdateResult {
    this.assertOpen();
    return this.transaction((): UpdateResult => {
      const current = this.get(key);
      if (!current) return { ok: false };
      if (expectModRev !== undefined && current.modRev !== expectModRev) return { ok: false, current };
      const rev = this.appendEvent({ type: 'put', key, value, prevValue: current.value });
      this.stmt.updateObject.run(rev, value, key);
      return { ok: true, kv: { key, value, createRev: current.createRev, modRev: rev } };
    });
  }

  delete(key: string, expectModRev?: number): DeleteResult {
    this.assertOpen();
    return this.transaction((): DeleteResult => {
      const current = this.get(key);
      if (!current) return { ok: false };
      if (expectModRev !== undefined && current.modRev !== expectModRev) return { ok: false, current };
      const rev = this.appendEvent({ type: 'delete', key, value: current.value, prevValue: current.value });
      this.stmt.deleteObject.run(key);
      return { ok: true, rev, prev: current };
    });
  }

  /**
   * Runs fn in one transaction: its writes commit together (or not at all, when fn throws) and
   * watchers receive them as one batch after the commit.
   */
  batch<T>(fn: () => T): T {
    this.assertOpen();
    return this.transaction(fn);
  }

  watch(prefix: string, fromRev: number, listener: (events: WatchEvent[]) => void): Watcher | { compacted: number } {
    this.assertOpen();
    if (fromRev < this.compacted) return { compacted: this.compacted };
    const watcher = new PrefixWatcher(prefix, fromRev, listener, this.onListenerError);
    // Subscribe first, then backfill up to the newest committed revision; live events that arrive
    // during the backfill (a listener may write) are held back and de-duplicated by revision.
    // Inside batch() the open transaction's own writes are not replayed: they arrive live after
    // the commit, or never if it rolls back.
    watcher.unsubscribe = this.broadcaster.subscribe((events) => watcher.onLive(events));
    const upTo = this.committedRev;
    watcher.replay((after) => this.readHistory(prefix, after, upTo));
    return watcher;
  }

  /**
   * Drops the oldest events so that at most `keep` remain (default: the historyLimit option) and
   * returns the new compacted revision. Meant to be called periodically by the server.
   */
  compact(keep: number = this.historyLimit): number {
    this.assertOpen();
    if (!Number.isInteger(keep) || keep < 0) throw new Error(`compact keep must be a non-negative integer, got ${keep}`);
    this.transaction(() => {
      const cutoff = this.stmt.nthNewestRev.get(keep) as { rev: number } | undefined;
      if (!cutoff || cutoff.rev <= this.compacted) return;
      this.stmt.deleteEventsUpTo.run(cutoff.rev);
      this.stmt.setMeta.run('compacted', cutoff.rev);
      this.compacted = cutoff.rev;
    });
    return this.compacted;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.broadcaster.clear();
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('storage backend is closed');
  }

  /**
   * Runs fn inside a transaction and, when the outermost one commits, publishes its events. On a
   * throw, SQLite rolls back (the whole transaction or the savepoint) and we forget the events,
   * revisions and compaction the rolled-back part produced.
   */
  private transaction<T>(fn: () => T): T {
    const mark = this.uncommitted.length;
    const revBefore = this.rev;
    const compactedBefore = this.compacted;
    this.txDepth++;
    let result: T;
    try {
      result = this.inTransaction.immediate(fn) as T;
    } catch (err) {
      this.uncommitted.length = mark;
      this.rev = revBefore;
      this.compacted = compactedBefore;
      throw err;
    } finally {
      this.txDepth--;
    }
    if (this.txDepth === 0 && this.uncommitted.length > 0) {
      this.committedRev = this.rev;
      const committed = this.uncommitted;
      this.uncommitted = [];
      this.broadcaster.publish(committed);
    }
    return result;
  }

  private appendEvent(event: Omit<WatchEvent, 'rev'>): number {
    const prev = event.type === 'delete' ? null : event.prevValue ?? null;
    const info = this.stmt.insertEvent.run(event.key, event.type, event.value, prev);
    const rev = Number(info.lastInsertRowid);
    this.rev = rev;
    this.uncommitted.push({ ...event, rev });
    return rev;
  }

  private readHistory(prefix: string, afterRev: number, upToRev: number): WatchEvent[] {
    const end = prefixEnd(prefix);
    const rows = (end === undefined
      ? this.stmt.historyFrom.all(afterRev, upToRev, prefix, REPLAY_CHUNK)
      : this.stmt.historyFromBounded.all(afterRev, upToRev, prefix, end, REPLAY_CHUNK)) as EventRow[];
    return rows.map(toWatchEvent);
  }

  private readHighWaterMark(): number {
    const row = this.db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'events'").get() as { seq: number } | undefined;
    return row?.seq ?? 0;
  }
}

/** Creates the schema of a new database (version 0); any other version than ours is refused. */
function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version === SCHEMA_VERSION) return;
  if (version !== 0) throw new Error(`storage schema version ${version} is not supported (expected ${SCHEMA_VERSION})`);
  db.exec(SCHEMA);
  db.pragma(`user_version = ${SCHEMA_VERSION}`);
}

function toKV(row: ObjectRow): KV {
  return { key: row.key, value: row.value, createRev: row.create_rev, modRev: row.mod_rev };
}

function toWatchEvent(row: EventRow): WatchEvent {
  const event: WatchEvent = { type: row.type, rev: row.rev, key: row.key, value: row.value };
  if (row.type === 'delete') event.prevValue = row.value;
  else if (row.prev_value !== null) event.prevValue = row.prev_value;
  return event;
}

/** Every statement compiled once per connection; the hot paths never compile SQL. */
function prepareStatements(db: Database.Database) {
  const columns = 'key, create_rev, mod_rev, value';
  const eventColumns = 'rev, key, type, value, prev_value';
  return {
    getObject: db.prepare(`SELECT ${columns} FROM objects WHERE key = ?`),
    insertObject: db.prepare('INSERT INTO objects (key, create_rev, mod_rev, value) VALUES (?, ?, ?, ?)'),
    updateObject: db.prepare('UPDATE objects SET mod_rev = ?, value = ? WHERE key = ?'),
    deleteObject: db.prepare('DELETE FROM objects WHERE key = ?'),
    insertEvent: db.prepare('INSERT INTO events (key, type, value, prev_value) VALUES (?, ?, ?, ?)'),
    // Four list shapes: inclusive start (prefix) or exclusive start (after), with or without an end.
    listFrom: db.prepare(`SELECT ${columns} FROM objects WHERE key >= ? ORDER BY key LIMIT ?`),
    listFromBounded: db.prepare(`SELECT ${columns} FROM objects WHERE key >= ? AND key < ? ORDER BY key LIMIT ?`),
    listAfter: db.prepare(`SELECT ${columns} FROM objects WHERE key > ? ORDER BY key LIMIT ?`),
    listAfterBounded: db.prepare(`SELECT ${columns} FROM objects WHERE key > ? AND key < ? ORDER BY key LIMIT ?`),
    countFrom: db.prepare('SELECT count(*) AS n FROM objects WHERE key >= ?'),
    countFromBounded: db.prepare('SELECT count(*) AS n FROM objects WHERE key >= ? AND key < ?'),
    historyFrom: db.prepare(
      `SELECT ${eventColumns} FROM events WHERE rev > ? AND rev <= ? AND key >= ? ORDER BY rev LIMIT ?`),
    historyFromBounded: db.prepare(
      `SELECT ${eventColumns} FROM events WHERE rev > ? AND rev <= ? AND key >= ? AND key < ? ORDER BY rev LIMIT ?`),
    nthNewestRev: db.prepare('SELECT rev FROM events ORDER BY rev DESC LIMIT 1 OFFSET ?'),
    deleteEventsUpTo: db.prepare('DELETE FROM events WHERE rev <= ?'),
    getMeta: db.prepare('SELECT value FROM meta WHERE name = ?'),
    setMeta: db.prepare(
      'INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value'),
  };
}

/**
 * The database holds every Secret: 0600, also when an earlier run or a umask left it wider.
 * SQLite creates -wal and -shm with the database file's mode, so tightening the file first keeps
 * them private too; existing ones are tightened here as well.
 */
function restrictToOwner(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      if ((statSync(f).mode & 0o077) !== 0) chmodSync(f, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

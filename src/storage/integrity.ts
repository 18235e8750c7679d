// What the SQLite backend checks before and right after it opens a database file, so that a torn,
// truncated or scribbled-over file stops the server with one line naming the file and what to do,
// instead of a cluster that starts empty or with part of its state.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { judgeWal, readWalIndex, scanWal, SHM_BYTES_NEEDED } from './wal.js';

/** The database (or its -wal) cannot be used as it is; message is one line for the CLI. */
export class StorageDamagedError extends Error {
  constructor(readonly file: string, detail: string) {
    super(`storage ${file} is damaged: ${detail}. It was not opened. Restore the data directory from a backup, `
      + `or move ${file} and its -wal and -shm files away to start with an empty cluster`);
    this.name = 'StorageDamagedError';
  }
}

/** SQLite result codes that mean the file's content, not the caller, is at fault. */
const DAMAGE_CODES = /^SQLITE_(CORRUPT|NOTADB|IOERR|FORMAT)/;

/** Rethrows SQLite's "database disk image is malformed" and kin as a StorageDamagedError. */
export function asDamage(file: string, err: unknown): unknown {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && DAMAGE_CODES.test(code)) {
    return new StorageDamagedError(file, `SQLite says "${(err as Error).message}" (${code})`);
  }
  return err;
}

/**
 * Checks an existing database file and its WAL before SQLite's recovery runs (recovery rewrites
 * the index, the evidence of cut-short WALs). Returns a note for the log, or throws.
 */
export function checkBeforeOpen(file: string): string | undefined {
  const wal = `${file}-wal`;
  const shm = `${file}-shm`;
  if (!existsSync(file)) {
    if (existsSync(wal) || existsSync(shm)) throw new StorageDamagedError(file, `the file is missing but ${existsSync(wal) ? wal : shm} is there`);
    return undefined;
  }
  // The backend creates its file complete (createDatabase), so an empty one was cut to 0 bytes;
  // SQLite would take it for a new, empty database.
  if (statSync(file).size === 0) throw new StorageDamagedError(file, 'the file is empty (0 bytes), so it was truncated');
  const verdict = judgeWal(scanWal(existsSync(wal) ? readFileSync(wal) : Buffer.alloc(0)), existsSync(shm) ? readWalIndex(readHead(shm, SHM_BYTES_NEEDED)) : undefined);
  if (!verdict.ok) throw new StorageDamagedError(file, verdict.reason);
  return verdict.note;
}

/**
 * PRAGMA quick_check: every b-tree page, cell and overflow chain is read and checked (not index
 * content against table content, which integrity_check adds). Its cost is linear in the file size.
 */
export function quickCheck(file: string, db: Database.Database): void {
  const rows = db.pragma('quick_check') as Array<{ quick_check: string }>;
  if (rows.length !== 1 || rows[0].quick_check !== 'ok') {
    throw new StorageDamagedError(file, `PRAGMA quick_check found ${rows.length} problem(s), the first: ${rows[0]?.quick_check}`);
  }
}

/**
 * Creates the database under a temporary name, initialises it with `init`, closes it (which
 * checkpoints the WAL into the file) and renames it into place: `file` either does not exist
 * or is a complete, initialised database, never an empty or half-created one.
 */
export function createDatabase(file: string, open: (path: string) => Database.Database, init: (db: Database.Database) => void): void {
  const tmp = `${file}.creating`;
  for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
  const db = open(tmp);
  try {
    db.pragma('journal_mode = WAL');
    init(db);
  } finally {
    db.close();
  }
  fsyncPath(tmp);
  renameSync(tmp, file);
  fsyncPath(dirname(file)); // the rename itself survives a power loss once the directory is synced
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try { fsyncSync(fd); } finally { closeSync(fd); }
}

function readHead(path: string, bytes: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    return buf.subarray(0, readSync(fd, buf, 0, bytes, 0));
  } finally {
    closeSync(fd);
  }
}

// The data directory of `everynode up`: one cluster at a time, and private to its owner.
//
// A second `up` on the same directory must refuse before it touches anything (two servers on one
// SQLite file split the brain, and the second would overwrite the first's kubeconfig), so the
// directory is locked by an exclusive lock file holding the owner's pid. A lock whose pid is gone
// (kill -9, a crash, a reboot) is stale and taken over.
import { chmodSync, closeSync, linkSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'everynode.lock';

/** A one-line reason the directory cannot be used; the CLI prints it and exits 1. */
export class DataDirError extends Error {}

export type LockState = { state: 'free' } | { state: 'stale'; pid?: number } | { state: 'held'; pid: number };

/**
 * What an existing lock file's content means. Pure: `alive` says whether a pid runs, and `self`
 * is our own pid, which only a previous incarnation of us can have left behind (a container's
 * pid 1 restarted), since this process locks a directory at most once (see `held`).
 */
export function lockState(content: string | undefined, alive: (pid: number) => boolean, self: number): LockState {
  if (content === undefined) return { state: 'free' };
  const m = /^(\d+)\n?$/.exec(content);
  if (!m) return { state: 'stale' }; // torn or foreign content: no live owner can be named
  const pid = Number(m[1]);
  if (pid <= 0 || pid === self || !alive(pid)) return { state: 'stale', pid };
  return { state: 'held', pid };
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else, so it is alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Directories this process holds: a second lock from the same process is refused as well. */
const held = new Set<string>();

export interface DataDirLock { readonly file: string; release(): void }

/**
 * Creates `dir` (0700) if needed and takes its lock. Throws DataDirError when another live
 * everynode holds it or the directory cannot be made private.
 */
export function lockDataDir(dir: string, alive: (pid: number) => boolean = pidAlive): DataDirLock {
  makePrivateDir(dir);
  const file = join(dir, LOCK_FILE);
  if (held.has(file)) throw inUse(dir, process.pid, file);
  // Bounded: each round either takes the lock, finds a live owner, or clears one stale lock.
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(file)) return hold(file);
    const content = readIfExists(file);
    const s = lockState(content, alive, process.pid);
    if (s.state === 'held') throw inUse(dir, s.pid, file);
    if (s.state === 'stale') clearStale(file, content!);
  }
  throw new DataDirError(`cannot lock data directory ${dir}: ${file} keeps changing; is another everynode starting?`);
}

function inUse(dir: string, pid: number, file: string): DataDirError {
  return new DataDirError(`data directory ${dir} is in use by another everynode (pid ${pid}); stop it first or pick another --data-dir (if pid ${pid} is not everynode, delete ${file})`);
}

/** The lock file appears whole or not at all: written under a unique name, then hard-linked into place (link fails if it exists). */
let tmpCounter = 0;
function tryCreate(file: string): boolean {
  const tmp = `${file}.${process.pid}.${++tmpCounter}`;
  const fd = openSync(tmp, 'wx', 0o600);
  try { writeSync(fd, `${process.pid}\n`); } finally { closeSync(fd); }
  try {
    linkSync(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    // A filesystem without hard links (some network and FUSE mounts): an exclusive create is
    // still exclusive, only its content may be seen half-written for an instant.
    return createExclusive(file);
  } finally {
    unlinkSync(tmp);
  }
}

/** The lock without a hard link; exported for its test. */
export function createExclusive(file: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new DataDirError(`cannot lock data directory: ${(err as Error).message}`);
  }
  try { writeSync(fd, `${process.pid}\n`); } finally { closeSync(fd); }
  return true;
}

/**
 * Moves a stale lock aside atomically. If what was moved is no longer the stale content, a
 * competing start took the lock in between: put it back, and the next round sees its owner.
 */
function clearStale(file: string, staleContent: string): void {
  const aside = `${file}.stale.${process.pid}`;
  try { renameSync(file, aside); } catch { return; } // already gone: someone else cleared it
  if (readIfExists(aside) === staleContent) { unlinkSync(aside); return; }
  try { linkSync(aside, file); } catch { /* a third start holds it now; its owner wins */ }
  unlinkSync(aside);
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DataDirError(`cannot read ${file}: ${(err as Error).message}`);
  }
}

function hold(file: string): DataDirLock {
  held.add(file);
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    held.delete(file);
    process.removeListener('exit', release);
    // Only our own lock: never remove one a later owner took over.
    if (readIfExists(file) === `${process.pid}\n`) { try { unlinkSync(file); } catch { /* already gone */ } }
  };
  // process.exit() (main.ts's fatal path) skips finally blocks but still emits 'exit'.
  process.on('exit', release);
  return { file, release };
}

/**
 * The directory holds the admin token, the CA key and every Secret, so it must be 0700. One that
 * exists with a wider mode (an older everynode, a umask of 022) is tightened rather than refused:
 * it is ours by name, and refusing would only make the user type the chmod we can do; what we
 * cannot tighten (another user's directory) is refused.
 */
export function makePrivateDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if ((statSync(dir).mode & 0o077) !== 0) chmodSync(dir, 0o700);
  } catch (err) {
    throw new DataDirError(`cannot use data directory ${dir}: ${(err as Error).message}`);
  }
}

/** Our files in the directory, tightened to 0600 (certificates included: nothing else reads them from here). */
export function restrictDataDirFiles(dir: string): void {
  const files = ['state.db', 'state.db-wal', 'state.db-shm', 'kubeconfig', LOCK_FILE].map((f) => join(dir, f));
  const pki = join(dir, 'pki');
  let pkiFiles: string[] = [];
  try {
    pkiFiles = readdirSync(pki).map((f) => join(pki, f));
    chmodSync(pki, 0o700);
  } catch { /* no pki directory (in memory) */ }
  for (const f of [...files, ...pkiFiles]) {
    try {
      if (statSync(f).isFile() && (statSync(f).mode & 0o077) !== 0) chmodSync(f, 0o600);
    } catch { /* absent */ }
  }
}

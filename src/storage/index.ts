// Entry point for the composition root (src/cli/): picks the storage and opens the backend.
// A file path gets SqliteBackend; --in-memory gets MemoryBackend, which keeps the same semantics
// in plain data structures instead of paying SQLite's CPU cost for a store that never persists.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Backend } from './backend.js';
import { MemoryBackend } from './memory.js';
import { SqliteBackend, type SqliteBackendOptions } from './sqlite.js';

export type * from './backend.js';
export { SqliteBackend, DEFAULT_HISTORY_LIMIT, type SqliteBackendOptions, type FsyncMode, type OpenReport } from './sqlite.js';
export { StorageDamagedError } from './integrity.js';
export { MemoryBackend, type MemoryBackendOptions } from './memory.js';

/** The Backend contract plus what the server calls on top of it; both backends provide it. */
export interface ServerBackend extends Backend {
  /** Runs fn as one transaction: all its writes commit (and reach watchers) together, or none. */
  batch<T>(fn: () => T): T;
  /** Drops history beyond the newest `keep` events (default: historyLimit); returns compactedRevision(). */
  compact(keep?: number): number;
}

export type OpenBackendOptions = ({ path: string } | { inMemory: true }) & SqliteBackendOptions & {
  /** Receives one line about the opened file (fsync mode, integrity check, a torn WAL tail). */
  log?: (line: string) => void;
};

/**
 * Opens the storage backend, creating the file's parent directory when missing, and compacts the
 * watch history right away: a server restarted after a long outage of the periodic compactor (a
 * crash loop, say) would otherwise serve and scan an event log far beyond historyLimit.
 */
export function openBackend(opts: OpenBackendOptions): ServerBackend {
  const { historyLimit, onListenerError, fsync } = opts;
  if ('path' in opts) {
    mkdirSync(dirname(opts.path), { recursive: true });
    const backend = new SqliteBackend(opts.path, { historyLimit, onListenerError, fsync });
    backend.compact();
    const r = backend.openReport;
    opts.log?.(`everynode: storage ${opts.path}: synchronous=${r.synchronous.toUpperCase()}, quick_check ok in ${r.quickCheckMs} ms, `
      + `history compacted to revision ${backend.compactedRevision()}${r.note ? `; ${r.note}` : ''}`);
    return backend;
  }
  const backend = new MemoryBackend({ historyLimit, onListenerError });
  backend.compact();
  return backend;
}

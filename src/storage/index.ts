// Entry point for the composition root (src/cli/): picks the storage file and opens the backend.
// A file path and --in-memory go through the same SqliteBackend; ':memory:' only skips the disk.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SqliteBackend, type SqliteBackendOptions } from './sqlite.js';

export type * from './backend.js';
export { SqliteBackend, DEFAULT_HISTORY_LIMIT, type SqliteBackendOptions } from './sqlite.js';

export type OpenBackendOptions = ({ path: string } | { inMemory: true }) & SqliteBackendOptions;

/**
 * Opens the storage backend, creating the file's parent directory when missing. Returns the
 * concrete class so the server can also call compact() periodically and batch() for bulk writes.
 */
export function openBackend(opts: OpenBackendOptions): SqliteBackend {
  const { historyLimit, onListenerError } = opts;
  if ('path' in opts) {
    mkdirSync(dirname(opts.path), { recursive: true });
    return new SqliteBackend(opts.path, { historyLimit, onListenerError });
  }
  return new SqliteBackend(':memory:', { historyLimit, onListenerError });
}

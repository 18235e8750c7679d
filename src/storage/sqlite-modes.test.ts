import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteBackend } from './sqlite.js';

const mode = (p: string) => statSync(p).mode & 0o777;

test('the database, its -wal and -shm are 0600 whatever the umask, and a loosened file is tightened at open', () => {
  const dir = mkdtempSync(join(tmpdir(), 'everynode-sqlite-modes-'));
  const previous = process.umask(0o022);
  try {
    const file = join(dir, 'state.db');
    let b = new SqliteBackend(file);
    b.create('/registry/a', '{}');
    for (const f of [file, `${file}-wal`, `${file}-shm`]) assert.equal(mode(f), 0o600, f);
    b.close();
    chmodSync(file, 0o644);
    b = new SqliteBackend(file);
    b.create('/registry/b', '{}');
    assert.equal(mode(file), 0o600);
    assert.equal(mode(`${file}-wal`), 0o600);
    b.close();
  } finally {
    process.umask(previous);
    rmSync(dir, { recursive: true, force: true });
  }
});

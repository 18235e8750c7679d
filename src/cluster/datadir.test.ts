import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { createExclusive, DataDirError, LOCK_FILE, lockDataDir, lockState, pidAlive, restrictDataDirFiles } from './datadir.js';

const mode = (p: string) => statSync(p).mode & 0o777;

function withDir(f: (dir: string) => void): void {
  const root = mkdtempSync(join(tmpdir(), 'everynode-datadir-'));
  try { f(join(root, 'data')); } finally { rmSync(root, { recursive: true, force: true }); }
}

/** A pid that certainly belonged to a process which has exited (and was reaped). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const pid = Number(r.stdout);
  assert.ok(!pidAlive(pid));
  return pid;
}

describe('lockState', () => {
  const alive = (pid: number) => pid === 42;
  test('no file is free; a live pid holds it; a dead pid, our own pid or garbage is stale', () => {
    assert.deepEqual(lockState(undefined, alive, 7), { state: 'free' });
    assert.deepEqual(lockState('42\n', alive, 7), { state: 'held', pid: 42 });
    assert.deepEqual(lockState('42', alive, 7), { state: 'held', pid: 42 });
    assert.deepEqual(lockState('43\n', alive, 7), { state: 'stale', pid: 43 });
    assert.deepEqual(lockState('42\n', alive, 42), { state: 'stale', pid: 42 }, 'our pid: a previous incarnation (container pid 1)');
    assert.deepEqual(lockState('0\n', () => true, 7), { state: 'stale', pid: 0 });
    for (const junk of ['', '\n', 'abc', '42\n43\n', '-1\n', ' 42']) assert.equal(lockState(junk, () => true, 7).state, 'stale', JSON.stringify(junk));
  });

  test('held only ever names a live pid other than ours', () => {
    fc.assert(fc.property(fc.option(fc.string()), fc.nat(), fc.func(fc.boolean()), (content, self, aliveFn) => {
      const s = lockState(content ?? undefined, (p) => aliveFn(p), self);
      if (s.state === 'held') assert.ok(s.pid !== self && aliveFn(s.pid) && `${s.pid}\n`.startsWith(content!.replace(/\n$/, '')));
    }));
  });
});

describe('lockDataDir', () => {
  test('creates the directory 0700 and a lock file holding our pid; release removes it', () => {
    withDir((dir) => {
      const lock = lockDataDir(dir);
      assert.equal(mode(dir), 0o700);
      assert.equal(readFileSync(join(dir, LOCK_FILE), 'utf8'), `${process.pid}\n`);
      assert.equal(mode(join(dir, LOCK_FILE)), 0o600);
      lock.release();
      assert.equal(existsSync(join(dir, LOCK_FILE)), false);
      lock.release(); // idempotent
      lockDataDir(dir).release(); // and free again
    });
  });

  test('a live owner refuses at once, in one line naming its pid; the lock is left alone', () => {
    withDir((dir) => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, LOCK_FILE), `${process.ppid}\n`);
      assert.throws(() => lockDataDir(dir), (e: unknown) => e instanceof DataDirError && !e.message.includes('\n')
        && e.message.startsWith(`data directory ${dir} is in use by another everynode (pid ${process.ppid})`));
      assert.equal(readFileSync(join(dir, LOCK_FILE), 'utf8'), `${process.ppid}\n`);
    });
  });

  test('a second lock from the same process is refused too', () => {
    withDir((dir) => {
      const lock = lockDataDir(dir);
      try {
        assert.throws(() => lockDataDir(dir), DataDirError);
      } finally { lock.release(); }
    });
  });

  test('a stale lock (its pid is gone, or the file is torn) is taken over', () => {
    withDir((dir) => {
      mkdirSync(dir, { recursive: true });
      for (const stale of [`${deadPid()}\n`, '', 'garbage']) {
        writeFileSync(join(dir, LOCK_FILE), stale);
        const lock = lockDataDir(dir);
        assert.equal(readFileSync(join(dir, LOCK_FILE), 'utf8'), `${process.pid}\n`);
        lock.release();
      }
    });
  });

  test('release never removes a lock that is no longer ours', () => {
    withDir((dir) => {
      const lock = lockDataDir(dir);
      writeFileSync(join(dir, LOCK_FILE), '1\n');
      lock.release();
      assert.equal(readFileSync(join(dir, LOCK_FILE), 'utf8'), '1\n');
    });
  });

  test('an existing directory with a wider mode is tightened to 0700', () => {
    withDir((dir) => {
      mkdirSync(dir, { recursive: true });
      chmodSync(dir, 0o755);
      lockDataDir(dir).release();
      assert.equal(mode(dir), 0o700);
    });
  });

  test('a path that cannot be a directory is a one-line DataDirError', () => {
    withDir((dir) => {
      mkdirSync(join(dir, '..'), { recursive: true });
      writeFileSync(dir, 'a file');
      assert.throws(() => lockDataDir(dir), (e: unknown) => e instanceof DataDirError && e.message.startsWith(`cannot use data directory ${dir}:`));
    });
  });
});

describe('createExclusive (filesystems without hard links)', () => {
  test('creates the lock with our pid once, and never over an existing one', () => {
    withDir((dir) => {
      mkdirSync(dir, { recursive: true });
      const file = join(dir, LOCK_FILE);
      assert.equal(createExclusive(file), true);
      assert.equal(readFileSync(file, 'utf8'), `${process.pid}\n`);
      assert.equal(mode(file), 0o600);
      assert.equal(createExclusive(file), false);
    });
  });
});

describe('restrictDataDirFiles', () => {
  test('tightens our files and the pki directory, and touches nothing else', () => {
    withDir((dir) => {
      mkdirSync(join(dir, 'pki'), { recursive: true, mode: 0o755 });
      chmodSync(join(dir, 'pki'), 0o755);
      const ours = ['state.db', 'state.db-wal', 'state.db-shm', 'kubeconfig', 'pki/ca.crt', 'pki/server.key'];
      for (const f of [...ours, 'notes.txt']) { writeFileSync(join(dir, f), 'x'); chmodSync(join(dir, f), 0o644); }
      restrictDataDirFiles(dir);
      for (const f of ours) assert.equal(mode(join(dir, f)), 0o600, f);
      assert.equal(mode(join(dir, 'pki')), 0o700);
      assert.equal(mode(join(dir, 'notes.txt')), 0o644, 'not ours: left as it was');
    });
  });
});

// A short `npm run crash` (3 kills) and the start-up checks of `everynode up` on a damaged or
// differently configured data directory, all with `everynode up` as a real child process.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCrash } from '../../src/reliability/crash/run.js';
import { startUp, stopGracefully, UpFailed } from '../../src/reliability/crash/server.js';
import { openBackend } from '../../src/storage/index.js';

describe('npm run crash, short', () => {
  it('3 kills during a write storm: every acknowledged write survives', { timeout: 180_000 }, async () => {
    const r = await runCrash({ kills: 3, seed: 3, clients: 3, maxStormMs: 800, maxSeconds: 150 });
    assert.equal(r.kills, 3);
    assert.equal(r.complete, true);
    assert.ok(r.acknowledgedWrites > 0, 'the storm wrote something');
    assert.deepEqual(r.unexpectedAnswers, []);
    assert.deepEqual(r.violations, []);
    assert.equal(r.lost, 0);
  });

  it('the checker sees a server that forgets: --in-memory loses every acknowledged write', { timeout: 120_000 }, async () => {
    const r = await runCrash({ kills: 1, seed: 4, clients: 2, minStormMs: 300, maxStormMs: 600, upArgs: ['--in-memory'], maxSeconds: 100 });
    assert.ok(r.acknowledgedWrites > 0);
    assert.ok(r.lost > 0, 'lost writes are counted');
  });
});

describe('everynode up and its storage', () => {
  it('--fsync reaches the database: synchronous read back is FULL with always, NORMAL by default', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'everynode-fsync-'));
    try {
      for (const [args, want] of [[['--fsync', 'always'], 'FULL'], [[], 'NORMAL']] as const) {
        const s = await startUp({ dataDir: dir, args: [...args] });
        await stopGracefully(s.child);
        assert.match(s.stderr(), new RegExp(`storage \\S+state\\.db: synchronous=${want},`));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a damaged database stops it with one line naming the file, and a non-zero exit', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'everynode-damaged-'));
    try {
      const file = join(dir, 'state.db');
      const b = openBackend({ path: file });
      b.create('/registry/configmaps/default/x', '{}');
      b.close();
      writeFileSync(file, Buffer.alloc(8192, 0x41)); // scribbled over, header included
      const err = await startUp({ dataDir: dir }).then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof UpFailed, `expected everynode up to fail, got ${String(err)}`);
      assert.notEqual(err.code, 0);
      const lines = err.stderrText.trim().split('\n');
      assert.equal(lines.length, 1, err.stderrText);
      assert.match(lines[0], new RegExp(`^everynode: storage ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is damaged: .*move .* away`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// `everynode up` as a user meets it first, as a real child process: one cluster per data
// directory, a busy port or a bad --config refused in one line before anything starts, private
// file modes, and `--version` through the package's bin script.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killHard, startUp, stopGracefully, UpFailed, type RunningServer } from '../../src/reliability/crash/server.js';
import { LOCK_FILE } from '../../src/cluster/datadir.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const pkgVersion = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string }).version;
const mode = (p: string) => statSync(p).mode & 0o777;

interface Ran { code: number | null; stdout: string; stderr: string }
/** Runs the bin script as `npx everynode` would, bounded in time. */
function everynode(args: string[]): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(repo, 'bin/everynode.mjs'), ...args], { cwd: repo, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
    });
  });
}

/** startUp's failure, which a refused start must be. */
async function refused(dataDir: string, args: string[] = []): Promise<UpFailed> {
  const r = await startUp({ dataDir, args }).then((s) => { void killHard(s.child); return undefined; }, (e: unknown) => e);
  assert.ok(r instanceof UpFailed, `expected everynode up to refuse, got ${String(r)}`);
  return r;
}

/** The one line a refused start prints (the storage log line may precede it). */
function reason(f: UpFailed): string {
  const lines = f.stderrText.trim().split('\n').filter((l) => !l.startsWith('everynode: storage '));
  assert.equal(lines.length, 1, `one line, got:\n${f.stderrText}`);
  assert.doesNotMatch(f.stdout, /ready/, 'no ready banner');
  return lines[0]!;
}

let root: string;
before(() => { root = mkdtempSync(join(tmpdir(), 'everynode-up-cli-')); });
after(() => rmSync(root, { recursive: true, force: true }));

describe('everynode up: one cluster per data directory', () => {
  let first: RunningServer;
  let dir: string;
  before(async () => {
    dir = join(root, 'one');
    first = await startUp({ dataDir: dir });
  });
  after(async () => { await stopGracefully(first.child); });

  test('a second up on the same directory refuses at once, naming the owner, and leaves the kubeconfig alone', async () => {
    const before = readFileSync(join(dir, 'kubeconfig'), 'utf8');
    const f = await refused(dir);
    assert.equal(f.code, 1);
    assert.match(reason(f), new RegExp(`^everynode: data directory ${dir} is in use by another everynode \\(pid ${first.child.pid}\\); stop it first or pick another --data-dir`));
    assert.equal(readFileSync(join(dir, 'kubeconfig'), 'utf8'), before);
    assert.equal(first.child.exitCode, null, 'the first cluster still runs');
    // --in-memory too: it writes its kubeconfig into the same directory.
    assert.match(reason(await refused(dir, ['--in-memory'])), /is in use by another everynode/);
  });

  test('a busy port says so in one line and suggests --port 0', async () => {
    const port = new URL(first.url).port;
    const f = await refused(join(root, 'busy'), ['--port', port]);
    assert.equal(reason(f), `everynode: port ${port} on 127.0.0.1 is already in use; stop what is listening there or pick another port (--port 0 picks a free one)`);
    assert.equal(existsSync(join(root, 'busy', LOCK_FILE)), false, 'the lock is released on the way out');
  });

  test('the directory is 0700 and the database, WAL, keys, certificates, kubeconfig and lock are 0600', () => {
    assert.equal(mode(dir), 0o700);
    const files = ['state.db', 'state.db-wal', 'state.db-shm', 'kubeconfig', LOCK_FILE, ...readdirSync(join(dir, 'pki')).map((f) => `pki/${f}`)];
    assert.ok(files.some((f) => f.endsWith('.key')), files.join(' '));
    for (const f of files) assert.equal(mode(join(dir, f)), 0o600, f);
    assert.equal(mode(join(dir, 'pki')), 0o700);
  });
});

describe('everynode up: stale locks and wide modes from an earlier run', () => {
  test('after a kill -9 the lock is stale and the next up starts; modes loosened meanwhile are tightened', async () => {
    const dir = join(root, 'stale');
    const a = await startUp({ dataDir: dir });
    await killHard(a.child);
    assert.ok(existsSync(join(dir, LOCK_FILE)), 'kill -9 leaves the lock behind');
    for (const [p, m] of [[dir, 0o755], [join(dir, 'state.db'), 0o644], [join(dir, 'pki'), 0o755]] as const) {
      chmodSync(p, m);
    }
    const b = await startUp({ dataDir: dir });
    try {
      assert.equal(readFileSync(join(dir, LOCK_FILE), 'utf8'), `${b.child.pid}\n`);
      assert.deepEqual([mode(dir), mode(join(dir, 'state.db')), mode(join(dir, 'pki'))], [0o700, 0o600, 0o700]);
    } finally {
      await stopGracefully(b.child);
    }
    assert.equal(existsSync(join(dir, LOCK_FILE)), false, 'a clean stop removes the lock');
  });
});

describe('everynode up --config: refused before anything starts', () => {
  test('a YAML syntax error names line and column; nothing is written', async () => {
    const cfg = join(root, 'bad.yaml');
    writeFileSync(cfg, 'pools:\n  - name: a\n    count: [1\n');
    const dir = join(root, 'cfg-bad');
    const f = await refused(dir, ['--config', cfg]);
    assert.equal(reason(f), `everynode: ${cfg}:4:1: Flow sequence in block collection must be sufficiently indented and end with a ]`);
    assert.equal(existsSync(dir), false, 'not even the data directory');
  });

  test('an unknown field and a wrong type are named', async () => {
    const cfg = join(root, 'typo.yaml');
    writeFileSync(cfg, 'pools:\n  - name: a\n    cuont: 1\n');
    assert.equal(reason(await refused(join(root, 'cfg-typo'), ['--config', cfg])), `everynode: ${cfg}:3:5: pools[0].cuont: unknown field`);
    writeFileSync(cfg, 'pools:\n  - name: a\n    count: two\n');
    assert.equal(reason(await refused(join(root, 'cfg-type'), ['--config', cfg])), `everynode: ${cfg}:3:12: pools[0].count: Invalid input: expected number, received string`);
  });

  test('--config with --nodes is validated together', async () => {
    const cfg = join(root, 'node-pool.yaml');
    writeFileSync(cfg, 'pools:\n  - name: node\n    count: 1\n');
    assert.equal(reason(await refused(join(root, 'cfg-nodes'), ['--config', cfg, '--nodes', '2'])),
      `everynode: --nodes 2 with --config ${cfg}: pools[1].namePrefix (the --nodes pool): duplicate node name prefix "node"`);
  });

  test('--nodes alone beyond nodeAddressCIDR is refused in one line, not after the ready banner', async () => {
    const dir = join(root, 'too-many-nodes');
    assert.equal(reason(await refused(dir, ['--nodes', '2000000'])),
      'everynode: --nodes 2000000: nodeAddressCIDR: 172.16.0.0/12 holds 1048574 node addresses but the pools plan 2000000 nodes');
    assert.equal(existsSync(dir), false, 'not even the data directory');
  });
});

describe('everynode --version', () => {
  test('--version, -V and version print the package version through the bin script', async () => {
    for (const args of [['--version'], ['-V'], ['version']]) {
      const r = await everynode(args);
      assert.deepEqual([r.code, r.stdout, r.stderr], [0, `${pkgVersion}\n`, ''], args.join(' '));
    }
  });
});

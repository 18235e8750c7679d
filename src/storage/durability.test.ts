// Crash durability: every write the backend acknowledged survives `kill -9` of the process.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openBackend } from './index.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const childScript = join(repoRoot, 'test/fixtures/storage-durability-child.ts');
const ACKS_BEFORE_KILL = 300;

const dir = mkdtempSync(join(tmpdir(), 'everynode-durability-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Ack { key: string; rev: number }

/** Starts the writer, SIGKILLs it once enough acks arrived, and returns every complete ack line. */
function runAndKill(dbPath: string): Promise<{ acks: Ack[]; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', childScript, dbPath], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let stderr = '';
    let killed = false;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => { stderr += chunk; });
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      if (!killed && out.split('\n').length > ACKS_BEFORE_KILL) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    // 'close' waits for stdout to drain, so acks written just before the kill are counted too.
    child.on('close', (_code, signal) => {
      const lines = out.split('\n');
      lines.pop(); // an incomplete last line was not a full ack
      const acks = lines.map((line) => {
        const [key, rev] = line.split(' ');
        return { key, rev: Number(rev) };
      });
      resolve({ acks, signal, stderr });
    });
  });
}

it('acknowledged writes survive kill -9, and revisions continue upward', { timeout: 120_000 }, async () => {
  const dbPath = join(dir, 'nested', 'store.db');
  const { acks, signal, stderr } = await runAndKill(dbPath);
  assert.equal(signal, 'SIGKILL', `the writer should die by SIGKILL; stderr:\n${stderr}`);
  assert.ok(acks.length >= ACKS_BEFORE_KILL, `only ${acks.length} acks; stderr:\n${stderr}`);

  const backend = openBackend({ path: dbPath });
  try {
    for (const ack of acks) {
      const kv = backend.get(ack.key);
      assert.ok(kv, `acknowledged key ${ack.key} (rev ${ack.rev}) is missing after kill -9`);
      assert.equal(kv.modRev, ack.rev);
    }
    const lastAcked = acks[acks.length - 1].rev;
    const reopenedRev = backend.currentRevision();
    // The writer may have committed a write or two it never got to print; never fewer.
    assert.ok(reopenedRev >= lastAcked, `revision went backwards: ${reopenedRev} < ${lastAcked}`);
    const next = backend.create('/after-restart', '{}');
    assert.ok(next.ok);
    assert.equal(next.kv.modRev, reopenedRev + 1);
    assert.ok(next.kv.modRev > lastAcked);
  } finally {
    backend.close();
  }
});

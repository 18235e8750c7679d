// README "Walkthrough: stopping a bad release in the canary wave", run as written: every line of
// the section's `sh` blocks, in order, against an embedded cluster started as the first line
// says (`npx everynode up --config …`: the scheduler, the DaemonSet and rollout controllers).
// A line commented "exits N" must exit N, every other line 0. Between the lines, the test checks
// what the prose claims: only a canary node got the bad release, and the undo restored the fleet.
// Skipped while the rollout controller (src/rollout/controller.ts) is not in this checkout.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasKubectl, startTestCluster, type TestCluster } from '../helpers/cluster.js';
import type { Node, Pod } from '../../src/api/types.js';
import { RawClient } from '../../src/kube/client.js';

const repo = new URL('../..', import.meta.url).pathname;
const SECTION = '## Walkthrough: stopping a bad release in the canary wave';
const hasController = existsSync(join(repo, 'src/rollout/controller.ts'));

export interface Line { text: string; argv: string[]; exit: number }

/** The section's `sh` lines: words split as a shell would for these (single quotes only), the comment's "exits N". */
export function walkthroughLines(readme: string): Line[] {
  const start = readme.indexOf(SECTION);
  assert.ok(start >= 0, `README has "${SECTION}"`);
  const rest = readme.slice(start + SECTION.length);
  const end = rest.search(/\n## /);
  const body = end === -1 ? rest : rest.slice(0, end);
  const lines: Line[] = [];
  for (const block of body.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const raw of block[1].split('\n')) {
      const m = /^(.*?)(?:\s+#\s*(.*))?$/.exec(raw.trim())!;
      if (!m[1]) continue;
      const exit = /^exits (\d+)/.exec(m[2] ?? '');
      lines.push({ text: m[1], argv: [...m[1].matchAll(/'([^']*)'|(\S+)/g)].map((w) => w[1] ?? w[2]), exit: exit ? Number(exit[1]) : 0 });
    }
  }
  return lines;
}

type Result = { code: number; stdout: string; stderr: string };
function run(file: string, args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { env: { ...process.env, ...env }, cwd: repo, timeout: 180_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0, stdout, stderr });
    });
  });
}

describe('README walkthrough: stopping a bad release in the canary wave', {
  skip: (!hasKubectl && 'kubectl is not installed') || (!hasController && 'the rollout controller (src/rollout/controller.ts) is not in this checkout'),
}, () => {
  let c: TestCluster | undefined;
  after(async () => { await c?.stop(); });

  test('every command runs as written', async () => {
    const lines = walkthroughLines(readFileSync(join(repo, 'README.md'), 'utf8'));
    assert.deepEqual(lines[0].argv.slice(0, 4), ['npx', 'everynode', 'up', '--config']);
    c = await startTestCluster({ configFile: join(repo, lines[0].argv[4]), scheduler: true, controller: true });
    const api = new RawClient(c.kubeConfig());
    const env = { KUBECONFIG: c.kubeconfigPath, HOME: c.dir };
    const pods = async () => (await api.request<{ items: Pod[] }>('GET', '/api/v1/namespaces/monitoring/pods')).items.filter((p) => !p.metadata?.deletionTimestamp);
    try {
      for (const line of lines.slice(1)) {
        if (line.argv[0] === 'export') continue; // the environment above
        if (line.argv[0] !== 'kubectl') assert.deepEqual(line.argv.slice(0, 2), ['npx', 'everynode'], line.text);
        const r: Result = line.argv[0] === 'kubectl'
          ? await run('kubectl', ['--cache-dir', join(c.dir, 'cache'), ...line.argv.slice(1)], env)
          : await run(process.execPath, [join(repo, 'bin/everynode.mjs'), ...line.argv.slice(2)], env);
        assert.equal(r.code, line.exit, `${line.text}\n${r.stdout}\n${r.stderr}`);
        if (line.text.includes('rollout status') && line.exit === 1) {
          // The gate tripped in the canary wave: the bad image reached one canary node and no other.
          assert.match(r.stdout, /Phase: +Failed \(wave canary\)/);
          assert.match(r.stdout, /^\S+ +canary +CrashLoop +Revision /m);
          const nodes = new Map((await api.request<{ items: Node[] }>('GET', '/api/v1/nodes')).items.map((n) => [n.metadata!.name!, n]));
          const bad = (await pods()).filter((p) => p.spec?.containers?.[0]?.image?.endsWith('-crash'));
          assert.equal(bad.length, 1, 'one canary pod replaced (maxUnavailable 1)');
          assert.equal(nodes.get(bad[0].spec!.nodeName!)?.metadata?.labels?.['everynode.dev/canary'], 'true');
        }
      }
      const final = await pods();
      assert.equal(final.length, 10);
      assert.ok(final.every((p) => p.spec?.containers?.[0]?.image === 'quay.io/prometheus/node-exporter:v1.8.2'), 'every node back on v1.8.2');
    } finally { api.close(); }
  });
});

test('the walkthrough parser reads the section\'s commands and expected exits', () => {
  const lines = walkthroughLines(readFileSync(join(repo, 'README.md'), 'utf8'));
  assert.ok(lines.length >= 8);
  assert.deepEqual(lines.filter((l) => l.exit !== 0).map((l) => [l.argv.slice(0, 4).join(' '), l.exit]), [['npx everynode rollout status', 1]]);
  assert.ok(lines.some((l) => l.argv.includes('custom-columns=NODE:.spec.nodeName,IMAGE:.spec.containers[0].image')));
});

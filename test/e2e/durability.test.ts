// Durability end to end: `everynode up` as a child process, writes through the API, `kill -9`
// while writes are in flight, restart on the same data dir: every acknowledged write is there and
// resourceVersions keep growing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { killHard, startUp, stopGracefully, type RunningServer } from '../../src/reliability/crash/server.js';

interface Up { child: RunningServer['child']; core: CoreV1Api }

/** `everynode up` as a child process (the crash runner's launcher), with a client-node client. */
async function up(dataDir: string): Promise<Up> {
  const server = await startUp({ dataDir });
  const kc = new KubeConfig();
  kc.loadFromString(server.kubeconfig);
  return { child: server.child, core: kc.makeApiClient(CoreV1Api) };
}

test('acknowledged writes survive kill -9, and resourceVersions continue upwards', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'everynode-durability-'));
  let first: Up | undefined;
  let second: Up | undefined;
  try {
    first = await up(dataDir);
    const acknowledged = new Map<string, string>(); // name → resourceVersion
    let killed = false;
    const writeErrors: unknown[] = [];
    const writer = async (w: number) => {
      for (let i = 0; !killed; i++) {
        const name = `w${w}-${i}`;
        try {
          const cm = await first!.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name }, data: { i: String(i) } } });
          acknowledged.set(name, cm.metadata!.resourceVersion!);
        } catch (err) {
          if (!killed) writeErrors.push(err);
          return; // the server is gone: this write was never acknowledged
        }
      }
    };
    const writers = [0, 1, 2, 3].map(writer);
    // Kill once enough writes are acknowledged, with the writers still going.
    while (acknowledged.size < 80 && writeErrors.length === 0) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(writeErrors, [], 'writes before the kill must succeed');
    killed = true;
    await killHard(first.child);
    await Promise.all(writers);
    assert.ok(acknowledged.size >= 80);

    second = await up(dataDir);
    const list = await second.core.listNamespacedConfigMap({ namespace: 'default' });
    const stored = new Map(list.items.map((i) => [i.metadata!.name!, i]));
    for (const [name, rv] of acknowledged) {
      const cm = stored.get(name);
      assert.ok(cm, `acknowledged configmap ${name} is missing after kill -9`);
      assert.equal(cm.metadata!.resourceVersion, rv);
      assert.equal(cm.data?.i, name.split('-')[1]);
    }
    const maxRv = Math.max(...[...acknowledged.values()].map(Number));
    assert.ok(Number(list.metadata!.resourceVersion) >= maxRv);
    const after = await second.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'after-restart' } } });
    assert.ok(Number(after.metadata!.resourceVersion) > Number(list.metadata!.resourceVersion), 'new writes get larger resourceVersions');
  } finally {
    if (first) await killHard(first.child);
    if (second) await stopGracefully(second.child);
    rmSync(dataDir, { recursive: true, force: true });
  }
});

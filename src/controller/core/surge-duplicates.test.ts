// Found by `npm run chaos` (seeds 2–4): a surge rollout overtaken by a second template change
// left a node with two old pods; the sync that pruned one of them also surged a new pod onto the
// same node, and since the shell creates before it deletes, the node briefly held three
// non-terminating pods (for as long as the delete failed, for longer). Upstream runs the rolling
// update only once manage's writes are observed, so the new pod follows the deletion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plan } from './plan.js';
import { FakeCluster, makeDs, makeNodes, makePod, T0 } from './testkit.js';

test('surge: a node whose duplicate old pod is pruned in this sync gets its new pod only in a later sync', () => {
  const ds = makeDs({ maxSurge: 2 });
  const c = new FakeCluster(ds, makeNodes(0, 3));
  c.revisions = [];
  const first = plan(c.snapshot());
  c.apply({ ...first, createPods: [], deletePods: [] });
  c.pods = [
    makePod(ds, 'node-0', { name: 'old-v1', hash: 'v1', createdMs: T0 + 50_000, ready: true }),
    makePod(ds, 'node-0', { name: 'old-v2', hash: 'v2', createdMs: T0 + 60_000, ready: true }),
    makePod(ds, 'node-1', { name: 'old-n1', hash: 'v1', createdMs: T0 + 50_000, ready: true }),
    makePod(ds, 'node-2', { name: 'old-n2', hash: 'v1', createdMs: T0 + 50_000, ready: true }),
  ];
  const p = c.sync();
  assert.deepEqual(p.deletePods.map((d) => d.name), ['old-v2']);
  assert.ok(!p.createPods.some((x) => x.nodeName === 'node-0'), `no surge pod next to two old ones: ${p.createPods.map((x) => x.nodeName)}`);
  // Once the prune is observed (the fake applies deletes at once), node-0 surges like any other.
  const next = c.sync();
  assert.deepEqual(next.createPods.map((x) => x.nodeName), ['node-0'], 'node-0 gets its new pod after the prune');
});

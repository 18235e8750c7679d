// Hash format, revision data bytes, numbering, rollback renumbering, dedup, cleanup; pod construction details.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ControllerRevision } from '../../api/types.js';
import { canonicalJson, computeTemplateHash, fnv1a32, safeEncodeString } from './hash.js';
import { newRevision, planHistory, revisionDataBytes, revisionMatches, revisionsToCleanUp, templateHash } from './history.js';
import { newDaemonPod, withDaemonTolerations } from './pods.js';
import { FakeCluster, makeDs, makeNodes, makePod } from './testkit.js';

test('hash: FNV-1a vectors, safe encoding, collision count changes the hash', () => {
  assert.equal(fnv1a32(new TextEncoder().encode('')), 0x811c9dc5);
  assert.equal(fnv1a32(new TextEncoder().encode('a')), 0xe40c292c);
  assert.equal(safeEncodeString('0123456789'), '456789bcdf');
  const t = makeDs().spec!.template;
  const h = computeTemplateHash(t);
  assert.match(h, /^[4-9bcdf]{1,10}$/);
  assert.equal(computeTemplateHash(structuredClone(t)), h);
  assert.notEqual(computeTemplateHash(t, 1), h);
  assert.notEqual(computeTemplateHash(t, 1), computeTemplateHash(t, 2));
  assert.notEqual(computeTemplateHash(t, 0), h); // a set count, even 0, is hashed
});

test('revision data: Go key order, $patch first, zero-valued structs present', () => {
  const ds = makeDs();
  assert.equal(revisionDataBytes(ds),
    '{"spec":{"template":{"$patch":"replace","metadata":{"creationTimestamp":null,"labels":{"name":"simple-daemon","type":"production"}},' +
    '"spec":{"containers":[{"image":"foo/bar","name":"foo","resources":{}}]}}}}');
  assert.equal(canonicalJson({ b: 1, '10': 2, a: [{ z: 1, y: 2 }] }), '{"10":2,"a":[{"y":2,"z":1}],"b":1}');
  const rev = newRevision(ds, 'abc', 1);
  assert.equal(rev.metadata!.name, 'foo-abc');
  assert.deepEqual(rev.metadata!.labels, { name: 'simple-daemon', type: 'production', 'controller-revision-hash': 'abc' });
  assert.equal(rev.metadata!.ownerReferences![0].controller, true);
  assert.equal(rev.metadata!.annotations!['deprecated.daemonset.template.generation'], '1');
  assert.ok(revisionMatches(ds, rev));
  assert.ok(revisionMatches(ds, { ...rev, data: JSON.parse(JSON.stringify(rev.data)) }));
  const changed = makeDs(); changed.spec!.template.spec!.containers[0].image = 'x';
  assert.ok(!revisionMatches(changed, rev));
});

test('history: create 1, change → 2, roll back → old revision renumbered to 3', () => {
  const c = new FakeCluster(makeDs(), makeNodes(0, 1));
  c.sync();
  assert.deepEqual(c.revisions.map((r) => r.revision), [1]);
  const firstName = c.revisions[0].metadata!.name;
  c.setImage('foo/v2');
  c.sync();
  assert.deepEqual(c.revisions.map((r) => r.revision), [1, 2]);
  c.setImage('foo/bar');
  const p = c.sync();
  assert.equal(p.createRevision, undefined);
  assert.deepEqual(p.updateRevisions.map((r) => [r.metadata!.name, r.revision]), [[firstName, 3]]);
  // Strategy-only changes create nothing.
  c.setStrategy({ type: 'OnDelete' });
  const q = c.sync();
  assert.equal(q.createRevision, undefined);
  assert.deepEqual(q.updateRevisions, []);
});

test('history: rollback keeps the old pods (hash matches again)', () => {
  const c = new FakeCluster(makeDs({ maxUnavailable: 1 }), makeNodes(0, 3));
  c.sync(); c.markAllReady();
  const original = c.pods.map((p) => p.metadata!.name);
  c.setImage('foo:non-existent');
  c.sync(); c.sync(); // one pod replaced, new one never ready → stuck
  c.setImage('foo/bar');
  for (let i = 0; i < 4; i++) { c.sync(); c.markAllReady(); }
  const survivors = original.filter((n) => c.pods.some((p) => p.metadata!.name === n));
  assert.equal(survivors.length, 2);
  assert.equal(c.pods.length, 3);
});

test('history: duplicates merged into the highest revision, pods relabelled; legacy label migrated', () => {
  const ds = makeDs();
  const a = newRevision(ds, 'aaa', 2), b = newRevision(ds, 'bbb', 5);
  const legacy: ControllerRevision = { ...newRevision({ ...ds, spec: { ...ds.spec!, template: { ...ds.spec!.template, metadata: { labels: { x: 'y' } } } } }, 'zzz', 1) };
  delete legacy.metadata!.labels!['controller-revision-hash'];
  const h = planHistory(ds, [a, b, legacy]);
  assert.equal(h.hash, 'bbb');
  assert.deepEqual(h.deletes, ['foo-aaa']);
  assert.equal(h.relabelPodsTo, 'bbb');
  assert.deepEqual(h.updates.map((r) => [r.metadata!.name, r.metadata!.labels!['controller-revision-hash']]), [['foo-zzz', 'foo-zzz']]);
  const c = new FakeCluster(ds, makeNodes(0, 1));
  c.revisions = [a, b];
  c.pods = [makePod(ds, 'node-0', { hash: 'aaa' })];
  const p = c.sync();
  assert.deepEqual(p.relabelPods.map((r) => r.hash), ['bbb']);
  assert.deepEqual(counts2(p), [0, 0]);
});
const counts2 = (p: { createPods: unknown[]; deletePods: unknown[] }) => [p.createPods.length, p.deletePods.length];

test('history: collision with a foreign revision of the same name bumps collisionCount', () => {
  const ds = makeDs();
  const squatter = newRevision(ds, templateHash(ds), 1);
  squatter.data = { spec: { template: { $patch: 'replace', spec: { containers: [] } } } };
  const c = new FakeCluster(ds, makeNodes(0, 1));
  c.revisions = [squatter];
  const p = c.sync();
  assert.equal(p.status.collisionCount, 1);
  assert.equal(p.writeStatus, true);
  assert.deepEqual(counts2(p), [0, 0]);
  const next = c.sync();
  assert.ok(next.createRevision);
  assert.notEqual(next.createRevision!.metadata!.name, squatter.metadata!.name);
  assert.equal(next.createRevision!.revision, 2);
});

test('cleanup: oldest unused revisions beyond the limit; live hashes kept', () => {
  const ds = { ...makeDs(), spec: { ...makeDs().spec!, revisionHistoryLimit: 1 } };
  const old = [3, 1, 2].map((n) => newRevision(ds, `h${n}`, n));
  assert.deepEqual(revisionsToCleanUp(ds, old, []), ['foo-h1', 'foo-h2']);
  assert.deepEqual(revisionsToCleanUp(ds, old, [makePod(ds, 'n', { hash: 'h1', phase: 'Failed', deleting: true })]), ['foo-h2', 'foo-h3']);
  const zero = { ...ds, spec: { ...ds.spec, revisionHistoryLimit: 0 } };
  assert.deepEqual(revisionsToCleanUp(zero, old, [makePod(ds, 'n', { hash: 'h2' })]).sort(), ['foo-h1', 'foo-h3']);
});

test('pods: labels, generateName, owner, tolerations merge, affinity pin', () => {
  const ds = makeDs();
  ds.spec!.template.metadata!.annotations = { a: 'b' };
  ds.spec!.template.spec!.tolerations = [
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 5 },
    { key: 'node.kubernetes.io/not-ready', operator: 'Equal', effect: 'NoExecute' },
  ];
  ds.spec!.template.spec!.affinity = { podAffinity: {}, nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } };
  const pod = newDaemonPod(ds, 'node-7', 'h1', { bindDirectly: false });
  assert.equal(pod.metadata!.generateName, 'foo-');
  assert.equal(pod.metadata!.namespace, 'default');
  assert.deepEqual(pod.metadata!.labels, { name: 'simple-daemon', type: 'production', 'pod-template-generation': '1', 'controller-revision-hash': 'h1' });
  assert.deepEqual(pod.metadata!.annotations, { a: 'b' });
  assert.deepEqual(pod.metadata!.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'foo', uid: 'uid-foo', controller: true, blockOwnerDeletion: true }]);
  const tol = pod.spec!.tolerations!;
  assert.deepEqual(tol[0], { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' });
  assert.equal(tol[1].operator, 'Equal'); // differing operator kept, auto one appended
  assert.equal(tol.length, 2 + 5);
  assert.ok(pod.spec!.affinity!.podAffinity);
  assert.deepEqual(pod.spec!.affinity!.nodeAffinity!.preferredDuringSchedulingIgnoredDuringExecution, []);
  assert.equal(withDaemonTolerations([], true).length, 7);
  const badGen = makeDs(); badGen.metadata!.annotations!['deprecated.daemonset.template.generation'] = 'x';
  assert.equal(newDaemonPod(badGen, 'n', 'h', { bindDirectly: false }).metadata!.labels!['pod-template-generation'], undefined);
  assert.equal(makeDs().spec!.template.spec!.tolerations, undefined); // template not mutated
});

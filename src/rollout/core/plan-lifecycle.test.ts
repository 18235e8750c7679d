// planRollout across several syncs: rollback, resume, quarantine release, in-place patches, late nodes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ControllerRevision, DaemonSet } from '../../api/types.js';
import { newRevision, templateHash } from '../../controller/core/history.js';
import { rfc3339 } from '../../api/meta.js';
import { planRollout } from './plan.js';
import { daemonSet, input, node, pod, rollout, T0 } from './testkit.js';

/** The DaemonSet on `image`, and revisions for every image given (as the DaemonSet controller would have written them). */
function withRevisions(name: string, image: string, history: string[]): { ds: DaemonSet; revisions: ControllerRevision[]; hashes: string[] } {
  const revisions = history.map((img, i) => {
    const d = daemonSet(name, img);
    const rev = newRevision(d, templateHash(d), i + 1);
    return { ...rev, metadata: { ...rev.metadata, ownerReferences: [{ ...rev.metadata!.ownerReferences![0], uid: `uid-${name}` }] } };
  });
  return { ds: daemonSet(name, image), revisions, hashes: history.map((img) => templateHash(daemonSet(name, img))) };
}

test('Rollback: a trip puts the stable template back, repeats it until observed, then replaces the failed nodes first', () => {
  const { ds, revisions, hashes: [stable, bad] } = withRevisions('agent', 'agent:bad', ['agent:1', 'agent:bad']);
  const nodes = ['n0', 'n1', 'n2'].map((n) => node(n));
  const spec = { onFailure: 'Rollback' as const, waves: [{ name: 'all', maxUnavailable: 1 }] };
  const crashing = pod(ds, 'n0', { isNew: true, ready: false, restarts: 9, waiting: 'CrashLoopBackOff', createdMs: T0 - 60_000 });
  const pods = [crashing, pod(ds, 'n1', { isNew: true, createdMs: T0 - 60_000 }), { ...pod(ds, 'n2'), metadata: { ...pod(ds, 'n2').metadata, labels: { app: 'agent', 'controller-revision-hash': stable } } }];
  const first = planRollout({ ...input(rollout(spec), [ds], nodes, pods), revisions }, T0);
  assert.equal(first.status.phase, 'RollingBack');
  assert.deepEqual(first.actions.map((a) => a.type), ['RollbackTemplate']);
  const rb = first.actions[0] as { toRevision: string; template: { spec?: { containers: { image?: string }[] } } };
  assert.equal(rb.toRevision, stable);
  assert.equal(rb.template.spec?.containers[0].image, 'agent:1');
  assert.equal(first.status.toRevision, stable);
  assert.equal(first.status.rolledBackFrom, bad);
  // not yet observed: the same action again, nothing else
  const again = planRollout({ ...input(rollout(spec, first.status), [ds], nodes, pods), revisions }, T0 + 1000);
  assert.deepEqual(again.actions.map((a) => a.type), ['RollbackTemplate']);
  // observed: the DaemonSet is back on agent:1; the crashing node goes first (free), then one more within budget... the budget is used by n0
  const back = daemonSet('agent', 'agent:1');
  const third = planRollout({ ...input(rollout(spec, again.status), [back], nodes, pods), revisions }, T0 + 2000);
  assert.equal(third.status.phase, 'RollingBack');
  const deletes = third.actions.filter((a) => a.type === 'DeletePod');
  assert.deepEqual(deletes.map((a) => [(a as { node: string }).node, (a as { purpose: string }).purpose]), [['n0', 'Rollback']]);
  // every node back on the stable revision: Failed with RolledBack
  const done = ['n0', 'n1', 'n2'].map((n) => pod(back, n, { isNew: true, createdMs: T0 }));
  const last = planRollout({ ...input(rollout(spec, third.status), [back], nodes, done), revisions }, T0 + 3000);
  assert.equal(last.status.phase, 'Failed');
  assert.equal(last.status.conditions?.find((c) => c.type === 'RolledBack')?.status, 'True');
  assert.ok(last.events.some((e) => e.reason === 'RolledBack'));
});

test('resume: a Pause-mode trip is cleared by a resume annotation later than the failure', () => {
  const ds = daemonSet('agent');
  const nodes = ['n0', 'n1'].map((n) => node(n));
  const pods = [pod(ds, 'n0', { isNew: true, ready: false, restarts: 9, waiting: 'CrashLoopBackOff', createdMs: T0 - 60_000 }), pod(ds, 'n1')];
  const tripped = planRollout(input(rollout({ health: { maxFailedNodes: 0 } }), [ds], nodes, pods), T0);
  assert.equal(tripped.status.phase, 'Failed');
  const stale = planRollout(input(rollout({}, tripped.status, { 'everynode.dev/resume': rfc3339(T0 - 1000) }), [ds], nodes, pods), T0 + 1000);
  assert.equal(stale.status.phase, 'Failed');
  // resumed with a tolerance that now admits the one failed node
  const resumed = planRollout(input(rollout({ health: { maxFailedNodes: 1 } }, tripped.status, { 'everynode.dev/resume': rfc3339(T0 + 2000) }), [ds], nodes, pods), T0 + 3000);
  assert.equal(resumed.status.phase, 'Progressing');
  assert.ok(resumed.events.some((e) => e.reason === 'Resumed'));
});

test('quarantine is released (annotation removed) once the node is done', () => {
  const ds = daemonSet('agent');
  const nodes = ['n0', 'n1'].map((n) => node(n));
  const status = { toRevision: templateHash(ds), fromRevision: 'old', phase: 'Progressing' as const, quarantinedNodes: ['n0'],
    targets: [{ name: 'agent', fromRevision: 'old', toRevision: templateHash(ds), strategy: 'OnDelete' }] };
  const p = planRollout(input(rollout({ quarantine: { afterSeconds: 60 } }, status), [ds], nodes, [pod(ds, 'n0', { isNew: true }), pod(ds, 'n1', { isNew: true })]), T0);
  assert.deepEqual(p.actions, [{ type: 'ReleaseNode', node: 'n0' }]);
  assert.deepEqual(p.status.quarantinedNodes, []);
  assert.equal(p.status.phase, 'Complete');
});

test('inPlace IfPossible: an image-only change is a PatchPodImages; any other change is a DeletePod', () => {
  const { ds, revisions, hashes: [oldHash] } = withRevisions('agent', 'agent:2', ['agent:1', 'agent:2']);
  const old = pod(ds, 'n0');
  const oldPod = { ...old, metadata: { ...old.metadata, labels: { app: 'agent', 'controller-revision-hash': oldHash } } };
  const p = planRollout({ ...input(rollout({ inPlace: 'IfPossible' }), [ds], [node('n0')], [oldPod]), revisions }, T0);
  assert.equal(p.actions.length, 1);
  const a = p.actions[0] as { type: string; images: Record<string, string>; revisionHash: string; uid: string };
  assert.equal(a.type, 'PatchPodImages');
  assert.deepEqual(a.images, { agent: 'agent:2' });
  assert.equal(a.revisionHash, templateHash(ds));
  assert.equal(a.uid, oldPod.metadata.uid);
  // a change beyond images (an env var) deletes
  const envDs = daemonSet('agent', 'agent:2');
  envDs.spec!.template.spec!.containers[0].env = [{ name: 'X', value: '1' }];
  const envRev = newRevision(envDs, templateHash(envDs), 3);
  const p2 = planRollout({ ...input(rollout({ inPlace: 'IfPossible' }), [envDs], [node('n0')], [oldPod]), revisions: [...revisions, { ...envRev, metadata: { ...envRev.metadata, ownerReferences: [{ ...envRev.metadata!.ownerReferences![0], uid: 'uid-agent' }] } }] }, T0);
  assert.deepEqual(p2.actions.map((x) => x.type), ['DeletePod']);
});

test('a node that joins a completed wave with an old pod is updated; a new node without a pod is left to the DaemonSet controller', () => {
  const ds = daemonSet('agent');
  const nodes = [node('c0', { labels: { canary: 'true' } }), node('c1', { labels: { canary: 'true' } }), node('c2', { labels: { canary: 'true' } }), node('r0'), node('r1')];
  // the canary's budget (2) covers c2's missing pod and c1's replacement
  const spec = { waves: [{ name: 'canary', nodeSelector: { matchLabels: { canary: 'true' } }, maxUnavailable: 2 }, { name: 'rest', maxUnavailable: 1 }] };
  const status = {
    toRevision: templateHash(ds), fromRevision: 'old', phase: 'Progressing' as const, currentWave: 'rest',
    targets: [{ name: 'agent', fromRevision: 'old', toRevision: templateHash(ds), strategy: 'OnDelete' }],
    waves: [{ name: 'canary', nodes: 1, updated: 1, ready: 1, failed: 0, quarantined: 0, state: 'Complete' as const }, { name: 'rest', nodes: 2, updated: 0, ready: 0, failed: 0, quarantined: 0, state: 'Progressing' as const }],
  };
  // c1 joined the canary pool with an old pod; c2 is brand new (no pod yet)
  const pods = [pod(ds, 'c0', { isNew: true }), pod(ds, 'c1'), pod(ds, 'r0'), pod(ds, 'r1')];
  const p = planRollout(input(rollout(spec, status), [ds], nodes, pods), T0);
  const acted = p.actions.flatMap((a) => (a.type === 'DeletePod' ? [a.node] : [])).sort();
  assert.deepEqual(acted, ['c1', 'r0']);
  assert.ok(!acted.includes('c2'));
});

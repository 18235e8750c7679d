import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ControllerRevision, DaemonSet } from '../../api/types.js';
import { APPROVE_ANNOTATION, RESUME_ANNOTATION, type DaemonSetRollout, type DaemonSetRolloutStatus } from '../api/types.js';
import { approvePatch, CliError, pausePatch, resumePatch, undoSteps } from './actions.js';

const rollout = (status: DaemonSetRolloutStatus | undefined, annotations?: Record<string, string>): DaemonSetRollout => ({
  metadata: { name: 'ne', namespace: 'mon', ...(annotations ? { annotations } : {}) },
  spec: { waves: [{ name: 'canary', approval: 'Manual' }, { name: 'rest' }] },
  ...(status ? { status } : {}),
});
const waves = (canary: string, rest = 'Pending') => [
  { name: 'canary', nodes: 1, updated: 0, ready: 0, failed: 0, quarantined: 0, state: canary },
  { name: 'rest', nodes: 3, updated: 0, ready: 0, failed: 0, quarantined: 0, state: rest },
] as DaemonSetRolloutStatus['waves'];

test('pause sets spec.paused, resume clears it', () => {
  assert.deepEqual(pausePatch(), { spec: { paused: true } });
  assert.deepEqual(resumePatch(rollout({ phase: 'Paused' }), 0), { spec: { paused: false } });
});

test('resume after a Pause-mode trip writes a resume time later than the trip', () => {
  const at = '2026-01-01T12:00:00Z';
  const failed = rollout({ phase: 'Failed', failure: { reason: 'HealthGate', message: 'm', at, toRevision: 'b' } });
  const later = resumePatch(failed, Date.parse('2026-01-01T12:05:00Z'));
  assert.equal(later.metadata?.annotations[RESUME_ANNOTATION], '2026-01-01T12:05:00Z');
  // A clock behind the trip's (skew between machines) still resumes: one second past it.
  const skewed = resumePatch(failed, Date.parse(at) - 60_000);
  assert.equal(skewed.metadata?.annotations[RESUME_ANNOTATION], '2026-01-01T12:00:01Z');
  // After a rollback there is nothing to resume past: only spec.paused.
  assert.deepEqual(resumePatch(rollout({ phase: 'Failed', rolledBackFrom: 'b', failure: { reason: 'HealthGate', message: 'm', at, toRevision: 'b' } }), 0), { spec: { paused: false } });
});

test('approve: the waiting wave, for this revision, keeping other approvals of it', () => {
  const r = rollout({ phase: 'WaitingApproval', toRevision: 'r2', waves: waves('WaitingApproval') }, { [APPROVE_ANNOTATION]: 'canary@r1,rest@r2' });
  const { patch, wave } = approvePatch(r, undefined);
  assert.equal(wave, 'canary');
  assert.deepEqual(patch, { metadata: { annotations: { [APPROVE_ANNOTATION]: 'rest@r2,canary@r2' } } });
  assert.equal(approvePatch(rollout({ toRevision: 'r2', waves: waves('Complete') }), 'rest').patch.metadata?.annotations[APPROVE_ANNOTATION], 'rest@r2');
});

test('approve refuses with a reason: no status, no waiting wave, unknown or started wave', () => {
  assert.throws(() => approvePatch(rollout(undefined), undefined), (e: Error) => e instanceof CliError && /no status yet/.test(e.message));
  assert.throws(() => approvePatch(rollout({ phase: 'Progressing', toRevision: 'r', waves: waves('Progressing') }), undefined), /no wave waiting for approval \(phase Progressing\)/);
  assert.throws(() => approvePatch(rollout({ toRevision: 'r', waves: waves('Pending') }), 'nope'), /no wave "nope" \(waves: canary, rest\)/);
  assert.throws(() => approvePatch(rollout({ toRevision: 'r', waves: waves('Complete') }), 'canary'), /already started \(Complete\)/);
});

const ds = (hash: string): DaemonSet => ({ metadata: { name: 'ne', uid: 'ds-uid' }, spec: { selector: {}, template: { metadata: { labels: { h: hash } } } } } as DaemonSet);
const rev = (hash: string, image: string, owner = 'ds-uid'): ControllerRevision => ({
  metadata: { name: `ne-${hash}`, labels: { 'controller-revision-hash': hash }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'ne', uid: owner, controller: true }] },
  revision: 1, data: { spec: { template: { $patch: 'replace', spec: { containers: [{ name: 'c', image }] } } } },
} as unknown as ControllerRevision);
const hashOf = (d: DaemonSet) => d.spec!.template!.metadata!.labels!.h;

test('undo puts the fromRevision template back, without $patch, for targets not on it', () => {
  const r = rollout({ targets: [{ name: 'ne', fromRevision: 'good', toRevision: 'bad', strategy: 'OnDelete' }] });
  const steps = undoSteps(r, [ds('bad')], [rev('bad', 'ne:2', 'other'), rev('good', 'ne:1', 'other'), rev('good', 'ne:1'), rev('bad', 'ne:2')], hashOf);
  assert.deepEqual(steps, [{ daemonSet: 'ne', toRevision: 'good', patch: [{ op: 'replace', path: '/spec/template', value: { spec: { containers: [{ name: 'c', image: 'ne:1' }] } } }] }]);
});

test('undo refuses with a reason: no status, nothing to undo, target or revision gone', () => {
  const st = rollout({ targets: [{ name: 'ne', fromRevision: 'good', toRevision: 'bad', strategy: 'OnDelete' }] });
  assert.throws(() => undoSteps(rollout(undefined), [], [], hashOf), /no status yet/);
  assert.throws(() => undoSteps(st, [ds('good')], [rev('good', 'ne:1')], hashOf), /nothing to undo/);
  assert.throws(() => undoSteps(st, [], [], hashOf), /daemonset "ne" of rollout "ne" not found/);
  assert.throws(() => undoSteps(st, [ds('bad')], [rev('good', 'ne:1', 'someone-else')], hashOf), /revision good was not found/);
});

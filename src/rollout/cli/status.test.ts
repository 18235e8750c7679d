import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { DaemonSetRollout, DaemonSetRolloutStatus } from '../api/types.js';
import { parseTimeout, renderStatus, verdictOf } from './status.js';
import { renderTable } from './table.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const rollout = (status: DaemonSetRolloutStatus | undefined, generation = 1, paused = false): DaemonSetRollout => ({
  metadata: { name: 'ne', namespace: 'mon', generation },
  spec: { waves: [{ name: 'canary' }], paused },
  ...(status ? { status } : {}),
});

test('verdict: Complete and Idle are done, Failed failed, the rest waiting', () => {
  assert.equal(verdictOf(rollout({ phase: 'Complete', observedGeneration: 1, toRevision: 'abc' })).state, 'done');
  assert.match(verdictOf(rollout({ phase: 'Complete', observedGeneration: 1, toRevision: 'abc' })).message, /successfully rolled out \(revision abc\)/);
  assert.equal(verdictOf(rollout({ phase: 'Idle', observedGeneration: 1 })).state, 'done');
  const f = verdictOf(rollout({ phase: 'Failed', observedGeneration: 1, failure: { reason: 'HealthGate', message: '2 node(s) failed', at: '2026-01-01T11:00:00Z', toRevision: 'x' } }));
  assert.deepEqual(f, { state: 'failed', message: 'rollout "ne" failed: HealthGate: 2 node(s) failed' });
  for (const phase of ['Progressing', 'Baking', 'WaitingApproval', 'Paused', 'RollingBack'] as const) {
    assert.equal(verdictOf(rollout({ phase, observedGeneration: 1 })).state, 'waiting', phase);
  }
  assert.match(verdictOf(rollout({ phase: 'WaitingApproval', currentWave: 'canary', observedGeneration: 1 })).message, /wave canary waits for approval \(everynode rollout approve ne\)/);
});

test('verdict: a status older than the spec, or none, is never the answer', () => {
  assert.equal(verdictOf(rollout(undefined)).state, 'waiting');
  assert.match(verdictOf(rollout({ phase: 'Complete', observedGeneration: 1 }, 2)).message, /spec update to be observed/);
  assert.equal(verdictOf(rollout({ phase: 'Failed', observedGeneration: 1 }, 2)).state, 'waiting');
});

test('status renders phase, the waves table and the blockers table as kubectl lays tables out', () => {
  const text = renderStatus(rollout({
    phase: 'Failed', currentWave: 'canary', fromRevision: 'aaa', toRevision: 'bbb', observedGeneration: 1,
    failure: { reason: 'HealthGate', message: '1 node(s) failed after the update (max 0): n-1 (CrashLoop)', at: '2026-01-01T11:58:00Z', toRevision: 'bbb' },
    waves: [
      { name: 'canary', nodes: 2, updated: 1, ready: 0, failed: 1, quarantined: 0, state: 'Progressing' },
      { name: 'zone-zone-a', nodes: 10, updated: 0, ready: 0, failed: 0, quarantined: 0, state: 'Pending' },
    ],
    blockedNodes: [{ node: 'n-1', wave: 'canary', reason: 'CrashLoop', cause: 'Revision', since: '2026-01-01T11:57:30Z', message: 'container ne restarted 4 times\nlast: exit 1' }],
    blockedNodesTotal: 3,
  }), NOW);
  assert.equal(text, [
    'Name:        ne',
    'Namespace:   mon',
    'Phase:       Failed (wave canary)',
    'Revision:    aaa -> bbb',
    'Failure:     HealthGate: 1 node(s) failed after the update (max 0): n-1 (CrashLoop)',
    '',
    'WAVE          NODES   UPDATED   READY   FAILED   QUARANTINED   STATE',
    'canary        2       1         0       1        0             Progressing',
    'zone-zone-a   10      0         0       0        0             Pending',
    '',
    'NODE   WAVE     REASON      CAUSE      SINCE   MESSAGE',
    'n-1    canary   CrashLoop   Revision   2m30s   container ne restarted 4 times last: exit 1',
    '... and 2 more blocked nodes',
  ].join('\n'));
});

test('status of a rollout never observed, and of garbage stored by hand, still renders', () => {
  assert.match(renderStatus(rollout(undefined), NOW), /Phase: {7}<not yet observed>/);
  const junk = { metadata: { name: 'x' }, spec: { waves: [] }, status: { waves: [{ name: 'w', nodes: 'many' }, 7, null], blockedNodes: [{ node: 'n', since: 'yesterday', reason: 42 }], quarantinedNodes: 'n' } } as unknown as DaemonSetRollout;
  const text = renderStatus(junk, NOW);
  assert.match(text, /^w {3,}0 /m);
  assert.match(text, /<unknown>/);
  assert.match(text, /^n {4}\s+42 /m);
  assert.equal(verdictOf({ ...junk, status: { phase: 'Progressing', waves: 'x' } } as unknown as DaemonSetRollout).state, 'waiting');
});

test('renderTable: every row has the header\'s columns, aligned, no trailing spaces', () => {
  fc.assert(fc.property(
    fc.array(fc.string({ minLength: 1, maxLength: 6 }).filter((s) => !/\s/.test(s)), { minLength: 1, maxLength: 5 }),
    fc.array(fc.array(fc.string({ maxLength: 8 }), { maxLength: 6 }), { maxLength: 6 }),
    (headers, rows) => {
      const lines = renderTable(headers, rows).split('\n');
      assert.equal(lines.length, rows.length + 1);
      for (const l of lines) assert.equal(l, l.trimEnd());
      // The header cells start where the first row's cells start: column starts agree.
      let at = 0;
      for (let i = 0; i < headers.length; i++) {
        assert.equal(lines[0].slice(at, at + headers[i].length), headers[i].toUpperCase());
        const width = Math.max(headers[i].length, ...rows.map((r) => (r[i] ?? '').replace(/[\r\n\t]+/g, ' ').length));
        at += width + 3;
      }
    },
  ));
});

test('--timeout takes Go durations as kubectl does; anything else is refused', () => {
  assert.equal(parseTimeout('0'), 0);
  assert.equal(parseTimeout('90s'), 90_000);
  assert.equal(parseTimeout('1h30m'), 5_400_000);
  assert.equal(parseTimeout('1.5s'), 1500);
  assert.equal(parseTimeout('250ms'), 250);
  for (const bad of ['', '5', 'soon', '5 m', '-1s', '1d']) assert.equal(parseTimeout(bad), undefined, bad);
});

test('verdict: Idle because the rollout cannot act is a failure, not a success', () => {
  const idle = (reason: string) => rollout({ phase: 'Idle', observedGeneration: 1, conditions: [{ type: 'Progressing', status: 'False', reason, message: 'no target uses OnDelete', lastTransitionTime: '2026-01-01T11:00:00Z' }] });
  for (const reason of ['NoTarget', 'NoOnDeleteTarget', 'InvalidSpec']) assert.equal(verdictOf(idle(reason)).state, 'failed', reason);
  assert.match(verdictOf(idle('NoOnDeleteTarget')).message, /cannot progress: NoOnDeleteTarget: no target uses OnDelete/);
  assert.equal(verdictOf(idle('Idle')).state, 'done');
});

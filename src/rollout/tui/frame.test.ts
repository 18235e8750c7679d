import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { plainLine, renderFrame, type FrameSize } from './frame.js';
import { CELL_STATES, type CellState, type RolloutSnapshot, type WaveView } from './snapshot.js';
import { visibleWidth } from './text.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const size = (columns: number, rows: number, o: Partial<FrameSize> = {}): FrameSize => ({ columns, rows, nowMs: NOW, color: false, unicode: true, ...o });

const wave = (name: string, cells: CellState[], o: Partial<WaveView> = {}): WaveView => {
  const n = (st: CellState) => cells.filter((c) => c === st).length;
  return { name, state: 'Progressing', nodes: cells.length, updated: n('done') + n('updating') + n('blocked'), ready: n('done'), failed: n('blocked'), quarantined: n('quarantined'), cells, ...o };
};
const snap = (waves: WaveView[], o: Partial<RolloutSnapshot> = {}): RolloutSnapshot => ({
  name: 'node-exporter', namespace: 'monitoring', phase: 'Progressing', currentWave: waves[0]?.name, fromRevision: 'aaa', toRevision: 'bbb',
  paused: false, verdict: { state: 'waiting', message: 'Waiting for rollout "node-exporter" to finish' }, waves, blockers: [], blockedTotal: 0, waitingTotal: 0, unselectedNodes: 0, ...o,
});

// Escape sequences a frame may hold: SGR colour codes only (log-update does the cursor work).
const SGR = /\x1b\[[0-9;]*m/g;

const arbCells = fc.array(fc.constantFrom(...CELL_STATES), { maxLength: 400 });
const arbName = fc.string({ minLength: 1, maxLength: 40 });
const arbSnap = fc.record({
  waves: fc.array(fc.tuple(arbName, arbCells, fc.constantFrom('Pending', 'Progressing', 'Baking', 'WaitingApproval', 'Complete') as fc.Arbitrary<WaveView['state']>), { maxLength: 12 }),
  blockers: fc.array(fc.record({ reason: arbName, causes: fc.subarray(['Revision', 'Node', 'Budget']), count: fc.nat(100_000), nodes: fc.array(arbName, { maxLength: 5 }), message: fc.string({ maxLength: 200 }) }), { maxLength: 8 }),
  name: arbName, phase: fc.option(fc.constantFrom('Progressing', 'Baking', 'Failed', 'Complete', 'WaitingApproval'), { nil: undefined }),
  message: fc.string({ maxLength: 300 }), bake: fc.option(fc.integer({ min: -1e7, max: 1e9 }), { nil: undefined }), paused: fc.boolean(),
}).map((r) => snap(r.waves.map(([n, c, state], i) => wave(n, c, { state, ...(i === 0 && r.bake !== undefined ? { bakeEndsAtMs: NOW + r.bake } : {}) })), {
  name: r.name, phase: r.phase, blockers: r.blockers, blockedTotal: r.blockers.reduce((a, b) => a + b.count, 0), paused: r.paused,
  verdict: { state: 'waiting', message: r.message },
}));

test('a frame fits any terminal of width >= 20 and height >= 5: no line wraps, no line scrolls off', () => {
  fc.assert(fc.property(fc.array(arbSnap, { maxLength: 4 }), fc.integer({ min: 20, max: 220 }), fc.integer({ min: 5, max: 80 }), fc.boolean(), fc.boolean(), (snaps, columns, rows, color, unicode) => {
    const lines = renderFrame(snaps, size(columns, rows, { color, unicode }));
    assert.ok(lines.length >= 1 && lines.length <= rows, `${lines.length} lines for ${rows} rows`);
    for (const l of lines) {
      assert.ok(visibleWidth(l) <= columns, `${visibleWidth(l)} > ${columns}: ${JSON.stringify(l)}`);
      const bare = l.replace(SGR, '');
      assert.doesNotMatch(bare, /[\u0000-\u001f\u007f-\u009f]/, 'only colour codes, no other control characters');
      if (!color) assert.equal(bare, l, 'no escape codes without colour');
      if (!unicode) assert.match(bare, /^[\x20-\x7e]*$|[^\x00-\x7f]/, 'ASCII glyphs');
    }
  }), { numRuns: 300 });
});

test('the counts shown are the counts in the status, for every wave', () => {
  fc.assert(fc.property(fc.array(fc.record({ nodes: fc.nat(50_000), updated: fc.nat(50_000), ready: fc.nat(50_000), failed: fc.nat(100), quarantined: fc.nat(100) }), { minLength: 1, maxLength: 6 }), (counts) => {
    // Counts from the status need not agree with each other, nor with the cells seen.
    const waves = counts.map((c, i) => ({ ...wave(`w${i}`, []), ...c }));
    const text = renderFrame([snap(waves)], size(140, 40)).join('\n');
    for (const c of counts) assert.ok(text.includes(`${c.updated}/${c.nodes} updated, ${c.ready} ready, ${c.failed} failed, ${c.quarantined} quarantined`), JSON.stringify(c));
    const narrow = renderFrame([snap(waves)], size(70, 40)).join('\n');
    for (const c of counts) assert.ok(narrow.includes(`${c.updated}/${c.nodes} upd ${c.ready} rdy`), `narrow: ${JSON.stringify(c)}`);
  }));
});

test('one grid cell per node, coloured by its state (blocked nodes red)', () => {
  const cells: CellState[] = ['done', 'done', 'blocked', 'updating', 'waiting', 'quarantined', 'blocked', 'waiting'];
  const lines = renderFrame([snap([wave('canary', cells)])], size(80, 20, { color: true }));
  const row = lines.find((l) => l.replace(SGR, '').startsWith('  canary '))!;
  assert.equal(row.replace(SGR, ''), '  canary ██X▓░QX░');
  // Every cell's glyph inside the colour of its state.
  const colour = { done: '32', updating: '33', waiting: '90', blocked: '31', quarantined: '35' } as const;
  const runs = [...row.matchAll(/\x1b\[(\d+)m([^\x1b]+)\x1b\[\d+m/g)].map((m) => [m[1], m[2]]);
  assert.deepEqual(runs, [[colour.done, '██'], [colour.blocked, 'X'], [colour.updating, '▓'], [colour.waiting, '░'], [colour.quarantined, 'Q'], [colour.blocked, 'X'], [colour.waiting, '░']]);
});

test('a grid taller than the terminal ends in "+N more", N the nodes not shown', () => {
  const cells = Array.from({ length: 1000 }, (_, i): CellState => (i % 7 === 0 ? 'done' : 'waiting'));
  for (const [columns, rows] of [[20, 5], [40, 8], [120, 12], [80, 30]]) {
    const lines = renderFrame([snap([wave('big', cells)])], size(columns, rows));
    const shown = lines.filter((l) => !l.includes('[') && !l.includes(' done ')).join('').replace(/[^█░]/g, '').length;
    const more = /\+(\d+) more/.exec(lines.join('\n'));
    if (!more) { assert.equal(shown, 1000, `${columns}x${rows}`); continue; }
    assert.equal(shown + Number(more[1]), 1000, `${columns}x${rows}: ${shown} shown + ${more[1]} more`);
  }
});

test('waves that get no grid line are summed up; the current wave keeps its line', () => {
  const waves = Array.from({ length: 10 }, (_, i) => wave(`zone-${i}`, Array(30).fill('waiting')));
  const lines = renderFrame([snap(waves, { currentWave: 'zone-7' })], size(100, 9));
  const text = lines.join('\n');
  assert.match(text, /^> zone-7 /m, 'the current wave\'s bar');
  assert.match(text, /^ {2}zone-7 ░{30}$/m, 'the current wave\'s cells');
  assert.match(text, /\+\d+ more waves/);
});

test('countdowns: bake end, approval, progress deadline; failure and pause are said', () => {
  const lines = renderFrame([snap([
    wave('canary', ['done'], { state: 'Baking', bakeEndsAtMs: NOW + 4_200 }),
    wave('zone-a', ['waiting'], { state: 'WaitingApproval', approvalSinceMs: NOW - 65_000 }),
  ], { progressDeadlineAtMs: NOW + 600_000, paused: true, failure: { reason: 'HealthGate', message: '1 node(s) failed', at: '', toRevision: 'bbb' } })], size(220, 20));
  const details = lines[1];
  assert.match(details, /bake of canary ends in 5s/);
  assert.match(details, /zone-a waits for approval \(65s\): everynode rollout approve node-exporter/);
  assert.match(details, /progress deadline in 10m/);
  assert.match(details, /paused \(spec\.paused\)/);
  assert.match(details, /HealthGate: 1 node\(s\) failed/);
  // A bake that already ended counts down to 0s, never below.
  assert.match(renderFrame([snap([wave('c', ['done'], { state: 'Baking', bakeEndsAtMs: NOW - 9_000 })])], size(100, 10))[1], /ends in 0s/);
});

test('blockers: reason, count, a few node names, cause; more reasons than lines are counted', () => {
  const blockers = ['CrashLoop', 'ImagePull', 'NodeNotReady', 'WaitingForBudget', 'Paused', 'NodeCordoned', 'NotReady'].map((reason, i) => ({ reason, causes: [i < 2 ? 'Revision' : 'Node'], count: 10 - i, nodes: [`n-${i}`, `m-${i}`, `o-${i}`, `p-${i}`], message: `why ${i}` }));
  const text = renderFrame([snap([wave('w', ['done'])], { blockers, blockedTotal: 49 })], size(120, 40)).join('\n');
  assert.match(text, /^Blocked: 49 nodes$/m);
  assert.match(text, /^ {2}CrashLoop 10 \(Revision\): n-0, m-0, o-0, \.\.\. - why 0$/m);
  assert.match(text, /^ {2}\+\d more reasons$/m);
});

test('everynode top: one section per rollout; what does not fit is counted', () => {
  const snaps = ['a', 'b', 'c', 'd'].map((n) => snap([wave('w', ['done', 'waiting'])], { name: n }));
  const tall = renderFrame(snaps, size(80, 40));
  for (const n of ['a', 'b', 'c', 'd']) assert.ok(tall.some((l) => l.startsWith(`${n} (monitoring)`)), n);
  const short = renderFrame(snaps, size(80, 7));
  assert.ok(short.length <= 7);
  assert.match(short.join('\n'), /\+2 more rollouts/);
  assert.deepEqual(renderFrame([], size(40, 5), { empty: 'No DaemonSetRollouts in namespace x.' }), ['No DaemonSetRollouts in namespace x.']);
});

test('nodes the rollout holds back (budget, wave, approval, pause) count as waiting, not blocked', () => {
  const s = snap([wave('w', ['done', 'waiting', 'waiting', 'blocked'])], { blockedTotal: 3, waitingTotal: 2 });
  assert.match(renderFrame([s], size(120, 20))[1], /^4 nodes, 2 updated, 1 ready, 1 blocked, 2 waiting$/);
  assert.equal(plainLine(s), 'monitoring/node-exporter: Progressing, wave w, 2/4 updated, 1 ready, 1 failed, 1 blocked, 2 waiting');
  assert.match(renderFrame([snap([wave('w', ['waiting'])], { blockedTotal: 1, waitingTotal: 1 })], size(120, 20))[1], /^1 nodes, 0 updated, 0 ready, 1 waiting$/);
});

// One frame of the live view: `(snapshots, {columns, rows, nowMs}) → lines`, pure. Every line fits
// the width and the frame fits the height, whatever the fleet: sections get lines by priority
// (title and verdict, then the wave bars, countdowns, blockers, and the node grid gets the rest),
// and what does not fit is summed up as "+N more".
import { humanDuration } from '../../api/duration.js';
import type { BlockerGroup, CellState, RolloutSnapshot, WaveView } from './snapshot.js';
import { CELL_STATES } from './snapshot.js';
import { CELL_STYLE, glyph, renderLine, sanitize, type Line, type Look, type Segment, type Style } from './text.js';

export interface FrameSize extends Look {
  columns: number;
  rows: number;
  nowMs: number;
}

/** Shown when there is no rollout at all (everynode top on an empty namespace). */
export interface FrameOptions { empty?: string }

export function renderFrame(snaps: readonly RolloutSnapshot[], size: FrameSize, o: FrameOptions = {}): string[] {
  const rows = Math.max(1, Math.floor(size.rows));
  const lines: Line[] = [];
  if (!snaps.length) lines.push([{ text: o.empty ?? 'No DaemonSetRollouts.', style: 'dim' }]);
  else {
    // Each shown rollout gets at least three lines (title, bars, verdict); the rest are counted.
    const shown = Math.min(snaps.length, Math.max(1, Math.floor(rows / 3)));
    const hidden = snaps.length - shown;
    const budget = rows - (hidden ? 1 : 0);
    for (let i = 0; i < shown; i++) {
      const h = Math.floor(budget / shown) + (i < budget % shown ? 1 : 0);
      lines.push(...section(snaps[i], h, size));
    }
    if (hidden) lines.push([{ text: `+${hidden} more rollouts`, style: 'dim' }]);
  }
  return lines.slice(0, rows).map((l) => renderLine(l, size.columns, size));
}

const PHASE_STYLE: Record<string, Style> = {
  Complete: 'green', Idle: 'green', Failed: 'red', RollingBack: 'red', Progressing: 'cyan', Baking: 'yellow', WaitingApproval: 'yellow', Paused: 'magenta',
};
const VERDICT_STYLE: Record<string, Style> = { done: 'green', failed: 'red', waiting: 'dim' };

/** A countdown: whole seconds, rounded up, never negative. */
const left = (ms: number) => humanDuration(Math.max(0, Math.ceil(ms / 1000) * 1000));

function section(s: RolloutSnapshot, height: number, size: FrameSize): Line[] {
  const parts = {
    title: [titleLine(s)],
    verdict: [[{ text: s.verdict.message, style: VERDICT_STYLE[s.verdict.state] }] as Line],
    details: [detailsLine(s, size.nowMs)],
  };
  const gridWidth = Math.max(1, size.columns);
  const nameWidth = Math.min(Math.max(4, ...s.waves.map((w) => w.name.length)), Math.max(4, Math.floor(gridWidth / 3)));
  const barsWant = s.waves.length || 1;
  const blockersWant = s.blockers.length ? 1 + Math.min(5, s.blockers.length) : 0;
  const gridRows = gridLayout(s.waves, nameWidth, gridWidth);
  const gridWant = gridRows.total ? 1 + gridRows.total : 0;
  // Lines by priority: the minimum of each part in order, then more in order.
  const give = { title: 0, verdict: 0, bars: 0, details: 0, blockers: 0, grid: 0 };
  let budget = Math.max(1, height);
  const grant = (k: keyof typeof give, upTo: number) => { const n = Math.max(0, Math.min(budget, upTo - give[k])); give[k] += n; budget -= n; };
  grant('title', 1); grant('verdict', 1); grant('bars', 1);
  grant('details', 1);
  // Bars take at most half of what is left while there is a grid to show, so the grid is seen too.
  grant('bars', gridWant ? Math.min(barsWant, give.bars + Math.ceil(budget / 2)) : barsWant);
  // The grid's legend and a line per wave, then the top blockers, then the rest of each.
  grant('grid', Math.min(gridWant, 1 + s.waves.length));
  grant('blockers', Math.min(blockersWant, 4));
  grant('grid', gridWant); grant('bars', barsWant); grant('blockers', blockersWant);
  return [
    ...parts.title.slice(0, give.title),
    ...parts.details.slice(0, give.details),
    ...bars(s, give.bars, nameWidth, size),
    ...grid(s.waves, s.currentWave, gridRows, give.grid, nameWidth, size),
    ...blockers(s, give.blockers),
    ...parts.verdict.slice(0, give.verdict),
  ];
}

function titleLine(s: RolloutSnapshot): Line {
  const l: Line = [{ text: s.name, style: 'bold' }, { text: ` (${s.namespace})  ` }, { text: s.phase ?? 'not yet observed', style: PHASE_STYLE[s.phase ?? ''] ?? 'dim' }];
  if (s.currentWave) l.push({ text: `, wave ${s.currentWave}` });
  if (s.fromRevision || s.toRevision) l.push({ text: `  ${s.fromRevision ?? '?'} -> ${s.toRevision ?? '?'}`, style: 'dim' });
  return l;
}

function detailsLine(s: RolloutSnapshot, nowMs: number): Line {
  const nodes = s.waves.reduce((n, w) => n + w.nodes, 0);
  const updated = s.waves.reduce((n, w) => n + w.updated, 0);
  const ready = s.waves.reduce((n, w) => n + w.ready, 0);
  const l: Line = [{ text: `${nodes} nodes, ${updated} updated, ${ready} ready` }];
  // Held back by the rollout (budget, wave, approval, pause) is waiting, not a problem.
  const stuck = Math.max(0, s.blockedTotal - s.waitingTotal);
  if (stuck) l.push({ text: `, ${stuck} blocked`, style: 'red' });
  if (s.waitingTotal) l.push({ text: `, ${s.waitingTotal} waiting` });
  const note = (text: string, style?: Style) => l.push({ text: ' | ' , style: 'dim' }, { text, style });
  if (s.paused) note('paused (spec.paused)', 'magenta');
  for (const w of s.waves) {
    if (w.bakeEndsAtMs !== undefined) note(`bake of ${w.name} ends in ${left(w.bakeEndsAtMs - nowMs)}`, 'yellow');
    if (w.state === 'WaitingApproval') {
      note(`${w.name} waits for approval${w.approvalSinceMs !== undefined ? ` (${left(nowMs - w.approvalSinceMs)})` : ''}: everynode rollout approve ${s.name}`, 'yellow');
    }
  }
  if (s.progressDeadlineAtMs !== undefined) note(`progress deadline in ${left(s.progressDeadlineAtMs - nowMs)}`, 'dim');
  if (s.failure) note(`${s.failure.reason}: ${s.failure.message}`, 'red');
  return l;
}

function bars(s: RolloutSnapshot, n: number, nameWidth: number, size: FrameSize): Line[] {
  if (n <= 0) return [];
  if (!s.waves.length) return [[{ text: 'no waves yet', style: 'dim' }]];
  const fits = n >= s.waves.length;
  const room = fits ? s.waves.length : Math.max(0, n - 1);
  const current = Math.max(0, s.waves.findIndex((w) => w.name === s.currentWave));
  const start = Math.min(Math.max(0, current - Math.floor(room / 2)), s.waves.length - room);
  const visible = s.waves.slice(start, start + room);
  // One bar width for all waves, so that the bars line up: the counts in long words when every
  // wave's fit beside a bar of 10, else in short ones.
  const fixed = 2 + nameWidth + 2 + 2;
  const longest = (f: (w: WaveView) => string) => Math.max(...visible.map((w) => f(w).length));
  const words = size.columns - fixed - longest(longCounts) >= 10 ? longCounts : shortCounts;
  const barWidth = Math.min(30, Math.max(5, size.columns - fixed - longest(words)));
  const out = visible.map((w) => barLine(w, w.name === s.currentWave, nameWidth, barWidth, words(w), size));
  if (!fits) out.push([{ text: `+${s.waves.length - room} more waves`, style: 'dim' }]);
  return out;
}

const longCounts = (w: WaveView) => `${w.updated}/${w.nodes} updated, ${w.ready} ready, ${w.failed} failed, ${w.quarantined} quarantined  ${w.state}`;
const shortCounts = (w: WaveView) => `${w.updated}/${w.nodes} upd ${w.ready} rdy ${w.failed} fail ${w.quarantined} q ${w.state}`;

/** "> name [bar] 3/4 updated, 2 ready, 1 failed, 0 quarantined  Progressing" (">" marks the current wave). */
function barLine(w: WaveView, current: boolean, nameWidth: number, barWidth: number, text: string, look: Look): Line {
  const name = w.name.length > nameWidth ? `${w.name.slice(0, nameWidth - 1)}~` : w.name.padEnd(nameWidth);
  return [{ text: current ? '> ' : '  ', style: 'bold' }, { text: name, style: current ? 'bold' : undefined }, { text: ' [' }, ...barSegments(w, barWidth, look), { text: '] ' }, { text }];
}

/** The bar's cells in proportion: ready, failed, quarantined, updating (updated, not yet ready), waiting. */
export function barSegments(w: Pick<WaveView, 'nodes' | 'updated' | 'ready' | 'failed' | 'quarantined'>, width: number, look: Look): Segment[] {
  const total = Math.max(w.nodes, 1);
  const parts: [CellState, number][] = [['done', w.ready], ['blocked', w.failed], ['quarantined', w.quarantined], ['updating', Math.max(0, w.updated - w.ready - w.failed)]];
  const out: Segment[] = [];
  let used = 0, acc = 0;
  for (const [state, n] of parts) {
    acc += Math.max(0, n);
    const upTo = Math.min(width, Math.round((Math.min(acc, total) / total) * width));
    if (upTo > used) out.push({ text: glyph(state, look).repeat(upTo - used), style: CELL_STYLE[state] });
    used = Math.max(used, upTo);
  }
  if (width > used) out.push({ text: glyph('waiting', look).repeat(width - used), style: CELL_STYLE.waiting });
  return out;
}

interface GridLayout { cellsPerLine: number; perWave: number[]; total: number }

function gridLayout(waves: readonly WaveView[], nameWidth: number, columns: number): GridLayout {
  const cellsPerLine = Math.max(1, columns - 2 - nameWidth - 1);
  const perWave = waves.map((w) => Math.max(1, Math.ceil(w.cells.length / cellsPerLine)));
  return { cellsPerLine, perWave, total: waves.some((w) => w.cells.length) ? perWave.reduce((a, b) => a + b, 0) : 0 };
}

/**
 * A legend, then per wave its cells (one per node) after its name. Short of lines, each wave gets
 * one line first, then the waves in order get more; a wave cut short ends in "+N more", and waves
 * that get no line at all are summed up on the last line.
 */
function grid(waves: readonly WaveView[], currentWave: string | undefined, layout: GridLayout, n: number, nameWidth: number, look: Look): Line[] {
  if (n <= 0 || !layout.total) return [];
  const out: Line[] = [];
  let budget = n;
  // The legend only when it leaves room for some cells.
  if (budget >= 3 || (budget >= 2 && budget - 1 >= layout.total)) {
    out.push([{ text: 'nodes ', style: 'dim' }, ...CELL_STATES.flatMap((st): Segment[] => [{ text: glyph(st, look), style: CELL_STYLE[st] }, { text: ` ${st} ` }])]);
    budget--;
  }
  const lines = waves.map(() => 0);
  // One line each while they last, then more (short of lines: one for the summary, and one each for
  // a window of waves around the current one).
  const firstPass = waves.length <= budget ? waves.length : Math.max(0, budget - 1);
  const current = Math.max(0, waves.findIndex((w) => w.name === currentWave));
  const from = Math.min(Math.max(0, current - Math.floor(firstPass / 2)), waves.length - firstPass);
  for (let i = from; i < from + firstPass; i++) lines[i] = 1;
  budget -= firstPass;
  for (let i = 0; i < waves.length && budget > 0 && firstPass === waves.length; i++) {
    const more = Math.min(budget, layout.perWave[i] - lines[i]);
    lines[i] += more;
    budget -= more;
  }
  const per = layout.cellsPerLine;
  waves.forEach((w, i) => {
    if (!lines[i]) return;
    const capacity = lines[i] * per;
    const cut = w.cells.length > capacity;
    const label = cut ? moreLabel(w.cells.length, capacity, per) : undefined;
    const shown = cut ? capacity - label!.length : w.cells.length;
    for (let l = 0; l < lines[i]; l++) {
      const cells = w.cells.slice(l * per, Math.min((l + 1) * per, shown));
      const name = l === 0 ? (w.name.length > nameWidth ? `${w.name.slice(0, nameWidth - 1)}~` : w.name.padEnd(nameWidth)) : ''.padEnd(nameWidth);
      const line: Line = [{ text: `  ${name} ` }, ...cellSegments(cells, look)];
      if (!w.cells.length && l === 0) line.push({ text: '(no nodes)', style: 'dim' });
      if (label && l === lines[i] - 1) line.push({ text: label, style: 'dim' });
      out.push(line);
    }
  });
  const skipped = waves.filter((_, i) => !lines[i]);
  if (skipped.length) out.push([{ text: `  +${skipped.length} more waves (${skipped.reduce((a, w) => a + w.cells.length, 0)} nodes)`, style: 'dim' }]);
  return out;
}

/** "+N more" fitted into the last line of a wave, N counting the cells it displaces. */
function moreLabel(cells: number, capacity: number, per: number): string {
  for (let room = 1; room <= per; room++) {
    const label = ` +${cells - (capacity - room)} more`;
    if (label.length <= room) return label.padStart(room);
  }
  // Too narrow for any label: the last cell says there is more.
  return '+';
}

function cellSegments(cells: readonly CellState[], look: Look): Segment[] {
  const out: Segment[] = [];
  for (const c of cells) {
    const last = out[out.length - 1];
    const g = glyph(c, look);
    if (last && last.style === CELL_STYLE[c]) last.text += g;
    else out.push({ text: g, style: CELL_STYLE[c] });
  }
  return out;
}

function blockers(s: RolloutSnapshot, n: number): Line[] {
  if (n <= 0 || !s.blockers.length) return [];
  const head: Line = [{ text: `Blocked: ${s.blockedTotal} nodes`, style: 'bold' }];
  // One line only: the reasons and their counts beside the total.
  if (n === 1) return [[...head, { text: ` (${s.blockers.map((g) => `${g.reason} ${g.count}`).join(', ')})` }]];
  const out: Line[] = [head];
  const room = n - 1;
  const shown = s.blockers.length > room ? Math.max(0, room - 1) : room;
  for (const g of s.blockers.slice(0, shown)) out.push(blockerLine(g));
  if (s.blockers.length > shown && room > 0) out.push([{ text: `  +${s.blockers.length - shown} more reasons`, style: 'dim' }]);
  return out.slice(0, n);
}

function blockerLine(g: BlockerGroup): Line {
  const style: Style = g.causes.includes('Revision') ? 'red' : g.causes.includes('Node') ? 'magenta' : 'yellow';
  const names = g.nodes.slice(0, 3).join(', ') + (g.count > Math.min(3, g.nodes.length) && g.nodes.length ? ', ...' : '');
  const l: Line = [{ text: '  ' }, { text: g.reason, style }, { text: ` ${g.count}` }];
  if (g.causes.length) l.push({ text: ` (${g.causes.join(', ')})`, style: 'dim' });
  if (names) l.push({ text: `: ${names}` });
  if (g.message) l.push({ text: ` - ${g.message}`, style: 'dim' });
  return l;
}


/**
 * Without a terminal: one line per rollout, printed when it changes (phase, wave, counts), with no
 * escape codes: "monitoring/node-exporter: Progressing, wave canary, 3/10 updated, 2 ready, 1 failed, 0 blocked".
 */
export function plainLine(s: RolloutSnapshot): string {
  const sum = (f: (w: WaveView) => number) => s.waves.reduce((n, w) => n + f(w), 0);
  const phase = s.phase ?? 'not yet observed';
  const text = `${s.namespace}/${s.name}: ${phase}${s.currentWave ? `, wave ${s.currentWave}` : ''}, ${sum((w) => w.updated)}/${sum((w) => w.nodes)} updated, ${sum((w) => w.ready)} ready, ${sum((w) => w.failed)} failed, ${Math.max(0, s.blockedTotal - s.waitingTotal)} blocked${s.waitingTotal ? `, ${s.waitingTotal} waiting` : ''}`;
  return sanitize(s.verdict.state === 'waiting' ? text : `${text}: ${s.verdict.message}`);
}

// Rendering of rehearsals (`everynode rehearse`): one run's timeline per wave, the trip, the
// injected failures; over several seeds, percentiles. Pure.
import type { Rehearsal } from '../sim/rehearse.js';
import { duration, table } from './table.js';

/** Nearest-rank percentile of a non-empty list (p in 0..100). */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export interface Spread { p50: number; p90: number; max: number }
const spread = (xs: readonly number[]): Spread | undefined => (xs.length ? { p50: percentile(xs, 50), p90: percentile(xs, 90), max: Math.max(...xs) } : undefined);

export interface RehearsalSummary {
  runs: number;
  outcomes: Record<string, number>;
  /** Over every run, whatever its outcome. */
  duration: Spread;
  /** Per wave, when it was done (over the runs where it was). */
  waves: { name: string; nodes: number; done?: Spread; baked?: Spread }[];
  /** Runs whose gate tripped, by wave. */
  trips: Record<string, number>;
}

export function summarize(runs: readonly Rehearsal[]): RehearsalSummary {
  const outcomes: Record<string, number> = {};
  const trips: Record<string, number> = {};
  for (const r of runs) {
    outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
    if (r.trip) trips[r.trip.wave ?? '-'] = (trips[r.trip.wave ?? '-'] ?? 0) + 1;
  }
  const names = runs[0]?.waves.map((w) => w.name) ?? [];
  return {
    runs: runs.length, outcomes, trips,
    duration: spread(runs.map((r) => r.durationMs))!,
    waves: names.map((name) => {
      const ws = runs.map((r) => r.waves.find((w) => w.name === name));
      const num = (xs: (number | undefined)[]) => xs.filter((x): x is number => x !== undefined);
      return { name, nodes: ws[0]?.nodes ?? 0, done: spread(num(ws.map((w) => w?.doneMs))), baked: spread(num(ws.map((w) => w?.bakedMs))) };
    }),
  };
}

const t = (ms: number | undefined) => (ms === undefined ? '-' : duration(ms));

export function renderRehearsal(r: Rehearsal): string {
  const out: string[] = [];
  out.push(`Rehearsal (seed ${r.seed}, ${r.nodes} nodes): ${r.outcome} after ${duration(r.durationMs)} of virtual time (${r.syncs} syncs)${r.stuckReason ? `: ${r.stuckReason}` : ''}`);
  out.push('');
  out.push(table(['WAVE', 'NODES', 'START', 'DONE', 'BAKE-END'], r.waves.map((w) => [w.name, String(w.nodes), t(w.startMs), t(w.doneMs), t(w.bakedMs)])));
  if (r.trip) {
    out.push('');
    out.push(`Gate tripped at ${duration(r.trip.atMs)} in wave ${r.trip.wave ?? '-'}: ${r.trip.reason}: ${r.trip.message}`);
    if (r.trip.nodes.length) out.push(table(['NODE', 'WAVE', 'REASON', 'CAUSE'], r.trip.nodes.map((b) => [b.node, b.wave, b.reason, b.cause])));
  }
  if (r.failedNodes.length) {
    out.push('');
    out.push(`Injected node failures (${r.failedNodes.length}):`);
    const shown = r.failedNodes.slice(0, 20);
    out.push(table(['NODE', 'NOT-READY-AT', 'REASON', 'CAUSE'], shown.map((f) => [f.node, duration(f.atMs), f.reason ?? '-', f.cause ?? '-'])));
    if (r.failedNodes.length > shown.length) out.push(`… and ${r.failedNodes.length - shown.length} more`);
  }
  return `${out.join('\n')}\n`;
}

export function renderSummary(s: RehearsalSummary): string {
  const out: string[] = [];
  out.push(`${s.runs} rehearsals: ${Object.entries(s.outcomes).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  out.push(`Duration: p50 ${duration(s.duration.p50)}, p90 ${duration(s.duration.p90)}, max ${duration(s.duration.max)}`);
  out.push('');
  out.push(table(['WAVE', 'NODES', 'DONE-P50', 'DONE-P90', 'DONE-MAX', 'BAKE-END-P90'],
    s.waves.map((w) => [w.name, String(w.nodes), t(w.done?.p50), t(w.done?.p90), t(w.done?.max), t(w.baked?.p90)])));
  const trips = Object.entries(s.trips);
  if (trips.length) { out.push(''); out.push(`Gate tripped in: ${trips.map(([w, n]) => `${w} (${n} of ${s.runs})`).join(', ')}`); }
  return `${out.join('\n')}\n`;
}

// The figures of a crash run as text (pure), for the terminal and for RELIABILITY.md.
import type { CrashReport } from './run.js';

export function summary(r: CrashReport): string {
  const sorted = [...r.restartMs].sort((a, b) => a - b);
  const q = (p: number) => sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : 0;
  return [
    `crash: seed ${r.seed}, ${r.kills} kills in ${(r.durationMs / 1000).toFixed(1)} s${r.complete ? '' : ' (INCOMPLETE)'}`,
    `crash: ${r.acknowledgedWrites} acknowledged writes, ${r.unacknowledgedWrites} in flight at a kill, ${r.objectsChecked} object states checked after restarts`,
    `crash: lost ${r.lost}`,
    `crash: first start ${r.firstStartMs} ms; restart to ready min ${sorted[0] ?? 0} / median ${q(0.5)} / p90 ${q(0.9)} / max ${sorted.at(-1) ?? 0} ms`,
    ...r.violations.map((v) => `crash: LOST round ${v.round} ${v.key}: ${v.detail}`),
    ...r.unexpectedAnswers.map((a) => `crash: UNEXPECTED ANSWER ${a}`),
  ].join('\n');
}

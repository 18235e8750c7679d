// The per-run line and the summary of `npm run chaos` (pure).
import type { RunReport } from './run.js';
import { runFailed } from './run.js';

export function runLine(r: RunReport): string {
  const faults = Object.entries(r.faults).filter(([, n]) => n > 0).sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k}=${n}`).join(' ');
  const result = r.error ? `ERROR ${r.error}`
    : r.convergeMs === undefined ? `NOT CONVERGED: ${r.gaps.slice(0, 6).join('; ')}`
      : `converged in ${(r.convergeMs / 1000).toFixed(1)} s`;
  return `seed ${r.seed}: ${runFailed(r) ? 'FAIL' : 'ok'} | ${r.plan} | faults ${faults || 'none'} | kills ${r.kills} (starts ${r.controllerStarts}, preflight refusals ${r.preflightRefusals}, leadership lost ${r.leadershipLosses}, crashes ${r.crashes.length}) | violations ${r.violations.length}, peak down/budget ${Object.entries(r.peakDown).map(([d, p]) => `${d} ${p}`).join(', ') || 'none'} | ${result} | ${(r.totalMs / 1000).toFixed(1)} s, ${r.checkerEvents} events checked`;
}

export function details(r: RunReport): string[] {
  const out: string[] = [];
  for (const v of r.violations) out.push(`  violation at ${(v.atMs / 1000).toFixed(1)} s (seen ${v.count}x): ${v.kind} ${v.daemonSet}${v.node ? ` node ${v.node}` : ''}: ${v.detail}`);
  for (const c of r.crashes) out.push(`  controller crash (code ${c.code}, signal ${c.signal}): ${c.lastLines.slice(-3).join(' / ')}`);
  return out;
}

export interface Summary { runs: number; failed: number; violations: number; faults: Record<string, number>; kills: number; convergeMs: { median: number; max: number } | undefined }

export function summarize(rs: readonly RunReport[]): Summary {
  const faults: Record<string, number> = {};
  for (const r of rs) for (const [k, n] of Object.entries(r.faults)) faults[k] = (faults[k] ?? 0) + n;
  const conv = rs.map((r) => r.convergeMs).filter((x): x is number => x !== undefined).sort((a, b) => a - b);
  return {
    runs: rs.length, failed: rs.filter(runFailed).length, violations: rs.reduce((n, r) => n + r.violations.length, 0), faults,
    kills: rs.reduce((n, r) => n + r.kills, 0),
    convergeMs: conv.length ? { median: conv[Math.floor((conv.length - 1) / 2)], max: conv[conv.length - 1] } : undefined,
  };
}

export function summaryLine(s: Summary): string {
  const faults = Object.entries(s.faults).sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k}=${n}`).join(' ');
  const conv = s.convergeMs ? `convergence median ${(s.convergeMs.median / 1000).toFixed(1)} s, max ${(s.convergeMs.max / 1000).toFixed(1)} s` : 'no run converged';
  return `chaos: ${s.runs} runs, ${s.failed} failed, ${s.violations} violations, ${s.kills} controller kills; ${conv}; faults ${faults}`;
}

// Turning measurements into the one table the bench prints and appends to bench/RESULTS.md
// (pure: the date and machine are passed in).

/** Nearest-rank percentile of `values` (p in 0..100); NaN for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export interface Row {
  scenario: string;
  nodes: number;
  storage: 'memory' | 'sqlite';
  /** The headline number, already formatted with its unit. */
  result: string;
  /** Secondary numbers (rates, peaks, ratios). */
  detail: string;
  /** Which issue target this row speaks to and whether it was met; '' when none applies. */
  target: string;
  /** Empty when every correctness check held; otherwise what failed. */
  problems: string[];
}

export interface Machine { cores: number; cpuModel: string; memoryGiB: number; node: string; platform: string }

export const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
export const perSecond = (count: number, ms: number) => `${Math.round((count * 1000) / Math.max(ms, 1))}/s`;
export const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;
export const pct = (fraction: number) => `${(fraction * 100).toFixed(1)} %`;

/** "met (≤ 20 s)" or "NOT met (≤ 20 s)". */
export function verdict(met: boolean, target: string): string { return `${met ? 'met' : 'NOT met'} (${target})`; }

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderTable(rows: readonly Row[]): string {
  const head = '| scenario | nodes | storage | result | detail | target | checks |\n|---|---:|---|---:|---|---|---|';
  const body = rows.map((r) => `| ${[r.scenario, String(r.nodes), r.storage, r.result, r.detail, r.target || '—', r.problems.length ? `FAILED: ${r.problems.join('; ')}` : 'ok'].map(cell).join(' | ')} |`);
  return [head, ...body].join('\n');
}

/** One dated section for RESULTS.md: machine line, options, table. */
export function renderSection(rows: readonly Row[], machine: Machine, whenIso: string, options: string): string {
  return [
    `## Run ${whenIso}`,
    '',
    `Machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB.toFixed(1)} GiB, Node ${machine.node}, ${machine.platform}. Options: \`${options}\`.`,
    '',
    renderTable(rows),
    '',
  ].join('\n');
}

export const RESULTS_MARKER = '<!-- bench runs are appended below this line; earlier rows are kept for comparison -->';

/**
 * Appends a run section to the existing file text, keeping everything already there (earlier
 * runs and hand-written analysis). A missing file starts with a short header.
 */
export function appendRun(existing: string | undefined, section: string): string {
  let base = existing ?? '# everynode benchmark results\n\nProduced by `npm run bench` (`everynode bench`). Analysis first, raw runs below.\n';
  if (!base.includes(RESULTS_MARKER)) base = `${base.replace(/\n*$/, '\n')}\n${RESULTS_MARKER}\n`;
  return `${base.replace(/\n*$/, '\n')}\n${section.replace(/\n*$/, '\n')}`;
}

// Pure bookkeeping of a run: counts by status and generator, defects deduplicated by message,
// and the text report. Nothing here sends a request.
import { describeRequest, type FuzzRequest } from './request.js';
import type { Outcome } from './transport.js';

export type DefectType = '5xx' | 'hang' | 'crash' | 'oracle';

export interface Defect {
  type: DefectType;
  key: string;
  message: string;
  /** The first request that produced it (the probe step for oracle defects). */
  request: string;
  generator: string;
  note?: string;
  /** A smaller request that produces the same defect, when shrinking found one. */
  minimised?: string;
  count: number;
}

export interface FuzzReport {
  seed: number;
  requests: number;
  durationMs: number;
  byStatus: Record<string, number>;
  byGenerator: Record<string, Record<string, number>>;
  defects: Defect[];
  notes: string[];
  slowest: Array<{ ms: number; status: string; request: string }>;
  stopped?: string;
}

/**
 * Upstream kube-apiserver answers these with a 5xx too, so they are not defects. Each entry says
 * why. Expected to stay empty: the embedded server has no etcd, webhooks or aggregated APIs,
 * which are where upstream's 5xx come from (500 on etcd errors, 503 on an unavailable APIService,
 * 504 on a timeout).
 */
export const allowed5xx: ReadonlyArray<{ status: number; message: RegExp; why: string }> = [
  {
    status: 500,
    message: /does not contain declared merge key/,
    why: 'kube-apiserver answers 500 too: strategicpatch returns mergepatch.ErrNoMergeKey, which interpretStrategicMergePatchError does not map to a 4xx',
  },
  {
    status: 500,
    message: /^cannot merge lists without merge key for /,
    why: 'kube-apiserver answers 500 too: mergeSlice returns a plain error for objects in a list whose field declares no merge key (e.g. metadata.finalizers), which interpretStrategicMergePatchError passes through',
  },
  {
    status: 500,
    message: /^list element types are not identical/,
    why: 'kube-apiserver answers 500 too: sliceElementType returns a plain error for a list mixing element types, which interpretStrategicMergePatchError passes through',
  },
];

/** What the counts call an outcome: the status code, 'hang', 'closed' or the network error. */
export function statusKey(o: Outcome): string {
  if (o.hang) return 'hang';
  if (o.status) return String(o.status);
  return o.error ? `error:${o.error}` : 'closed';
}

/** A message with its variable parts (names, numbers) blanked, so one bug is one defect. */
export function normalise(message: string): string {
  return message
    .replace(/\{.*\}/g, '{…}').replace(/\[.*\]/g, '[…]') // echoed objects: "map: {…} does not contain declared merge key"
    .replace(/"[^"]*"/g, '"…"').replace(/'[^']*'/g, "'…'").replace(/\b(on|in) \w+ '…'/g, '$1 … \'…\'').replace(/ in \S+$/, ' in …')
    .replace(/\d+/g, 'N').slice(0, 200);
}

/** The defect this outcome is, if any. */
export function classify(r: FuzzRequest, o: Outcome): Pick<Defect, 'type' | 'key' | 'message'> | undefined {
  if (o.hang) {
    const where = r.kind === 'raw' ? r.head[0] : `${r.method} ${r.path.split('?')[0]}`;
    return { type: 'hang', key: `hang ${r.generator} ${normalise(where.replace(/fuzz-[\w-]+/g, 'X'))}`, message: `no answer within the deadline: ${where}` };
  }
  if (o.status >= 500 && !allowed5xx.some((a) => a.status === o.status && a.message.test(o.message ?? ''))) {
    const text = o.message ?? '';
    const message = `${o.status} ${text.length > 300 ? `${text.slice(0, 300)}…` : text}`.trim();
    return { type: '5xx', key: `${o.status} ${normalise(o.message ?? '')}`, message };
  }
  return undefined;
}

export class Tally {
  readonly byStatus: Record<string, number> = {};
  readonly byGenerator: Record<string, Record<string, number>> = {};
  readonly #defects = new Map<string, Defect>();
  requests = 0;

  /** Counts the outcome; returns the defect when it is the first of its kind (worth shrinking). */
  record(r: FuzzRequest, o: Outcome, as?: Pick<Defect, 'type' | 'key' | 'message' | 'request'>, ms = 0): Defect | undefined {
    this.requests++;
    const k = statusKey(o);
    this.byStatus[k] = (this.byStatus[k] ?? 0) + 1;
    const g = (this.byGenerator[r.generator] ??= {});
    g[k] = (g[k] ?? 0) + 1;
    if (!o.streamed && r.kind !== 'slow') this.#slowest(ms, r, k);
    const d = as ?? classify(r, o);
    return d ? this.defect({ request: describeRequest(r), ...d, generator: r.generator, note: r.note }) : undefined;
  }

  /** Adds a defect or counts a repeat; returns it when new. */
  defect(d: Omit<Defect, 'count'>): Defect | undefined {
    const seen = this.#defects.get(d.key);
    if (seen) { seen.count++; return undefined; }
    const fresh = { ...d, count: 1 };
    this.#defects.set(d.key, fresh);
    return fresh;
  }

  defects(): Defect[] { return [...this.#defects.values()]; }

  /** The slowest answered requests: what to look at when the server stops answering for a while. */
  readonly slowest: Array<{ ms: number; status: string; request: string }> = [];

  #slowest(ms: number, r: FuzzRequest, status: string): void {
    if (status === 'hang' || (this.slowest.length >= 8 && ms <= this.slowest[this.slowest.length - 1].ms)) return;
    this.slowest.push({ ms, status, request: describeRequest(r, 160) });
    this.slowest.sort((a, b) => b.ms - a.ms);
    this.slowest.length = Math.min(this.slowest.length, 8);
  }
}

const pad = (s: string, n: number) => s.padEnd(n);

export function formatReport(r: FuzzReport): string {
  const secs = r.durationMs / 1000;
  const statuses = Object.keys(r.byStatus).sort();
  const lines = [
    `everynode fuzz: seed ${r.seed}, ${r.requests} requests in ${secs.toFixed(1)} s (${(r.requests / Math.max(secs, 0.001)).toFixed(0)} requests/s)${r.stopped ? `, stopped early: ${r.stopped}` : ''}`,
    '',
    `by status: ${statuses.map((s) => `${s}=${r.byStatus[s]}`).join(' ')}`,
    '',
    'by generator:',
    ...Object.entries(r.byGenerator).sort(([a], [b]) => a.localeCompare(b)).map(([g, c]) =>
      `  ${pad(g, 16)} ${String(Object.values(c).reduce((a, b) => a + b, 0)).padStart(7)}  ${Object.keys(c).sort().map((s) => `${s}=${c[s]}`).join(' ')}`),
  ];
  if (r.notes.length) lines.push('', 'notes:', ...r.notes.map((n) => `  - ${n}`));
  if (r.slowest.length) lines.push('', 'slowest answered requests:', ...r.slowest.map((x) => `  ${String(x.ms).padStart(6)} ms  ${x.status}  ${x.request}`));
  lines.push('', r.defects.length ? `DEFECTS (${r.defects.length} distinct):` : 'no defects: no 5xx, no hang, no crash, every probe answered as expected');
  r.defects.forEach((d, i) => {
    lines.push(`  ${i + 1}. [${d.type}] ${d.message} (×${d.count}, generator ${d.generator})`, `     request: ${d.request}`);
    if (d.note) lines.push(`     what: ${d.note}`);
    if (d.minimised) lines.push(`     minimised: ${d.minimised}`);
  });
  return lines.join('\n');
}

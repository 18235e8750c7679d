// Runs the whole suite: per fleet size a fresh cluster, converge + raw baseline; rolling update
// and reaction latency at one size, and there (on a fleet split into 4 zones) the DaemonSetRollout
// zone waves against the rolling update; an on-disk converge at the smallest; the footprint at the
// largest (controller in its own process); a rollout on a slow-starting fleet, real and rehearsed.
// Returns the rows; a scenario that throws (a bounded wait timing out) becomes a failed row and
// the run goes on with the next cluster.
import { cpus, totalmem } from 'node:os';
import { BenchCluster } from './harness.js';
import { converge, footprint, rawCreates, reaction, rollingUpdate } from './scenarios.js';
import { REHEARSAL_PODS, rehearsalVsReal, rolloutWaves, type RehearsalScenario } from './rollout.js';
import type { PodDelays } from './fleet-config.js';
import type { Machine, Row } from './report.js';

/** Parts of the suite `only` can pick. */
export const BENCH_PARTS = ['sizes', 'compare-storage', 'footprint', 'rollout-waves', 'rehearsal'] as const;
export type BenchPart = typeof BENCH_PARTS[number];

export interface BenchOptions {
  /** Fleet sizes, each on a fresh cluster. */
  nodes: number[];
  /** Every scenario on SQLite instead of in memory. */
  onDisk: boolean;
  /** Size for the rolling update and reaction scenarios (default 5,000 if listed, else the smallest). */
  rolloutNodes?: number;
  /**
   * Size for the DaemonSetRollout zone-waves scenario (default: the rollout size). Its cluster's
   * fleet is split into 4 zones (the other scenarios at that size run on it too); a size not in
   * `nodes` gets a cluster of its own (converge and the maxUnavailable rolling update first).
   */
  rolloutWavesNodes?: number;
  /** The rehearsal-vs-real scenario: fleet size (default 1,000), pod delays, seeds; false skips it. */
  rehearsal?: false | { nodes?: number; pods?: PodDelays } & RehearsalScenario;
  /** Only these parts (default: all). `rollout-waves` alone still converges and rolls its cluster first. */
  only?: ReadonlySet<BenchPart>;
  /** Also converge the smallest size on the other storage, to show what SQLite costs. */
  compareStorage: boolean;
  /** Skip the raw create baseline (3 × N pod creates and deletes: minutes at 50,000 nodes). Default false. */
  noBaseline?: boolean;
  footprint: boolean;
  idleMs: number;
  reactionCount: number;
  log: (line: string) => void;
}

export function machine(): Machine {
  const c = cpus();
  return { cores: c.length, cpuModel: c[0]?.model.trim() ?? 'unknown', memoryGiB: totalmem() / 2 ** 30, node: process.version, platform: `${process.platform}/${process.arch}` };
}

function failedRow(scenario: string, nodes: number, storage: Row['storage'], err: unknown): Row {
  return { scenario, nodes, storage, result: '—', detail: '', target: '', problems: [err instanceof Error ? err.message : String(err)] };
}

/** One cluster, one body; the cluster is always stopped, a thrown error becomes a failed row. */
async function withCluster(o: BenchOptions, nodes: number, onDisk: boolean, external: boolean, what: string, rows: Row[], body: (b: BenchCluster, step: (name: string) => void) => Promise<void>, fleet: { zones?: number; pods?: PodDelays } = {}): Promise<void> {
  const storage: Row['storage'] = onDisk ? 'sqlite' : 'memory';
  o.log(`bench: ${what} on ${nodes} nodes (${storage}${fleet.zones ? `, ${fleet.zones} zones` : ''})…`);
  let b: BenchCluster | undefined;
  try {
    b = await BenchCluster.start({ nodes, onDisk, externalController: external, log: o.log, ...fleet });
    await body(b, (name) => { what = name; });
  } catch (err) {
    rows.push(failedRow(what, nodes, storage, err));
    o.log(`bench: ${what} on ${nodes} nodes FAILED: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    await b?.stop();
  }
}

export async function runBench(o: BenchOptions): Promise<Row[]> {
  const want = (p: BenchPart) => !o.only || o.only.has(p);
  const sizes = [...new Set(o.nodes)].sort((a, b) => a - b);
  const rolloutN = o.rolloutNodes ?? (sizes.includes(5_000) ? 5_000 : sizes[0]);
  const wavesN = want('rollout-waves') ? o.rolloutWavesNodes ?? rolloutN : undefined;
  const storage: Row['storage'] = o.onDisk ? 'sqlite' : 'memory';
  const rows: Row[] = [];
  const push = (r: Row) => { rows.push(r); o.log(`bench: ${r.scenario} @${r.nodes}: ${r.result} ${r.problems.length ? `FAILED ${r.problems.join('; ')}` : ''}`); };

  const clusters = [...new Set([...(want('sizes') ? sizes : []), ...(wavesN !== undefined ? [wavesN] : [])])].sort((a, b) => a - b);
  for (const n of clusters) {
    // The sizes' own scenarios, or only what the zone waves need (converge, one rolling update).
    const full = want('sizes') && sizes.includes(n);
    const waves = n === wavesN;
    await withCluster(o, n, o.onDisk, false, 'converge', rows, async (b, step) => {
      const c = await converge(b, n, storage);
      push(c.row);
      if (full && !o.noBaseline) {
        step('raw create baseline');
        push(await rawCreates(b, n, storage, c.createMs));
      }
      const rolls = full && n === rolloutN;
      if (!rolls && !waves) return;
      step('rolling update, maxUnavailable 10 %');
      const ru = await rollingUpdate(b, n, storage, c.uid, 'maxUnavailable', 'bench/agent:v2');
      push(ru.row);
      if (rolls) {
        step('rolling update, maxSurge 10 %');
        push((await rollingUpdate(b, n, storage, c.uid, 'maxSurge', 'bench/agent:v3')).row);
        step('reaction');
        push(await reaction(b, n, storage, o.reactionCount));
      }
      if (waves) {
        step('DaemonSetRollout, 4 zone waves vs RollingUpdate');
        for (const r of await rolloutWaves(b, n, storage, c.uid, ru.availableMs, 'bench/agent:v4', 4)) push(r);
      }
    }, waves ? { zones: 4 } : {});
  }
  if (o.compareStorage && want('compare-storage')) {
    const n = sizes[0];
    await withCluster(o, n, !o.onDisk, false, 'converge', rows, async (b) => push((await converge(b, n, o.onDisk ? 'memory' : 'sqlite')).row));
  }
  if (o.footprint && want('footprint')) {
    const n = sizes[sizes.length - 1];
    await withCluster(o, n, o.onDisk, true, 'footprint', rows, async (b) => { for (const r of await footprint(b, n, storage, o.idleMs, o.reactionCount)) push(r); });
  }
  if (o.rehearsal !== false && want('rehearsal')) {
    const { nodes: n = 1_000, pods = REHEARSAL_PODS, ...scenario } = o.rehearsal ?? {};
    await withCluster(o, n, o.onDisk, false, 'rehearsal vs real', rows, async (b) => push(await rehearsalVsReal(b, n, storage, scenario)), { zones: 4, pods });
  }
  return rows;
}

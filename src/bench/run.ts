// Runs the whole suite: per fleet size a fresh cluster, converge + raw baseline; rolling update
// and reaction latency at one size; an on-disk converge at the smallest; the footprint at the
// largest (controller in its own process). Returns the rows; a scenario that throws (a bounded
// wait timing out) becomes a failed row and the run goes on with the next cluster.
import { cpus, totalmem } from 'node:os';
import { BenchCluster } from './harness.js';
import { converge, footprint, rawCreates, reaction, rollingUpdate } from './scenarios.js';
import type { Machine, Row } from './report.js';

export interface BenchOptions {
  /** Fleet sizes, each on a fresh cluster. */
  nodes: number[];
  /** Every scenario on SQLite instead of in memory. */
  onDisk: boolean;
  /** Size for the rolling update and reaction scenarios (default 5,000 if listed, else the smallest). */
  rolloutNodes?: number;
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
async function withCluster(o: BenchOptions, nodes: number, onDisk: boolean, external: boolean, what: string, rows: Row[], body: (b: BenchCluster, step: (name: string) => void) => Promise<void>): Promise<void> {
  const storage: Row['storage'] = onDisk ? 'sqlite' : 'memory';
  o.log(`bench: ${what} on ${nodes} nodes (${storage})…`);
  let b: BenchCluster | undefined;
  try {
    b = await BenchCluster.start({ nodes, onDisk, externalController: external, log: o.log });
    await body(b, (name) => { what = name; });
  } catch (err) {
    rows.push(failedRow(what, nodes, storage, err));
    o.log(`bench: ${what} on ${nodes} nodes FAILED: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    await b?.stop();
  }
}

export async function runBench(o: BenchOptions): Promise<Row[]> {
  const sizes = [...new Set(o.nodes)].sort((a, b) => a - b);
  const rolloutN = o.rolloutNodes ?? (sizes.includes(5_000) ? 5_000 : sizes[0]);
  const storage: Row['storage'] = o.onDisk ? 'sqlite' : 'memory';
  const rows: Row[] = [];
  const push = (r: Row) => { rows.push(r); o.log(`bench: ${r.scenario} @${r.nodes}: ${r.result} ${r.problems.length ? `FAILED ${r.problems.join('; ')}` : ''}`); };

  for (const n of sizes) {
    await withCluster(o, n, o.onDisk, false, 'converge', rows, async (b, step) => {
      const c = await converge(b, n, storage);
      push(c.row);
      if (!o.noBaseline) {
        step('raw create baseline');
        push(await rawCreates(b, n, storage, c.createMs));
      }
      if (n !== rolloutN) return;
      step('rolling update, maxUnavailable 10 %');
      push(await rollingUpdate(b, n, storage, c.uid, 'maxUnavailable', 'bench/agent:v2'));
      step('rolling update, maxSurge 10 %');
      push(await rollingUpdate(b, n, storage, c.uid, 'maxSurge', 'bench/agent:v3'));
      step('reaction');
      push(await reaction(b, n, storage, o.reactionCount));
    });
  }
  if (o.compareStorage) {
    const n = sizes[0];
    await withCluster(o, n, !o.onDisk, false, 'converge', rows, async (b) => push((await converge(b, n, o.onDisk ? 'memory' : 'sqlite')).row));
  }
  if (o.footprint) {
    const n = sizes[sizes.length - 1];
    await withCluster(o, n, o.onDisk, true, 'footprint', rows, async (b) => { for (const r of await footprint(b, n, storage, o.idleMs, o.reactionCount)) push(r); });
  }
  return rows;
}

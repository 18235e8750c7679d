// `npm run chaos [-- --runs N --seed S --chaos-ms MS --converge-ms MS]`: N seeded chaos runs in a
// row (seeds S, S+1, …), one report line each, a summary, and exit code 1 on any violation,
// crash or non-convergence. A run that overruns its bound counts as failed and ends the batch.
import { runOnce, runFailed, type RunReport } from './run.js';
import { details, runLine, summarize, summaryLine } from './report.js';
import { parseChaosArgs } from './args.js';
import { installTerminationHandlers } from './cleanup.js';

async function main(): Promise<number> {
  installTerminationHandlers((l) => console.error(l));
  const o = parseChaosArgs(process.argv.slice(2));
  const reports: RunReport[] = [];
  console.log(`chaos: ${o.runs} runs from seed ${o.seed}, ${o.chaosMs / 1000} s of chaos each, convergence bound ${o.convergeMs / 1000} s (${new Date().toISOString()}, runner pid ${process.pid})`);
  for (let i = 0; i < o.runs; i++) {
    const seed = o.seed + i;
    let timer: NodeJS.Timeout | undefined;
    const overrun = new Promise<'overrun'>((r) => { timer = setTimeout(() => r('overrun'), o.runTimeoutMs); });
    const r = await Promise.race([runOnce(seed, { chaosMs: o.chaosMs, convergeTimeoutMs: o.convergeMs, log: (l) => console.error(l) }), overrun]);
    clearTimeout(timer);
    if (r === 'overrun') {
      console.log(`seed ${seed}: FAIL | the run did not finish within ${o.runTimeoutMs / 1000} s`);
      return 1;
    }
    reports.push(r);
    console.log(runLine(r));
    for (const l of details(r)) console.log(l);
  }
  console.log(summaryLine(summarize(reports)));
  return reports.some(runFailed) ? 1 : 0;
}

main().then((code) => process.exit(code), (err: unknown) => {
  console.error(`chaos: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(2);
});

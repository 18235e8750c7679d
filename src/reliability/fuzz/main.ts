// `npm run fuzz`: the fuzzer's command line. Exits 1 when it found a defect, 2 when it could not run.
import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { runFuzz } from './runner.js';
import { inProcessTarget, kubeconfigTarget } from './target.js';
import { formatReport } from './report.js';

const usage = `usage: npm run fuzz -- [--requests N] [--seed S] [--concurrency C] [--batch B] [--max-seconds T] [--deadline-seconds D] [--kubeconfig FILE] [--json FILE] [--quiet]
  --requests     requests to send (default 100000)
  --seed         PRNG seed; the same seed sends the same requests (default: from the clock, printed)
  --concurrency  requests in flight (default 8)
  --batch        requests between two probes of the server (default 500)
  --max-seconds  stop after this long even if requests remain (default 1800)
  --deadline-seconds  no answer within this is a hang, and a server whose /healthz takes longer
                 is stuck (default 10; raise it on a saturated machine or under nice)
  --kubeconfig   fuzz the server of this kubeconfig's current context instead of an in-process one
  --json         also write the report as JSON to FILE`;

function positiveInt(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got ${JSON.stringify(v)}`);
  return n;
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        requests: { type: 'string' }, seed: { type: 'string' }, concurrency: { type: 'string' }, batch: { type: 'string' },
        'max-seconds': { type: 'string' }, 'deadline-seconds': { type: 'string' }, kubeconfig: { type: 'string' }, json: { type: 'string' }, quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (err) { console.error(`fuzz: ${(err as Error).message}\n${usage}`); return 2; }
  if (args.help) { console.log(usage); return 0; }
  let opts;
  try {
    opts = {
      requests: positiveInt('requests', args.requests, 100_000),
      seed: positiveInt('seed', args.seed, Date.now() % 1_000_000),
      concurrency: Math.max(1, positiveInt('concurrency', args.concurrency, 8)),
      batch: Math.max(1, positiveInt('batch', args.batch, 500)),
      maxSeconds: positiveInt('max-seconds', args['max-seconds'], 1800),
      deadlineMs: Math.max(1, positiveInt('deadline-seconds', args['deadline-seconds'], 10)) * 1000,
    };
  } catch (err) { console.error(`fuzz: ${(err as Error).message}`); return 2; }
  let target;
  try { target = args.kubeconfig ? await kubeconfigTarget(args.kubeconfig) : await inProcessTarget(); }
  catch (err) { console.error(`fuzz: cannot reach the target: ${(err as Error).message}`); return 2; }
  console.error(`fuzz: seed ${opts.seed}, ${opts.requests} requests, concurrency ${opts.concurrency}, against ${args.kubeconfig ? `the server of ${args.kubeconfig}` : `an in-process server on ${target.host}:${target.port}`}`);
  try {
    const report = await runFuzz(target, { ...opts, log: args.quiet ? undefined : (l) => console.error(`fuzz: ${l}`) });
    console.log(formatReport(report));
    if (args.json) writeFileSync(args.json, JSON.stringify(report, null, 1));
    return report.defects.length ? 1 : 0;
  } catch (err) {
    console.error(`fuzz: ${(err as Error).message}`);
    return 2;
  } finally {
    await target.close();
  }
}

process.exitCode = await main();

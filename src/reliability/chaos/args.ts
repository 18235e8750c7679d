// The options of `npm run chaos` (pure): a bad value is a one-line error, not a stack trace.
import { parseArgs } from 'node:util';

export interface ChaosArgs { runs: number; seed: number; chaosMs: number; convergeMs: number; runTimeoutMs: number }

export function parseChaosArgs(argv: string[]): ChaosArgs {
  const { values } = parseArgs({
    args: argv, strict: true,
    options: { runs: { type: 'string', default: '100' }, seed: { type: 'string', default: '1' }, 'chaos-ms': { type: 'string', default: '12000' }, 'converge-ms': { type: 'string', default: '60000' } },
  });
  const int = (name: string, v: string, min: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got "${v}"`);
    return n;
  };
  const chaosMs = int('chaos-ms', values['chaos-ms'], 1_000);
  const convergeMs = int('converge-ms', values['converge-ms'], 1_000);
  // The nodes coming up, the initial rollout and the convergence after the chaos are each bounded by
  // convergeMs (the nodes by at least 60 s); the rest is slack for starting and stopping.
  return { runs: int('runs', values.runs, 1), seed: int('seed', values.seed, 0), chaosMs, convergeMs, runTimeoutMs: chaosMs + 2 * convergeMs + Math.max(60_000, convergeMs) + 90_000 };
}

// `everynode rehearse -f rollout.yaml --fleet cluster.yaml`: the rollout core against a simulated
// fleet in virtual time, no API server. A thin shell over rehearse() (src/rollout/sim) and the
// renderers (src/rollout/report/rehearsal.ts): read and check the files and flags (one line per
// problem, exit 1), run N seeds, print.
import { Command, Option } from '@commander-js/extra-typings';
import type { DaemonSet } from '../../api/types.js';
import { parseClusterConfig, type ClusterConfig } from '../../nodes/cluster-config.js';
import { withDefaults } from '../../rollout/api/defaults.js';
import type { DaemonSetRollout } from '../../rollout/api/types.js';
import { InputError, parseDaemonSets, parseRollout, readText } from '../../rollout/report/load.js';
import { renderRehearsal, renderSummary, summarize } from '../../rollout/report/rehearsal.js';
import { rehearse, type Rehearsal, type RehearsalConfig } from '../../rollout/sim/rehearse.js';
import { parseGoDuration } from '../../api/duration.js';

export interface RehearseOptions {
  file: string; fleet: string; daemonset?: string[]; runs?: string; seed?: string;
  failNodes?: string; failAfter?: string; image?: string; output?: 'json'; syncInterval?: string;
}

/** The DaemonSet a rollout's targetRef names, when no file is given: one container, OnDelete. */
export function defaultDaemonSet(name: string, namespace: string): DaemonSet {
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name, namespace, labels: { app: name } },
    spec: { selector: { matchLabels: { app: name } }, updateStrategy: { type: 'OnDelete' }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: `example.com/${name}:1` }] } } },
  };
}

/** Checks files and flags; every problem is one line. */
export function rehearsalConfig(o: RehearseOptions): { cfg: RehearsalConfig; runs: number } {
  const problems: string[] = [];
  const collect = <T>(f: () => T): T | undefined => { try { return f(); } catch (e) { if (e instanceof InputError) { problems.push(...e.lines); return undefined; } if (e instanceof Error) { problems.push(e.message.split('\n')[0]); return undefined; } throw e; } };
  const rollout: DaemonSetRollout | undefined = collect(() => parseRollout(readText(o.file), o.file));
  const cluster: ClusterConfig | undefined = collect(() => parseClusterConfig(readText(o.fleet), o.fleet));
  const fileDss = (o.daemonset ?? []).flatMap((f) => collect(() => parseDaemonSets(readText(f), f)) ?? []);
  const int = (v: string | undefined, flag: string, dflt: number, min: number) => {
    if (v === undefined) return dflt;
    if (!/^\d+$/.test(v) || Number(v) < min) { problems.push(`${flag} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`); return dflt; }
    return Number(v);
  };
  const runs = int(o.runs, '--runs', 1, 1);
  if (runs > 1000) problems.push('--runs must be at most 1000');
  const seed = int(o.seed, '--seed', 1, 0);
  let failNodes: number | string | undefined;
  if (o.failNodes !== undefined) {
    const m = /^(\d+)(%?)$/.exec(o.failNodes);
    if (!m || (m[2] && Number(m[1]) > 100)) problems.push(`--fail-nodes must be a count or a percentage (e.g. 1%), got ${JSON.stringify(o.failNodes)}`);
    else failNodes = m[2] ? o.failNodes : Number(m[1]);
  }
  const failAfterMs = o.failAfter === undefined ? 0 : parseGoDuration(o.failAfter);
  const syncQuantumMs = o.syncInterval === undefined ? 1000 : parseGoDuration(o.syncInterval);
  if (!syncQuantumMs) problems.push(`--sync-interval must be a positive duration (e.g. 1s), got ${JSON.stringify(o.syncInterval)}`);
  if (failAfterMs === undefined) problems.push(`--fail-after must be a duration (e.g. 5m), got ${JSON.stringify(o.failAfter)}`);
  let image: RehearsalConfig['image'] | undefined;
  if (o.image !== undefined) {
    const eq = o.image.indexOf('=');
    image = eq > 0 ? { container: o.image.slice(0, eq), image: o.image.slice(eq + 1) } : { image: o.image };
    if (!image.image) problems.push('--image must be IMAGE or CONTAINER=IMAGE');
  } else problems.push('--image is required: the new image whose rollout to rehearse (IMAGE or CONTAINER=IMAGE)');
  let daemonSets = fileDss;
  if (rollout && !fileDss.length && !(o.daemonset ?? []).length) {
    const ref = withDefaults(rollout.spec).targetRef?.name;
    if (ref) daemonSets = [defaultDaemonSet(ref, rollout.metadata?.namespace ?? 'default')];
    else problems.push(`${o.file}: spec.selector: give the DaemonSets it selects with --daemonset FILE`);
  }
  if (problems.length) throw new InputError(problems);
  return { cfg: { cluster: cluster!, rollout: rollout!, daemonSets, image: image!, seed, failNodes, failAfterMs: failAfterMs!, syncQuantumMs: syncQuantumMs || 1000 }, runs };
}

export function runRehearse(o: RehearseOptions, out: (s: string) => void, err: (s: string) => void): number {
  let c: ReturnType<typeof rehearsalConfig>;
  try {
    c = rehearsalConfig(o);
  } catch (e) {
    if (e instanceof InputError) { for (const l of e.lines) err(`everynode rehearse: ${l}`); return 1; }
    throw e;
  }
  const results: Rehearsal[] = [];
  for (let i = 0; i < c.runs; i++) results.push(rehearse({ ...c.cfg, seed: c.cfg.seed + i }));
  if (o.output === 'json') out(`${JSON.stringify(c.runs === 1 ? results[0] : { summary: summarize(results), runs: results }, null, 2)}\n`);
  else out(c.runs === 1 ? renderRehearsal(results[0]) : `${renderSummary(summarize(results))}\nFirst run:\n${renderRehearsal(results[0])}`);
  return 0;
}

export function rehearseCommand() {
  return new Command('rehearse').description('Rehearse a DaemonSetRollout against a simulated fleet (a cluster config\'s pools) in virtual time, no API server')
    .requiredOption('-f, --filename <file>', 'the DaemonSetRollout (YAML)')
    .requiredOption('--fleet <cluster.yaml>', 'the cluster config whose node pools make the fleet')
    .option('--daemonset <file...>', 'the DaemonSets as they run now (default: one named by targetRef)')
    .option('--image <image>', 'the change to rehearse: IMAGE for every container, or CONTAINER=IMAGE')
    .option('--runs <n>', 'rehearse this many seeds (seed, seed+1, …) and print percentiles', '1')
    .option('--seed <s>', 'the first seed', '1')
    .option('--fail-nodes <n|%>', 'nodes that turn NotReady during the rollout (count or % of the fleet)')
    .option('--fail-after <duration>', 'when they turn NotReady, after the start (e.g. 5m)', '0s')
    .option('--sync-interval <duration>', 'the shortest virtual time between two syncs (the controller\'s reaction time; larger is faster, coarser)', '1s')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['json'] as const))
    .action((o) => {
      const code = runRehearse({ file: o.filename, fleet: o.fleet, daemonset: o.daemonset, runs: o.runs, seed: o.seed, failNodes: o.failNodes, failAfter: o.failAfter, image: o.image, output: o.output, syncInterval: o.syncInterval },
        (s) => process.stdout.write(s), (s) => process.stderr.write(`${s}\n`));
      if (code) process.exitCode = code;
    });
}

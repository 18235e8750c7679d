// `everynode plan -f rollout.yaml`: what a DaemonSetRollout would do on a cluster now, read-only.
// A thin shell: read and validate the file, list the namespace's DaemonSets, ControllerRevisions
// and pods and the nodes, then buildPlan (pure) and print. Exit 1, with one line per problem,
// when the policy cannot make progress; warnings do not change the exit status.
import { Command, Option } from '@commander-js/extra-typings';
import { stringify } from 'yaml';
import type { ControllerRevision, DaemonSet, Node, Pod } from '../../api/types.js';
import { ApiStatusError, RawClient, isNotFound } from '../../kube/client.js';
import { GROUP, VERSION, type DaemonSetRollout } from '../../rollout/api/types.js';
import { InputError, parseRollout, readText } from '../../rollout/report/load.js';
import { buildPlan, hasErrors, type PlanReport } from '../../rollout/report/plan.js';
import { renderPlan } from '../../rollout/report/render-plan.js';
import { loadKubeConfig } from '../../operator/config.js';

export interface PlanOptions { file: string; kubeconfig?: string; namespace?: string; output?: 'wide' | 'json' | 'yaml' }

/** Runs the command; returns the exit status. Output goes through the two writers (tests capture them). */
export async function runPlan(o: PlanOptions, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  let rollout: DaemonSetRollout;
  try {
    rollout = parseRollout(readText(o.file), o.file);
  } catch (e) {
    if (e instanceof InputError) { for (const l of e.lines) err(`everynode plan: ${l}`); return 1; }
    throw e;
  }
  let client: RawClient;
  try {
    const kc = loadKubeConfig(o.kubeconfig);
    client = new RawClient(kc, { timeoutMs: 30_000 });
    const ns = o.namespace ?? rollout.metadata?.namespace ?? (kc.getContextObject(kc.getCurrentContext())?.namespace || 'default');
    rollout = { ...rollout, metadata: { ...(rollout.metadata ?? {}), namespace: ns } };
  } catch (e) {
    err(`everynode plan: kubeconfig: ${(e as Error).message.split('\n')[0]}`);
    return 1;
  }
  let report: PlanReport;
  try {
    report = await planAgainst(client, rollout);
  } catch (e) {
    const why = e instanceof ApiStatusError ? `${e.code} ${e.reason}: ${e.message}` : (e as Error).message;
    err(`everynode plan: ${client.server}: ${why.split('\n')[0]}`);
    return 1;
  } finally {
    client.close();
  }
  if (o.output === 'json') out(`${JSON.stringify(report, null, 2)}\n`);
  else if (o.output === 'yaml') out(stringify(report));
  else out(renderPlan(report, o.output === 'wide'));
  for (const p of report.problems) err(`everynode plan: ${p.severity}: ${p.message}`);
  return hasErrors(report) ? 1 : 0;
}

async function planAgainst(client: RawClient, rollout: DaemonSetRollout): Promise<PlanReport> {
  const ns = encodeURIComponent(rollout.metadata!.namespace!);
  const [daemonSets, revisions, pods, nodes, live] = await Promise.all([
    client.listAll<DaemonSet>(`/apis/apps/v1/namespaces/${ns}/daemonsets`),
    client.listAll<ControllerRevision>(`/apis/apps/v1/namespaces/${ns}/controllerrevisions`),
    client.listAll<Pod>(`/api/v1/namespaces/${ns}/pods`),
    client.listAll<Node>('/api/v1/nodes'),
    liveRollout(client, rollout),
  ]);
  // The stored object's status carries what earlier syncs decided (wave times, blockers'
  // first-seen times, a tripped gate): the first sync starts from it when the policy exists.
  const input = { rollout: live?.status ? { ...rollout, status: live.status } : rollout, daemonSets: daemonSets.items, revisions: revisions.items, pods: pods.items, nodes: nodes.items };
  return buildPlan(input, Date.now());
}

/** The stored DaemonSetRollout of the same name, if the CRD is served and it exists. */
async function liveRollout(client: RawClient, r: DaemonSetRollout): Promise<DaemonSetRollout | undefined> {
  if (!r.metadata?.name) return undefined;
  try {
    return await client.request<DaemonSetRollout>('GET', `/apis/${GROUP}/${VERSION}/namespaces/${encodeURIComponent(r.metadata.namespace!)}/daemonsetrollouts/${encodeURIComponent(r.metadata.name)}`);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

export function planCommand() {
  return new Command('plan').description('Show what a DaemonSetRollout would do on the cluster now: targets, waves, budgets, blockers, the first sync (read-only)')
    .requiredOption('-f, --filename <file>', 'the DaemonSetRollout (YAML)')
    .option('--kubeconfig <path>', 'kubeconfig (default $KUBECONFIG, then ~/.kube/config)')
    .option('-n, --namespace <ns>', 'namespace of the rollout and its DaemonSets (default: the file\'s, then the context\'s)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['wide', 'json', 'yaml'] as const))
    .action(async (o) => {
      const code = await runPlan({ file: o.filename, kubeconfig: o.kubeconfig, namespace: o.namespace, output: o.output },
        (s) => process.stdout.write(s), (s) => process.stderr.write(`${s}\n`));
      if (code) process.exitCode = code;
    });
}

// `everynode rollout status|pause|resume|approve|abort|undo NAME`: the DaemonSetRollout CLI (also
// `kubectl everynode rollout …`, bin/kubectl-everynode.mjs). A thin shell: the kubeconfig as
// kubectl reads it, one read, one patch, one line out. What is written is decided in
// src/rollout/cli/actions.ts, and what is printed in src/rollout/cli/status.ts.
import { Command, Option } from '@commander-js/extra-typings';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { ApiStatusError, RawClient } from '../../kube/client.js';
import { templateHash } from '../../controller/core/history.js';
import type { ControllerRevision, DaemonSet } from '../../api/types.js';
import { GROUP, VERSION, type DaemonSetRollout } from '../../rollout/api/types.js';
import { approvePatch, CliError, pausePatch, resumePatch, undoSteps, type MergePatch } from '../../rollout/cli/actions.js';
import { parseTimeout, renderStatus, verdictOf } from '../../rollout/cli/status.js';
import { runLive } from '../../rollout/tui/live.js';
import type { Look } from '../../rollout/tui/text.js';


const RESOURCE = 'daemonsetrollouts';

interface ConnOpts { kubeconfig?: string; context?: string; namespace?: string }

/** --kubeconfig, else $KUBECONFIG (merged, as kubectl does), else ~/.kube/config, else ./.everynode/kubeconfig. */
export function loadKubeConfig(o: ConnOpts): { kc: KubeConfig; namespace: string } {
  const kc = new KubeConfig();
  const fail = (why: string) => { throw new CliError(why); };
  try {
    if (o.kubeconfig) {
      const file = resolve(o.kubeconfig);
      if (!existsSync(file)) fail(`kubeconfig ${file} not found`);
      kc.loadFromFile(file);
    } else if (process.env.KUBECONFIG) {
      const files = process.env.KUBECONFIG.split(':').filter((f) => f && existsSync(f));
      if (!files.length) fail(`no kubeconfig found: none of KUBECONFIG=${process.env.KUBECONFIG} exists`);
      kc.loadFromFile(files[0]);
      for (const f of files.slice(1)) { const more = new KubeConfig(); more.loadFromFile(f); kc.mergeConfig(more, true); }
    } else {
      const file = [join(homedir(), '.kube', 'config'), resolve('.everynode/kubeconfig')].find((f) => existsSync(f));
      if (!file) fail('no kubeconfig found (use --kubeconfig or KUBECONFIG; is "everynode up" running?)');
      kc.loadFromFile(file!);
    }
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`cannot load kubeconfig: ${firstLine(err)}`);
  }
  if (o.context) {
    if (!kc.getContextObject(o.context)) throw new CliError(`context "${o.context}" does not exist`);
    kc.setCurrentContext(o.context);
  }
  if (!kc.getCurrentCluster()) throw new CliError('kubeconfig has no current context or cluster (use --context)');
  const namespace = o.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
  return { kc, namespace };
}

const firstLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0];

class Session {
  readonly client: RawClient;
  constructor(readonly namespace: string, kc: KubeConfig) { this.client = new RawClient(kc); }
  path(name: string) { return `/apis/${GROUP}/${VERSION}/namespaces/${encodeURIComponent(this.namespace)}/${RESOURCE}/${encodeURIComponent(name)}`; }

  /** Errors as kubectl words them, in one line. */
  async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof ApiStatusError) {
        if (err.code === 404 && what.startsWith(RESOURCE) && !(await this.served())) {
          throw new CliError(`the server doesn't have a resource type "${RESOURCE}" (install the CRD: kubectl apply -k config/crd)`);
        }
        if (err.code === 404) throw new CliError(`${what} not found in namespace "${this.namespace}"`);
        if (err.code === 403) throw new CliError(`Error from server (Forbidden): ${firstLine(err)}`);
        throw new CliError(`Error from server (${err.reason || err.code}): ${firstLine(err)}`);
      }
      throw new CliError(`cannot reach the API server ${this.client.server}: ${firstLine(err)}`);
    }
  }

  async served(): Promise<boolean> {
    try {
      const list = await this.client.request<{ resources?: { name?: string }[] }>('GET', `/apis/${GROUP}/${VERSION}`);
      return (list.resources ?? []).some((r) => r.name === RESOURCE);
    } catch { return false; }
  }

  get(name: string) { return this.call(`${RESOURCE}.${GROUP} "${name}"`, () => this.client.request<DaemonSetRollout>('GET', this.path(name))); }
  patch(name: string, p: MergePatch) {
    return this.call(`${RESOURCE}.${GROUP} "${name}"`, () => this.client.request<DaemonSetRollout>('PATCH', this.path(name), p, 'application/merge-patch+json'));
  }
}

async function withSession<T>(o: ConnOpts, fn: (s: Session) => Promise<T>): Promise<T> {
  const { kc, namespace } = loadKubeConfig(o);
  const s = new Session(namespace, kc);
  try { return await fn(s); } finally { s.client.close(); }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The live view is for a person at a terminal: not when stdout is a pipe or a file, on a dumb
 * terminal, with --no-tty, or when the object is asked for (-o).
 */
function liveLook(o: { tty: boolean; output?: string }): Look | undefined {
  const out = process.stdout;
  if (!o.tty || o.output || !out.isTTY || process.env.TERM === 'dumb') return undefined;
  // hasColors honours NO_COLOR, FORCE_COLOR, NODE_DISABLE_COLORS and TERM.
  const locale = process.env.LC_ALL || process.env.LC_CTYPE || process.env.LANG || '';
  return { color: out.hasColors?.() ?? false, unicode: /utf-?8/i.test(locale) };
}

function timeoutOf(text: string): number {
  const timeoutMs = parseTimeout(text);
  if (timeoutMs === undefined || timeoutMs < 0) throw new CliError(`invalid --timeout "${text}" (a duration such as 30s, 5m; 0 waits for ever)`);
  return timeoutMs;
}

/** Exit status: 0 once Complete (or, with --watch=false, not Failed), 1 on Failed or timeout; 130 on Ctrl-C in the live view. */
async function status(name: string, o: ConnOpts & { watch: boolean; timeout: string; output?: string; interval: number; tty: boolean }): Promise<number> {
  const timeoutMs = timeoutOf(o.timeout);
  const look = o.watch ? liveLook(o) : undefined;
  return withSession(o, async (s) => {
    if (look) {
      await s.get(name); // not found, no CRD, no server: the one-line errors, before any drawing
      return runLive({
        client: s.client, namespace: s.namespace, name, out: process.stdout, tty: true, look, timeoutMs, timeoutCode: 1,
        onTimeout: (last) => console.error(`everynode: timed out waiting for rollout "${name}"${last ? ` (${last.verdict.message})` : ''}`),
      });
    }
    const deadline = timeoutMs ? Date.now() + timeoutMs : Infinity;
    let last = '';
    for (;;) {
      const r = await s.get(name);
      const v = verdictOf(r);
      const finished = v.state !== 'waiting' || !o.watch;
      const timedOut = !finished && Date.now() >= deadline;
      if (finished || timedOut) {
        if (o.output === 'json') console.log(JSON.stringify(r, null, 2));
        else if (o.output === 'yaml') process.stdout.write(stringify(r));
        else { console.log(renderStatus(r, Date.now())); console.log(''); console.log(v.message); }
        if (timedOut) { console.error(`everynode: timed out waiting for rollout "${name}" (${v.message})`); return 1; }
        return v.state === 'failed' ? 1 : 0;
      }
      if (!o.output && v.message !== last) console.log(v.message);
      last = v.message;
      await sleep(Math.min(o.interval, Math.max(0, deadline - Date.now())));
    }
  });
}

async function undo(name: string, o: ConnOpts): Promise<void> {
  await withSession(o, async (s) => {
    const r = await s.get(name);
    const base = `/apis/apps/v1/namespaces/${encodeURIComponent(s.namespace)}`;
    const dsList = await s.call('daemonsets', () => s.client.request<{ items: DaemonSet[] }>('GET', `${base}/daemonsets`));
    const revList = await s.call('controllerrevisions', () => s.client.request<{ items: ControllerRevision[] }>('GET', `${base}/controllerrevisions`));
    const steps = undoSteps(r, dsList.items, revList.items, templateHash);
    for (const step of steps) {
      await s.call(`daemonsets.apps "${step.daemonSet}"`, () => s.client.request('PATCH', `${base}/daemonsets/${encodeURIComponent(step.daemonSet)}`, step.patch, 'application/json-patch+json'));
      console.log(`daemonset.apps/${step.daemonSet} rolled back to revision ${step.toRevision}`);
    }
    if (r.spec?.paused) { await s.patch(name, { spec: { paused: false } }); console.log(`daemonsetrollout.${GROUP}/${name} resumed, so that the rollback proceeds`); }
  });
}

export function rolloutCommand() {
  const cmd = new Command('rollout').description('Drive a DaemonSetRollout: status, pause, resume, approve, abort, undo');
  const conn = (c: Command<[string], Record<string, unknown>>) => c
    .option('--kubeconfig <path>', 'kubeconfig file (default $KUBECONFIG, ~/.kube/config, then ./.everynode/kubeconfig)')
    .option('--context <name>', 'kubeconfig context to use')
    .option('-n, --namespace <ns>', "namespace (default: the context's, else default)");
  const connOf = (o: Record<string, unknown>): ConnOpts => ({ kubeconfig: o.kubeconfig as string | undefined, context: o.context as string | undefined, namespace: o.namespace as string | undefined });

  cmd.addCommand(conn(new Command('status').argument('<name>', 'DaemonSetRollout name')
    .description('Print phase, waves and blockers; wait until Complete (exit 0) or Failed (exit 1)'))
    .addOption(new Option('-w, --watch [bool]', 'wait until the rollout completes or fails').default('true'))
    .option('--timeout <duration>', 'stop waiting after this long (0: never), exit 1', '0')
    .addOption(new Option('-o, --output <format>', 'print the object instead of tables').choices(['json', 'yaml']))
    .addOption(new Option('--interval <ms>', 'poll interval').default(1000).argParser((v) => Number(v)).hideHelp())
    .option('--no-tty', 'plain lines even on a terminal (no live view)')
    .action(async (name: string, o: Record<string, unknown>) => {
      const w = String(o.watch);
      if (w !== 'true' && w !== 'false') throw new CliError(`invalid --watch "${w}" (true or false)`);
      const interval = Number(o.interval);
      process.exitCode = await status(name, { ...connOf(o), watch: w === 'true', timeout: String(o.timeout), output: o.output as string | undefined, interval: Number.isFinite(interval) && interval > 0 ? interval : 1000, tty: o.tty !== false });
    }) as never);

  const simple = (verb: string, help: string, act: (s: Session, name: string, o: Record<string, unknown>) => Promise<string>, extra?: (c: Command<[string], Record<string, unknown>>) => void) => {
    const c = conn(new Command(verb).argument('<name>', 'DaemonSetRollout name').description(help));
    extra?.(c);
    c.action(async (name: string, o: Record<string, unknown>) => {
      console.log(await withSession(connOf(o), (s) => act(s, name, o)));
    });
    cmd.addCommand(c as never);
  };
  const ref = (name: string) => `daemonsetrollout.${GROUP}/${name}`;
  simple('pause', 'Set spec.paused: no more pods are deleted or patched', async (s, name) => { await s.patch(name, pausePatch()); return `${ref(name)} paused`; });
  simple('resume', 'Clear spec.paused; after a tripped gate (onFailure: Pause) also go on past the trip', async (s, name) => {
    const r = await s.get(name);
    const p = resumePatch(r, Date.now());
    await s.patch(name, p);
    return `${ref(name)} resumed${p.metadata ? ` (gate trip ${r.status?.failure?.reason} cleared)` : ''}`;
  });
  simple('approve', 'Approve the wave waiting for manual approval (or --wave, in advance)', async (s, name, o) => {
    const { patch, wave } = approvePatch(await s.get(name), o.wave as string | undefined);
    await s.patch(name, patch);
    return `${ref(name)} wave ${wave} approved`;
  }, (c) => { c.option('--wave <name>', 'the wave to approve (default: the one waiting)'); });
  simple('abort', 'Stop the rollout where it is (spec.paused); nodes already updated keep the new revision', async (s, name) => {
    await s.patch(name, pausePatch());
    return `${ref(name)} aborted: paused, no more pods are replaced; nodes already on the new revision keep it (roll them back: everynode rollout undo ${name})`;
  });
  cmd.addCommand(conn(new Command('undo').argument('<name>', 'DaemonSetRollout name')
    .description("Put the revision the rollout started from back into its DaemonSets (as kubectl rollout undo); the rollout then replaces the new revision's pods wave by wave"))
    .action(async (name: string, o: Record<string, unknown>) => { await undo(name, connOf(o)); }) as never);
  return cmd;
}

/**
 * `everynode top [-n NS | -A]`: every DaemonSetRollout of a namespace (or all), live, one section
 * each, until Ctrl-C (exit 130) or --timeout (exit 0); without a terminal, one line per change.
 */
export function topCommand() {
  return new Command('top').description('Watch every DaemonSetRollout of a namespace (-A: all) live: waves, node grid, blockers')
    .option('--kubeconfig <path>', 'kubeconfig file (default $KUBECONFIG, ~/.kube/config, then ./.everynode/kubeconfig)')
    .option('--context <name>', 'kubeconfig context to use')
    .option('-n, --namespace <ns>', "namespace (default: the context's, else default)")
    .option('-A, --all-namespaces', 'every namespace')
    .option('--timeout <duration>', 'stop after this long (0: never)', '0')
    .option('--no-tty', 'plain lines even on a terminal (no live view)')
    .action(async (o) => {
      const timeoutMs = timeoutOf(o.timeout);
      const look = liveLook({ tty: o.tty !== false });
      process.exitCode = await withSession(o, async (s) => {
        if (!(await s.served())) {
          await s.call(RESOURCE, () => s.client.request('GET', '/version')); // an unreachable server says so first
          throw new CliError(`the server doesn't have a resource type "${RESOURCE}" (install the CRD: kubectl apply -k config/crd)`);
        }
        return runLive({
          client: s.client, namespace: o.allNamespaces ? undefined : s.namespace, out: process.stdout, tty: look !== undefined,
          look: look ?? { color: false, unicode: false }, timeoutMs, timeoutCode: 0,
        });
      });
    });
}

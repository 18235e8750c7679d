// The imperative shell of the live view (`everynode rollout status NAME` on a terminal, and
// `everynode top`): informers on the rollouts, their DaemonSets, pods and the nodes (which list,
// watch and reconnect with back-off on their own), a tick that redraws at most four times a second
// and only when something changed (or a countdown moved), and log-update to redraw in place.
// What a frame holds is decided in snapshot.ts and frame.ts.
import { createLogUpdate } from 'log-update';
import type { DaemonSet, KObject, Node, Pod } from '../../api/types.js';
import type { RawClient } from '../../kube/client.js';
import { Informer } from '../../kube/informer.js';
import { GROUP, VERSION, type DaemonSetRollout } from '../api/types.js';
import { plainLine, renderFrame } from './frame.js';
import { snapshotOf, type Observed, type RolloutSnapshot } from './snapshot.js';
import type { Look } from './text.js';

/** At most this often (ms): watch events are coalesced, never drawn one by one. */
export const REDRAW_MS = 250;
/** Redrawn at least this often while anything counts down. */
const COUNTDOWN_MS = 1000;

export interface LiveOptions {
  client: RawClient;
  /** undefined: every namespace (everynode top -A). */
  namespace: string | undefined;
  /** One rollout: the view ends when it is Complete (0) or Failed (1). Without: until stopped. */
  name?: string;
  out: NodeJS.WriteStream;
  /** A terminal: frames redrawn in place. Else plain lines, one per change of a rollout, no escape codes. */
  tty: boolean;
  look: Look;
  /** 0: no deadline. */
  timeoutMs: number;
  /** What a timeout exits with (1 for status, as today; 0 for top, a chosen duration). */
  timeoutCode: number;
  /** Printed (to stderr) when the deadline passes. */
  onTimeout?: (last: RolloutSnapshot | undefined) => void;
}

export async function runLive(o: LiveOptions): Promise<number> {
  const ns = o.namespace === undefined ? '' : `/namespaces/${encodeURIComponent(o.namespace)}`;
  const ac = new AbortController();
  const rollouts = new Informer<DaemonSetRollout & KObject>(o.client, `/apis/${GROUP}/${VERSION}${ns}/daemonsetrollouts`,
    o.name ? { fieldSelector: `metadata.name=${o.name}` } : {});
  const daemonSets = new Informer<DaemonSet & KObject>(o.client, `/apis/apps/v1${ns}/daemonsets`);
  const pods = new Informer<Pod & KObject>(o.client, `/api/v1${ns}/pods`);
  const nodes = new Informer<Node & KObject>(o.client, '/api/v1/nodes');
  let dirty = true;
  const touch = { onAdd: () => { dirty = true; }, onUpdate: () => { dirty = true; }, onDelete: () => { dirty = true; } };
  const all = [rollouts, daemonSets, pods, nodes];
  for (const inf of all) inf.addHandler(touch);
  const running = all.map((inf) => inf.start(ac.signal));

  let log = o.tty ? createLogUpdate(o.out) : undefined;
  const printed = new Map<string, string>();
  let lastDraw = 0;
  let last: RolloutSnapshot | undefined;
  const draw = (now: number) => {
    const seen: Observed | undefined = daemonSets.hasSynced() && pods.hasSynced() && nodes.hasSynced()
      ? { daemonSets: daemonSets.list(), pods: pods.list(), nodes: nodes.list() } : undefined;
    const snaps = rollouts.list()
      .sort((a, b) => key(a).localeCompare(key(b)))
      .map((r) => snapshotOf(r, seen, now));
    last = snaps[0];
    const empty = !rollouts.hasSynced() ? 'Listing DaemonSetRollouts...'
      : o.name ? `daemonsetrollouts.${GROUP} "${o.name}" not found in namespace "${o.namespace}"`
        : `No DaemonSetRollouts${o.namespace === undefined ? '' : ` in namespace "${o.namespace}"`}.`;
    if (log) {
      // One row fewer than the terminal: log-update ends the frame with a newline.
      const lines = renderFrame(snaps, { ...o.look, columns: o.out.columns || 80, rows: Math.max(1, (o.out.rows || 24) - 1), nowMs: now }, { empty });
      log(lines.join('\n'));
    } else {
      for (const snap of snaps) {
        const line = plainLine(snap);
        const k = `${snap.namespace}/${snap.name}`;
        if (printed.get(k) !== line) o.out.write(`${line}\n`);
        printed.set(k, line);
      }
    }
    lastDraw = now;
    dirty = false;
    return snaps;
  };

  const onResize = () => {
    // The terminal may have rewrapped what is on screen, so the line count log-update erases is
    // no longer right: clear the screen and start a fresh redraw.
    if (!log) return;
    o.out.write('\x1b[2J\x1b[H');
    log = createLogUpdate(o.out);
    dirty = true;
  };
  if (o.tty) o.out.on('resize', onResize);

  const code = await new Promise<number>((resolve) => {
    const deadline = o.timeoutMs ? Date.now() + o.timeoutMs : Infinity;
    // `on`, removed once stopped, not `once`: cli-cursor's exit hook (signal-exit) re-raises a
    // SIGINT that no other listener is left to handle, which would kill us before the cleanup.
    const onSigint = () => resolve(130);
    process.on('SIGINT', onSigint);
    const tick = setInterval(() => {
      const now = Date.now();
      if (now >= deadline) {
        draw(now);
        o.onTimeout?.(last);
        return resolve(o.timeoutCode);
      }
      if (!dirty && (!log || now - lastDraw < COUNTDOWN_MS)) return;
      const snaps = draw(now);
      if (o.name && rollouts.hasSynced()) {
        const v = snaps[0]?.verdict;
        if (v && v.state !== 'waiting') return resolve(v.state === 'failed' ? 1 : 0);
        if (!snaps.length) return resolve(1);
      }
    }, REDRAW_MS);
    draw(Date.now());
    ac.signal.addEventListener('abort', () => { clearInterval(tick); process.removeListener('SIGINT', onSigint); }, { once: true });
  });
  ac.abort();
  o.out.removeListener('resize', onResize);
  // Leaves the last frame on screen and the cursor shown (also after Ctrl-C).
  log?.done();
  await Promise.all(running);
  return code;
}

const key = (r: DaemonSetRollout) => `${r.metadata?.namespace ?? ''}/${r.metadata?.name ?? ''}`;

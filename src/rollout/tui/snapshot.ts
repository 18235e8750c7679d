// What the live view shows of one DaemonSetRollout, decided from the objects the watch holds: the
// status as the controller wrote it (the per-wave counts, blockers, countdowns) and, per node, its
// state as the rollout core itself observes it (observeNode, assignWaves), so the grid moves
// between two status writes. Pure: objects and the clock in, a plain snapshot out. Nothing read
// is trusted: a malformed status is read through storedStatus, an invalid spec yields no grid.
import type { DaemonSet, Node, Pod } from '../../api/types.js';
import { parseTime } from '../../api/meta.js';
import { templateHash } from '../../controller/core/history.js';
import { withDefaults, type DefaultedWave } from '../api/defaults.js';
import type { BlockerCause, BlockerReason, DaemonSetRollout, Failure, Phase, WaveState } from '../api/types.js';
import { validateRollout } from '../api/validate.js';
import { observeNode, podsByTargetAndNode, type NodeView, type Target } from '../core/observe.js';
import { TERMINATING_TOO_LONG_MS } from '../core/plan.js';
import { storedStatus } from '../core/stored.js';
import { selectTargets } from '../core/targets.js';
import { assignWaves } from '../core/waves.js';
import { verdictOf, type Verdict } from '../cli/status.js';

export type CellState = 'done' | 'updating' | 'waiting' | 'blocked' | 'quarantined';
export const CELL_STATES: readonly CellState[] = ['done', 'updating', 'waiting', 'blocked', 'quarantined'];

export interface WaveView {
  name: string;
  state: WaveState | 'Unknown';
  /** The counts as the status has them (observed ones only before the first status). */
  nodes: number;
  updated: number;
  ready: number;
  failed: number;
  quarantined: number;
  /** One per node, in name order; derived from the counts when the nodes are not (yet) seen. */
  cells: CellState[];
  /** Baking: when the bake ends. */
  bakeEndsAtMs?: number;
  /** WaitingApproval: since when (the wave's completion of the one before is not kept; its start is). */
  approvalSinceMs?: number;
}

export interface BlockerGroup {
  reason: BlockerReason | string;
  causes: (BlockerCause | string)[];
  /** Blocked nodes with this reason in all (blockedByReason), at least those listed. */
  count: number;
  /** A few of them, from the (capped) blockedNodes list. */
  nodes: string[];
  /** One message of theirs, as an example. */
  message: string;
}

export interface RolloutSnapshot {
  name: string;
  namespace: string;
  phase?: Phase | string;
  currentWave?: string;
  fromRevision?: string;
  toRevision?: string;
  paused: boolean;
  failure?: Failure;
  verdict: Verdict;
  waves: WaveView[];
  blockers: BlockerGroup[];
  blockedTotal: number;
  /** Of those, the ones held by the rollout itself (cause Budget: waiting for budget, wave, approval, pause). */
  waitingTotal: number;
  unselectedNodes: number;
  /** Progressing: when the progress deadline passes unless a node completes. */
  progressDeadlineAtMs?: number;
}

export interface Observed {
  /** The DaemonSets, pods and nodes the watch holds (other namespaces' are ignored). */
  daemonSets: readonly DaemonSet[];
  pods: readonly Pod[];
  nodes: readonly Node[];
}

const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0);
const CAUSE_ORDER: Record<string, number> = { Revision: 0, Node: 1, Budget: 2 };

export function snapshotOf(r: DaemonSetRollout, seen: Observed | undefined, nowMs: number): RolloutSnapshot {
  const s = storedStatus(r.status);
  const namespace = r.metadata?.namespace ?? 'default';
  const quarantined = new Set(s.quarantinedNodes ?? []);
  const blockedByStatus = new Set((s.blockedNodes ?? []).filter((b) => b.cause !== 'Budget').map((b) => b.node));
  const observed = seen ? observeWaves(r, seen, namespace, nowMs) : undefined;
  const cellOf = (v: NodeView): CellState => quarantined.has(v.name) ? 'quarantined'
    : blockedByStatus.has(v.name) || v.nodeProblem || v.slots.some((x) => x.problem) ? 'blocked'
      : v.done ? 'done'
        : v.updated || v.slots.some((x) => x.terminatingSinceMs !== undefined || !x.pod) ? 'updating' : 'waiting';

  const statusWaves = s.waves ?? [];
  let waves: WaveView[];
  if (statusWaves.length) {
    waves = statusWaves.map((w) => {
      const members = observed?.waves.get(w.name);
      const c = { nodes: count(w.nodes), updated: count(w.updated), ready: count(w.ready), failed: count(w.failed), quarantined: count(w.quarantined) };
      const view: WaveView = { name: w.name, state: (w.state as WaveState | undefined) ?? 'Unknown', ...c, cells: members ? members.views.map(cellOf) : cellsFromCounts(c) };
      const spec = members?.spec ?? specFor(r, w.name);
      const completed = parseTime(w.completedAt);
      if (w.state === 'Baking' && completed !== undefined && spec) view.bakeEndsAtMs = completed + spec.bakeSeconds * 1000;
      if (w.state === 'WaitingApproval') view.approvalSinceMs = parseTime(w.startedAt);
      return view;
    });
  } else {
    // Not yet observed by the controller: the waves as the core would form them now.
    waves = [...(observed?.waves.entries() ?? [])].map(([name, m]) => {
      const cells = m.views.map(cellOf);
      return {
        name, state: 'Pending' as const, nodes: cells.length, updated: m.views.filter((v) => v.updated).length,
        ready: m.views.filter((v) => v.done).length, failed: 0, quarantined: cells.filter((c) => c === 'quarantined').length, cells,
      };
    });
  }

  const lastProgress = parseTime(s.lastProgressAt);
  const deadline = typeof r.spec?.progressDeadlineSeconds === 'number' ? r.spec.progressDeadlineSeconds : 1800;
  return {
    name: r.metadata?.name ?? '',
    namespace,
    phase: s.phase,
    currentWave: s.currentWave,
    fromRevision: s.fromRevision,
    toRevision: s.toRevision,
    paused: r.spec?.paused === true,
    failure: s.failure,
    verdict: verdictOf({ ...r, status: s }),
    waves,
    blockers: blockerGroups(s.blockedNodes ?? [], s.blockedByReason ?? {}),
    blockedTotal: count(s.blockedNodesTotal ?? (s.blockedNodes ?? []).length),
    waitingTotal: budgetHeld(s.blockedNodes ?? [], s.blockedByReason),
    unselectedNodes: count(s.unselectedNodes ?? observed?.unselected ?? 0),
    ...(s.phase === 'Progressing' && lastProgress !== undefined ? { progressDeadlineAtMs: lastProgress + deadline * 1000 } : {}),
  };
}

/** Without the nodes: ready ones done, failed and quarantined ones so, the rest of the updated ones updating. */
export function cellsFromCounts(c: { nodes: number; updated: number; ready: number; failed: number; quarantined: number }): CellState[] {
  const out: CellState[] = [];
  const take = (n: number, st: CellState) => { for (let i = 0; i < n && out.length < c.nodes; i++) out.push(st); };
  take(c.ready, 'done');
  take(c.failed, 'blocked');
  take(c.quarantined, 'quarantined');
  take(c.updated - c.ready - c.failed, 'updating');
  take(c.nodes - out.length, 'waiting');
  return out;
}

function specFor(r: DaemonSetRollout, wave: string): DefaultedWave | undefined {
  if (!Array.isArray(r.spec?.waves)) return undefined;
  try {
    return withDefaults(r.spec).waves.find((w) => w.name === wave || (w.splitBy && wave.startsWith(`${w.name}-`)));
  } catch { return undefined; }
}

function observeWaves(r: DaemonSetRollout, seen: Observed, namespace: string, nowMs: number) {
  if (validateRollout(r).length) return undefined;
  const spec = withDefaults(r.spec);
  const inNs = <T extends { metadata?: { namespace?: string } }>(l: readonly T[]) => l.filter((o) => (o.metadata?.namespace ?? 'default') === namespace);
  const targets: Target[] = selectTargets(spec, inNs(seen.daemonSets)).map((ds) => ({ ds, name: ds.metadata?.name ?? '', to: templateHash(ds), minReadySeconds: spec.health.minReadySeconds }));
  const pods = podsByTargetAndNode(targets, inNs(seen.pods));
  const o = { nowMs, maxRestarts: spec.health.maxRestarts, podReadyTimeoutMs: spec.health.podReadyTimeoutSeconds * 1000, terminatingTooLongMs: TERMINATING_TOO_LONG_MS };
  const views: NodeView[] = [];
  for (const n of seen.nodes) { const v = observeNode(n, targets, pods, o); if (v) views.push(v); }
  const { waves, unselected } = assignWaves(spec.waves, views);
  return { waves: new Map(waves.map((w) => [w.name, { spec: w.spec, views: w.members }])), unselected: unselected.length };
}

/** Reasons that are the rollout's own holding back (cause Budget), not a problem of the node. */
const BUDGET_REASONS = new Set(['WaitingForBudget', 'WaitingForWave', 'WaitingForApproval', 'Paused']);

/** Nodes held back by the rollout itself: from blockedByReason (every node), else the capped list. */
function budgetHeld(list: readonly { reason?: string; cause?: string }[], byReason: Partial<Record<string, number>> | undefined): number {
  if (byReason) return Object.entries(byReason).reduce((n, [r, c]) => n + (BUDGET_REASONS.has(r) ? count(c) : 0), 0);
  return list.filter((b) => b.cause === 'Budget').length;
}

/** By reason: Revision causes first, then Node, then Budget; within a cause the most nodes first. */
export function blockerGroups(list: readonly { node: string; reason?: string; cause?: string; message?: string }[], byReason: Partial<Record<string, number>>): BlockerGroup[] {
  const groups = new Map<string, BlockerGroup>();
  for (const b of list) {
    const reason = b.reason ?? 'Unknown';
    let g = groups.get(reason);
    if (!g) groups.set(reason, (g = { reason, causes: [], count: 0, nodes: [], message: b.message ?? '' }));
    if (b.cause && !g.causes.includes(b.cause)) g.causes.push(b.cause);
    g.count++;
    g.nodes.push(b.node);
  }
  for (const [reason, n] of Object.entries(byReason)) {
    const total = count(n);
    const g = groups.get(reason);
    if (g) g.count = Math.max(g.count, total);
    else if (total) groups.set(reason, { reason, causes: [], count: total, nodes: [], message: '' });
  }
  const rank = (g: BlockerGroup) => Math.min(...g.causes.map((c) => CAUSE_ORDER[c] ?? 3), 3);
  return [...groups.values()].sort((a, b) => rank(a) - rank(b) || b.count - a.count || (a.reason < b.reason ? -1 : 1));
}

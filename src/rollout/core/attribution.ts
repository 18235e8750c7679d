// Blocker attribution: was this node broken by the new revision, or was it broken anyway?
//
// The rule (documented in docs/daemonsetrollout.md, "Blockers and causes"):
//   1. A node that has not received the new revision yet cannot have been broken by it: cause Node.
//   2. A node problem (NotReady, pressure) first seen before the node received the new revision:
//      cause Node. Without health.nodeRegression, node problems are always cause Node; with it,
//      only those that start within windowSeconds after the update are suspects.
//   3. Otherwise compare rates: the share of updated nodes showing this reason against the share
//      of not-yet-updated nodes (the control group) showing it — or, once no control group is
//      left, the share last recorded in status.baseline. Strictly above the control rate: cause
//      Revision; at or below it (every node, old and new, flapping): cause Node.
// Only cause-Revision nodes that have failed (restarts beyond maxRestarts, not Ready within
// podReadyTimeoutSeconds, or a node regression) count toward health.maxFailedNodes.
import type { Baseline, BlockerCause, BlockerReason } from '../api/types.js';
import type { NodeView } from './observe.js';

export interface Problem {
  reason: BlockerReason;
  message: string;
  sinceMs?: number;
  /** Node-level (conditions of the Node) rather than a pod's. */
  nodeLevel: boolean;
}

export interface Assessment extends Problem {
  cause: Exclude<BlockerCause, 'Budget'>;
  /** Counts toward the health gate. */
  failed: boolean;
}

export interface AttributionOptions {
  nowMs: number;
  maxRestarts: number;
  podReadyTimeoutMs: number;
  /** health.nodeRegression.windowSeconds in ms; undefined: node problems are never the revision's. */
  regressionWindowMs?: number;
}

/** The one problem a node shows: its own conditions first, then its daemon pods' (new before old). */
export function problemOf(v: NodeView): Problem | undefined {
  if (v.nodeProblem) return { reason: v.nodeProblem, message: v.nodeProblemMessage ?? '', sinceMs: v.nodeProblemSinceMs, nodeLevel: true };
  if (v.done) return undefined;
  let any = false;
  for (const s of v.slots) if (s.problem) { any = true; break; }
  if (!any) return undefined; // the common case at fleet scale: waiting or starting, no problem
  for (const isNew of [true, false]) {
    for (const s of v.slots) {
      if (s.isNew !== isNew || !s.problem) continue;
      // A daemon pod that cannot be scheduled on a cordoned node: the cordon is the node's doing.
      if (s.problem === 'Unschedulable' && v.node.spec?.unschedulable === true) {
        return { reason: 'NodeCordoned', message: `${s.target.name}: node cordoned (spec.unschedulable): ${s.problemMessage ?? ''}`, sinceMs: s.problemSinceMs, nodeLevel: true };
      }
      if (s.problem) return { reason: s.problem, message: `${s.target.name}: ${s.problemMessage ?? ''}`, sinceMs: s.problemSinceMs, nodeLevel: false };
    }
  }
  return undefined;
}

/** Per-reason counts of the control group (not-yet-updated nodes), or the recorded baseline when none is left. */
export function controlBaseline(views: readonly NodeView[], problems: ReadonlyMap<string, Problem>, previous: Baseline | undefined): Baseline {
  const control = views.filter((v) => !v.updated);
  if (!control.length) return previous ?? { nodes: 0, unhealthy: {} };
  const unhealthy: Partial<Record<BlockerReason, number>> = {};
  for (const v of control) {
    const p = problems.get(v.name);
    if (p) unhealthy[p.reason] = (unhealthy[p.reason] ?? 0) + 1;
  }
  return { nodes: control.length, unhealthy };
}

const rate = (count: number, total: number) => (total > 0 ? count / total : 0);

/** Cause and gate weight of each problem node (rule above). */
export function attribute(views: readonly NodeView[], problems: ReadonlyMap<string, Problem>, baseline: Baseline, o: AttributionOptions): Map<string, Assessment> {
  const updated = views.filter((v) => v.updated);
  const treated: Partial<Record<BlockerReason, number>> = {};
  for (const v of updated) {
    const p = problems.get(v.name);
    if (p) treated[p.reason] = (treated[p.reason] ?? 0) + 1;
  }
  const out = new Map<string, Assessment>();
  for (const v of views) {
    const p = problems.get(v.name);
    if (!p) continue;
    out.set(v.name, { ...p, ...judge(v, p, treated, updated.length, baseline, o) });
  }
  return out;
}

function judge(v: NodeView, p: Problem, treated: Partial<Record<BlockerReason, number>>, updatedCount: number, baseline: Baseline, o: AttributionOptions):
  { cause: 'Node' | 'Revision'; failed: boolean } {
  const node = { cause: 'Node', failed: false } as const;
  if (!v.updated) return node;
  const updatedAt = v.updatedAtMs;
  if (p.nodeLevel) {
    if (o.regressionWindowMs === undefined || updatedAt === undefined || p.sinceMs === undefined) return node;
    if (p.sinceMs < updatedAt || p.sinceMs - updatedAt > o.regressionWindowMs) return node;
  }
  const treatment = rate(treated[p.reason] ?? 0, updatedCount);
  const control = rate(baseline.unhealthy[p.reason] ?? 0, baseline.nodes);
  if (treatment <= control) return node;
  return { cause: 'Revision', failed: hasFailed(v, p, o) };
}

function hasFailed(v: NodeView, p: Problem, o: AttributionOptions): boolean {
  if (p.nodeLevel) return true; // a regression within the window (checked by the caller)
  if (p.reason === 'NotReady') return true; // only reported once podReadyTimeoutSeconds has passed
  for (const s of v.slots) {
    if (!s.isNew) continue;
    if (s.restarts > o.maxRestarts) return true;
    const start = s.updatedAtMs;
    if (s.problem && start !== undefined && o.nowMs - start > o.podReadyTimeoutMs) return true;
  }
  return false;
}

// `everynode plan`: what a DaemonSetRollout would do on the cluster as it is now. Pure: built from
// the same input planRollout takes (the objects the command listed) and the clock, using the
// core's own pieces (target selection, per-node observation, wave assignment), so the plan shown
// is the plan the controller will follow. Rendering is separate (renderPlan).
import { templateHash } from '../../controller/core/history.js';
import type { DaemonSet } from '../../api/types.js';
import { withDefaults, type DefaultedSpec } from '../api/defaults.js';
import { scaleIntOrPercent } from '../api/intorpercent.js';
import type { BlockedNode, BlockerReason, Phase } from '../api/types.js';
import { observeNode, podsByTargetAndNode, type NodeView, type Target } from '../core/observe.js';
import { planRollout, TERMINATING_TOO_LONG_MS } from '../core/plan.js';
import { revisionsOf, selectTargets } from '../core/targets.js';
import type { RolloutAction, RolloutInput } from '../core/types.js';
import { assignWaves } from '../core/waves.js';

export interface PlanTarget { name: string; strategy: string; fromRevision: string; toRevision: string; revisions: number; nodes: number }
export interface PlanWave {
  name: string;
  nodes: number;
  nodeNames: string[];
  /** maxUnavailable resolved against the wave's nodes (rounded up). */
  maxUnavailable: number;
  /** maxNodes resolved against the nodes the wave's selector picked (rounded up), when set. */
  maxNodes?: number;
  bakeSeconds: number;
  approval: string;
  /** Nodes already on the new revision. */
  updated: number;
}
export interface PlanProblem { severity: 'error' | 'warning'; message: string }
export interface PlanReport {
  rollout: { namespace: string; name: string };
  phase?: Phase;
  targets: PlanTarget[];
  waves: PlanWave[];
  unselectedNodes: number;
  /** Nodes already blocked by their own state (cause Node or Revision), capped as the status is. */
  blocked: BlockedNode[];
  /** Every blocked node, by reason (waiting for budget or wave included). */
  blockedByReason: Partial<Record<BlockerReason, number>>;
  firstSync: RolloutAction[];
  problems: PlanProblem[];
}

export function buildPlan(input: RolloutInput, nowMs: number): PlanReport {
  const r = input.rollout;
  const spec = withDefaults(r.spec);
  const ns = r.metadata?.namespace ?? 'default';
  const problems: PlanProblem[] = [];
  const selected = selectTargets(spec, input.daemonSets);
  if (!selected.length) {
    problems.push({ severity: 'error', message: spec.targetRef ? `no DaemonSet ${spec.targetRef.name} in namespace ${ns}` : `spec.selector matches no DaemonSet in namespace ${ns}` });
  }
  for (const ds of selected) {
    const strategy = ds.spec?.updateStrategy?.type ?? 'RollingUpdate';
    if (strategy !== 'OnDelete' && !spec.manageStrategy) {
      problems.push({ severity: 'error', message: `DaemonSet ${ds.metadata?.name} uses ${strategy}: set its updateStrategy.type to OnDelete or spec.manageStrategy: true` });
    }
  }
  const p = planRollout(input, nowMs);
  const fromByName = new Map((p.status.targets ?? []).map((t) => [t.name, t]));
  const targets: Target[] = selected.map((ds) => ({ ds, name: ds.metadata!.name!, to: templateHash(ds), minReadySeconds: 0 }));
  const views = observeAll(input, targets, spec, nowMs);
  const { waves, unselected } = assignWaves(spec.waves, views);
  const caps = resolvedCaps(spec, views);
  const planWaves: PlanWave[] = waves.map((w) => ({
    name: w.name,
    nodes: w.members.length,
    nodeNames: w.members.map((m) => m.name),
    maxUnavailable: scaleIntOrPercent(w.spec.maxUnavailable, w.members.length, true) ?? 0,
    ...(caps.has(w.name) ? { maxNodes: caps.get(w.name) } : {}),
    bakeSeconds: w.spec.bakeSeconds,
    approval: w.spec.approval,
    updated: w.members.filter((m) => m.updated).length,
  }));
  for (const w of planWaves) {
    if (w.nodes === 0) problems.push({ severity: 'warning', message: `wave ${w.name} selects no nodes` });
    else if (w.maxUnavailable === 0) problems.push({ severity: 'error', message: `wave ${w.name}: maxUnavailable resolves to 0 of ${w.nodes} nodes: the wave can never progress` });
  }
  // A splitBy wave whose label no node carries expands to no wave at all: say so too.
  for (const s of spec.waves) {
    if (s.splitBy && !waves.some((w) => w.spec === s)) problems.push({ severity: 'warning', message: `wave ${s.name}: no node has the label ${s.splitBy} (among the nodes it selects)` });
  }
  return {
    rollout: { namespace: ns, name: r.metadata?.name ?? '' },
    phase: p.status.phase,
    targets: selected.map((ds) => {
      const name = ds.metadata!.name!;
      const t = fromByName.get(name);
      const to = templateHash(ds);
      return {
        name, strategy: ds.spec?.updateStrategy?.type ?? 'RollingUpdate', fromRevision: t?.fromRevision ?? initialGuess(ds, input, to), toRevision: to,
        revisions: revisionsOf(ds, input.revisions).length, nodes: views.filter((v) => v.slots.some((s) => s.target.ds === ds)).length,
      };
    }),
    waves: planWaves,
    unselectedNodes: unselected.length,
    blocked: (p.status.blockedNodes ?? []).filter((b) => b.cause !== 'Budget'),
    blockedByReason: p.status.blockedByReason ?? {},
    firstSync: p.actions,
    problems,
  };
}

function observeAll(input: RolloutInput, targets: Target[], spec: DefaultedSpec, nowMs: number): NodeView[] {
  const pods = podsByTargetAndNode(targets, input.pods);
  const o = { nowMs, maxRestarts: spec.health.maxRestarts, podReadyTimeoutMs: spec.health.podReadyTimeoutSeconds * 1000, terminatingTooLongMs: TERMINATING_TOO_LONG_MS };
  const out: NodeView[] = [];
  for (const n of [...input.nodes].sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1))) {
    const v = observeNode(n, targets, pods, o);
    if (v) out.push(v);
  }
  return out;
}

/** maxNodes per generated wave: assign again with that wave's cap lifted to see how many it picked from. */
function resolvedCaps(spec: DefaultedSpec, views: NodeView[]): Map<string, number> {
  const out = new Map<string, number>();
  spec.waves.forEach((s, i) => {
    if (s.maxNodes === undefined) return;
    const { waves } = assignWaves([...spec.waves.slice(0, i), { ...s, maxNodes: undefined }], views);
    for (const w of waves) if (w.spec.name === s.name) out.set(w.name, scaleIntOrPercent(s.maxNodes, w.members.length, true) ?? 0);
  });
  return out;
}

/** A RollingUpdate target is not planned by the core: show the revision most of its pods run. */
function initialGuess(ds: DaemonSet, input: RolloutInput, to: string): string {
  const counts = new Map<string, number>();
  for (const pod of input.pods) {
    if (!pod.metadata?.ownerReferences?.some((o) => o?.uid === ds.metadata?.uid)) continue;
    const h = pod.metadata?.labels?.['controller-revision-hash'];
    if (h) counts.set(h, (counts.get(h) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? to;
}

export const hasErrors = (r: PlanReport) => r.problems.some((p) => p.severity === 'error');

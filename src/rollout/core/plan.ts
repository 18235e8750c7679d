// planRollout(input, nowMs): one sync of a DaemonSetRollout as data. Pure: no I/O, the clock is an
// argument, and every durable fact (wave start/complete/bake times, blocker first-seen times,
// quarantine, failure, baseline) lives in the last status, so a restarted or failed-over
// controller — or the simulation — decides exactly the same from the same objects. A PlanMemo
// carried from one sync to the next (memo.ts) only saves work: with or without it, and whatever
// it holds, the plan is the same.
import type { DaemonSet } from '../../api/types.js';
import { parseTime, rfc3339 } from '../../api/meta.js';
import { templateHash } from '../../controller/core/history.js';
import { withDefaults, type DefaultedSpec } from '../api/defaults.js';
import { scaleIntOrPercent } from '../api/intorpercent.js';
import {
  APPROVE_ANNOTATION, RESUME_ANNOTATION, type BlockedNode, type Condition, type DaemonSetRolloutStatus,
  type Failure, type Phase, type TargetStatus, type WaveStatus,
} from '../api/types.js';
import { attribute, controlBaseline, problemOf, type Assessment, type Problem } from './attribution.js';
import { condition } from './conditions.js';
import { unavailableSlots, type NodeView, type Slot, type Target } from './observe.js';
import { PlanMemo } from './memo.js';
import { findRevision, imageOnlyChange, initialFrom, revisionId, revisionsOf, revisionTemplate, selectTargets } from './targets.js';
import type { RolloutAction, RolloutEvent, RolloutInput, RolloutPlan } from './types.js';
import { assignWavesBy, type Wave } from './waves.js';
import { blockersOf } from './blockers.js';
import { storedStatus } from './stored.js';

/** status.blockedNodes holds at most this many entries (blockedNodesTotal and blockedByReason count all). */
export const BLOCKED_NODES_LIMIT = 50;
/** An old pod still terminating after this long is a TerminatingTooLong blocker. */
export const TERMINATING_TOO_LONG_MS = 5 * 60_000;

interface TargetPlan extends Target { from: string; status: TargetStatus; rollbackPending: boolean }

/**
 * One sync. `memo` is what the previous sync of the same rollout left (keep one per rollout and
 * pass it each time, as the controller does); without it the sync starts from scratch.
 * The input's objects must not be mutated once passed (replace them, as informers do).
 */
export function planRollout(input: RolloutInput, nowMs: number, memo: PlanMemo = new PlanMemo()): RolloutPlan {
  const r = input.rollout;
  const spec = withDefaults(r.spec ?? { waves: [] });
  const prev: DaemonSetRolloutStatus = storedStatus(r.status);
  const now = rfc3339(nowMs);
  const ns = r.metadata?.namespace ?? 'default';
  const actions: RolloutAction[] = [];
  const events: RolloutEvent[] = [];
  const conditions: Condition[] = [];
  const cond = (type: Condition['type'], status: Condition['status'], reason: string, message: string) =>
    conditions.push(condition(prev.conditions, type, status, reason, message, nowMs));

  // Targets: RollingUpdate ones are driven by their own controller unless manageStrategy.
  const selected = selectTargets(spec, input.daemonSets);
  const prevTargets = new Map((prev.targets ?? []).map((t) => [t.name, t]));
  const targets: TargetPlan[] = [];
  const conflicts: string[] = [];
  for (const ds of selected) {
    const name = ds.metadata!.name!;
    const strategy = ds.spec?.updateStrategy?.type ?? 'RollingUpdate';
    if (strategy !== 'OnDelete') {
      conflicts.push(name);
      if (spec.manageStrategy) actions.push({ type: 'SetOnDelete', daemonSet: name, original: structuredClone(ds.spec?.updateStrategy ?? { type: 'RollingUpdate' }) });
      continue;
    }
    const to = hashOf(ds);
    const pt = prevTargets.get(name);
    const revs = revisionsOf(ds, input.revisions);
    const rollbackPending = pt?.rollbackFrom !== undefined && pt.rollbackFrom === to;
    let from: string;
    if (!pt) from = initialFrom(to, input.pods.filter((p) => p.metadata?.ownerReferences?.some((o) => o?.uid === ds.metadata?.uid)), revs);
    else if (pt.toRevision === to || rollbackPending) from = pt.fromRevision;
    else from = prev.phase === 'Complete' || prev.phase === 'Idle' ? pt.toRevision : pt.fromRevision;
    const minReadySeconds = Math.max(Number.isInteger(ds.spec?.minReadySeconds) ? ds.spec!.minReadySeconds! : 0, spec.health.minReadySeconds);
    targets.push({
      ds, name, to: rollbackPending ? pt!.toRevision : to, from, minReadySeconds, rollbackPending,
      status: { name, fromRevision: from, toRevision: rollbackPending ? pt!.toRevision : to, strategy, ...(rollbackPending ? { rollbackFrom: to } : {}) },
    });
  }
  if (conflicts.length) {
    cond('TargetStrategy', 'False', spec.manageStrategy ? 'SwitchingToOnDelete' : 'RollingUpdateStrategy',
      spec.manageStrategy ? `switching ${conflicts.join(', ')} to OnDelete` : `${conflicts.join(', ')} use RollingUpdate: set updateStrategy.type OnDelete or spec.manageStrategy: true`);
    if (!prev.conditions?.some((c) => c.type === 'TargetStrategy' && c.status === 'False')) {
      events.push({ type: 'Warning', reason: 'TargetStrategy', message: conditions[conditions.length - 1].message });
    }
  }
  if (!targets.length) {
    cond('Progressing', 'False', selected.length ? 'NoOnDeleteTarget' : 'NoTarget', selected.length ? 'no target uses OnDelete' : 'no DaemonSet matches targetRef/selector');
    return { actions, events, status: { ...prev, phase: 'Idle', observedGeneration: r.metadata?.generation, conditions } };
  }

  // The template is being put back (RollbackTemplate not yet observed): repeat it, decide nothing else.
  const pending = targets.filter((t) => t.rollbackPending);
  if (pending.length) {
    for (const t of pending) pushRollback(actions, t, input);
    return { actions, events, status: { ...prev, phase: 'RollingBack', observedGeneration: r.metadata?.generation, targets: targets.map((t) => t.status) } };
  }

  const id = revisionId(targets.map((t) => ({ name: t.name, hash: t.to })));
  const fromId = revisionId(targets.map((t) => ({ name: t.name, hash: t.from })));
  const isNewRollout = prev.toRevision !== undefined && prev.toRevision !== id;
  if (isNewRollout || (prev.toRevision === undefined && id !== fromId)) {
    events.push({ type: 'Normal', reason: 'RolloutStarted', message: `rolling ${fromId} → ${id}${isNewRollout && prev.phase !== 'Complete' && prev.phase !== 'Idle' ? ` (restarted from the first wave: newer revision than ${prev.toRevision})` : ''}` });
  }
  let failure: Failure | undefined = isNewRollout ? undefined : prev.failure;
  let rolledBackFrom = isNewRollout ? undefined : prev.rolledBackFrom;
  const resumeAt = parseTime(r.metadata?.annotations?.[RESUME_ANNOTATION]);
  if (failure && !rolledBackFrom && resumeAt !== undefined && resumeAt > (parseTime(failure.at) ?? Infinity)) {
    events.push({ type: 'Normal', reason: 'Resumed', message: `resumed after ${failure.reason}` });
    failure = undefined;
  }

  // Observe every node once (the memo re-observes only nodes whose objects changed or whose view expired).
  memo.useTargets(targets, {
    maxRestarts: spec.health.maxRestarts, podReadyTimeoutMs: spec.health.podReadyTimeoutSeconds * 1000, terminatingTooLongMs: TERMINATING_TOO_LONG_MS,
  });
  memo.useWaves(spec.waves);
  const fleet = memo.observe(input.nodes, input.pods, nowMs);
  const { waves, unselected } = assignWavesBy(spec.waves, fleet.views, fleet.selections);
  const managed: NodeView[] = [];
  for (const w of waves) for (const m of w.members) managed.push(m); // (flatMap costs several times more at 10,000)

  // Problems, causes, baseline.
  const problems = new Map<string, Problem>();
  for (const v of managed) { const p = problemOf(v); if (p) problems.set(v.name, p); }
  const baseline = controlBaseline(managed, problems, isNewRollout ? undefined : prev.baseline);
  const assessments = attribute(managed, problems, baseline, {
    nowMs, maxRestarts: spec.health.maxRestarts, podReadyTimeoutMs: spec.health.podReadyTimeoutSeconds * 1000,
    regressionWindowMs: spec.health.nodeRegression?.windowSeconds !== undefined ? spec.health.nodeRegression.windowSeconds * 1000 : undefined,
  });
  const prevBlocked = new Map((prev.blockedNodes ?? []).map((b) => [b.node, b]));
  const sinceOf = (node: string, reason: string, derived: number | undefined) => {
    const b = prevBlocked.get(node);
    const p = b && b.reason === reason ? parseTime(b.since) : undefined;
    return Math.min(p ?? derived ?? nowMs, nowMs);
  };

  // Wave states, durable across syncs unless a new rollout restarts them.
  const prevWaves = new Map((isNewRollout ? [] : prev.waves ?? []).map((w) => [w.name, w]));
  const states: WaveStatus[] = waves.map((w) => ({ ...blankWave(w.name), ...prevWaves.get(w.name), name: w.name }));

  // Quarantine: keep the still-stuck, release the recovered (or vanished).
  const viewByName = prev.quarantinedNodes?.length ? new Map(managed.map((v) => [v.name, v])) : new Map<string, NodeView>();
  const quarantined = new Set<string>();
  for (const n of prev.quarantinedNodes ?? []) {
    const v = viewByName.get(n);
    if (v && !v.done) { quarantined.add(n); continue; }
    if (fleet.hasNode(n)) actions.push({ type: 'ReleaseNode', node: n });
    events.push({ type: 'Normal', reason: 'NodeReleased', message: `node ${n} ${v ? 'completed' : 'left the rollout'}; quarantine lifted` });
  }
  const quarantineCap = spec.quarantine ? scaleIntOrPercent(spec.quarantine.maxNodes, managed.length, false) ?? 0 : 0;

  // The health gate (Revision failures only).
  const failedNodes = managed.filter((v) => { const a = assessments.get(v.name); return a?.cause === 'Revision' && a.failed; });
  const maxFailed = scaleIntOrPercent(spec.health.maxFailedNodes, managed.length, false) ?? 0;
  if (!failure && !rolledBackFrom && failedNodes.length > maxFailed) {
    failure = { reason: 'HealthGate', at: now, toRevision: id, message: `${failedNodes.length} node(s) failed after the update (max ${maxFailed}): ${describe(failedNodes, assessments)}` };
  }

  // Mode and wave progression.
  const rollingBack = rolledBackFrom !== undefined;
  let phase: Phase;
  let cur = -1;
  const approvals = approvedWaves(r.metadata?.annotations?.[APPROVE_ANNOTATION], id);
  const doneIn = (w: Wave) => w.members.every((m) => m.done || quarantined.has(m.name));
  if (rollingBack) {
    phase = managed.every((v) => v.done) ? 'Failed' : 'RollingBack';
    cur = waves.length - 1;
  } else if (failure) {
    phase = 'Failed';
    cur = firstIncomplete(states);
  } else if (id === fromId && !isNewRollout && managed.every((v) => v.done) && (prev.phase === undefined || prev.phase === 'Idle')) {
    phase = 'Idle';
    for (const s of states) s.state = 'Complete';
  } else if (spec.paused && !(states.every((s) => s.state === 'Complete') && managed.every((v) => v.done))) {
    phase = 'Paused';
    cur = firstIncomplete(states);
  } else {
    phase = 'Complete';
    for (let i = 0; i < waves.length; i++) {
      const st = states[i], w = waves[i];
      if (st.state === 'Complete') continue;
      cur = i;
      if (st.state === 'Pending' || st.state === 'WaitingApproval') {
        if (w.spec.approval === 'Manual' && !approvals.has(w.name)) {
          if (st.state !== 'WaitingApproval') events.push({ type: 'Normal', reason: 'WaitingForApproval', message: `wave ${w.name} waits for approval: everynode rollout approve ${r.metadata?.name ?? ''} --wave ${w.name}` });
          st.state = 'WaitingApproval';
          phase = 'WaitingApproval';
          break;
        }
        if (w.spec.approval === 'Manual') st.approvedAt = now;
        st.state = 'Progressing';
        st.startedAt = now;
        events.push({ type: 'Normal', reason: 'WaveStarted', message: `wave ${w.name} started (${w.members.length} nodes)` });
      }
      if (!doneIn(w)) {
        if (st.state === 'Baking') { st.state = 'Progressing'; delete st.completedAt; }
        phase = 'Progressing';
        break;
      }
      if (st.state !== 'Baking') { st.state = 'Baking'; st.completedAt = now; }
      if (nowMs - (parseTime(st.completedAt) ?? nowMs) >= w.spec.bakeSeconds * 1000) {
        st.state = 'Complete';
        st.bakedAt = now;
        events.push({ type: 'Normal', reason: 'WaveCompleted', message: `wave ${w.name} complete` });
        cur = -1;
        continue;
      }
      phase = 'Baking';
      break;
    }
    // A quarantined node whose Node recovered still holds an old pod: it is retried (the
    // NodeQuarantined event says so), which needs an active phase.
    if (cur === -1 && managed.some((v) => !v.done && (!quarantined.has(v.name) || (!v.updated && !v.nodeProblem)))) phase = 'Progressing';
  }

  // Progress deadline: counts only while nodes are being rolled.
  const readyNodes = managed.filter((v) => v.done).length;
  let lastProgressAt = prev.lastProgressAt;
  // Reset on progress and on (re-)entering Progressing, so baking, approval and pause never count;
  // otherwise left alone, so that a sync that changes nothing writes an identical status.
  if (isNewRollout || lastProgressAt === undefined || readyNodes > (prev.readyNodes ?? 0) || (phase === 'Progressing' && prev.phase !== 'Progressing')) lastProgressAt = now;
  if (phase === 'Progressing' && !failure && nowMs - (parseTime(lastProgressAt) ?? nowMs) > spec.progressDeadlineSeconds * 1000) {
    failure = { reason: 'ProgressDeadlineExceeded', at: now, toRevision: id, message: `no node completed for ${spec.progressDeadlineSeconds}s` };
  }

  // New quarantines among active waves' stuck nodes (cause Node); one beyond the cap trips the gate.
  const activeLimit = rollingBack ? waves.length - 1 : cur === -1 ? waves.length - 1 : cur;
  if (spec.quarantine && !failure && (phase === 'Progressing' || phase === 'Baking')) {
    const afterMs = spec.quarantine.afterSeconds * 1000;
    for (let i = 0; i <= activeLimit; i++) {
      for (const v of waves[i].members) {
        const a = assessments.get(v.name);
        if (v.done || quarantined.has(v.name) || !a || a.cause !== 'Node') continue;
        if (nowMs - sinceOf(v.name, a.reason, a.sinceMs) < afterMs) continue;
        if (quarantined.size >= quarantineCap) {
          failure = { reason: 'QuarantineLimit', at: now, toRevision: id, message: `node ${v.name} stuck (${a.reason}) but ${quarantined.size} of at most ${quarantineCap} nodes are quarantined` };
          break;
        }
        quarantined.add(v.name);
        actions.push({ type: 'QuarantineNode', node: v.name, value: `${ns}/${r.metadata?.name ?? ''}` });
        events.push({ type: 'Warning', reason: 'NodeQuarantined', message: `node ${v.name} stuck for ${spec.quarantine.afterSeconds}s (${a.reason}: ${a.message}); out of the budget, retried` });
      }
      if (failure) break;
    }
  }

  const acted = new Set<string>();
  // A trip: Pause stops here; Rollback puts the stable template back first.
  let targetStatuses = targets.map((t) => t.status);
  if (failure && !prev.failure) {
    events.push({ type: 'Warning', reason: failure.reason, message: failure.message });
    if (spec.onFailure === 'Rollback' && !rollingBack) {
      const back = targets.filter((t) => t.to !== t.from);
      if (back.every((t) => findRevision(revisionsOf(t.ds, input.revisions), t.from) && revisionTemplate(findRevision(revisionsOf(t.ds, input.revisions), t.from)))) {
        for (const t of back) pushRollback(actions, t, input);
        targetStatuses = targets.map((t) => (t.to !== t.from ? { ...t.status, toRevision: t.from, rollbackFrom: t.to } : t.status));
        rolledBackFrom = id;
        events.push({ type: 'Warning', reason: 'RollbackStarted', message: `rolling back ${id} → ${fromId}` });
        const status = buildStatus();
        return { actions, events, status: { ...status, phase: 'RollingBack', toRevision: fromId, targets: targetStatuses } };
      }
      failure = { ...failure, message: `${failure.message}; cannot roll back: revision ${fromId} not found` };
    }
  }
  if (failure && !rollingBack) phase = 'Failed';

  // Pod actions: the active waves (the current one, plus nodes that joined completed ones), or every wave while rolling back.
  if (phase === 'Progressing' || phase === 'Baking' || phase === 'RollingBack') {
    const changes: ImageChanges = new Map();
    for (let i = 0; i <= activeLimit; i++) actOnWave(waves[i], spec, quarantined, assessments, rollingBack, input, ns, actions, acted, now, changes);
  }

  if (rollingBack && phase === 'Failed' && prev.phase === 'RollingBack') events.push({ type: 'Warning', reason: 'RolledBack', message: `rolled back to ${fromId}` });
  if (phase === 'Complete' && prev.phase !== 'Complete') events.push({ type: 'Normal', reason: 'RolloutComplete', message: `every node runs ${id}` });
  return { actions, events, status: buildStatus() };

  function buildStatus(): DaemonSetRolloutStatus {
    const blocked = blockersOf({
      waves, states, cur, phase, quarantined, assessments, acted, sinceOf, spec, failure,
    }, BLOCKED_NODES_LIMIT);
    const waveStatuses = waves.map((w, i) => {
      let updated = 0, ready = 0, failed = 0, q = 0;
      for (const m of w.members) {
        if (m.updated) updated++;
        if (m.done) ready++;
        const a = assessments.get(m.name);
        if (a?.cause === 'Revision' && a.failed) failed++;
        if (quarantined.has(m.name)) q++;
      }
      return { ...states[i], nodes: w.members.length, updated, ready, failed, quarantined: q };
    });
    const healthy = failedNodes.length === 0;
    cond('Progressing', phase === 'Progressing' || phase === 'Baking' || phase === 'RollingBack' ? 'True' : 'False', phase, phaseMessage(phase, waves, cur));
    cond('Paused', spec.paused ? 'True' : 'False', spec.paused ? 'Paused' : 'Running', spec.paused ? 'spec.paused is true' : '');
    cond('Healthy', healthy ? 'True' : 'False', healthy ? 'NoFailedNodes' : 'FailedNodes', healthy ? '' : describe(failedNodes, assessments));
    const deadline = failure?.reason === 'ProgressDeadlineExceeded';
    cond('ProgressDeadlineExceeded', deadline ? 'True' : 'False', deadline ? 'NoProgress' : 'InTime', deadline ? failure!.message : '');
    cond('RolledBack', rolledBackFrom ? 'True' : 'False', rolledBackFrom ? (phase === 'Failed' ? 'RolledBack' : 'RollingBack') : 'NotRolledBack', rolledBackFrom ? `from ${rolledBackFrom} to ${fromId}` : '');
    const ordered = [...conditions].sort((a, b) => ORDER.indexOf(a.type) - ORDER.indexOf(b.type));
    const unique = ordered.filter((c, i) => ordered.findIndex((x) => x.type === c.type) === i);
    return {
      phase,
      currentWave: waves[cur === -1 ? waves.length - 1 : cur]?.name,
      fromRevision: fromId,
      toRevision: id,
      observedGeneration: r.metadata?.generation,
      targets: targetStatuses,
      waves: waveStatuses,
      blockedNodes: blocked.list,
      blockedNodesTotal: blocked.total,
      blockedByReason: blocked.byReason,
      quarantinedNodes: [...quarantined].sort(),
      unselectedNodes: unselected.length,
      updatedNodes: managed.filter((v) => v.updated).length,
      readyNodes,
      lastProgressAt,
      baseline,
      ...(failure ? { failure } : {}),
      ...(rolledBackFrom ? { rolledBackFrom } : {}),
      conditions: unique,
    };
  }
}

// The template hash is a canonical-JSON FNV of the whole template: worth computing once per
// DaemonSet object (informer caches hand out the same object until it changes; never mutated).
const hashes = new WeakMap<object, string>();
function hashOf(ds: DaemonSet): string {
  let h = hashes.get(ds);
  if (h === undefined) hashes.set(ds, (h = templateHash(ds)));
  return h;
}

const ORDER: Condition['type'][] = ['Progressing', 'Paused', 'Healthy', 'ProgressDeadlineExceeded', 'RolledBack', 'TargetStrategy'];

function blankWave(name: string): WaveStatus {
  return { name, nodes: 0, updated: 0, ready: 0, failed: 0, quarantined: 0, state: 'Pending' };
}

const firstIncomplete = (states: readonly WaveStatus[]) => { const i = states.findIndex((s) => s.state !== 'Complete'); return i === -1 ? states.length - 1 : i; };

function phaseMessage(phase: Phase, waves: readonly Wave[], cur: number): string {
  const w = waves[cur]?.name;
  switch (phase) {
    case 'Progressing': return w ? `rolling wave ${w}` : 'rolling';
    case 'Baking': return `wave ${w} baking`;
    case 'WaitingApproval': return `wave ${w} waits for approval`;
    default: return phase;
  }
}

/** "<wave>@<toRevision>" entries (comma-separated) approve waves of this rollout only. */
function approvedWaves(annotation: string | undefined, id: string): Set<string> {
  const out = new Set<string>();
  for (const entry of (annotation ?? '').split(/[\s,]+/)) {
    const at = entry.lastIndexOf('@');
    if (at > 0 && entry.slice(at + 1) === id) out.add(entry.slice(0, at));
  }
  return out;
}

function describe(nodes: readonly NodeView[], assessments: ReadonlyMap<string, Assessment>): string {
  const shown = nodes.slice(0, 10).map((v) => `${v.name} (${assessments.get(v.name)?.reason})`).join(', ');
  return nodes.length > 10 ? `${shown} and ${nodes.length - 10} more` : shown;
}

function pushRollback(actions: RolloutAction[], t: TargetPlan, input: RolloutInput): void {
  const template = revisionTemplate(findRevision(revisionsOf(t.ds, input.revisions), t.from));
  if (template) actions.push({ type: 'RollbackTemplate', daemonSet: t.name, toRevision: t.from, template });
}

/**
 * The pods one wave may replace now. Budgets are counted as the DaemonSet controller counts
 * unavailability: a node without an available daemon pod of some target is unavailable; an old
 * pod that is already unavailable is replaced without using budget (as upstream's rolling
 * update does); quarantined nodes are out of the wave budget. perNodeMaxUnavailable caps the
 * unavailable daemon pods of all targets on one node. Nodes whose Node is unhealthy are left
 * alone (deleting there achieves nothing; quarantine takes them out of the budget).
 */
function actOnWave(w: Wave, spec: DefaultedSpec, quarantined: ReadonlySet<string>, assessments: ReadonlyMap<string, Assessment>,
  rollingBack: boolean, input: RolloutInput, ns: string, actions: RolloutAction[], acted: Set<string>, now: string, changes: ImageChanges): void {
  const budget = scaleIntOrPercent(w.spec.maxUnavailable, w.members.length, true) ?? 1;
  let unavailable = w.members.filter((m) => !quarantined.has(m.name) && unavailableSlots(m) > 0).length;
  // Failed nodes first (rolling back), then those whose update costs no budget, then by name:
  // members come sorted by name, so four runs in member order are that order, without a sort.
  const runs: NodeView[][] = [[], [], [], []];
  for (const m of w.members) {
    if (m.updated || m.nodeProblem) continue;
    const failedFirst = rollingBack && assessments.has(m.name) ? 0 : 2;
    const freeFirst = m.slots.every((s) => s.isNew || !s.available) ? 0 : 1;
    runs[failedFirst + freeFirst].push(m);
  }
  for (const m of runs.flat()) {
    const isQ = quarantined.has(m.name);
    let nodeUnavailable = unavailableSlots(m);
    let counted = nodeUnavailable > 0 || isQ;
    for (const s of m.slots) {
      if (s.isNew || !s.pod) continue;
      if (s.available) {
        if (nodeUnavailable + 1 > spec.perNodeMaxUnavailable) continue;
        if (!counted) {
          if (unavailable >= budget) continue;
          unavailable++;
          counted = true;
        }
        nodeUnavailable++;
      }
      actions.push(podAction(s, m.name, spec, input, ns, rollingBack ? 'Rollback' : isQ ? 'Retry' : 'Update', now, changes));
      acted.add(m.name);
    }
  }
}

/** Within one sync: per target and old revision hash, the image-only change to the target's revision (or none). */
type ImageChanges = Map<string, ReturnType<typeof imageOnlyChange>>;

function podAction(s: Slot, node: string, spec: DefaultedSpec, input: RolloutInput, ns: string, purpose: 'Update' | 'Rollback' | 'Retry', now: string, changes: ImageChanges): RolloutAction {
  const pod = s.pod!;
  const ref = { namespace: pod.metadata?.namespace ?? ns, name: pod.metadata?.name ?? '', uid: pod.metadata?.uid, node, daemonSet: s.target.name };
  const oldHash = pod.metadata?.labels?.['controller-revision-hash'];
  if (spec.inPlace === 'IfPossible' && oldHash) {
    // Comparing two templates clones and serialises both: once per revision pair, not per pod.
    const key = `${s.target.name}\u0000${oldHash}`;
    if (!changes.has(key)) {
      const revs = revisionsOf(s.target.ds, input.revisions);
      changes.set(key, imageOnlyChange(revisionTemplate(findRevision(revs, oldHash)), revisionTemplate(findRevision(revs, s.target.to))));
    }
    const change = changes.get(key);
    if (change) return { type: 'PatchPodImages', ...ref, images: { ...change.images }, initImages: { ...change.initImages }, revisionHash: s.target.to, updatedAt: now };
  }
  return { type: 'DeletePod', purpose, ...ref };
}

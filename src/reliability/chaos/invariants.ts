// The chaos checker's judgement (pure): given what it has observed of nodes, pods and DaemonSets,
// which safety invariants of a DaemonSet rollout are violated right now, and — once the chaos
// stops — whether each DaemonSet has converged with an exact status. Written apart from
// src/controller/ on purpose: a checker that reused the controller's own counting would share
// its mistakes.
//
// "Unavailable" is counted as upstream's rollingUpdate counts it (every node that should run a
// daemon pod and has no available, non-terminating one), with one deliberate narrowing: the
// budget only bounds what the controller itself causes, so a node the chaos has disturbed (made
// NotReady, silenced, deleted, or that is new and has not yet run an available pod of this
// DaemonSet) is outside the count. Upstream's own count includes such nodes and so only ever
// makes the controller more careful; excluding them keeps the check free of false alarms.
import type { DaemonSet, Node, Pod } from '../../api/types.js';

export interface Snapshot {
  nodes: readonly Node[];
  pods: readonly Pod[];
  daemonSets: readonly DaemonSet[];
}

export interface CheckerState {
  /** Nodes seen healthy at least once (a node that registers is not Ready yet; that is not a fault). */
  everHealthy: ReadonlySet<string>;
  /** Nodes seen unhealthy after being healthy, or declared disturbed by the chaos: out of every budget count from then on. */
  excluded: ReadonlySet<string>;
  /** Per DaemonSet uid: nodes (never excluded) on which an available pod of it has been seen. */
  inBudget: ReadonlyMap<string, ReadonlySet<string>>;
  /** Per DaemonSet uid: the largest desired count seen, for percentages (a shrinking fleet must not shrink the budget below what the controller was entitled to). */
  peakDesired: ReadonlyMap<string, number>;
  /** Per DaemonSet name: the most nodes seen down at once within the budget count, and the budget then (shows the check was exercised). */
  peakDown: ReadonlyMap<string, { down: number; budget: number }>;
}

export const INITIAL_STATE: CheckerState = { everHealthy: new Set(), excluded: new Set(), inBudget: new Map(), peakDesired: new Map(), peakDown: new Map() };

export type ViolationKind = 'duplicate-pods' | 'budget';
export interface Violation { kind: ViolationKind; daemonSet: string; node?: string; detail: string }

const FAULT_ANNOTATIONS = ['everynode.dev/heartbeat', 'everynode.dev/ready'];
/** The taints every daemon pod tolerates (AddOrUpdateDaemonPodTolerations, hostNetwork off). */
const TOLERATED = new Set(['node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/unreachable:NoExecute',
  'node.kubernetes.io/disk-pressure:NoSchedule', 'node.kubernetes.io/memory-pressure:NoSchedule',
  'node.kubernetes.io/pid-pressure:NoSchedule', 'node.kubernetes.io/unschedulable:NoSchedule']);

const nameOf = (o: { metadata?: { name?: string } }) => o.metadata?.name ?? '';
const dsKey = (ds: DaemonSet) => `${ds.metadata?.namespace ?? ''}/${nameOf(ds)}`;

/** Whether the DaemonSet's pods belong on the node: nodeSelector matches and every NoSchedule/NoExecute taint is tolerated. */
export function shouldRun(ds: DaemonSet, node: Node): boolean {
  const spec = ds.spec?.template?.spec;
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const own = spec?.tolerations ?? [];
  for (const t of node.spec?.taints ?? []) {
    if (t.effect !== 'NoSchedule' && t.effect !== 'NoExecute') continue;
    if (TOLERATED.has(`${t.key}:${t.effect}`)) continue;
    const ok = own.some((x) => (!x.effect || x.effect === t.effect) && (x.key === undefined || x.key === '' ? x.operator === 'Exists' : x.key === t.key)
      && (x.operator === 'Exists' || (x.value ?? '') === (t.value ?? '')));
    if (!ok) return false;
  }
  return true;
}

/** Healthy: Ready=True, no fault annotation, no not-ready/unreachable taint. */
export function nodeHealthy(node: Node): boolean {
  const a = node.metadata?.annotations ?? {};
  if (FAULT_ANNOTATIONS.some((k) => a[k] !== undefined)) return false;
  if ((node.spec?.taints ?? []).some((t) => t.key === 'node.kubernetes.io/not-ready' || t.key === 'node.kubernetes.io/unreachable')) return false;
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** The node a daemon pod is for: spec.nodeName, else the metadata.name its required node affinity pins. */
export function targetNode(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  for (const term of pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of term.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  }
  return undefined;
}

const podLine = (p: Pod) => `${nameOf(p)} (${p.spec?.containers?.[0]?.image?.split(':').pop() ?? '?'}, created ${p.metadata?.creationTimestamp ?? '?'}${isReady(p) ? ', ready' : ''})`;
const terminal = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
const terminating = (p: Pod) => !!p.metadata?.deletionTimestamp;
/** A pod that holds its node's slot: neither finished nor on its way out. */
export const isActive = (p: Pod) => !terminal(p) && !terminating(p);

export function isReady(p: Pod): boolean {
  return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Ready for longer than minReadySeconds (strictly, as upstream's IsPodAvailable). */
export function isAvailable(p: Pod, minReadySeconds: number, nowMs: number): boolean {
  const c = p.status?.conditions?.find((x) => x.type === 'Ready');
  if (c?.status !== 'True') return false;
  if (minReadySeconds <= 0) return true;
  const at = Date.parse(c.lastTransitionTime ?? '');
  return Number.isFinite(at) && at + minReadySeconds * 1000 < nowMs;
}

/** The pod runs the DaemonSet's current template: the same image per container name (the chaos only rolls images). */
export function isCurrent(ds: DaemonSet, p: Pod): boolean {
  const want = ds.spec?.template?.spec?.containers ?? [];
  const have = new Map((p.spec?.containers ?? []).map((c) => [c.name, c.image]));
  return want.length === have.size && want.every((c) => have.get(c.name) === c.image);
}

/** The DaemonSet's pods (by controller owner reference), except finished ones already being deleted, grouped by target node. */
export function podsByNode(ds: DaemonSet, pods: readonly Pod[]): Map<string, Pod[]> {
  const uid = ds.metadata?.uid;
  const out = new Map<string, Pod[]>();
  for (const p of pods) {
    if (!uid || !p.metadata?.ownerReferences?.some((r) => r.controller && r.uid === uid)) continue;
    if (terminating(p) && terminal(p)) continue;
    const node = targetNode(p);
    if (node === undefined) continue;
    const list = out.get(node) ?? [];
    list.push(p);
    out.set(node, list);
  }
  return out;
}

function rolling(ds: DaemonSet) {
  return ds.spec?.updateStrategy?.type === 'RollingUpdate' || ds.spec?.updateStrategy?.type === undefined
    ? ds.spec?.updateStrategy?.rollingUpdate ?? {} : undefined;
}

/** An int as-is, "N%" of total rounded up (DaemonSets round both fields up); anything else 0. */
export function scaled(v: number | string | undefined, total: number): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v ?? '');
  return m ? Math.ceil((Number(m[1]) * total) / 100) : 0;
}

export function surgeAllowed(ds: DaemonSet): boolean {
  const r = rolling(ds);
  return !!r && scaled(r.maxSurge, 1) > 0;
}

/** maxUnavailable scaled by desired; both fields 0 means 1, as updatedDesiredNodeCounts forces; undefined without RollingUpdate. */
export function unavailableBudget(ds: DaemonSet, desired: number): number | undefined {
  const r = rolling(ds);
  if (!r) return undefined;
  const u = scaled(r.maxUnavailable ?? 1, desired);
  return u === 0 && scaled(r.maxSurge, desired) === 0 ? 1 : u;
}

/**
 * One step of the checker: fold the snapshot into the state, then list what is violated in it.
 * `disturbed` are the nodes the chaos has touched (declared by the runner before it acts, so a
 * consequence can never be seen before its cause).
 */
export function evaluate(prev: CheckerState, s: Snapshot, disturbed: ReadonlySet<string>, nowMs: number): { state: CheckerState; violations: Violation[] } {
  const excluded = new Set([...prev.excluded, ...disturbed]);
  const everHealthy = new Set(prev.everHealthy);
  const healthy = new Set<string>();
  for (const n of s.nodes) {
    if (nodeHealthy(n)) { healthy.add(nameOf(n)); everHealthy.add(nameOf(n)); } else if (everHealthy.has(nameOf(n))) excluded.add(nameOf(n));
  }
  const inBudget = new Map<string, ReadonlySet<string>>();
  const peakDesired = new Map(prev.peakDesired);
  const peakDown = new Map(prev.peakDown);
  const violations: Violation[] = [];

  for (const ds of s.daemonSets) {
    const uid = ds.metadata?.uid ?? '';
    const minReady = ds.spec?.minReadySeconds ?? 0;
    const byNode = podsByNode(ds, s.pods);
    const active = (node: string) => (byNode.get(node) ?? []).filter(isActive);
    const available = (node: string) => active(node).some((p) => isAvailable(p, minReady, nowMs));

    const surge = surgeAllowed(ds);
    const inProgress = [...byNode.values()].some((ps) => ps.some((p) => isActive(p) && !isCurrent(ds, p)));
    const allowedPerNode = surge && inProgress ? 2 : 1;
    for (const node of [...byNode.keys()].sort()) {
      const n = active(node).length;
      if (n > allowedPerNode) {
        violations.push({ kind: 'duplicate-pods', daemonSet: dsKey(ds), node, detail: `${n} active pods on node ${node} (at most ${allowedPerNode}${surge ? inProgress ? ', surge during a rollout' : ', no rollout in progress' : ', no surge'}): ${active(node).map(podLine).join(', ')}` });
      }
    }

    const runs = s.nodes.filter((n) => shouldRun(ds, n)).map(nameOf);
    const desired = Math.max(peakDesired.get(uid) ?? 0, runs.length);
    peakDesired.set(uid, desired);
    const pool = new Set([...(prev.inBudget.get(uid) ?? [])].filter((n) => !excluded.has(n) && healthy.has(n)));
    for (const n of runs) if (!excluded.has(n) && healthy.has(n) && available(n)) pool.add(n);
    inBudget.set(uid, pool);

    const budget = unavailableBudget(ds, desired);
    if (budget === undefined) continue;
    const down = runs.filter((n) => pool.has(n) && !available(n)).sort();
    if (down.length > (peakDown.get(nameOf(ds))?.down ?? -1)) peakDown.set(nameOf(ds), { down: down.length, budget });
    if (down.length > budget) {
      violations.push({ kind: 'budget', daemonSet: dsKey(ds), detail: `${down.length} nodes without an available pod, budget maxUnavailable ${budget}: ${down.join(', ')}` });
    }
  }
  return { state: { everHealthy, excluded, inBudget, peakDesired, peakDown }, violations };
}

export interface ExpectedStatus {
  desiredNumberScheduled: number;
  currentNumberScheduled: number;
  numberMisscheduled: number;
  numberReady: number;
  numberAvailable: number;
  numberUnavailable: number;
  updatedNumberScheduled: number;
}

/** Scheduled pods first, then older, then by name: the pod upstream's status counting calls "oldest". */
function oldest(pods: readonly Pod[]): Pod {
  return [...pods].sort((a, b) => {
    const sa = a.spec?.nodeName ? 0 : 1, sb = b.spec?.nodeName ? 0 : 1;
    if (sa !== sb) return sa - sb;
    const ta = a.metadata?.creationTimestamp ?? '', tb = b.metadata?.creationTimestamp ?? '';
    if (ta !== tb) return ta < tb ? -1 : 1;
    return nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0;
  })[0];
}

/** The status counters computed from pods and nodes (updateDaemonSetStatus' rules, existing nodes only). */
export function expectedStatus(ds: DaemonSet, nodes: readonly Node[], pods: readonly Pod[], nowMs: number): ExpectedStatus {
  const byNode = podsByNode(ds, pods);
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const e: ExpectedStatus = { desiredNumberScheduled: 0, currentNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0, numberAvailable: 0, numberUnavailable: 0, updatedNumberScheduled: 0 };
  for (const node of nodes) {
    const ps = byNode.get(nameOf(node)) ?? [];
    if (!shouldRun(ds, node)) { if (ps.length) e.numberMisscheduled++; continue; }
    e.desiredNumberScheduled++;
    if (!ps.length) continue;
    e.currentNumberScheduled++;
    const o = oldest(ps);
    if (isReady(o)) e.numberReady++;
    if (isAvailable(o, minReady, nowMs)) e.numberAvailable++;
    if (isCurrent(ds, o)) e.updatedNumberScheduled++;
  }
  e.numberUnavailable = e.desiredNumberScheduled - e.numberAvailable;
  return e;
}

/**
 * Why the DaemonSet has not converged yet (empty once it has): every node that should run it
 * runs exactly one current, available pod and no other node runs one; the controller has
 * observed the latest generation; and its status says exactly what the pods and nodes say.
 */
export function convergenceGaps(ds: DaemonSet, s: Snapshot, nowMs: number): string[] {
  const gaps: string[] = [];
  const byNode = podsByNode(ds, s.pods);
  const minReady = ds.spec?.minReadySeconds ?? 0;
  for (const node of s.nodes) {
    const name = nameOf(node);
    const ps = byNode.get(name) ?? [];
    if (!shouldRun(ds, node)) { if (ps.length) gaps.push(`node ${name} should not run it but has ${ps.length} pod(s)`); continue; }
    if (ps.length !== 1) { gaps.push(`node ${name} has ${ps.length} pods`); continue; }
    const p = ps[0];
    if (!isActive(p) || !isCurrent(ds, p) || !isAvailable(p, minReady, nowMs)) gaps.push(`node ${name}: pod ${nameOf(p)} is ${!isActive(p) ? 'terminating' : !isCurrent(ds, p) ? 'not current' : 'not available'}`);
  }
  const known = new Set(s.nodes.map(nameOf));
  for (const [node, ps] of byNode) if (!known.has(node)) gaps.push(`${ps.length} pod(s) on vanished node ${node}`);
  const gen = ds.metadata?.generation ?? 0;
  if ((ds.status?.observedGeneration ?? 0) !== gen) gaps.push(`observedGeneration ${ds.status?.observedGeneration ?? 'unset'} != generation ${gen}`);
  const want = expectedStatus(ds, s.nodes, s.pods, nowMs);
  for (const [k, v] of Object.entries(want) as [keyof ExpectedStatus, number][]) {
    const have = (ds.status?.[k] as number | undefined) ?? 0;
    if (have !== v) gaps.push(`status.${k} ${have} != ${v}`);
  }
  return gaps;
}

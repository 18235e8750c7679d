// The Deployment controller's decisions (kube-controller-manager's pkg/controller/deployment), as
// pure functions of the Deployment, the ReplicaSets it controls and the time: which ReplicaSet
// is the new one (FindNewReplicaSet), what one sync changes (sync / rolloutRolling /
// rolloutRecreate, cleanupDeployment) and the status with its Available and Progressing
// conditions (calculateStatus, syncRolloutStatus). deployment.ts feeds it and writes.
import type { Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { KObject, Pod } from '../api/types.js';
import { controllerRefOf, parseTime, rfc3339 } from '../api/meta.js';
import { fromLabelSelector, selectorMatches } from '../api/selector.js';
import { semanticEqual } from '../apiserver/resources/equality.js';
import { isTerminating } from '../controller/core/pods.js';

export type KDeployment = Deployment & KObject;
export type KReplicaSet = ReplicaSet & KObject;

export const HASH_LABEL = 'pod-template-hash';
export const REVISION = 'deployment.kubernetes.io/revision';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
/** Deployment annotations never copied to its ReplicaSets (annotationsToSkip). */
const NOT_COPIED = new Set(['kubectl.kubernetes.io/last-applied-configuration', REVISION, 'deployment.kubernetes.io/revision-history', DESIRED_REPLICAS, MAX_REPLICAS]);

/** What one sync writes, in order. */
export type DeploymentAction =
  | { type: 'create'; rs: KReplicaSet }
  | { type: 'update'; rs: KReplicaSet; replicas: number; annotations: Record<string, string> }
  | { type: 'delete'; rs: KReplicaSet }
  | { type: 'annotateDeployment'; revision: string };

export interface DeploymentPlan {
  actions: DeploymentAction[];
  status: DeploymentStatus;
  /** Look again then (the progress deadline), unless something changes first. */
  recheckAtMs?: number;
}

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** Key-sorted JSON, so that equal templates hash alike whatever order their fields came in. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v ?? null);
}

/**
 * ComputeHash: FNV-32a of the template (and the collision count, when there is one), as
 * rand.SafeEncodeString of its decimal form. Upstream hashes Go's printed struct, so the value
 * differs from a real cluster's for the same template; its form and stability are the same.
 */
export function computeHash(template: unknown, collisionCount?: number): string {
  let h = 0x811c9dc5;
  const text = canonical(template) + (collisionCount !== undefined && collisionCount !== null ? String(collisionCount) : '');
  for (const byte of Buffer.from(text, 'utf8')) { h ^= byte; h = Math.imul(h, 0x01000193) >>> 0; }
  return [...String(h >>> 0)].map((c) => ALPHANUMS[c.charCodeAt(0) % ALPHANUMS.length]).join('');
}

function withoutHash(t: unknown): unknown {
  const c = structuredClone((t ?? {}) as { metadata?: { labels?: Record<string, string> } });
  if (c.metadata?.labels) {
    delete c.metadata.labels[HASH_LABEL];
    if (Object.keys(c.metadata.labels).length === 0) delete c.metadata.labels;
  }
  return c;
}

/** EqualIgnoreHash. */
export const sameTemplate = (a: unknown, b: unknown) => semanticEqual(withoutHash(a), withoutHash(b));

/** GetValueFromIntOrPercent. */
export function scaledValue(v: number | string | undefined, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  const m = typeof v === 'string' ? /^(\d+)%$/.exec(v) : null;
  if (!m) return 0;
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

/** ResolveFenceposts: surge rounds up, unavailability down, and both zero means one unavailable. */
export function fenceposts(d: KDeployment): { maxSurge: number; maxUnavailable: number } {
  const replicas = d.spec?.replicas ?? 1;
  if (d.spec?.strategy?.type === 'Recreate') return { maxSurge: 0, maxUnavailable: replicas };
  const ru = d.spec?.strategy?.rollingUpdate;
  const maxSurge = scaledValue(ru?.maxSurge ?? '25%', replicas, true);
  let maxUnavailable = scaledValue(ru?.maxUnavailable ?? '25%', replicas, false);
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable: Math.min(maxUnavailable, replicas) };
}

export const revisionOf = (rs: KObject) => {
  const n = Number(rs.metadata?.annotations?.[REVISION]);
  return Number.isInteger(n) && n > 0 ? n : 0;
};
const specReplicas = (rs: KReplicaSet) => rs.spec?.replicas ?? 0;
const created = (o: KObject) => parseTime(o.metadata?.creationTimestamp) ?? 0;
const byCreation = (a: KReplicaSet, b: KReplicaSet) => created(a) - created(b) || ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1);

/** ClaimReplicaSets: the ReplicaSets this Deployment controls, and the orphans to adopt or its own to release. */
export function claimReplicaSets(d: KDeployment, all: readonly KReplicaSet[]): { owned: KReplicaSet[]; adopt: KReplicaSet[]; release: KReplicaSet[] } {
  const parsed = fromLabelSelector(d.spec?.selector);
  const selector = 'error' in parsed || parsed.length === 0 ? undefined : parsed;
  const deleting = isTerminating(d as Pod);
  const owned: KReplicaSet[] = [], adopt: KReplicaSet[] = [], release: KReplicaSet[] = [];
  for (const rs of all) {
    const ref = controllerRefOf(rs);
    const matches = selector !== undefined && selectorMatches(selector, rs.metadata?.labels);
    if (ref) {
      if (ref.uid !== d.metadata?.uid) continue;
      if (matches) owned.push(rs); else if (!deleting) release.push(rs);
    } else if (matches && !deleting && !isTerminating(rs as Pod) && d.metadata?.uid) {
      adopt.push(rs);
      owned.push(rs);
    }
  }
  return { owned, adopt, release };
}

/** FindNewReplicaSet: the oldest ReplicaSet whose template is the Deployment's. */
export function findNewReplicaSet(d: KDeployment, owned: readonly KReplicaSet[]): KReplicaSet | undefined {
  return [...owned].sort(byCreation).find((rs) => sameTemplate(rs.spec?.template, d.spec?.template));
}

/** The new ReplicaSet for the Deployment's template, before it exists (getNewReplicaSet). */
export function newReplicaSetFor(d: KDeployment, replicas: number, revision: number): KReplicaSet {
  const hash = computeHash(d.spec?.template, d.status?.collisionCount);
  const template = structuredClone(d.spec?.template ?? {});
  const labels = { ...(template.metadata?.labels ?? {}), [HASH_LABEL]: hash };
  template.metadata = { ...(template.metadata ?? {}), labels };
  const m = d.metadata ?? {};
  const { maxSurge } = fenceposts(d);
  return {
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: {
      name: `${m.name}-${hash}`, namespace: m.namespace, labels,
      annotations: { ...copiedAnnotations(d), ...replicasAnnotations(d, maxSurge), [REVISION]: String(revision) },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: m.name ?? '', uid: m.uid ?? '', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      replicas,
      ...(d.spec?.minReadySeconds ? { minReadySeconds: d.spec.minReadySeconds } : {}),
      selector: { ...(d.spec?.selector ?? {}), matchLabels: { ...(d.spec?.selector?.matchLabels ?? {}), [HASH_LABEL]: hash } },
      template,
    },
  };
}

function copiedAnnotations(d: KDeployment): Record<string, string> {
  return Object.fromEntries(Object.entries(d.metadata?.annotations ?? {}).filter(([k]) => !NOT_COPIED.has(k)));
}

function replicasAnnotations(d: KDeployment, maxSurge: number): Record<string, string> {
  const replicas = d.spec?.replicas ?? 1;
  return { [DESIRED_REPLICAS]: String(replicas), [MAX_REPLICAS]: String(replicas + maxSurge) };
}

/** A write of a ReplicaSet's size, with the annotations saying for which Deployment size it was made. */
function scaleTo(d: KDeployment, rs: KReplicaSet, replicas: number, extra: Record<string, string> = {}): DeploymentAction | undefined {
  const annotations = { ...replicasAnnotations(d, fenceposts(d).maxSurge), ...extra };
  const current = rs.metadata?.annotations ?? {};
  const same = Object.entries(annotations).every(([k, v]) => current[k] === v);
  return same && specReplicas(rs) === replicas ? undefined : { type: 'update', rs, replicas, annotations };
}

/** isScalingEvent: an active ReplicaSet was sized for a different Deployment size. */
export function isScalingEvent(d: KDeployment, rss: readonly KReplicaSet[]): boolean {
  return rss.some((rs) => specReplicas(rs) > 0 && rs.metadata?.annotations?.[DESIRED_REPLICAS] !== String(d.spec?.replicas ?? 1));
}

/** scale: resize for a new Deployment size, proportionally over the active ReplicaSets during a rollout. */
function scale(d: KDeployment, newRS: KReplicaSet | undefined, olds: readonly KReplicaSet[]): DeploymentAction[] {
  const replicas = d.spec?.replicas ?? 1;
  const all = [...(newRS ? [newRS] : []), ...olds];
  const active = all.filter((rs) => specReplicas(rs) > 0);
  const only = active.length === 1 ? active[0] : active.length === 0 ? newRS ?? [...olds].sort(byCreation).at(-1) : undefined;
  if (only) return [scaleTo(d, only, replicas)].filter((a): a is DeploymentAction => a !== undefined);
  if (newRS && specReplicas(newRS) === replicas && (newRS.status?.availableReplicas ?? 0) === replicas) {
    return olds.map((rs) => scaleTo(d, rs, 0)).filter((a): a is DeploymentAction => a !== undefined);
  }
  const allowed = replicas > 0 ? replicas + fenceposts(d).maxSurge : 0;
  const total = active.reduce((n, rs) => n + specReplicas(rs), 0);
  let toAdd = allowed - total;
  // Largest first; on ties newer first when growing, older first when shrinking (ReplicaSetsBySizeNewer/Older).
  const order = [...active].sort((a, b) => specReplicas(b) - specReplicas(a) || (toAdd > 0 ? byCreation(b, a) : byCreation(a, b)));
  const sizes = new Map(order.map((rs) => [rs, specReplicas(rs)]));
  const wanted = toAdd;
  for (const rs of order) {
    if (toAdd === 0) break;
    const share = total > 0 ? Math.round((specReplicas(rs) * wanted) / total) : 0;
    const step = toAdd > 0 ? Math.min(share, toAdd) : Math.max(share, toAdd, -specReplicas(rs));
    sizes.set(rs, specReplicas(rs) + step);
    toAdd -= step;
  }
  // Rounding leftovers go to the largest (and never below zero).
  if (toAdd !== 0 && order[0]) sizes.set(order[0], Math.max(0, sizes.get(order[0])! + toAdd));
  return order.map((rs) => scaleTo(d, rs, sizes.get(rs)!)).filter((a): a is DeploymentAction => a !== undefined);
}

/** NewRSNewReplicas for a rolling update: grow the new ReplicaSet as far as the surge allows. */
function newReplicasForRolling(d: KDeployment, all: readonly KReplicaSet[], newSize: number): number {
  const replicas = d.spec?.replicas ?? 1;
  const current = all.reduce((n, rs) => n + specReplicas(rs), 0);
  const maxTotal = replicas + fenceposts(d).maxSurge;
  if (current >= maxTotal) return newSize;
  return newSize + Math.min(maxTotal - current, Math.max(0, replicas - newSize));
}

/** reconcileOldReplicaSets: scale old ReplicaSets down, unhealthy pods first, never below minimum availability. */
function scaleDownOld(d: KDeployment, newRS: KReplicaSet, olds: readonly KReplicaSet[]): DeploymentAction[] {
  const replicas = d.spec?.replicas ?? 1;
  const all = [newRS, ...olds];
  if (olds.every((rs) => specReplicas(rs) === 0)) return [];
  const allPods = all.reduce((n, rs) => n + specReplicas(rs), 0);
  const minAvailable = replicas - fenceposts(d).maxUnavailable;
  const newUnavailable = specReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = allPods - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return [];
  const sizes = new Map(olds.map((rs) => [rs, specReplicas(rs)]));
  const oldest = [...olds].sort(byCreation);
  // cleanupUnhealthyReplicas: pods that are not available cost no availability to remove.
  let cleaned = 0;
  for (const rs of oldest) {
    if (cleaned >= maxScaledDown) break;
    const unhealthy = sizes.get(rs)! - (rs.status?.availableReplicas ?? 0);
    if (sizes.get(rs)! === 0 || unhealthy <= 0) continue;
    const down = Math.min(maxScaledDown - cleaned, unhealthy);
    sizes.set(rs, sizes.get(rs)! - down);
    cleaned += down;
  }
  // scaleDownOldReplicaSetsForRollingUpdate: then available pods, down to minAvailable.
  const available = all.reduce((n, rs) => n + (rs.status?.availableReplicas ?? 0), 0);
  let budget = Math.max(0, Math.min(available - minAvailable, maxScaledDown - cleaned));
  for (const rs of oldest) {
    if (budget <= 0) break;
    const down = Math.min(sizes.get(rs)!, budget);
    sizes.set(rs, sizes.get(rs)! - down);
    budget -= down;
  }
  return oldest.filter((rs) => sizes.get(rs) !== specReplicas(rs)).map((rs) => scaleTo(d, rs, sizes.get(rs)!)!);
}

/** cleanupDeployment: old, empty ReplicaSets beyond revisionHistoryLimit, oldest revision first. */
function cleanup(d: KDeployment, olds: readonly KReplicaSet[]): DeploymentAction[] {
  const limit = d.spec?.revisionHistoryLimit;
  if (limit === undefined || limit === null) return [];
  const alive = olds.filter((rs) => !isTerminating(rs as Pod)).sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
  return alive.slice(0, Math.max(0, alive.length - limit))
    .filter((rs) => specReplicas(rs) === 0 && (rs.status?.replicas ?? 0) === 0 && (rs.metadata?.generation ?? 0) <= (rs.status?.observedGeneration ?? 0))
    .map((rs) => ({ type: 'delete' as const, rs }));
}

/** DeploymentComplete. */
function complete(d: KDeployment, s: DeploymentStatus): boolean {
  const replicas = d.spec?.replicas ?? 1;
  return (s.updatedReplicas ?? 0) === replicas && (s.replicas ?? 0) === replicas && (s.availableReplicas ?? 0) === replicas
    && (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
}

/** SetDeploymentCondition: a condition of unchanged status and reason is kept as it was. */
function setCondition(conds: DeploymentCondition[], c: Omit<DeploymentCondition, 'lastTransitionTime' | 'lastUpdateTime'>, nowMs: number): DeploymentCondition[] {
  const old = conds.find((x) => x.type === c.type);
  if (old && old.status === c.status && old.reason === c.reason) return conds;
  const now = rfc3339(nowMs);
  const next: DeploymentCondition = { ...c, lastUpdateTime: now, lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime ?? now : now };
  return [...conds.filter((x) => x.type !== c.type), next];
}

/** calculateStatus and syncRolloutStatus's conditions, after this sync's writes (`created`: it made the new ReplicaSet). */
export function deploymentStatus(d: KDeployment, newRS: KReplicaSet | undefined, olds: readonly KReplicaSet[], nowMs: number, created: boolean): { status: DeploymentStatus; recheckAtMs?: number } {
  const all = [...(newRS ? [newRS] : []), ...olds];
  const sum = (f: (rs: KReplicaSet) => number | undefined) => all.reduce((n, rs) => n + (f(rs) ?? 0), 0);
  const replicas = d.spec?.replicas ?? 1;
  const prev = d.status ?? {};
  const status: DeploymentStatus = {
    observedGeneration: d.metadata?.generation,
    replicas: sum((rs) => rs.status?.replicas),
    updatedReplicas: newRS?.status?.replicas ?? 0,
    readyReplicas: sum((rs) => rs.status?.readyReplicas),
    availableReplicas: sum((rs) => rs.status?.availableReplicas),
    ...(prev.collisionCount !== undefined ? { collisionCount: prev.collisionCount } : {}),
  };
  status.unavailableReplicas = Math.max(0, replicas - (status.availableReplicas ?? 0));
  let conds = [...(prev.conditions ?? [])];
  const minAvailable = replicas - fenceposts(d).maxUnavailable;
  conds = (status.availableReplicas ?? 0) >= minAvailable
    ? setCondition(conds, { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }, nowMs)
    : setCondition(conds, { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' }, nowMs);
  const name = newRS?.metadata?.name ?? '';
  const progressing = conds.find((c) => c.type === 'Progressing');
  const deadline = d.spec?.progressDeadlineSeconds;
  let recheckAtMs: number | undefined;
  if (d.spec?.paused) {
    conds = setCondition(conds, { type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' }, nowMs);
  } else if (progressing?.reason === 'DeploymentPaused') {
    conds = setCondition(conds, { type: 'Progressing', status: 'Unknown', reason: 'DeploymentResumed', message: 'Deployment is resumed' }, nowMs);
  } else if (newRS && complete(d, status)) {
    conds = setCondition(conds, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${name}" has successfully progressed.` }, nowMs);
  } else if (created) {
    conds = setCondition(conds, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated', message: `Created new replica set "${name}"` }, nowMs);
  } else if (newRS && madeProgress(prev, status, newRS)) {
    // ReplicaSetUpdated is refreshed on every step forward: its lastUpdateTime starts the deadline anew.
    conds = conds.filter((c) => !(c.type === 'Progressing' && c.reason === 'ReplicaSetUpdated'));
    conds = setCondition(conds, { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${name}" is progressing.` }, nowMs);
    if (progressing?.reason === 'ReplicaSetUpdated' && progressing.status === 'True') {
      conds = conds.map((c) => (c.type === 'Progressing' ? { ...c, lastTransitionTime: progressing.lastTransitionTime } : c));
    }
  } else if (newRS && !progressing) {
    conds = setCondition(conds, { type: 'Progressing', status: 'True', reason: 'FoundNewReplicaSet', message: `Found new replica set "${name}"` }, nowMs);
  } else if (newRS && progressing && progressing.reason !== 'NewReplicaSetAvailable' && deadline !== undefined && deadline !== null) {
    const since = parseTime(progressing.lastUpdateTime) ?? nowMs;
    if (nowMs > since + deadline * 1000) {
      conds = setCondition(conds, { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${name}" has timed out progressing.` }, nowMs);
    } else recheckAtMs = since + deadline * 1000 + 1;
  }
  status.conditions = conds.sort((a, b) => (a.type === b.type ? 0 : a.type === 'Available' ? -1 : 1));
  return { status, ...(recheckAtMs !== undefined ? { recheckAtMs } : {}) };
}

/** DeploymentProgressing: more updated, ready or available pods, or fewer old ones. */
function madeProgress(prev: DeploymentStatus, next: DeploymentStatus, _newRS: KReplicaSet): boolean {
  const oldPods = (s: DeploymentStatus) => (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (next.updatedReplicas ?? 0) > (prev.updatedReplicas ?? 0) || oldPods(next) < oldPods(prev)
    || (next.readyReplicas ?? 0) > (prev.readyReplicas ?? 0) || (next.availableReplicas ?? 0) > (prev.availableReplicas ?? 0);
}

/** What applying the actions does to the ReplicaSets the status is computed from. */
function applied(rss: readonly KReplicaSet[], actions: readonly DeploymentAction[]): KReplicaSet[] {
  const deleted = new Set(actions.filter((a) => a.type === 'delete').map((a) => (a as { rs: KReplicaSet }).rs));
  return rss.filter((rs) => !deleted.has(rs)).map((rs) => {
    const u = actions.find((a) => a.type === 'update' && a.rs === rs) as Extract<DeploymentAction, { type: 'update' }> | undefined;
    return u ? { ...rs, spec: { ...rs.spec!, replicas: u.replicas } } : rs;
  });
}

/** One sync of a Deployment over the ReplicaSets it owns (after claiming). */
export function planDeployment(d: KDeployment, owned: readonly KReplicaSet[], nowMs: number): DeploymentPlan {
  const existingNew = findNewReplicaSet(d, owned);
  const olds = owned.filter((rs) => rs !== existingNew);
  const maxOldRevision = olds.reduce((n, rs) => Math.max(n, revisionOf(rs)), 0);
  const revision = String(maxOldRevision + 1);
  const actions: DeploymentAction[] = [];
  let newRS = existingNew;
  let created = false;
  const finish = (): DeploymentPlan => {
    if (newRS && d.metadata?.annotations?.[REVISION] !== (newRS.metadata?.annotations?.[REVISION] ?? revision)) {
      actions.push({ type: 'annotateDeployment', revision: newRS.metadata?.annotations?.[REVISION] ?? revision });
    }
    const after = applied(owned, actions);
    const { status, recheckAtMs } = deploymentStatus(d, newRS && (after.find((rs) => rs === newRS) ?? newRS), after.filter((rs) => rs !== newRS), nowMs, created);
    return { actions, status, ...(recheckAtMs !== undefined ? { recheckAtMs } : {}) };
  };
  if (isTerminating(d as Pod)) return finish();
  // A reused old template (rollout undo) becomes the newest revision again.
  if (newRS && revisionOf(newRS) <= maxOldRevision) {
    const a = scaleTo(d, newRS, specReplicas(newRS), { [REVISION]: revision, ...copiedAnnotations(d) });
    if (a) actions.push(a);
    newRS = { ...newRS, metadata: { ...newRS.metadata, annotations: { ...newRS.metadata?.annotations, [REVISION]: revision } } };
  }
  const replicas = d.spec?.replicas ?? 1;
  if (d.spec?.paused || (newRS && isScalingEvent(d, owned))) {
    actions.push(...scale(d, newRS, olds));
    if (d.spec?.paused) actions.push(...cleanup(d, olds));
    return finish();
  }
  if (d.spec?.strategy?.type === 'Recreate') {
    const activeOld = olds.filter((rs) => specReplicas(rs) > 0);
    if (activeOld.length) { actions.push(...activeOld.map((rs) => scaleTo(d, rs, 0)!)); return finish(); }
    // The old pods must be gone before the new ones start (oldPodsRunning).
    if (olds.some((rs) => (rs.status?.replicas ?? 0) > 0)) return finish();
    if (!newRS) { newRS = newReplicaSetFor(d, replicas, Number(revision)); created = true; actions.push({ type: 'create', rs: newRS }); return finish(); }
    const a = scaleTo(d, newRS, replicas);
    if (a) { actions.push(a); return finish(); }
  } else {
    if (!newRS) {
      newRS = newReplicaSetFor(d, newReplicasForRolling(d, olds, 0), Number(revision));
      created = true;
      actions.push({ type: 'create', rs: newRS });
      return finish();
    }
    const size = specReplicas(newRS);
    const target = size > replicas ? replicas : newReplicasForRolling(d, owned, size);
    const grow = size === replicas ? undefined : scaleTo(d, newRS, target);
    if (grow) { actions.push(grow); return finish(); }
    const shrink = scaleDownOld(d, newRS, olds);
    if (shrink.length) { actions.push(...shrink); return finish(); }
  }
  const { status } = deploymentStatus(d, newRS, olds, nowMs, false);
  if (complete(d, status)) actions.push(...cleanup(d, olds));
  return finish();
}

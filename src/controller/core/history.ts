// ControllerRevision history (§4): revision data, matching, numbering, de-duplication, cleanup.
import type { ControllerRevision, DaemonSet, Pod, PodTemplateSpec } from '../../api/types.js';
import { canonicalJson, computeTemplateHash, sortKeysDeep } from './hash.js';
import { controllerRefTo, REVISION_HASH_LABEL } from './pods.js';
import { deepCopy } from '../../api/clone.js';

export const DEFAULT_REVISION_HISTORY_LIMIT = 10;

/**
 * The template as Go would marshal it: zero-valued structs that Go always emits are added
 * (`metadata.creationTimestamp: null`, containers' `resources: {}`), so that our bytes equal
 * what `kubectl rollout undo` computes from the live object before comparing (wire §8.3).
 */
export function goShapedTemplate(template: PodTemplateSpec | undefined): PodTemplateSpec {
  const t = deepCopy(template ?? {}) as PodTemplateSpec & Record<string, unknown>;
  const metadata = (t.metadata ?? {}) as Record<string, unknown>;
  if (!('creationTimestamp' in metadata)) metadata.creationTimestamp = null;
  t.metadata = metadata as PodTemplateSpec['metadata'];
  if (t.spec) {
    for (const list of [t.spec.containers, t.spec.initContainers, t.spec.ephemeralContainers]) {
      for (const c of list ?? []) if (!c.resources) c.resources = {};
    }
  }
  return t;
}

/** Revision `data`: `{"spec":{"template":{"$patch":"replace",…}}}`, keys sorted at every level. */
export function revisionData(ds: DaemonSet): Record<string, unknown> {
  const template = { ...(goShapedTemplate(ds.spec?.template) as Record<string, unknown>), $patch: 'replace' };
  return sortKeysDeep({ spec: { template } }) as Record<string, unknown>;
}

/** The exact bytes upstream stores (and kubectl compares); JSON.stringify of revisionData may differ for integer-like keys. */
export function revisionDataBytes(ds: DaemonSet): string {
  return canonicalJson(revisionData(ds));
}

/** Template hash for the DaemonSet's current template and collision count. */
export function templateHash(ds: DaemonSet): string {
  return computeTemplateHash(goShapedTemplate(ds.spec?.template), ds.status?.collisionCount);
}

function parseData(data: unknown): unknown {
  if (typeof data !== 'string') return data;
  try { return JSON.parse(data); } catch { return data; }
}

/** Match(ds, rev): the revision's data equals the current template's patch (compared canonically). */
export function revisionMatches(ds: DaemonSet, rev: ControllerRevision): boolean {
  const stored = parseData(rev.data) as { spec?: { template?: PodTemplateSpec } } | undefined;
  const storedTemplate = stored?.spec?.template as (PodTemplateSpec & { $patch?: unknown }) | undefined;
  if (!storedTemplate || storedTemplate.$patch !== 'replace') return false;
  const { $patch: _ignored, ...rest } = storedTemplate;
  return canonicalJson(goShapedTemplate(rest)) === canonicalJson(goShapedTemplate(ds.spec?.template));
}

export function revisionName(ds: DaemonSet, hash: string): string {
  return `${ds.metadata?.name ?? ''}-${hash}`;
}

/** The ControllerRevision snapshot() would create for the current template. */
export function newRevision(ds: DaemonSet, hash: string, revision: number): ControllerRevision {
  return {
    apiVersion: 'apps/v1', kind: 'ControllerRevision',
    metadata: {
      name: revisionName(ds, hash), namespace: ds.metadata?.namespace,
      labels: { ...(ds.spec?.template?.metadata?.labels ?? {}), [REVISION_HASH_LABEL]: hash },
      annotations: { ...(ds.metadata?.annotations ?? {}) },
      ownerReferences: [controllerRefTo(ds)],
    },
    data: revisionData(ds),
    revision,
  };
}

export interface HistoryPlan {
  /** Hash label of the current revision: the hash new pods get. */
  hash: string;
  /** The current revision as it will be after this plan (created or existing). */
  current: ControllerRevision;
  /** A revision to create (no existing revision matches the template). */
  create?: ControllerRevision;
  /** Full revision objects to write back (legacy hash-label migration, renumbering). */
  updates: ControllerRevision[];
  /** Duplicate current revisions to delete (dedupCurHistories). */
  deletes: string[];
  /** Set when duplicates were removed: every pod whose hash label differs gets this hash. */
  relabelPodsTo?: string;
  /** Revisions not matching the template, after updates. */
  old: ControllerRevision[];
  /** The name we would create is taken by a revision with other data: bump collisionCount. */
  collision: boolean;
}

const revNum = (r: ControllerRevision) => r.revision ?? 0;

/** constructHistory (§4.3) over the revisions this DaemonSet controls. */
export function planHistory(ds: DaemonSet, revisions: readonly ControllerRevision[]): HistoryPlan {
  const updated = new Map<string, ControllerRevision>();
  const migrated = revisions.map((r) => {
    if (r.metadata?.labels?.[REVISION_HASH_LABEL] !== undefined) return r;
    const copy = deepCopy(r);
    copy.metadata = { ...copy.metadata, labels: { ...(copy.metadata?.labels ?? {}), [REVISION_HASH_LABEL]: r.metadata?.name ?? '' } };
    updated.set(r.metadata?.name ?? '', copy);
    return copy;
  });
  const current = migrated.filter((r) => revisionMatches(ds, r));
  const old = migrated.filter((r) => !revisionMatches(ds, r));
  const nextRevision = old.reduce((m, r) => Math.max(m, revNum(r)), 0) + 1;

  if (current.length === 0) {
    const hash = templateHash(ds);
    const create = newRevision(ds, hash, nextRevision);
    const collision = migrated.some((r) => r.metadata?.name === create.metadata?.name);
    return { hash, current: create, create: collision ? undefined : create, updates: [...updated.values()], deletes: [], old, collision };
  }

  // Keep the highest-numbered duplicate (ties: the later one in list order).
  let keep = current[0];
  for (const r of current) if (revNum(r) >= revNum(keep)) keep = r;
  const deletes = current.filter((r) => r !== keep).map((r) => r.metadata?.name ?? '');
  if (revNum(keep) < nextRevision) {
    keep = { ...deepCopy(keep), revision: nextRevision };
    updated.set(keep.metadata?.name ?? '', keep);
  }
  const hash = keep.metadata?.labels?.[REVISION_HASH_LABEL] ?? '';
  return {
    hash, current: keep, updates: [...updated.values()], deletes, old, collision: false,
    ...(deletes.length > 0 ? { relabelPodsTo: hash } : {}),
  };
}

/**
 * cleanupHistory (§4.5): oldest old revisions beyond revisionHistoryLimit, never one whose hash a
 * pod still carries (all pods, terminating and terminal included), so the count may stay above it.
 */
export function revisionsToCleanUp(ds: DaemonSet, old: readonly ControllerRevision[], pods: readonly Pod[]): string[] {
  const limit = ds.spec?.revisionHistoryLimit ?? DEFAULT_REVISION_HISTORY_LIMIT;
  let toKill = old.length - limit;
  if (toKill <= 0) return [];
  const live = new Set(pods.map((p) => p.metadata?.labels?.[REVISION_HASH_LABEL]).filter((h) => h !== undefined));
  const out: string[] = [];
  for (const r of [...old].sort((a, b) => revNum(a) - revNum(b))) {
    if (toKill <= 0) break;
    if (live.has(r.metadata?.labels?.[REVISION_HASH_LABEL] ?? '')) continue;
    out.push(r.metadata?.name ?? '');
    toKill--;
  }
  return out;
}

// Targets and revisions: which DaemonSets the policy drives, the revision each rolls from (the
// last one that completed) and to (its current template), and the stable template for rollback.
import type { ControllerRevision, DaemonSet, Pod, PodTemplateSpec } from '../../api/types.js';
import { fromLabelSelector, selectorMatches } from '../../api/selector.js';
import { canonicalJson } from '../../controller/core/hash.js';
import { REVISION_HASH_LABEL, isTerminating } from '../../controller/core/pods.js';
import type { DefaultedSpec } from '../api/defaults.js';

const byName = (a: DaemonSet, b: DaemonSet) => {
  const x = a.metadata?.name ?? '', y = b.metadata?.name ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
};

/** The DaemonSets targetRef or selector picks (being-deleted ones excluded), sorted by name. */
export function selectTargets(spec: DefaultedSpec, daemonSets: readonly DaemonSet[]): DaemonSet[] {
  const live = daemonSets.filter((d) => !d.metadata?.deletionTimestamp && typeof d.metadata?.name === 'string');
  if (spec.targetRef) return live.filter((d) => d.metadata?.name === spec.targetRef?.name).sort(byName).slice(0, 1);
  if (!spec.selector) return [];
  const sel = fromLabelSelector(spec.selector);
  if (!Array.isArray(sel) || sel.length === 0) return []; // invalid or empty: selects nothing, never everything
  return live.filter((d) => selectorMatches(sel, d.metadata?.labels)).sort(byName);
}

/** A revision's hash: its controller-revision-hash label, as the DaemonSet controller sets it. */
const hashOf = (r: ControllerRevision) => r.metadata?.labels?.[REVISION_HASH_LABEL];

export function revisionsOf(ds: DaemonSet, revisions: readonly ControllerRevision[]): ControllerRevision[] {
  const uid = ds.metadata?.uid;
  return revisions.filter((r) => r.metadata?.ownerReferences?.some((o) => o?.controller === true && o.uid === uid));
}

/** The pod template a revision stores (data.spec.template without $patch), or undefined. */
export function revisionTemplate(rev: ControllerRevision | undefined): PodTemplateSpec | undefined {
  if (!rev) return undefined;
  let data: unknown = rev.data;
  if (typeof data === 'string') { try { data = JSON.parse(data); } catch { return undefined; } }
  const t = (data as { spec?: { template?: unknown } } | null)?.spec?.template;
  if (typeof t !== 'object' || t === null || Array.isArray(t)) return undefined;
  const { $patch: _p, ...rest } = t as Record<string, unknown>;
  return rest as PodTemplateSpec;
}

export const findRevision = (revs: readonly ControllerRevision[], hash: string) => revs.find((r) => hashOf(r) === hash);

/**
 * The revision a rollout first seen mid-way starts from: the hash most of the target's old pods
 * run (ties: the higher revision number), or `to` when every pod is already on it.
 */
export function initialFrom(to: string, pods: readonly Pod[], revs: readonly ControllerRevision[]): string {
  const counts = new Map<string, number>();
  for (const p of pods) {
    const h = p.metadata?.labels?.[REVISION_HASH_LABEL];
    if (typeof h === 'string' && h !== to && !isTerminating(p)) counts.set(h, (counts.get(h) ?? 0) + 1);
  }
  if (!counts.size) return to;
  const number = (h: string) => findRevision(revs, h)?.revision ?? 0;
  return [...counts].sort((a, b) => b[1] - a[1] || number(b[0]) - number(a[0]) || (a[0] < b[0] ? -1 : 1))[0][0];
}

function withoutImages(t: PodTemplateSpec | undefined): string {
  const copy = structuredClone(t ?? {}) as PodTemplateSpec;
  for (const c of [...(copy.spec?.containers ?? []), ...(copy.spec?.initContainers ?? [])]) delete (c as { image?: string }).image;
  return canonicalJson(copy);
}

/** The images to patch when two templates differ in container images only; undefined otherwise. */
export function imageOnlyChange(from: PodTemplateSpec | undefined, to: PodTemplateSpec | undefined):
  { images: Record<string, string>; initImages: Record<string, string> } | undefined {
  if (!from || !to || withoutImages(from) !== withoutImages(to)) return undefined;
  const images: Record<string, string> = {}, initImages: Record<string, string> = {};
  for (const c of to.spec?.containers ?? []) if (c.image !== undefined) images[c.name] = c.image;
  for (const c of to.spec?.initContainers ?? []) if (c.image !== undefined) initImages[c.name] = c.image;
  return { images, initImages };
}

/** "hash" for one target, "a=hash1,b=hash2" for several (sorted by name): identifies the rollout. */
export function revisionId(entries: readonly { name: string; hash: string }[]): string {
  if (entries.length === 1) return entries[0].hash;
  return entries.map((e) => `${e.name}=${e.hash}`).join(',');
}

// The field manager: who owns which field of an object, kept in metadata.managedFields on every
// write, and server-side apply on top of it. Pure: objects, the schema, the manager's identity
// and the time come in; the new object (or the conflicts) go out. It follows the chain of
// managers upstream's NewDefaultFieldManager composes (version check, last-applied migration,
// skip-before-first-apply, cap of update managers, timestamps, stripped metadata, the
// structured merge itself), with one simplification: every apiVersion of a kind shares one
// schema here, so no conversion between versions happens.
import type { KObject } from '../../api/types.js';
import { FieldSet, pathString, type Path } from './fieldpath.js';
import { compare, ensureNamedFieldsAreMembers, jsonEqual, merge, removeItems, toFieldSet, withZeroFields, zeroObject, type Comparison } from './typed.js';
import type { FieldType } from './schema.js';
import {
  capUpdateManagers, decodeManagedFields, describeManager, encodeManagedFields, identity, isResetManagedFields,
  type ManagedFieldsEntry, type Manager, type Managers,
} from './managed.js';

export const lastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';

export interface FieldManagerContext {
  /** The kind's apply schema. */
  readonly type: FieldType;
  /** The request's group-version ("apps/v1", "v1"). */
  readonly apiVersion: string;
  /** The field manager: the fieldManager parameter, else derived from the User-Agent. */
  readonly manager: string;
  /** "" for the main resource, else the subresource written ("status"). */
  readonly subresource: string;
  /** The fields this path resets (GetResetFields): never owned through it. */
  readonly ignore?: (s: FieldSet) => FieldSet;
  /**
   * The part of an object this path can change, for comparing (a status write compares status
   * only): an optimisation that must agree with `ignore`.
   */
  readonly view?: (o: KObject) => KObject;
  /** RFC 3339 time of the request. */
  readonly now: string;
}

/** Fields no manager ever owns (stripMetaManager). */
const stripped = FieldSet.of(
  [{ f: 'apiVersion' }], [{ f: 'kind' }], [{ f: 'metadata' }],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion']
    .map((f): Path => [{ f: 'metadata' }, { f }]),
);

/** The object without managedFields (they are never part of what is compared or merged). */
function withoutManagedFields(o: KObject): KObject {
  const meta = o.metadata as Record<string, unknown> | undefined;
  if (!meta || !('managedFields' in meta)) return o;
  const { managedFields: _m, ...rest } = meta;
  return { ...o, metadata: rest } as KObject;
}

const filtered = (ctx: FieldManagerContext, s: FieldSet) => (ctx.ignore ? ctx.ignore(s) : s);

function filterComparison(ctx: FieldManagerContext, c: Comparison): Comparison {
  return { added: filtered(ctx, c.added), modified: filtered(ctx, c.modified), removed: filtered(ctx, c.removed) };
}

/**
 * The managers after `next` replaced `live`: fields that changed pass to `owner` (force: an
 * update always wins), removed fields leave every manager (merge.Updater.update).
 */
function takeOwnership(managers: Managers, c: Comparison, except?: string): { managers: Managers; conflicts: Map<string, FieldSet> } {
  const changed = c.modified.union(c.added);
  const out: Managers = new Map();
  const conflicts = new Map<string, FieldSet>();
  // Listed (and sorted) only when another manager is there to check: a create, or a write by
  // an object's only manager, never needs them.
  let touched: Path[] | undefined;
  for (const [id, m] of managers) {
    if (id === except) { out.set(id, m); continue; }
    touched ??= [...changed.paths(), ...c.removed.paths()];
    // Most writes touch none of most managers' fields: keep those (and their encoding) as they are.
    if (!touched.some((p) => m.set.has(p))) { out.set(id, m); continue; }
    const conflict = m.set.intersection(changed);
    if (!conflict.isEmpty()) conflicts.set(id, conflict);
    const set = m.set.difference(conflict).difference(c.removed);
    if (!set.isEmpty()) out.set(id, { ...m, set });
  }
  return { managers: out, conflicts };
}

/** Records an update (create, update, patch) by ctx.manager: the changed fields become its own. */
function recordUpdate(managers: Managers, live: KObject, next: KObject, ctx: FieldManagerContext, manager: string): Managers {
  const view = ctx.view ?? ((o: KObject) => o);
  const c = filterComparison(ctx, compare(withZeroFields(view(live), ctx.type), withZeroFields(view(next), ctx.type), ctx.type));
  const who = { manager, operation: 'Update' as const, apiVersion: ctx.apiVersion, subresource: ctx.subresource };
  const id = identity(who);
  const { managers: out } = takeOwnership(managers, c, id);
  // The writer's own entry: minus what was removed, plus what it changed (upstream reaches the
  // same set by taking the changed fields from it first). Kept as it is when that is no change,
  // so a large stored set is neither parsed nor re-encoded.
  const own = c.modified.union(c.added).difference(stripped);
  const previous = out.get(id);
  let set = previous?.set;
  if (set && c.removed.paths().some((p) => set!.has(p))) set = set.difference(c.removed);
  if (!own.isEmpty()) set = set && own.paths().every((p) => set!.has(p)) ? set : set ? own.union(set) : own;
  if (!set || set.isEmpty()) { out.delete(id); return out; }
  if (own.isEmpty() && set === previous?.set) return out;
  const time = own.isEmpty() ? previous?.time : ctx.now;
  out.set(id, { ...who, set, ...(time ? { time } : {}) });
  return out;
}

/**
 * metadata.managedFields for a create (live undefined) or an update of `live` into `next`. The
 * request's own managedFields (in `next`) replace the live ones when they decode and are not
 * empty, `[]`/`[{}]` clear them, and a subresource write ignores them. Undefined: none to store.
 */
export function updateManagedFields(live: KObject | undefined, next: KObject, ctx: FieldManagerContext): ManagedFieldsEntry[] | undefined {
  const requested = (next.metadata as { managedFields?: unknown } | undefined)?.managedFields;
  const stored = live?.metadata?.managedFields;
  const fromLive = () => { const d = live ? decodeManagedFields(stored, true) : new Map(); return typeof d === 'string' ? new Map() as Managers : d; };
  let managers: Managers;
  if (ctx.subresource) managers = fromLive();
  else if (isResetManagedFields(requested)) managers = new Map();
  // A request that sends the stored entries back (a patch, a read-modify-write) is the common case.
  else if (requested !== undefined && stored !== undefined && (requested === stored || JSON.stringify(requested) === JSON.stringify(stored))) managers = fromLive();
  else {
    const d = decodeManagedFields(requested);
    managers = typeof d === 'string' || d.size === 0 ? fromLive() : d;
  }
  // Objects that carry no managedFields are not tracked until they are first applied.
  if (live && managers.size === 0) return undefined;
  const before = live ? withoutManagedFields(live) : (zeroObject(ctx.type) as KObject);
  return encodeManagedFields(capUpdateManagers(recordUpdate(managers, before, withoutManagedFields(next), ctx, ctx.manager || 'unknown')));
}

export interface ApplyConflict { readonly manager: Manager; readonly path: Path }

export type ApplyResult =
  | { readonly ok: true; readonly object: KObject; readonly changed: boolean }
  | { readonly ok: false; readonly conflicts: readonly ApplyConflict[]; readonly message: string };

/**
 * Server-side apply of `config` by ctx.manager to `live` (undefined: the object is created).
 * The configuration is merged in, fields this manager applied last time and no longer applies
 * are removed unless someone else owns them, and a change to a field another manager owns is a
 * conflict unless `force`. The result carries its managedFields. Throws TypedError when the
 * configuration cannot be typed by the schema (duplicate or keyless list items).
 */
export function applyConfiguration(live: KObject | undefined, config: KObject, ctx: FieldManagerContext, force: boolean): ApplyResult {
  const first = applyOnce(live, config, ctx, force);
  if (first.ok || force || ctx.manager !== 'kubectl' || !live) return first;
  // kubectl's first server-side apply of an object client-side apply made: the fields its
  // last-applied annotation shows with their live values are kubectl's already (lastAppliedManager).
  const allowed = allowedFromLastApplied(live, ctx);
  if (!allowed) return first;
  const rest = first.conflicts.filter((c) => !allowed.has(c.path));
  if (rest.length) return { ok: false, conflicts: rest, message: conflictMessage(rest) };
  return applyOnce(live, config, ctx, true);
}

function applyOnce(live: KObject | undefined, config: KObject, ctx: FieldManagerContext, force: boolean): ApplyResult {
  const liveValue = live ? withoutManagedFields(live) : undefined;
  const base = liveValue ?? (zeroObject(ctx.type) as KObject);
  // Stored managedFields always decode (every write path encodes them); should they not, the
  // object counts as untracked, as the update path treats them (emptyManagedFieldsOnErr).
  const decoded = live ? decodeManagedFields(live.metadata?.managedFields, true) : new Map() as Managers;
  let managers: Managers = typeof decoded === 'string' ? new Map() : decoded;
  // An object nobody has applied or tracked yet: its fields belong to "before-first-apply".
  // (Recorded as an update through the same path, subresource and reset fields as this apply.)
  if (live && managers.size === 0) managers = recordUpdate(managers, zeroObject(ctx.type) as KObject, liveValue!, ctx, 'before-first-apply');
  const configSet = filtered(ctx, toFieldSet(config, ctx.type, true));
  const who = { manager: ctx.manager, operation: 'Apply' as const, apiVersion: ctx.apiVersion, subresource: ctx.subresource };
  const id = identity(who);
  const last = managers.get(id);
  let merged = merge(liveValue ?? {}, config, ctx.type) as KObject;
  managers = new Map(managers).set(id, { ...who, set: configSet, ...(last?.time ? { time: last.time } : {}) });
  if (last && !last.set.isEmpty()) merged = prune(merged, managers, last.set, ctx.type);
  const c = filterComparison(ctx, compare(withZeroFields(base, ctx.type), withZeroFields(merged, ctx.type), ctx.type));
  const { managers: after, conflicts } = takeOwnership(managers, c, id);
  if (!force && conflicts.size) {
    const list: ApplyConflict[] = [];
    for (const cid of [...conflicts.keys()].sort()) for (const path of conflicts.get(cid)!.paths()) list.push({ manager: managers.get(cid)!, path });
    return { ok: false, conflicts: list, message: conflictMessage(list) };
  }
  const mine = after.get(id)!;
  const own = mine.set.difference(stripped);
  const changed = !liveValue || !jsonEqual(liveValue, merged);
  if (own.isEmpty()) after.delete(id);
  else after.set(id, { ...mine, set: own, ...(changed ? { time: ctx.now } : {}) });
  const object = changed ? merged : structuredClone(liveValue!);
  if (ctx.manager === 'kubectl' && hasLastApplied(object)) setLastApplied(object, config);
  const entries = encodeManagedFields(after);
  const meta = (object.metadata ??= {}) as Record<string, unknown>;
  if (entries) meta.managedFields = entries; else delete meta.managedFields;
  return { ok: true, object, changed };
}

/**
 * Updater.prune: removes what the manager applied last time (`last`) and no longer applies,
 * unless a manager (this one included, for what it applies now) owns it; fields nobody applied
 * (defaults, or fields an updater changed) are left alone.
 */
function prune(merged: KObject, managers: Managers, last: FieldSet, t: FieldType): KObject {
  const lastNamed = ensureNamedFieldsAreMembers(last, t);
  const asObject = (v: unknown) => (v ?? {}) as KObject;
  const firstCut = asObject(removeItems(merged, lastNamed, t));
  let owned = new FieldSet();
  for (const m of managers.values()) owned = owned.union(m.set);
  const mergedSet = ensureNamedFieldsAreMembers(toFieldSet(merged, t), t);
  const cutSet = ensureNamedFieldsAreMembers(toFieldSet(firstCut, t), t);
  const addedBack = asObject(removeItems(merged, mergedSet.difference(cutSet.union(ensureNamedFieldsAreMembers(owned, t))), t));
  const addedBackSet = ensureNamedFieldsAreMembers(toFieldSet(addedBack, t), t);
  return asObject(removeItems(merged, mergedSet.difference(addedBackSet).intersection(lastNamed), t));
}

/** getConflictMessage: one conflict on one line, several grouped by manager. */
export function conflictMessage(conflicts: readonly ApplyConflict[]): string {
  if (conflicts.length === 1) return `Apply failed with 1 conflict: conflict with ${describeManager(conflicts[0]!.manager)}: ${pathString(conflicts[0]!.path)}`;
  const byManager = new Map<string, { m: Manager; paths: Path[] }>();
  for (const c of conflicts) {
    const k = describeManager(c.manager);
    const g = byManager.get(k) ?? { m: c.manager, paths: [] };
    g.paths.push(c.path);
    byManager.set(k, g);
  }
  const lines: string[] = [];
  for (const k of [...byManager.keys()].sort()) {
    lines.push(`conflicts with ${k}:`);
    for (const p of byManager.get(k)!.paths) lines.push(`- ${pathString(p)}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}

/** The causes of the 409 (type FieldManagerConflict), one per conflicting field. */
export function conflictCauses(conflicts: readonly ApplyConflict[]): Array<{ reason: string; message: string; field: string }> {
  return conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${describeManager(c.manager)}`, field: pathString(c.path) }));
}

/** Fields the last-applied annotation lists with the values the object still has (allowedConflictsFromLastApplied). */
function allowedFromLastApplied(live: KObject, ctx: FieldManagerContext): FieldSet | undefined {
  const text = (live.metadata?.annotations as Record<string, string> | undefined)?.[lastAppliedAnnotation];
  if (!text) return undefined;
  let last: unknown;
  try { last = JSON.parse(text); } catch { return undefined; }
  if (typeof last !== 'object' || last === null || Array.isArray(last) || (last as KObject).apiVersion !== ctx.apiVersion) return undefined;
  try {
    const set = toFieldSet(last, ctx.type, true);
    const c = compare(last, withoutManagedFields(live), ctx.type);
    return set.difference(c.modified).difference(c.added).difference(c.removed);
  } catch {
    return undefined;
  }
}

function hasLastApplied(o: KObject): boolean {
  return !!(o.metadata?.annotations as Record<string, string> | undefined)?.[lastAppliedAnnotation];
}

/** lastAppliedUpdater: kubectl's annotation follows what kubectl now applies server-side. */
function setLastApplied(o: KObject, config: KObject): void {
  const copy = structuredClone(config) as KObject;
  const ann = { ...(copy.metadata?.annotations as Record<string, string> | undefined) };
  delete ann[lastAppliedAnnotation];
  if (copy.metadata) {
    if (Object.keys(ann).length) (copy.metadata as Record<string, unknown>).annotations = ann;
    else delete (copy.metadata as Record<string, unknown>).annotations;
  }
  const meta = o.metadata as Record<string, unknown>;
  meta.annotations = { ...(meta.annotations as object), [lastAppliedAnnotation]: sortedJson(copy) };
}

/** JSON with object keys sorted, as Go encodes an unstructured object. */
function sortedJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(sortedJson).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    return `{${Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${sortedJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Upstream's ignore filters: the main resource never owns status, a status write owns only status. */
export function resetFieldsFilter(subresource: string, hasStatusSubresource: boolean): ((s: FieldSet) => FieldSet) | undefined {
  if (subresource === 'status') return (s) => s.onlyUnder({ f: 'status' });
  if (!subresource && hasStatusSubresource) return (s) => s.recursiveDifference(FieldSet.of([{ f: 'status' }]));
  return undefined;
}

/** The view that goes with resetFieldsFilter: only what the filter lets through is compared. */
export function resetFieldsView(subresource: string, hasStatusSubresource: boolean): ((o: KObject) => KObject) | undefined {
  if (subresource === 'status') return (o) => ({ status: o.status } as KObject);
  if (!subresource && hasStatusSubresource) return ({ status: _s, ...rest }) => rest as KObject;
  return undefined;
}

/** managerOrUserAgent: the fieldManager parameter, else the User-Agent up to its first "/". */
export function managerFor(fieldManager: string | null | undefined, userAgent: string | undefined): string {
  if (fieldManager) return fieldManager;
  return (userAgent ?? '').split('/')[0] ?? '';
}

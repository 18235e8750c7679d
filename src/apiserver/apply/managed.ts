// metadata.managedFields ⇄ the managers' field sets, as upstream's managedfields package encodes
// and decodes them: one entry per manager identity (manager name, operation, subresource, and the
// apiVersion for updaters: an applier is one identity whatever version it applies with), sorted
// by operation, time, manager, apiVersion and subresource.
import { FieldSet } from './fieldpath.js';

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: unknown;
  subresource?: string;
}

export interface Manager {
  readonly manager: string;
  readonly operation: 'Apply' | 'Update';
  readonly apiVersion: string;
  readonly subresource: string;
  readonly set: FieldSet;
  readonly time?: string;
}

/** Managers by identity (see identity()). */
export type Managers = Map<string, Manager>;

/** BuildManagerIdentifier: what makes two entries the same manager. */
export function identity(m: Pick<Manager, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  return JSON.stringify([m.manager, m.operation, m.operation === 'Apply' ? '' : m.apiVersion, m.subresource]);
}

/**
 * DecodeManagedFields; a string saying why when the entries are not valid. `trusted` entries
 * (stored by this server) have their field sets parsed only when needed (FieldSet.lazy).
 */
export function decodeManagedFields(entries: unknown, trusted = false): Managers | string {
  const out: Managers = new Map();
  if (entries === undefined || entries === null) return out;
  if (!Array.isArray(entries)) return 'managedFields must be a list';
  for (const [i, raw] of entries.entries()) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return `managed fields entry ${i} is not an object`;
    const e = raw as ManagedFieldsEntry;
    if (e.operation !== 'Apply' && e.operation !== 'Update') return 'operation must be `Apply` or `Update`';
    if (typeof e.apiVersion !== 'string' || !e.apiVersion) return 'apiVersion must not be empty';
    if (e.fieldsType === undefined || e.fieldsType === '') return `missing fieldsType in managed fields entry ${i}`;
    if (e.fieldsType !== 'FieldsV1') return `invalid fieldsType ${JSON.stringify(e.fieldsType)} in managed fields entry ${i}`;
    const set = e.fieldsV1 === undefined || e.fieldsV1 === null ? new FieldSet() : trusted ? FieldSet.lazy(e.fieldsV1) : FieldSet.fromFieldsV1(e.fieldsV1);
    if (typeof set === 'string') return `error decoding set: ${set}`;
    const m: Manager = {
      manager: typeof e.manager === 'string' ? e.manager : '',
      operation: e.operation,
      apiVersion: e.apiVersion,
      subresource: typeof e.subresource === 'string' ? e.subresource : '',
      set,
      ...(typeof e.time === 'string' ? { time: e.time } : {}),
    };
    out.set(identity(m), m);
  }
  return out;
}

/** managedFields: `[]` or `[{}]` in a request clears them (isResetManagedFields). */
export function isResetManagedFields(entries: unknown): boolean {
  if (!Array.isArray(entries)) return false;
  if (entries.length === 0) return true;
  return entries.length === 1 && typeof entries[0] === 'object' && entries[0] !== null && !Array.isArray(entries[0]) &&
    Object.values(entries[0] as object).every((v) => v === undefined);
}

/** The entries to store, in upstream's order; undefined when there are none (the field is omitted). */
export function encodeManagedFields(managers: Managers): ManagedFieldsEntry[] | undefined {
  const entries: ManagedFieldsEntry[] = [];
  for (const m of managers.values()) {
    if (m.set.isEmpty()) continue;
    entries.push({
      manager: m.manager,
      operation: m.operation,
      apiVersion: m.apiVersion,
      ...(m.time ? { time: m.time } : {}),
      fieldsType: 'FieldsV1',
      fieldsV1: m.set.toFieldsV1(),
      ...(m.subresource ? { subresource: m.subresource } : {}),
    });
  }
  if (!entries.length) return undefined;
  const seconds = (t?: string) => (t ? Math.floor(Date.parse(t) / 1000) || 0 : 0);
  const cmp = (a = '', b = '') => (a < b ? -1 : a > b ? 1 : 0);
  return entries.sort((p, q) => cmp(p.operation, q.operation) || seconds(p.time) - seconds(q.time) ||
    cmp(p.manager, q.manager) || cmp(p.apiVersion, q.apiVersion) || cmp(p.subresource, q.subresource));
}

/** Update managers beyond this many are merged, oldest first, into "ancient-changes" (capManagersManager). */
export const maxUpdateManagers = 10;

export function capUpdateManagers(managers: Managers, max = maxUpdateManagers): Managers {
  const updaters = [...managers.entries()].filter(([, m]) => m.operation === 'Update');
  if (updaters.length <= max) return managers;
  const seconds = (t?: string) => (t ? Math.floor(Date.parse(t) / 1000) || 0 : 0);
  updaters.sort(([ia, a], [ib, b]) => seconds(a.time) - seconds(b.time) || (ia < ib ? -1 : ia > ib ? 1 : 0));
  const out = new Map(managers);
  const firstOfVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > max; i++) {
    const [id, m] = updaters[i]!;
    const bucket = { manager: 'ancient-changes', operation: 'Update' as const, apiVersion: m.apiVersion, subresource: '' };
    const bucketId = identity(bucket);
    const first = firstOfVersion.get(m.apiVersion);
    if (first === undefined) { firstOfVersion.set(m.apiVersion, id); continue; }
    if (!out.has(bucketId)) {
      const f = out.get(first)!;
      out.delete(first);
      out.set(bucketId, { ...bucket, set: f.set, ...(f.time ? { time: f.time } : {}) });
    }
    out.set(bucketId, { ...bucket, set: m.set.union(out.get(bucketId)!.set), ...(m.time ? { time: m.time } : {}) });
    out.delete(id);
    length--;
  }
  return out;
}

/** printManager: how a conflict names its manager. */
export function describeManager(m: Pick<Manager, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  let s = JSON.stringify(m.manager);
  if (m.subresource) s += ` with subresource ${JSON.stringify(m.subresource)}`;
  if (m.operation === 'Update') s += ` using ${m.apiVersion}`;
  return s;
}

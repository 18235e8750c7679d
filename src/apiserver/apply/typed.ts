// The schema-aware walks of structured-merge-diff's typed package, over plain JSON values: the
// field set of a value (ToFieldSet), the difference of two values (Compare), the merge of an
// applied configuration into a live object (Merge), removal of paths (RemoveItems) and the
// promotion of struct fields to members (EnsureNamedFieldsAreMembers). Pure functions.
import { FieldSet, pathString, type Path, type PathElement } from './fieldpath.js';
import { fieldType, resolve, type FieldType, type ListType, type MapType } from './schema.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const has = (o: Obj, k: string) => Object.prototype.hasOwnProperty.call(o, k) && o[k] !== undefined;
const isEmptyObj = (o: Obj) => { for (const _ in o) return false; return true; };

/** A value that cannot be typed by its schema (upstream: a ValidationError with its path). */
export class TypedError extends Error {}

/** Deep equality of JSON values; object key order does not matter. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined), kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => has(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** The path element of a list item, or why it has none. */
function itemElement(t: ListType, item: unknown): PathElement | string {
  if (t.list === 'map') {
    if (item === null) return 'associative list with keys may not have a null element';
    if (!isObj(item)) return 'associative list with keys may not have non-map elements';
    const fields: Array<[string, unknown]> = [];
    for (const k of t.keys) {
      if (has(item, k)) fields.push([k, item[k]]);
      else if (Object.prototype.hasOwnProperty.call(t.keyDefaults, k)) fields.push([k, t.keyDefaults[k]]);
    }
    if (!fields.length) return `associative list with keys has an element that omits all key fields ${JSON.stringify(t.keys)} (and doesn't have default values for any key fields)`;
    fields.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return { k: fields };
  }
  if (isObj(item)) return "associative list without keys has an element that's a map type";
  if (Array.isArray(item)) return 'not supported: associative list with lists as elements';
  if (item === null || item === undefined) return "associative list without keys has an element that's an explicit null";
  return { v: item };
}

/**
 * The elements of an associative list. `strict` (an applied configuration) refuses items
 * without an element and duplicates, as upstream refuses them; a live object tolerates both
 * (an item with no element is addressed by its index, so it still survives a merge).
 */
function elements(t: ListType, list: unknown[], path: Path, strict: boolean): PathElement[] {
  const out: PathElement[] = [];
  const seen = new Set<string>();
  list.forEach((item, i) => {
    const pe = itemElement(t, item);
    if (typeof pe === 'string') {
      if (strict) throw new TypedError(`${pathString(path)}: element ${i}: ${pe}`);
      out.push({ i });
      return;
    }
    const key = JSON.stringify(pe);
    if (strict && seen.has(key)) throw new TypedError(`${pathString(path)}: duplicate entries for key ${pathString([pe])}`);
    seen.add(key);
    out.push(pe);
  });
  return out;
}

const peKey = (pe: PathElement) => JSON.stringify(pe);

// ---- ToFieldSet -----------------------------------------------------------------------------

/** The set of fields a value sets: leaves, list items, map entries, and atomic or empty nodes. */
export function toFieldSet(value: unknown, t: FieldType, strict = false): FieldSet {
  const set = new FieldSet();
  const walk = (v: unknown, ft: FieldType | undefined, path: PathElement[]) => {
    const r = resolve(ft, v);
    if (r.kind === 'scalar' || v === null || v === undefined) { set.insert(path); return; }
    if (r.kind === 'list') {
      if (r.list === 'atomic') { set.insert(path); return; }
      const list = v as unknown[];
      const pes = elements(r, list, path, strict);
      const counts = new Map<string, number>();
      for (const pe of pes) counts.set(peKey(pe), (counts.get(peKey(pe)) ?? 0) + 1);
      list.forEach((item, i) => {
        const p = [...path, pes[i]!];
        // A duplicated item is owned whole: nothing addresses its fields.
        if ((counts.get(peKey(pes[i]!)) ?? 0) > 1) { set.insert(p); return; }
        walk(item, r.elements, p);
        set.insert(p);
      });
      return;
    }
    if (r.atomic) { set.insert(path); return; }
    for (const [k, child] of Object.entries(v as Obj)) {
      if (child === undefined) continue;
      const p = [...path, { f: k }];
      walk(child, fieldType(r, k), p);
      if (child === null || (isObj(child) && Object.keys(child).length === 0) || !r.field(k)) set.insert(p);
    }
  };
  walk(value, t, []);
  return set;
}

// ---- Compare --------------------------------------------------------------------------------

export interface Comparison { added: FieldSet; modified: FieldSet; removed: FieldSet }

/** What changed from `lhs` (live) to `rhs` (new): added, modified and removed paths. */
export function compare(lhs: unknown, rhs: unknown, t: FieldType): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  const leaf = (l: unknown, r: unknown, path: Path) => {
    if (l === undefined) c.added.insert(path);
    else if (r === undefined) c.removed.insert(path);
    else if (!jsonEqual(l, r)) c.modified.insert(path);
  };
  // `path` is one stack, pushed and popped: FieldSet.insert keeps the elements, not the array.
  const walk = (l: unknown, r: unknown, ft: FieldType | undefined, path: PathElement[]) => {
    // Two scalars: a leaf whatever the schema says (the common case, so no type resolution).
    if (typeof l !== 'object' && typeof r !== 'object' && l !== undefined && r !== undefined) {
      if (l !== r) c.modified.insert(path);
      return;
    }
    let rt: ReturnType<typeof resolve> | undefined;
    if (l !== undefined && r !== undefined) {
      const tl = resolve(ft, l), tr = resolve(ft, r);
      rt = tl.kind === tr.kind ? tr : undefined;
    } else rt = resolve(ft, l !== undefined ? l : r);
    if (!rt || rt.kind === 'scalar' || l === null || r === null) { leaf(l, r, path); return; }
    if (rt.kind === 'list') {
      const ll = (l ?? []) as unknown[], rl = (r ?? []) as unknown[];
      if (rt.list === 'atomic' || (ll.length === 0 && rl.length === 0)) { leaf(l, r, path); return; }
      compareList(rt, l === undefined ? undefined : ll, r === undefined ? undefined : rl, path);
    } else {
      const lm = (l ?? {}) as Obj, rm = (r ?? {}) as Obj;
      if (rt.atomic || (isEmptyObj(lm) && isEmptyObj(rm))) { leaf(l, r, path); return; }
      const visit = (k: string, a: unknown, b: unknown) => {
        if (a === undefined && b === undefined) return;
        path.push({ f: k });
        walk(a, b, fieldType(rt as MapType, k), path);
        path.pop();
      };
      for (const k in lm) visit(k, lm[k], rm[k]);
      for (const k in rm) if (!Object.prototype.hasOwnProperty.call(lm, k)) visit(k, undefined, rm[k]);
    }
    if (path.length && l === undefined) c.added.insert(path);
    else if (path.length && r === undefined) c.removed.insert(path);
  };
  const compareList = (t: ListType, l: unknown[] | undefined, r: unknown[] | undefined, path: PathElement[]) => {
    const group = (list: unknown[] | undefined) => {
      const m = new Map<string, { pe: PathElement; items: unknown[] }>();
      if (!list) return m;
      const pes = elements(t, list, path, false);
      list.forEach((item, i) => {
        const k = peKey(pes[i]!);
        const g = m.get(k);
        if (g) g.items.push(item); else m.set(k, { pe: pes[i]!, items: [item] });
      });
      return m;
    };
    const lg = group(l), rg = group(r);
    const order = [...lg.keys(), ...[...rg.keys()].filter((k) => !lg.has(k))];
    for (const k of order) {
      const pe = (lg.get(k) ?? rg.get(k))!.pe;
      const li = lg.get(k)?.items ?? [], ri = rg.get(k)?.items ?? [];
      path.push(pe);
      if (li.length <= 1 && ri.length <= 1) walk(li[0], ri[0], t.elements, path);
      else if (li.length >= 2 && ri.length >= 2) { if (!jsonEqual(li, ri)) c.modified.insert(path); }
      else if (li.length >= 2) { if (ri.length) walk(undefined, ri[0], t.elements, path); c.removed.insert(path); }
      else { if (li.length) walk(li[0], undefined, t.elements, path); c.added.insert(path); }
      path.pop();
    }
  };
  walk(lhs, rhs, t, []);
  return c;
}

// ---- Merge ----------------------------------------------------------------------------------

/**
 * The applied configuration `rhs` merged into `lhs`: scalars and atomic nodes from rhs, maps key
 * by key, associative lists item by item (items of both in rhs order, lhs-only items kept where
 * they were). Map keys keep lhs order with new keys after, so a repeated apply is byte-identical.
 */
export function merge(lhs: unknown, rhs: unknown, t: FieldType): unknown {
  const walk = (l: unknown, r: unknown, ft: FieldType | undefined, path: PathElement[]): unknown => {
    if (r === undefined) return l;
    // A null in the configuration removes the field: decoding into Go types drops it.
    if (r === null) return undefined;
    if (l === undefined) return withoutEmptyLists(r);
    if (l === null) return r;
    const tl = resolve(ft, l), tr = resolve(ft, r);
    if (tl.kind !== tr.kind || tr.kind === 'scalar') return r;
    if (tr.kind === 'list') {
      const ll = l as unknown[], rl = r as unknown[];
      if (tr.list === 'atomic' || (ll.length === 0 && rl.length === 0)) return r;
      return mergeList(tr, ll, rl, path);
    }
    const lm = l as Obj, rm = r as Obj;
    if ((tr as MapType).atomic || (Object.keys(lm).length === 0 && Object.keys(rm).length === 0)) return r;
    const out: Obj = {};
    for (const k of Object.keys(lm)) {
      const v = walk(lm[k], rm[k], fieldType(tr as MapType, k), [...path, { f: k }]);
      if (v !== undefined) out[k] = v;
    }
    for (const k of Object.keys(rm)) {
      if (Object.prototype.hasOwnProperty.call(lm, k) || rm[k] === undefined) continue;
      const v = withoutEmptyLists(rm[k]);
      if (v !== undefined) out[k] = v;
    }
    return out;
  };
  const mergeList = (t: ListType, l: unknown[], r: unknown[], path: PathElement[]): unknown[] => {
    const rPEs = elements(t, r, path, false), lPEs = elements(t, l, path, false);
    const rByKey = new Map<string, unknown>();
    rPEs.forEach((pe, i) => rByKey.set(peKey(pe), r[i]));
    const lCount = new Map<string, number>();
    const lFirst = new Map<string, unknown>();
    lPEs.forEach((pe, i) => { const k = peKey(pe); lCount.set(k, (lCount.get(k) ?? 0) + 1); if (!lFirst.has(k)) lFirst.set(k, l[i]); });
    // A duplicated live item merges as absent: the applied item replaces all of its copies.
    const lChild = (k: string) => ((lCount.get(k) ?? 0) > 1 ? undefined : lFirst.get(k));
    // Items in both lists, in rhs order; `ns` points at the next one rhs has yet to reach.
    const shared = rPEs.map(peKey).filter((k) => lCount.has(k));
    let ns = 0;
    const out: unknown[] = [];
    const merged = new Set<string>();
    const emit = (k: string, pe: PathElement) => {
      merged.add(k);
      const v = walk(lChild(k), rByKey.get(k), t.elements, [...path, pe]);
      if (v !== undefined) out.push(v);
    };
    let li = 0, ri = 0;
    while (li < lPEs.length || ri < rPEs.length) {
      if (li < lPEs.length && ri < rPEs.length) {
        const lk = peKey(lPEs[li]!), rk = peKey(rPEs[ri]!);
        if (lk === rk) {
          emit(rk, rPEs[ri]!);
          li++; ri++; ns++;
          continue;
        }
        // A shared item rhs places later: skip it here, it is emitted when rhs reaches it.
        if (rByKey.has(lk) && ns < shared.length && shared[ns] !== lk) { li++; continue; }
      }
      if (li < lPEs.length) {
        const lk = peKey(lPEs[li]!);
        if (!rByKey.has(lk)) { out.push(l[li]); li++; continue; }
        if (merged.has(lk)) li++;
      }
      if (ri < rPEs.length) {
        const rk = peKey(rPEs[ri]!);
        emit(rk, rPEs[ri]!);
        ri++;
        if (ns < shared.length && shared[ns] === rk) ns++;
      }
    }
    return out;
  };
  return walk(lhs, rhs, t, []);
}

/**
 * An applied value where the live object has none, without its empty lists and nulls: upstream's
 * merge result is decoded into Go types, whose omitempty drops an empty list, so applying
 * `env: []` never leaves `env: []` behind (and applying it again stays a no-op).
 */
function withoutEmptyLists(v: unknown): unknown {
  if (v === null) return undefined;
  if (Array.isArray(v)) return v.length === 0 ? undefined : v.map((x) => (isObj(x) ? withoutEmptyLists(x) : x));
  if (!isObj(v)) return v;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) {
    const nx = withoutEmptyLists(x);
    if (nx !== undefined) out[k] = nx;
  }
  return out;
}

// ---- RemoveItems / EnsureNamedFieldsAreMembers ----------------------------------------------

/** `value` without the paths of `set` (a member path removes its whole subtree). */
export function removeItems(value: unknown, set: FieldSet, t: FieldType): unknown {
  const walk = (v: unknown, s: FieldSet, ft: FieldType | undefined, path: PathElement[]): unknown => {
    const r = resolve(ft, v);
    if (r.kind === 'scalar' || v === null) return v;
    if (r.kind === 'list') {
      const list = v as unknown[];
      if (list.length === 0 || r.list === 'atomic') return v;
      const pes = elements(r, list, path, false);
      const out: unknown[] = [];
      list.forEach((item, i) => {
        const pe = pes[i]!;
        if (s.hasMember(pe)) return;
        const sub = s.withPrefix(pe);
        out.push(sub.isEmpty() ? item : walk(item, sub, r.elements, [...path, pe]));
      });
      return out.length ? out : undefined;
    }
    const m = v as Obj;
    if (Object.keys(m).length === 0 || r.atomic) return v;
    const out: Obj = {};
    for (const [k, child] of Object.entries(m)) {
      const pe = { f: k };
      if (s.hasMember(pe)) continue;
      const sub = s.withPrefix(pe);
      const nv = sub.isEmpty() ? child : walk(child, sub, fieldType(r, k), [...path, pe]);
      if (nv !== undefined) out[k] = nv;
    }
    return Object.keys(out).length ? out : undefined;
  };
  return walk(value, set, t, []);
}

/** The set plus every struct field on the way to its paths, as members. */
export function ensureNamedFieldsAreMembers(set: FieldSet, t: FieldType | undefined): FieldSet {
  const out = new FieldSet();
  const walk = (s: FieldSet, ft: FieldType | undefined, prefix: PathElement[]) => {
    const map = ft && ft.kind === 'map' ? ft : undefined;
    for (const e of s.entries()) {
      const p = [...prefix, e.pe];
      if (e.member || ('f' in e.pe && map?.field(e.pe.f))) out.insert(p);
      if (e.children.isEmpty()) continue;
      let childType: FieldType | undefined;
      if ('f' in e.pe && map) childType = fieldType(map, e.pe.f);
      else if ('k' in e.pe && ft?.kind === 'list') childType = ft.elements;
      walk(e.children, childType, p);
    }
  };
  walk(set, t, []);
  return out;
}

/**
 * `value` with the value-struct fields Go always carries (MapType.zeroFields) filled in as `{}`,
 * for comparing: a status written into an object that has none is then a change of its fields,
 * not the addition of `status` itself, as upstream sees it.
 */
export function withZeroFields(value: unknown, t: FieldType): unknown {
  if (t.kind !== 'map' || !t.zeroFields?.length || (value !== undefined && !isObj(value))) return value;
  const out: Obj = { ...(value as Obj | undefined) };
  for (const f of t.zeroFields) {
    const ft = t.field(f);
    if (out[f] === undefined || isObj(out[f])) out[f] = ft ? withZeroFields(out[f] ?? {}, ft) : (out[f] ?? {});
  }
  return out;
}

/** The zero object of a type: `{}` with its value-struct fields, recursively. */
export function zeroObject(t: FieldType): Obj {
  return withZeroFields({}, t) as Obj;
}

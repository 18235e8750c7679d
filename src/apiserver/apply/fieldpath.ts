// Field paths and field sets, as structured-merge-diff's fieldpath package models them: a path is
// a sequence of elements (a field name, the key of an associative-list item, the value of a set
// item, or a list index), and a set is a trie of paths whose members are the paths it contains.
// A manager's ownership is one such set; metadata.managedFields stores it as fieldsV1 JSON
// ("f:name", `k:{"name":"x"}`, "v:value", "i:0", with "." marking an inner node that is itself a
// member). Pure data structures: no schema here (see typed.ts for what puts paths in a set).
//
// No npm package implements structured-merge-diff (checked: nothing published under that name or
// for server-side apply), so this is written against its documented and observed behaviour.

export type Scalar = string | number | boolean | null;

/** One step of a path. Key fields are sorted by name, as upstream sorts them. */
export type PathElement =
  | { readonly f: string }
  | { readonly k: ReadonlyArray<readonly [string, unknown]> }
  | { readonly v: unknown }
  | { readonly i: number };

export type Path = readonly PathElement[];

const kindRank = (pe: PathElement): number => ('f' in pe ? 0 : 'k' in pe ? 1 : 'v' in pe ? 2 : 3);

/** A total order on JSON values (null < boolean < number < string < list < map), for sorting set items. */
export function compareValues(a: unknown, b: unknown): number {
  const rank = (v: unknown) => (v === null || v === undefined ? 0 : typeof v === 'boolean' ? 1 : typeof v === 'number' ? 2 : typeof v === 'string' ? 3 : Array.isArray(v) ? 4 : 5);
  const ra = rank(a), rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  if (ra === 1 || ra === 2) return a === b ? 0 : (a as number) < (b as number) ? -1 : 1;
  if (ra === 3) return compareStrings(a as string, b as string);
  if (ra === 0) return 0;
  return compareStrings(JSON.stringify(a), JSON.stringify(b));
}

function compareStrings(a: string, b: string): number {
  return a === b ? 0 : a < b ? -1 : 1;
}

/** PathElement.Compare: field names first, then keys, then values, then indices. */
export function comparePathElements(a: PathElement, b: PathElement): number {
  const ra = kindRank(a), rb = kindRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  if ('f' in a) return compareStrings(a.f, (b as { f: string }).f);
  if ('k' in a) {
    const x = a.k, y = (b as { k: ReadonlyArray<readonly [string, unknown]> }).k;
    for (let i = 0; ; i++) {
      if (i >= x.length && i >= y.length) return 0;
      if (i >= x.length) return -1;
      if (i >= y.length) return 1;
      const c = compareStrings(x[i]![0], y[i]![0]) || compareValues(x[i]![1], y[i]![1]);
      if (c) return c;
    }
  }
  if ('v' in a) return compareValues(a.v, (b as { v: unknown }).v);
  const i = a.i, j = (b as { i: number }).i;
  return i === j ? 0 : i < j ? -1 : 1;
}

/** The fieldsV1 key of an element: "f:name", `k:{"name":"x"}`, "v:value", "i:0". */
export function serializePathElement(pe: PathElement): string {
  if ('f' in pe) return `f:${pe.f}`;
  if ('k' in pe) return `k:{${pe.k.map(([n, v]) => `${JSON.stringify(n)}:${JSON.stringify(v)}`).join(',')}}`;
  if ('v' in pe) return `v:${JSON.stringify(pe.v)}`;
  return `i:${pe.i}`;
}

/** The inverse of serializePathElement; undefined for a key upstream would refuse. */
export function parsePathElement(s: string): PathElement | undefined {
  const tag = s.slice(0, 2), rest = s.slice(2);
  if (tag === 'f:') return { f: rest };
  if (tag === 'i:') return /^(0|[1-9]\d*)$/.test(rest) ? { i: Number(rest) } : undefined;
  let v: unknown;
  try { v = JSON.parse(rest); } catch { return undefined; }
  if (tag === 'v:') return { v };
  if (tag === 'k:') {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    const fields = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => compareStrings(a, b));
    return fields.length ? { k: fields } : undefined;
  }
  return undefined;
}

/** fieldpath.Path.String: `.spec.containers[name="app"].image`, as conflict messages print it. */
export function pathString(path: Path): string {
  return path.map((pe) => {
    if ('f' in pe) return `.${pe.f}`;
    if ('k' in pe) return `[${pe.k.map(([n, v]) => `${n}=${valueString(v)}`).join(',')}]`;
    if ('v' in pe) return `[=${valueString(pe.v)}]`;
    return `[${pe.i}]`;
  }).join('');
}

function valueString(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? 'null';
}

interface Child { readonly pe: PathElement; readonly set: FieldSet }

/**
 * A set of paths, as a trie. Immutable from the outside: every operation returns a new set
 * (insert is the one mutator, for building). Empty children are never kept, so `isEmpty` is
 * cheap and equal sets serialise identically.
 */
export class FieldSet {
  private readonly _members = new Map<string, PathElement>();
  private readonly _children = new Map<string, Child>();
  /**
   * The fieldsV1 this set was decoded from, while it still says exactly what the set holds: a
   * stored set is parsed only when an operation needs its paths (membership is answered from
   * the JSON itself) and re-encoded only when it changed. Large objects (a ConfigMap with
   * 100,000 keys) are written often by managers whose sets never change.
   */
  private raw: Record<string, unknown> | undefined;
  private pending = false;

  /** A set decoded from trusted fieldsV1 (as stored by this server), parsed on first use. */
  static lazy(fieldsV1: unknown): FieldSet {
    const s = new FieldSet();
    if (typeof fieldsV1 === 'object' && fieldsV1 !== null && !Array.isArray(fieldsV1)) {
      s.raw = fieldsV1 as Record<string, unknown>;
      s.pending = true;
    }
    return s;
  }

  private get members(): Map<string, PathElement> { if (this.pending) this.load(); return this._members; }
  private get children(): Map<string, Child> { if (this.pending) this.load(); return this._children; }

  private load(): void {
    this.pending = false;
    const raw = this.raw;
    const err = fill(this, raw, 0);
    // Stored sets are written by this server; one that does not decode owns nothing.
    if (err) { this._members.clear(); this._children.clear(); this.raw = undefined; } else this.raw = raw;
  }

  static of(...paths: Path[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  insert(path: Path): this {
    if (path.length === 0) return this;
    let node: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) {
      const key = serializePathElement(path[i]!);
      let c = node.children.get(key);
      node.raw = undefined;
      if (!c) { c = { pe: path[i]!, set: new FieldSet() }; node.children.set(key, c); }
      node = c.set;
    }
    void node.members; // a pending node is parsed before it changes
    node.raw = undefined;
    const last = path[path.length - 1]!;
    node.members.set(serializePathElement(last), last);
    return this;
  }

  /** Adds `pe` (as a member if `member`) with the paths of `children` below it; for decoding. */
  attach(pe: PathElement, member: boolean, children: FieldSet): void {
    if (!this.pending) this.raw = undefined;
    const key = serializePathElement(pe);
    if (member) this.members.set(key, pe);
    if (children.isEmpty()) return;
    const c = this.children.get(key);
    this.children.set(key, { pe, set: c ? c.set.union(children) : children });
  }

  has(path: Path): boolean {
    if (path.length === 0) return false;
    if (this.pending) return rawHas(this.raw!, path);
    let node: FieldSet | undefined = this;
    for (let i = 0; i < path.length - 1 && node; i++) node = node.children.get(serializePathElement(path[i]!))?.set;
    return !!node && node.members.has(serializePathElement(path[path.length - 1]!));
  }

  isEmpty(): boolean {
    if (this.pending) return Object.keys(this.raw!).every((k) => k === '.');
    return this.members.size === 0 && this.children.size === 0;
  }

  /** The paths below `pe`, relative to it (Set.WithPrefix). */
  withPrefix(pe: PathElement): FieldSet {
    return this.children.get(serializePathElement(pe))?.set ?? EMPTY;
  }

  hasMember(pe: PathElement): boolean {
    return this.members.has(serializePathElement(pe));
  }

  union(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) out.members.set(k, pe);
    for (const [k, pe] of other.members) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      out.children.set(k, o ? { pe: c.pe, set: c.set.union(o.set) } : c);
    }
    for (const [k, c] of other.children) if (!out.children.has(k)) out.children.set(k, c);
    return out;
  }

  /** Paths of this set that are not paths of `other` (exact paths, not prefixes). */
  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!other.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      const s = o ? c.set.difference(o.set) : c.set;
      if (!s.isEmpty()) out.children.set(k, { pe: c.pe, set: s });
    }
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (other.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      if (!o) continue;
      const s = c.set.intersection(o.set);
      if (!s.isEmpty()) out.children.set(k, { pe: c.pe, set: s });
    }
    return out;
  }

  /** This set without every path that has a member of `other` as a prefix (or is one). */
  recursiveDifference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!other.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      if (other.members.has(k)) continue;
      const o = other.children.get(k);
      const s = o ? c.set.recursiveDifference(o.set) : c.set;
      if (!s.isEmpty()) out.children.set(k, { pe: c.pe, set: s });
    }
    return out;
  }

  /** Only the paths under `pe` (and `pe` itself), as an ignore filter keeps a subresource's fields. */
  onlyUnder(pe: PathElement): FieldSet {
    const out = new FieldSet();
    const k = serializePathElement(pe);
    if (this.members.has(k)) out.members.set(k, pe);
    const c = this.children.get(k);
    if (c) out.children.set(k, c);
    return out;
  }

  equals(other: FieldSet): boolean {
    return JSON.stringify(this.toFieldsV1()) === JSON.stringify(other.toFieldsV1());
  }

  /** Every member path, members before children at each level, each in element order (Set.Iterate). */
  paths(): Path[] {
    const out: Path[] = [];
    const walk = (s: FieldSet, prefix: PathElement[]) => {
      for (const pe of sortedElements([...s.members.values()])) out.push([...prefix, pe]);
      for (const c of sortedChildren([...s.children.values()])) walk(c.set, [...prefix, c.pe]);
    };
    walk(this, []);
    return out;
  }

  /** The child sets, in element order: [element, whether it is itself a member, its children]. */
  entries(): Array<{ pe: PathElement; member: boolean; children: FieldSet }> {
    const keys = new Map<string, PathElement>();
    for (const [k, pe] of this.members) keys.set(k, pe);
    for (const [k, c] of this.children) keys.set(k, c.pe);
    return sortedElements([...keys.values()]).map((pe) => {
      const k = serializePathElement(pe);
      return { pe, member: this.members.has(k), children: this.children.get(k)?.set ?? EMPTY };
    });
  }

  /** The fieldsV1 encoding: "." first, then members and children merged in element order. */
  toFieldsV1(includeSelf = false): Record<string, unknown> {
    if (this.raw && !includeSelf) return this.raw;
    const out: Record<string, unknown> = {};
    if (includeSelf) out['.'] = {};
    const keys = new Map<string, PathElement>(this.members);
    for (const [k, c] of this.children) keys.set(k, c.pe);
    for (const [k] of [...keys].sort(compareEntries)) {
      const c = this.children.get(k);
      out[k] = c ? c.set.toFieldsV1(this.members.has(k)) : {};
    }
    if (!includeSelf) this.raw = out;
    return out;
  }

  /** Parses fieldsV1; a string describing the first defect when it is not a well-formed field set. */
  static fromFieldsV1(v: unknown): FieldSet | string {
    const s = new FieldSet();
    const err = fill(s, v, 0);
    return err ?? s;
  }
}

const EMPTY = new FieldSet();

function fill(s: FieldSet, v: unknown, depth: number): string | undefined {
  if (depth > 200) return 'fieldsV1 nests too deep';
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'expected an object';
  for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
    if (k === '.') continue;
    const pe = parsePathElement(k);
    if (!pe) return `parsing key as path element: ${JSON.stringify(k)}`;
    if (typeof child !== 'object' || child === null || Array.isArray(child)) return `expected an object at ${JSON.stringify(k)}`;
    let member = false, inner = false;
    for (const x in child) { if (x === '.') member = true; else inner = true; }
    const sub = new FieldSet();
    if (inner) { const err = fill(sub, child, depth + 1); if (err) return err; }
    s.attach(pe, member || !inner, sub);
  }
  return undefined;
}

/** Whether the fieldsV1 JSON holds `path` as a member, without decoding it. */
function rawHas(raw: Record<string, unknown>, path: Path): boolean {
  let node: unknown = raw;
  for (let i = 0; i < path.length; i++) {
    if (typeof node !== 'object' || node === null) return false;
    node = (node as Record<string, unknown>)[serializePathElement(path[i]!)];
  }
  if (typeof node !== 'object' || node === null) return false;
  let any = false;
  for (const k in node) { if (k === '.') return true; any = true; }
  return !any;
}

/** Element order, with the common case (two field names) compared directly. */
function compareEntries(a: [string, PathElement], b: [string, PathElement]): number {
  const x = a[1], y = b[1];
  if ('f' in x && 'f' in y) return x.f < y.f ? -1 : x.f > y.f ? 1 : 0;
  return comparePathElements(x, y);
}

function sortedElements(pes: PathElement[]): PathElement[] {
  return pes.sort(comparePathElements);
}

function sortedChildren(cs: Child[]): Child[] {
  return cs.sort((a, b) => comparePathElements(a.pe, b.pe));
}

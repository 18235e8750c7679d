// The informer boundary's defence against malformed stored objects. Go components never see a
// wrongly typed field: decoding into typed structs fails first (and a reflector whose list
// cannot be decoded never syncs). Ours read plain JSON, so one `"ownerReferences": ""` or
// `"conditions": 0` that an older server, another writer or a damaged data file let in would
// reach every decision function. Here every object is checked against the OpenAPI schema of its
// kind (the same upstream-generated schemas the API server serves) before any component sees
// it: a value of the wrong type is removed, as if it had never been set, and reported; an
// object whose identity (name, namespace, uid, resourceVersion) is unusable is reported and
// skipped. Only the fields the schema knows are checked; unknown ones are kept untouched.
// Pure and in place: informer objects are freshly parsed and owned by the informer.
import generated from '../apiserver/openapi/schemas.json' with { type: 'json' };

type Schema = Record<string, unknown>;
const schemas = generated as Record<string, Schema>;
const REF = '#/components/schemas/';

export interface Sanitized<T> {
  /** The object with every unusable field removed; undefined when the object itself is unusable. */
  object?: T;
  /** One line per removed value (`metadata.ownerReferences: expected array, got string`). */
  problems: string[];
}

/** What an informer's collection holds: the schema of its items and the kind they are reported as. */
export interface CollectionKind { schema: string; apiVersion: string; kind: string }

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
/** Identity the cache, the work queues and every write rely on: an object without it is skipped. */
const ESSENTIAL = new Set(['metadata', 'metadata.name', 'metadata.namespace', 'metadata.uid', 'metadata.resourceVersion']);

let byResource: Map<string, CollectionKind> | undefined;

/** Upstream's default plural for a kind (gengo's namer), enough for the built-in kinds. */
function plural(kind: string): string {
  const k = kind.toLowerCase();
  if (k.endsWith('endpoints')) return k;
  if (/(s|x|z|ch|sh)$/.test(k)) return `${k}es`;
  if (/[^aeiou]y$/.test(k)) return `${k.slice(0, -1)}ies`;
  return `${k}s`;
}

/**
 * The kind of the objects a list/watch path returns (`/api/v1/pods`,
 * `/apis/apps/v1/namespaces/x/daemonsets`); undefined for a kind without a built-in schema, whose
 * objects are then checked as ObjectMeta only.
 */
export function collectionKind(path: string): CollectionKind | undefined {
  const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))(?:\/namespaces\/[^/]+)?\/([^/?]+)$/.exec(path);
  if (!m) return undefined;
  const [group, version, resource] = m[1] ? ['', m[1], m[4]] : [m[2], m[3], m[4]];
  if (!byResource) {
    byResource = new Map();
    for (const [name, s] of Object.entries(schemas)) {
      for (const g of (s['x-kubernetes-group-version-kind'] as { group: string; version: string; kind: string }[] | undefined) ?? []) {
        if (g.kind.endsWith('List')) continue;
        const key = `${g.group}/${g.version}/${plural(g.kind)}`;
        if (!byResource.has(key)) byResource.set(key, { schema: name, apiVersion: g.group ? `${g.group}/${g.version}` : g.version, kind: g.kind });
      }
    }
  }
  return byResource.get(`${group}/${version}/${resource}`);
}

/**
 * Checks `raw` against the named schema (ObjectMeta only when none), removing what does not fit.
 * A ControllerRevision's `data` is checked as a DaemonSet patch: the DaemonSet controller reads
 * the pod template out of it.
 */
export function sanitizeObject<T>(raw: unknown, schemaName: string | undefined): Sanitized<T> {
  const problems: string[] = [];
  if (!isObject(raw)) return { problems: [`object: expected object, got ${typeName(raw)}`] };
  const root = schemaName && schemas[schemaName] ? schemas[schemaName] : METADATA_ONLY;
  const at: (string | number)[] = [];
  checkObject(raw, compile(root) as ObjectRule, at, problems);
  if (schemaName === 'io.k8s.api.apps.v1.ControllerRevision' && isObject(raw.data)) {
    at.push('data');
    checkObject(raw.data, compile(REVISION_DATA) as ObjectRule, at, problems);
  }
  const meta = raw.metadata;
  const unusable = problems.some((p) => ESSENTIAL.has(p.slice(0, p.indexOf(':'))))
    || !isObject(meta) || typeof meta.name !== 'string' || meta.name === '';
  if (unusable && !problems.some((p) => p.startsWith('metadata'))) problems.push('metadata.name: required');
  return unusable ? { problems } : { object: raw as T, problems };
}

const METADATA_ONLY: Schema = { type: 'object', properties: { metadata: { $ref: REF + META } } };
const REVISION_DATA: Schema = { type: 'object', properties: { spec: { $ref: `${REF}io.k8s.api.apps.v1.DaemonSetSpec` } } };

// Schemas compiled once into rules: every informer event walks them, so the walk must cost
// little more than the JSON.parse before it (no $ref lookups, no path strings unless reporting).
type Rule = ObjectRule
  | { t: 'array'; items: () => Rule | undefined }
  | { t: 'string'; date: boolean } | { t: 'integer'; int32: boolean } | { t: 'number' } | { t: 'boolean' } | { t: 'any' }
  | { t: 'oneOf'; types: Rule[]; expected: string };
interface ObjectRule { t: 'object'; prop: (k: string) => Rule | undefined }

const compiled = new WeakMap<Schema, Rule>();

function compile(schema: Schema): Rule {
  const cached = compiled.get(schema);
  if (cached) return cached;
  const s = resolve(schema);
  let rule: Rule;
  const alternatives = s.oneOf as Schema[] | undefined;
  if (Array.isArray(alternatives)) {
    const types = alternatives.map(compile);
    rule = { t: 'oneOf', types, expected: alternatives.map((a) => String(resolve(a).type)).join(' or ') };
  } else {
    switch (s.type) {
      case 'object': {
        const props = s.properties as Record<string, Schema> | undefined;
        const additional = isObject(s.additionalProperties) ? s.additionalProperties as Schema : undefined;
        const memo = new Map<string, Rule | undefined>();
        rule = {
          t: 'object',
          // Compiled on first use: schemas refer to each other (and to themselves) freely.
          prop: (k) => {
            if (memo.has(k)) return memo.get(k);
            const sub = props && Object.prototype.hasOwnProperty.call(props, k) ? props[k] : additional;
            const r = sub ? compile(sub) : undefined;
            memo.set(k, r);
            return r;
          },
        };
        break;
      }
      case 'array': {
        const items = s.items as Schema | undefined;
        let r: Rule | undefined;
        rule = { t: 'array', items: () => (items ? (r ??= compile(items)) : undefined) };
        break;
      }
      case 'string': rule = { t: 'string', date: s.format === 'date-time' }; break;
      case 'integer': rule = { t: 'integer', int32: s.format === 'int32' }; break;
      case 'number': rule = { t: 'number' }; break;
      case 'boolean': rule = { t: 'boolean' }; break;
      default: rule = { t: 'any' }; // no type: anything goes
    }
  }
  compiled.set(schema, rule);
  return rule;
}

function resolve(s: Schema): Schema {
  for (let i = 0; i < 32; i++) {
    if (typeof s.$ref === 'string') { s = schemas[s.$ref.slice(REF.length)] ?? {}; continue; }
    const all = s.allOf as Schema[] | undefined;
    if (Array.isArray(all) && all.length === 1 && !s.type) { s = all[0]; continue; }
    return s;
  }
  return {};
}

/** Undefined when `v` fits `r`; otherwise what was expected. Objects and arrays are fixed in place. */
function check(v: unknown, r: Rule, at: (string | number)[], problems: string[]): string | undefined {
  switch (r.t) {
    case 'object':
      if (!isObject(v)) return 'object';
      checkObject(v, r, at, problems);
      return undefined;
    case 'array': {
      if (!Array.isArray(v)) return 'array';
      const items = r.items();
      // Backwards, so that removing an item does not skip the next one.
      for (let i = v.length - 1; i >= 0; i--) {
        at.push(i);
        const want = v[i] === null ? 'a value' : items ? check(v[i], items, at, problems) : undefined;
        if (want !== undefined) { problems.push(`${pathText(at)}: expected ${want}, got ${typeName(v[i])}`); v.splice(i, 1); }
        at.pop();
      }
      return undefined;
    }
    case 'string':
      if (typeof v !== 'string') return 'string';
      return r.date && Number.isNaN(Date.parse(v)) ? 'date-time' : undefined;
    case 'integer':
      if (typeof v !== 'number' || !Number.isInteger(v)) return 'integer';
      return r.int32 && (v < -(2 ** 31) || v >= 2 ** 31) ? 'int32' : undefined;
    case 'number': return typeof v === 'number' && Number.isFinite(v) ? undefined : 'number';
    case 'boolean': return typeof v === 'boolean' ? undefined : 'boolean';
    case 'oneOf': return r.types.some((t) => (t.t === 'object' || t.t === 'array' ? isObject(v) || Array.isArray(v) : check(v, t, at, problems) === undefined)) ? undefined : r.expected;
    case 'any': return undefined;
  }
}

function checkObject(o: Record<string, unknown>, r: ObjectRule, at: (string | number)[], problems: string[]): void {
  for (const k in o) {
    if (!Object.prototype.hasOwnProperty.call(o, k)) continue;
    const sub = r.prop(k);
    if (!sub) continue; // unknown to the schema: kept, and read by nobody
    // JSON null is an unset field to a Go decoder: removed, and nothing to report. But a zero
    // metav1.Time marshals back as null (`creationTimestamp: null` in every template), and the
    // controller's ControllerRevision data must keep it byte for byte: kubectl rollout undo
    // compares that data with its own rendering of the live template.
    if (o[k] === null) { if (!(sub.t === 'string' && sub.date)) delete o[k]; continue; }
    at.push(k);
    const want = check(o[k], sub, at, problems);
    if (want !== undefined) { problems.push(`${pathText(at)}: expected ${want}, got ${typeName(o[k])}`); delete o[k]; }
    at.pop();
  }
}

function pathText(at: readonly (string | number)[]): string {
  let s = '';
  for (const k of at) s += typeof k === 'number' ? `[${k}]` : s ? `.${k}` : k;
  return s;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'string') return v.length > 20 ? 'string' : `string ${JSON.stringify(v)}`;
  if (typeof v === 'number') return `number ${v}`;
  return typeof v;
}

// Type checking of request bodies against the kind's OpenAPI schema, as kube-apiserver's decoder
// does it implicitly by unmarshalling JSON into Go structs: a value of the wrong JSON type is a
// 400 before defaulting or validation ever run. We have no structs, so we walk the component
// schemas, and we phrase the error as encoding/json's UnmarshalTypeError does. Pure: schemas and
// a parsed body in, the first mismatch out; the body is normalised in place the way decoding
// into structs normalises it (see `null` below).
//
// A hand-written walk rather than a compiled JSON Schema validator: decoding also rewrites
// nulls, which a validator cannot do, and the walk has to know the enclosing Go struct of every
// field to word the message, so one pass does both.
import type { Schema } from './openapi/index.js';

/** The first value in document order whose JSON type its field cannot hold. */
export interface TypeMismatch {
  /** The decoder's wording after "json: " or the custom unmarshaller's message. */
  message: string;
  /** JSON path of the field (`spec.containers[0].name`), for tests and logs. */
  path: string;
}

/**
 * Nesting limit for request bodies and patch results. encoding/json stops at 10,000 levels
 * ("exceeded max depth"); every walk here (copying, patching, serialising) recurses, and V8's
 * default stack gives out between 2,000 and 5,000 levels, so ours is lower. No Kubernetes object
 * comes near it: a DaemonSet's deepest built-in field is about 15 levels down.
 */
export const maxDepth = 1000;

/** True when `value` nests objects/arrays more than `limit` levels deep. Iterative: safe on any input. */
export function exceedsDepth(value: unknown, limit = maxDepth): boolean {
  if (typeof value !== 'object' || value === null) return false;
  // Pairs of (container, its depth) on one flat stack: no per-node allocation, it runs on every write.
  const stack: unknown[] = [value, 1];
  while (stack.length > 0) {
    const d = stack.pop() as number;
    const v = stack.pop() as Record<string, unknown> | unknown[];
    if (d > limit) return true;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) { const c = v[i]; if (typeof c === 'object' && c !== null) stack.push(c, d + 1); }
    } else {
      for (const k in v) { const c = v[k]; if (typeof c === 'object' && c !== null) stack.push(c, d + 1); }
    }
  }
  return false;
}

/** The 400 message kube-apiserver gives for a decode error of a `<kind>` body in `<version>`. */
export function decodeErrorMessage(kind: string, version: string, mismatch: TypeMismatch): string {
  return `${kind} in version "${version}" cannot be handled as a ${kind}: ${mismatch.message}`;
}

const refPrefix = '#/components/schemas/';

/** A schema node with the component name it came from, when it was reached through a $ref. */
interface Resolved { s: Schema; name?: string }

const resolvedCache = new WeakMap<Schema, Resolved | null>();

function resolve(schemas: Readonly<Record<string, Schema>>, raw: Schema | undefined): Resolved | undefined {
  if (!raw) return undefined;
  const hit = resolvedCache.get(raw);
  if (hit !== undefined) return hit ?? undefined;
  let cur: Schema | undefined = raw;
  let name: string | undefined;
  for (let hops = 0; cur && hops < 8; hops++) {
    const ref = cur.$ref as string | undefined;
    const allOf = cur.allOf as Schema[] | undefined;
    if (typeof ref === 'string' && ref.startsWith(refPrefix)) { name = ref.slice(refPrefix.length); cur = schemas[name]; }
    else if (allOf?.length === 1) cur = allOf[0];
    else break;
  }
  const out = cur ? { s: cur, name } : null;
  resolvedCache.set(raw, out);
  return out ?? undefined;
}

/** "io.k8s.api.core.v1.OwnerReference" → "v1.OwnerReference", as Go prints a named type. */
const goNamed = (component: string) => component.split('.').slice(-2).join('.');
/** "io.k8s.api.core.v1.PodSpec" → "PodSpec", as Go names the struct of a field. */
const goStruct = (component: string) => component.slice(component.lastIndexOf('.') + 1);

const isIntOrString = (s: Schema) => s['x-kubernetes-int-or-string'] === true;
/** resource.Quantity: `oneOf: [string, number]`. */
const isQuantity = (s: Schema) => !isIntOrString(s) && Array.isArray(s.oneOf);
const hasShape = (s: Schema) => s.properties !== undefined || typeof s.additionalProperties === 'object';
/** RawExtension, FieldsV1, preserve-unknown-fields: any JSON at all, kept as sent. */
const isFreeForm = (s: Schema) =>
  s['x-kubernetes-preserve-unknown-fields'] === true ||
  (s.type === undefined && s.oneOf === undefined) ||
  (s.type === 'object' && !hasShape(s));

function goType(schemas: Readonly<Record<string, Schema>>, r: Resolved): string {
  if (r.name) return goNamed(r.name);
  const s = r.s;
  switch (s.type) {
    case 'string': return 'string';
    case 'boolean': return 'bool';
    case 'number': return 'float64';
    case 'integer': return s.format === 'int32' ? 'int32' : 'int64';
    case 'array': { const it = resolve(schemas, s.items as Schema); return `[]${it ? goType(schemas, it) : 'interface {}'}`; }
    case 'object': {
      const el = typeof s.additionalProperties === 'object' ? resolve(schemas, s.additionalProperties as Schema) : undefined;
      return `map[string]${el ? goType(schemas, el) : 'interface {}'}`;
    }
    default: return 'interface {}';
  }
}

/** What a JSON `null` list item or map value decodes to: the element type's zero value. */
function zeroValue(r: Resolved): unknown {
  const s = r.s;
  if (isIntOrString(s)) return 0;
  if (isQuantity(s)) return '0';
  if (isFreeForm(s)) return null;
  switch (s.type) {
    case 'string': return s.format === 'date-time' ? null : '';
    case 'boolean': return false;
    case 'number': case 'integer': return 0;
    case 'array': return [];
    default: return {};
  }
}

/** encoding/json's name for the offending JSON value ("string", "number 1.5", ...). */
function jsonKind(v: unknown, numberLiteral: boolean): string {
  if (typeof v === 'number') return numberLiteral ? `number ${String(v)}` : 'number';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  return Array.isArray(v) ? 'array' : 'object';
}

const isDirective = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.hasOwn(v, '$patch');
const int32Range = (v: number) => v >= -2147483648 && v <= 2147483647;
const int64Range = (v: number) => Math.abs(v) <= 2 ** 63;
// time.RFC3339 as metav1.Time.UnmarshalJSON parses it (fractional seconds allowed).
const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Called for a field the schema does not know, with its path (`spec.containers[0].bar`). */
export type OnUnknownField = (path: string, parent: Record<string, unknown>, key: string) => void;

/**
 * What a `null` list item means. In a body it decodes to the element's zero value ('zero'). In
 * a strategic merge patch or an applied configuration it is refused ('refuse'): nothing can be
 * merged by it, and upstream's merge code and typed conversion fail on it too.
 */
export type NullListItems = 'zero' | 'refuse';

interface Ctx {
  schemas: Readonly<Record<string, Schema>>;
  onUnknown?: OnUnknownField;
  nullItems: NullListItems;
  /** JSON field names from the root, as Go's decoder joins them (no list indices). */
  fields: string[];
  /** The same path with list indices, for TypeMismatch.path. */
  path: string[];
}

/**
 * Type-checks `value` against the component schema `schemaName` and returns the first
 * mismatch, or undefined. Normalises in place as decoding into Go structs does: a `null`
 * struct field is absent (removed); a `null` list item or map value becomes the element's zero
 * value (so `containers: [null]` is an empty Container that validation then rejects, and
 * `conditions: [null]` an empty condition, as kube-apiserver stores it). Unknown fields are left
 * alone, but reported to `onUnknown` (fieldValidation=Strict|Warn|Ignore decides what to do with
 * them), so the write path walks the body once; they are not descended into.
 */
export function checkTypes(
  schemas: Readonly<Record<string, Schema>>, schemaName: string, value: unknown,
  onUnknown?: OnUnknownField, nullItems: NullListItems = 'zero',
): TypeMismatch | undefined {
  const root = schemas[schemaName];
  if (!root) return undefined;
  const ctx: Ctx = { schemas, onUnknown, nullItems, fields: [], path: [] };
  return checkObject(ctx, { s: root, name: schemaName }, value, goStruct(schemaName));
}

const pathText = (segs: string[]) => segs.reduce((acc, seg) => (seg.startsWith('[') || !acc ? acc + seg : `${acc}.${seg}`), '');

function mismatch(ctx: Ctx, message: string): TypeMismatch {
  return { message, path: pathText(ctx.path) };
}

function typeError(ctx: Ctx, value: unknown, struct: string, r: Resolved, numberLiteral = false): TypeMismatch {
  return mismatch(ctx, `json: cannot unmarshal ${jsonKind(value, numberLiteral)} into Go struct field ${struct}.${ctx.fields.join('.')} of type ${goType(ctx.schemas, r)}`);
}

/** `value` (never null) held by a field of Go struct `struct`, declared with schema `r`. */
function check(ctx: Ctx, r: Resolved, value: unknown, struct: string): TypeMismatch | undefined {
  const s = r.s;
  if (isFreeForm(s)) return undefined;
  if (isIntOrString(s)) {
    // intstr.IntOrString.UnmarshalJSON: a quoted string, else an int32.
    if (typeof value === 'string') return undefined;
    if (typeof value === 'number' && Number.isInteger(value) && int32Range(value)) return undefined;
    return typeError(ctx, value, struct, r, typeof value === 'number');
  }
  if (isQuantity(s)) {
    // resource.Quantity.UnmarshalJSON takes a string or a bare number.
    return typeof value === 'string' || typeof value === 'number' ? undefined : typeError(ctx, value, struct, r);
  }
  switch (s.type) {
    case 'string':
      if (typeof value !== 'string') return typeError(ctx, value, struct, r);
      if (s.format === 'date-time' && !(rfc3339.test(value) && !Number.isNaN(Date.parse(value)))) {
        return mismatch(ctx, `parsing time ${JSON.stringify(value)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(value)} as RFC 3339 (Go struct field ${struct}.${ctx.fields.join('.')})`);
      }
      return undefined;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : typeError(ctx, value, struct, r);
    case 'number':
      return typeof value === 'number' ? undefined : typeError(ctx, value, struct, r);
    case 'integer': {
      if (typeof value !== 'number') return typeError(ctx, value, struct, r);
      const fits = Number.isInteger(value) && (s.format === 'int32' ? int32Range(value) : int64Range(value));
      return fits ? undefined : typeError(ctx, value, struct, r, true);
    }
    case 'array': {
      if (!Array.isArray(value)) return typeError(ctx, value, struct, r);
      const items = resolve(ctx.schemas, s.items as Schema);
      if (!items) return undefined;
      for (let i = 0; i < value.length; i++) {
        ctx.path.push(`[${i}]`);
        let m: TypeMismatch | undefined;
        // A {"$patch": ...} directive may stand in any list of a strategic merge patch.
        if (ctx.nullItems === 'refuse' && isDirective(value[i])) { ctx.path.pop(); continue; }
        if (value[i] !== null) m = check(ctx, items, value[i], struct);
        else if (ctx.nullItems === 'zero' || isFreeForm(items.s)) value[i] = zeroValue(items);
        else m = mismatch(ctx, `json: cannot unmarshal null into Go struct field ${struct}.${ctx.fields.join('.')} of type ${goType(ctx.schemas, items)}`);
        ctx.path.pop();
        if (m) return m;
      }
      return undefined;
    }
    default: // object: a struct (properties) or a map (additionalProperties)
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return typeError(ctx, value, struct, r);
      return checkObject(ctx, r, value, r.name ? goStruct(r.name) : struct);
  }
}

function checkObject(ctx: Ctx, r: Resolved, value: unknown, struct: string): TypeMismatch | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const obj = value as Record<string, unknown>;
  const props = r.s.properties as Record<string, Schema> | undefined;
  const additional = typeof r.s.additionalProperties === 'object' ? resolve(ctx.schemas, r.s.additionalProperties as Schema) : undefined;
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    if (props) {
      if (!Object.hasOwn(props, k)) {
        if (ctx.onUnknown) { ctx.path.push(k); ctx.onUnknown(pathText(ctx.path), obj, k); ctx.path.pop(); }
        continue;
      }
      if (v === null) { delete obj[k]; continue; }
      const field = resolve(ctx.schemas, props[k]);
      if (!field) continue;
      ctx.fields.push(k); ctx.path.push(k);
      const m = check(ctx, field, v, struct);
      ctx.fields.pop(); ctx.path.pop();
      if (m) return m;
    } else if (additional) {
      if (v === null) { obj[k] = zeroValue(additional); continue; }
      ctx.path.push(k);
      const m = check(ctx, additional, v, struct);
      ctx.path.pop();
      if (m) return m;
    }
  }
  return undefined;
}

// Type checking of request bodies against the kind's OpenAPI schema, as kube-apiserver's decoder
// does it implicitly by unmarshalling JSON into Go structs: a value of the wrong JSON type is a
// 400 before defaulting or validation ever run. We have no structs, so we walk the component
// schemas, and we phrase the error as encoding/json's UnmarshalTypeError does. Pure: schemas and
// a parsed body in, the first mismatch out; the body is normalised in place the way decoding
// into structs normalises it (see `null` below).
//
// Our own walk over compiled schema nodes rather than a JSON Schema validator (ajv): decoding
// also rewrites nulls and drops unknown fields, which a validator cannot do, and the message
// needs the enclosing Go struct of every field; so one pass does all of it, and the write path
// walks each body once.
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

function resolve(schemas: Readonly<Record<string, Schema>>, raw: Schema): Resolved | undefined {
  let cur: Schema | undefined = raw;
  let name: string | undefined;
  for (let hops = 0; cur && hops < 8; hops++) {
    const ref = cur.$ref as string | undefined;
    const allOf = cur.allOf as Schema[] | undefined;
    if (typeof ref === 'string' && ref.startsWith(refPrefix)) { name = ref.slice(refPrefix.length); cur = schemas[name]; }
    else if (allOf?.length === 1) cur = allOf[0];
    else break;
  }
  return cur ? { s: cur, name } : undefined;
}

/** What a field's schema asks of its JSON value, decided once per schema node. */
type Shape = 'free' | 'intOrString' | 'quantity' | 'string' | 'time' | 'bool' | 'number' | 'int32' | 'int64' | 'array' | 'struct' | 'map';

/**
 * A schema node compiled for the walk: its shape, and its children compiled lazily on first
 * use. Compiled nodes are cached per raw schema node, so each kind is compiled once, and only
 * as far as bodies actually reach.
 */
interface TypeNode {
  shape: Shape;
  /** Go's name for the type, for messages ("[]v1.Container", "map[string]string"). */
  goType: string;
  /** The Go struct name of a struct node ("PodSpec"), which names its fields in messages. */
  struct: string;
  child(key: string): TypeNode | undefined;
  /** List items or map values. */
  element: TypeNode | undefined;
}

const compiled = new WeakMap<Readonly<Record<string, Schema>>, WeakMap<Schema, TypeNode | null>>();

function compile(schemas: Readonly<Record<string, Schema>>, raw: Schema | undefined): TypeNode | undefined {
  if (!raw) return undefined;
  let cache = compiled.get(schemas);
  if (!cache) { cache = new WeakMap(); compiled.set(schemas, cache); }
  const hit = cache.get(raw);
  if (hit !== undefined) return hit ?? undefined;
  // A reference that resolves to nothing constrains nothing.
  const r = resolve(schemas, raw) ?? { s: {} };
  const node = build(schemas, r);
  cache.set(raw, node ?? null);
  return node;
}

function shapeOf(s: Schema): Shape {
  if (s['x-kubernetes-int-or-string'] === true) return 'intOrString';
  // resource.Quantity: `oneOf: [string, number]`.
  if (Array.isArray(s.oneOf)) return 'quantity';
  // RawExtension, FieldsV1, preserve-unknown-fields: any JSON at all, kept as sent.
  if (s['x-kubernetes-preserve-unknown-fields'] === true) return 'free';
  switch (s.type) {
    case 'string': return s.format === 'date-time' ? 'time' : 'string';
    case 'boolean': return 'bool';
    case 'number': return 'number';
    case 'integer': return s.format === 'int32' ? 'int32' : 'int64';
    case 'array': return 'array';
    case 'object':
      if (s.properties !== undefined) return 'struct';
      return typeof s.additionalProperties === 'object' ? 'map' : 'free';
    default: return 'free';
  }
}

/** "io.k8s.api.core.v1.OwnerReference" → "v1.OwnerReference", as Go prints a named type. */
const goNamed = (component: string) => component.split('.').slice(-2).join('.');
/** "io.k8s.api.core.v1.PodSpec" → "PodSpec", as Go names the struct of a field. */
const goStruct = (component: string) => component.slice(component.lastIndexOf('.') + 1);

function build(schemas: Readonly<Record<string, Schema>>, r: Resolved): TypeNode {
  const s = r.s;
  const shape = shapeOf(s);
  const elementSchema = shape === 'array' ? (s.items as Schema | undefined) : shape === 'map' ? (s.additionalProperties as Schema) : undefined;
  const props = shape === 'struct' ? (s.properties as Record<string, Schema>) : undefined;
  const children = new Map<string, TypeNode | undefined>();
  let element: TypeNode | undefined | null = null;
  let goType: string | undefined;
  const node: TypeNode = {
    shape,
    get goType() { return (goType ??= r.name ? goNamed(r.name) : goTypeOf(shape, this.element)); },
    struct: r.name ? goStruct(r.name) : '',
    child(key) {
      if (!props || !Object.hasOwn(props, key)) return undefined;
      if (!children.has(key)) children.set(key, compile(schemas, props[key]));
      return children.get(key);
    },
    get element() { return element === null ? (element = compile(schemas, elementSchema)) : element; },
  };
  return node;
}

function goTypeOf(shape: Shape, element: TypeNode | undefined): string {
  switch (shape) {
    case 'string': return 'string';
    case 'time': return 'v1.Time';
    case 'bool': return 'bool';
    case 'number': return 'float64';
    case 'int32': case 'int64': return shape;
    case 'intOrString': return 'intstr.IntOrString';
    case 'quantity': return 'resource.Quantity';
    case 'array': return `[]${element ? element.goType : 'interface {}'}`;
    case 'map': return `map[string]${element ? element.goType : 'interface {}'}`;
    default: return 'interface {}';
  }
}

/** What a JSON `null` list item or map value decodes to: the element type's zero value. */
function zeroValue(n: TypeNode): unknown {
  switch (n.shape) {
    case 'intOrString': case 'number': case 'int32': case 'int64': return 0;
    case 'quantity': return '0';
    case 'string': return '';
    case 'bool': return false;
    case 'array': return [];
    case 'struct': case 'map': return {};
    default: return null; // free-form, and Time (its zero value marshals as null)
  }
}

/** encoding/json's name for the offending JSON value ("string", "number 1.5", ...). */
function jsonKind(v: unknown, numberLiteral: boolean): string {
  if (typeof v === 'number') return numberLiteral ? `number ${String(v)}` : 'number';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (v === null) return 'null';
  return Array.isArray(v) ? 'array' : 'object';
}

const isDirective = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.hasOwn(v, '$patch');
const isInt32 = (v: number) => Number.isInteger(v) && v >= -2147483648 && v <= 2147483647;
const isInt64 = (v: number) => Number.isInteger(v) && Math.abs(v) <= 2 ** 63;
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
  onUnknown?: OnUnknownField;
  nullItems: NullListItems;
  /** Path segments from the root: field names, list indices ("[0]") and map keys. */
  path: string[];
  /** Only the struct field names on the path, as Go's decoder joins them in its messages. */
  fields: string[];
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
  const root = compile(schemas, schemas[schemaName]);
  if (!root || root.shape !== 'struct' || typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const ctx: Ctx = { onUnknown, nullItems, path: [], fields: [] };
  return checkStruct(ctx, root, value as Record<string, unknown>, goStruct(schemaName));
}

const pathText = (segs: string[]) => segs.reduce((acc, seg) => (seg.startsWith('[') || !acc ? acc + seg : `${acc}.${seg}`), '');

/**
 * encoding/json's UnmarshalTypeError: the struct holding the field and the field's JSON names
 * from the root (no list indices; map keys are not part of it either, as maps hold no fields).
 */
function typeError(ctx: Ctx, value: unknown, node: TypeNode, struct: string, numberLiteral = false): TypeMismatch {
  const fields = ctx.fields.join('.');
  const message = node.shape === 'time' && typeof value === 'string'
    ? `parsing time ${JSON.stringify(value)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(value)} as RFC 3339 (Go struct field ${struct}.${fields})`
    : `json: cannot unmarshal ${jsonKind(value, numberLiteral)} into Go struct field ${struct}.${fields} of type ${node.goType}`;
  return { message, path: pathText(ctx.path) };
}

/** `value` (never null) held by a field of Go struct `struct` (or by a list or map there). */
function check(ctx: Ctx, node: TypeNode, value: unknown, struct: string): TypeMismatch | undefined {
  switch (node.shape) {
    case 'free': return undefined;
    case 'string': return typeof value === 'string' ? undefined : typeError(ctx, value, node, struct);
    case 'time':
      return typeof value === 'string' && rfc3339.test(value) && !Number.isNaN(Date.parse(value)) ? undefined : typeError(ctx, value, node, struct);
    case 'bool': return typeof value === 'boolean' ? undefined : typeError(ctx, value, node, struct);
    case 'number': return typeof value === 'number' && Number.isFinite(value) ? undefined : typeError(ctx, value, node, struct);
    case 'int32': case 'int64':
      if (typeof value !== 'number') return typeError(ctx, value, node, struct);
      return (node.shape === 'int32' ? isInt32(value) : isInt64(value)) ? undefined : typeError(ctx, value, node, struct, true);
    // intstr.IntOrString.UnmarshalJSON: a quoted string, else an int32.
    case 'intOrString':
      if (typeof value === 'string' || (typeof value === 'number' && isInt32(value))) return undefined;
      return typeError(ctx, value, node, struct, typeof value === 'number');
    // resource.Quantity.UnmarshalJSON takes a string or a bare number.
    case 'quantity':
      return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)) ? undefined : typeError(ctx, value, node, struct);
    case 'array': return Array.isArray(value) ? checkList(ctx, node, value, struct) : typeError(ctx, value, node, struct);
    case 'struct':
    case 'map':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return typeError(ctx, value, node, struct);
      return node.shape === 'struct'
        ? checkStruct(ctx, node, value as Record<string, unknown>, node.struct || struct)
        : checkMap(ctx, node, value as Record<string, unknown>, struct);
  }
}

function checkList(ctx: Ctx, node: TypeNode, list: unknown[], struct: string): TypeMismatch | undefined {
  const items = node.element;
  if (!items) return undefined;
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    // A {"$patch": ...} directive may stand in any list of a strategic merge patch.
    if (ctx.nullItems === 'refuse' && isDirective(v)) continue;
    if (v === null && (ctx.nullItems === 'zero' || items.shape === 'free')) { list[i] = zeroValue(items); continue; }
    ctx.path.push(`[${i}]`);
    const m = v === null ? typeError(ctx, v, items, struct) : check(ctx, items, v, struct);
    ctx.path.pop();
    if (m) return m;
  }
  return undefined;
}

function checkMap(ctx: Ctx, node: TypeNode, obj: Record<string, unknown>, struct: string): TypeMismatch | undefined {
  const values = node.element;
  if (!values) return undefined;
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    if (v === null) { obj[k] = zeroValue(values); continue; }
    ctx.path.push(k);
    const m = check(ctx, values, v, struct);
    ctx.path.pop();
    if (m) return m;
  }
  return undefined;
}

function checkStruct(ctx: Ctx, node: TypeNode, obj: Record<string, unknown>, struct: string): TypeMismatch | undefined {
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    const field = node.child(k);
    if (!field) {
      if (ctx.onUnknown) { ctx.path.push(k); ctx.onUnknown(pathText(ctx.path), obj, k); ctx.path.pop(); }
      continue;
    }
    if (v === null) { delete obj[k]; continue; }
    ctx.path.push(k); ctx.fields.push(k);
    const m = check(ctx, field, v, struct);
    ctx.path.pop(); ctx.fields.pop();
    if (m) return m;
  }
  return undefined;
}

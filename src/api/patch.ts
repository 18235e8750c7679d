// The three PATCH bodies the API server accepts for stored objects: JSON Patch (RFC 6902, via
// fast-json-patch), JSON Merge Patch (RFC 7386) and Kubernetes strategic merge patch.
// None of these functions mutates its inputs; all return fresh values.
import jsonpatch from 'fast-json-patch';
import type { SmpField, SmpSchema } from './patchschema.js';
import { deepCopy } from './clone.js';

/**
 * A patch that cannot be applied. `code` is the HTTP status upstream answers with:
 * 400 malformed patch, 413 too many JSON Patch operations, 422 a well-formed patch that does
 * not apply (failed `test`, missing path, list of lists, `$retainKeys` mismatch), 500 other
 * strategic-merge failures (e.g. a list element without its merge key), as upstream does.
 */
export class PatchError extends Error {
  constructor(readonly code: 400 | 413 | 422 | 500, message: string) {
    super(message);
    this.name = 'PatchError';
  }
}

export type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);
const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
/** Own-property read: a client-sent key such as `__proto__` must never reach the prototype. */
const own = <T>(o: Readonly<Record<string, T>> | undefined, k: string): T | undefined => (o && hasOwn(o, k) ? o[k] : undefined);
const show = (v: unknown) => JSON.stringify(v);
/** Sets a key without invoking setters such as `__proto__` (patches come from clients). */
function put(o: JsonObject, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}
const jsonKind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'object' ? 'object' : typeof v);

// ---------------------------------------------------------------------------------------------
// JSON Patch

export const MAX_JSON_PATCH_OPERATIONS = 10000;

/** Applies RFC 6902 operations to a copy of `doc`. */
export function applyJsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new PatchError(400, `json: cannot unmarshal ${jsonKind(ops)} into Go value of type jsonpatch.Patch`);
  const bad = ops.find((op) => !isObject(op));
  if (bad !== undefined) throw new PatchError(400, `json: cannot unmarshal ${jsonKind(bad)} into Go value of type jsonpatch.Operation`);
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new PatchError(413, `The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`);
  }
  // Cloned so that values taken from the ops are not shared with the caller's patch.
  const own = deepCopy(ops) as jsonpatch.Operation[];
  try {
    return jsonpatch.applyPatch(deepCopy(doc), own, true, true).newDocument;
  } catch (e) {
    // Like upstream, everything past decoding is "does not apply" (422), including unknown ops.
    throw new PatchError(422, jsonPatchMessage(e, own));
  }
}

/** A short message naming the operation; fast-json-patch's own text embeds the whole document. */
function jsonPatchMessage(e: unknown, ops: jsonpatch.Operation[]): string {
  if (!(e instanceof jsonpatch.JsonPatchError)) return e instanceof Error ? e.message : String(e);
  const op = typeof e.index === 'number' ? (ops[e.index] as unknown as JsonObject) : {};
  const path = show(op.path);
  if (e.name === 'TEST_OPERATION_FAILED') return `testing value ${path} failed: test failed`;
  const first = e.message.split('\n')[0];
  return `${String(op.op)} operation does not apply: ${first} (path ${path})`;
}

// ---------------------------------------------------------------------------------------------
// JSON Merge Patch. Own code: json-merge-patch mutates its target (node20-stack §3.3).

function mergePatchValue(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: JsonObject = isObject(target) ? target : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else put(out, k, mergePatchValue(own(out, k), v));
  }
  return out;
}

/** RFC 7386 merge patch of an object document; a non-object patch is a 400 as upstream. */
export function applyMergePatch(doc: unknown, patch: unknown): JsonObject {
  if (!isObject(patch)) throw new PatchError(400, 'Invalid JSON Patch');
  return mergePatchValue(deepCopy(doc), deepCopy(patch)) as JsonObject;
}

// ---------------------------------------------------------------------------------------------
// Strategic merge patch (apimachinery pkg/util/strategicpatch, server side). Own code: there is
// no npm implementation. Directives: `$patch` (replace|delete|merge), `$retainKeys`,
// `$deleteFromPrimitiveList/<f>`, `$setElementOrder/<f>`; all are consumed, never stored.

const DELETED = Symbol('deleted');
type MapResult = JsonObject | typeof DELETED;

const ORDER_PREFIX = '$setElementOrder';
const DELETE_PREFIX = '$deleteFromPrimitiveList';

/**
 * Applies a strategic merge patch to a copy of `doc`, using `schema` for list strategies.
 * Throws PatchError (400/422/500, see its doc).
 */
export function applyStrategicMergePatch(doc: unknown, patch: unknown, schema: SmpSchema | undefined): JsonObject {
  if (!isObject(patch)) throw new PatchError(400, 'invalid JSON document');
  const base = isObject(doc) ? (deepCopy(doc) as JsonObject) : {};
  const out = mergeMap(base, patch, schema);
  return out === DELETED ? {} : out;
}

/** The field a parallel-list directive key refers to ("$setElementOrder/env" → "env"). */
function directiveField(key: string, prefix: string, message: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) throw new PatchError(400, message);
  return key.slice(slash + 1);
}

/** Merges `patch` into `orig` (owned by us, mutated in place). DELETED means "drop this map". */
function mergeMap(orig: JsonObject, patch: JsonObject, schema: SmpSchema | undefined): MapResult {
  if (hasOwn(patch, '$patch')) {
    const directive = patch.$patch;
    if (directive === 'delete') return DELETED;
    if (directive === 'replace') {
      const rest = { ...patch };
      delete rest.$patch;
      return mergeMap({}, rest, schema); // merging into {} also consumes nested directives
    }
    if (directive !== 'merge') throw new PatchError(400, `unknown patch type: ${show(directive)} in map: ${show(patch)}`);
  }
  applyRetainKeys(orig, patch);

  const handled = new Set<string>();
  for (const [key, order] of Object.entries(patch)) {
    if (!key.startsWith(ORDER_PREFIX)) continue;
    const field = directiveField(key, ORDER_PREFIX, 'invalid patch format of setElementOrder list');
    if (!Array.isArray(order)) throw new PatchError(400, 'invalid patch format of setElementOrder list');
    const strategy = own(schema, field);
    // Only merging lists have an order worth keeping; a replaced list takes the patch's order.
    if (!strategy?.merge || own(patch, field) === null) continue;
    mergeOrderedList(orig, patch, field, strategy, order);
    handled.add(field);
  }

  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$') || handled.has(key)) continue;
    mergeField(orig, key, value, own(schema, key));
  }

  // Deletions run after additions, so "add c, delete b" gives the same result in any key order.
  for (const [key, value] of Object.entries(patch)) {
    if (!key.startsWith(DELETE_PREFIX)) continue;
    const field = directiveField(key, DELETE_PREFIX, 'invalid patch format of primitive list');
    if (!Array.isArray(value)) throw new PatchError(400, 'invalid patch format of primitive list');
    const current = own(orig, field);
    if (Array.isArray(current)) put(orig, field, current.filter((x) => !value.includes(x)));
  }
  return orig;
}

/** `$retainKeys`: drop keys of the original not listed; the patch may only set listed keys. */
function applyRetainKeys(orig: JsonObject, patch: JsonObject): void {
  if (!hasOwn(patch, '$retainKeys')) return;
  const keep = patch.$retainKeys;
  if (!Array.isArray(keep)) throw new PatchError(400, 'invalid patch format of retainKeys');
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith('$')) continue;
    if (!keep.includes(k)) throw new PatchError(422, "patch content doesn't match retainKeys list");
  }
  for (const k of Object.keys(orig)) if (!keep.includes(k)) delete orig[k];
}

function mergeField(orig: JsonObject, key: string, value: unknown, field: SmpField | undefined): void {
  if (value === null) {
    delete orig[key];
    return;
  }
  const current = own(orig, key);
  if (isObject(value)) {
    // A type change replaces the value; merging into {} still consumes the directives.
    const merged = mergeMap(isObject(current) ? current : {}, value, field?.schema);
    if (merged === DELETED) delete orig[key];
    else put(orig, key, merged);
  } else if (Array.isArray(value)) {
    put(orig, key, field?.merge ? mergeList(Array.isArray(current) ? current : [], value, field) : replacedList(value));
  } else {
    put(orig, key, value);
  }
}

/** A list without merge strategy is taken as sent, minus any stray `$` keys. */
function replacedList(list: unknown[]): unknown[] {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (!isObject(v)) return v;
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) if (!k.startsWith('$')) put(out, k, strip(x));
    return out;
  };
  return list.map(strip);
}

/** Merges a list with patchStrategy "merge" (objects by merge key, primitives as a set). */
function mergeList(orig: unknown[], patch: unknown[], field: SmpField): unknown[] {
  if (orig.length === 0 && patch.length === 0) return orig;
  const all = [...orig, ...patch];
  if (all.some(Array.isArray)) throw new PatchError(422, 'lists of lists are not supported');
  const kinds = new Set(all.map(jsonKind));
  if (kinds.size > 1) throw new PatchError(500, `list element types are not identical: ${show(orig)} ${show(patch)}`);
  if (!kinds.has('object')) {
    const merged = [...new Set(all)];
    return orderMerged(merged, patch, orig, (v) => v);
  }

  const key = field.mergeKey;
  // mergeSlice's own words for the element type (Go's reflect name of a decoded JSON object).
  if (!key) throw new PatchError(500, 'cannot merge lists without merge key for map[string]interface {}');
  const keyOf = (v: unknown) => (isObject(v) ? v[key] : undefined);
  let base = orig as JsonObject[];
  const plain: JsonObject[] = [];
  let replace = false;
  for (const el of patch as JsonObject[]) {
    if (!hasOwn(el, '$patch')) {
      plain.push(el);
      continue;
    }
    const directive = el.$patch;
    if (directive === 'delete') {
      if (!hasOwn(el, key)) throw new PatchError(500, noMergeKey(el, key));
      base = base.filter((o) => !(hasOwn(o, key) && o[key] === el[key]));
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive !== 'merge') {
      throw new PatchError(400, `unknown patch type: ${show(directive)} in map: ${show(el)}`);
    }
  }
  const fresh = (el: JsonObject) => mergeMap({}, el, field.schema) as JsonObject; // no $patch left
  if (replace) return plain.map(fresh);

  const merged: JsonObject[] = [...base];
  for (const el of plain) {
    if (!hasOwn(el, key)) throw new PatchError(500, noMergeKey(el, key));
    const i = merged.findIndex((o) => hasOwn(o, key) && o[key] === el[key]);
    if (i >= 0) merged[i] = mergeMap(merged[i], el, field.schema) as JsonObject;
    else merged.push(fresh(el));
  }
  return orderMerged(merged, plain, base, keyOf);
}

function noMergeKey(el: JsonObject, key: string): string {
  return `map: ${show(el)} does not contain declared merge key: ${key}`;
}

/**
 * `$setElementOrder/<field>`: merge the field's patch list, then order the result as the
 * directive says, with items the directive does not name (server-only) kept at their
 * original relative positions.
 */
function mergeOrderedList(orig: JsonObject, patch: JsonObject, field: string, strategy: SmpField, order: unknown[]): void {
  const current = own(orig, field);
  const patchList = own(patch, field);
  if (current !== undefined && !Array.isArray(current)) throw new PatchError(500, `expected a list for ${field}, got ${jsonKind(current)}`);
  if (patchList !== undefined && !Array.isArray(patchList)) throw new PatchError(500, `expected a list for ${field}, got ${jsonKind(patchList)}`);
  if (current === undefined && patchList === undefined) return;
  const key = strategy.mergeKey;
  const idOf = (v: unknown) => (key !== undefined && isObject(v) ? v[key] : v);
  if (key !== undefined) {
    for (const item of order) {
      if (!isObject(item) || !hasOwn(item, key)) throw new PatchError(500, noMergeKey(isObject(item) ? item : {}, key));
    }
  }
  if (patchList) checkOrderConsistent(patchList, order, idOf);
  const before = current ?? [];
  const merged = patchList ? mergeList(before, patchList, strategy) : before;
  put(orig, field, orderMerged(merged, order, before, idOf));
}

/** Every (non-directive) patch item must appear in the order list, in the same relative order. */
function checkOrderConsistent(patchList: unknown[], order: unknown[], idOf: (v: unknown) => unknown): void {
  const items = patchList.filter((v) => !(isObject(v) && hasOwn(v, '$patch')));
  let p = 0;
  for (let o = 0; o < order.length && p < items.length; o++) if (idOf(items[p]) === idOf(order[o])) p++;
  if (p < items.length) {
    throw new PatchError(500, `The order in patch list:\n${show(patchList)}\n doesn't match $setElementOrder list:\n${show(order)}\n`);
  }
}

/**
 * Upstream's ordering rule: items named by `wanted` follow its order; the others keep the
 * order of `server`; then both runs are interleaved, a server item going first only when it
 * preceded the next wanted item in `server`. (So new items land before later server items.)
 */
function orderMerged(merged: unknown[], wanted: unknown[], server: unknown[], idOf: (v: unknown) => unknown): unknown[] {
  const indexIn = (list: unknown[], v: unknown) => list.findIndex((x) => idOf(x) === idOf(v));
  const rank = (list: unknown[]) => (v: unknown) => {
    const i = indexIn(list, v);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  const byRank = (r: (v: unknown) => number) => (a: unknown, b: unknown) => r(a) - r(b);
  const inWanted = merged.filter((v) => indexIn(wanted, v) >= 0).sort(byRank(rank(wanted)));
  const serverOnly = merged.filter((v) => indexIn(wanted, v) < 0).sort(byRank(rank(server)));
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < inWanted.length) {
    if (j >= inWanted.length) out.push(serverOnly[i++]);
    else if (i >= serverOnly.length) out.push(inWanted[j++]);
    else {
      const si = indexIn(server, serverOnly[i]);
      const wi = indexIn(server, inWanted[j]);
      out.push(si >= 0 && wi >= 0 && si < wi ? serverOnly[i++] : inWanted[j++]);
    }
  }
  return out;
}

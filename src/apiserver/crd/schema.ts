// Structural schemas of CustomResourceDefinitions applied to custom resources, as the
// apiextensions-apiserver does it: pruning of unknown fields (structural pruning), defaulting
// (structural defaulting, nulls of non-nullable fields dropped first) and validation (kube-openapi's
// validator, its results turned into field errors with upstream's paths and wording).
// Pure: schema and value in; pruning and defaulting change the value in place.
//
// `x-kubernetes-validations` rules are evaluated when they are in the CEL subset cel.ts knows;
// others are accepted in CRDs and skipped here.
import { child, index, type CauseType, type FieldError } from '../../api/fielderrors.js';
import { compileRule } from './cel.js';

/** One node of a CRD's openAPIV3Schema (JSONSchemaProps), the parts the server acts on. */
export interface JSONSchemaProps {
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, JSONSchemaProps>;
  additionalProperties?: JSONSchemaProps | boolean;
  items?: JSONSchemaProps;
  required?: string[];
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  multipleOf?: number;
  nullable?: boolean;
  default?: unknown;
  allOf?: JSONSchemaProps[];
  anyOf?: JSONSchemaProps[];
  oneOf?: JSONSchemaProps[];
  not?: JSONSchemaProps;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-validations'?: unknown[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
// A stored CRD is validated when written, but storage is input too: a keyword of the wrong JSON
// type constrains nothing rather than throwing.
const isSchema = (v: unknown): v is JSONSchemaProps => isObj(v);
const list = <T>(v: T[] | undefined): T[] => (Array.isArray(v) ? v : []);
const props = (s: JSONSchemaProps): Record<string, JSONSchemaProps> => (isObj(s.properties) ? s.properties : {});

/** Fields every object has whatever its schema says: the root's and embedded resources' type and object meta. */
const resourceFields = ['apiVersion', 'kind', 'metadata'];

// ---- pruning ---------------------------------------------------------------------------------

/**
 * Removes, in place, every field the schema does not specify (structural pruning), and returns
 * their paths ("spec.foo", "spec.items[0].bar") for fieldValidation's unknown-field report. The
 * root's apiVersion, kind and metadata are kept; so are those of embedded resources.
 */
export function prune(value: unknown, schema: JSONSchemaProps | undefined, root = true): string[] {
  const out: string[] = [];
  pruneNode(value, schema, '', root, out);
  return out;
}

function pruneNode(v: unknown, s: JSONSchemaProps | undefined, path: string, isResource: boolean, out: string[]): void {
  if (!isSchema(s)) return;
  if (s['x-kubernetes-int-or-string']) return;
  if (Array.isArray(v)) {
    v.forEach((item, i) => pruneNode(item, s.items, index(path, i), !!s.items?.['x-kubernetes-embedded-resource'], out));
    return;
  }
  if (!isObj(v)) return;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  const known = props(s);
  const additional = isSchema(s.additionalProperties) ? s.additionalProperties : undefined;
  for (const k of Object.keys(v)) {
    const p = child(path, k);
    // apiVersion and kind are the REST layer's; metadata is ObjectMeta whatever the schema says.
    if (isResource && resourceFields.includes(k)) continue;
    const ps = known[k];
    if (isSchema(ps)) { pruneNode(v[k], ps, p, !!ps['x-kubernetes-embedded-resource'], out); continue; }
    if (additional) { pruneNode(v[k], additional, index(path, k), !!additional['x-kubernetes-embedded-resource'], out); continue; }
    if (preserve || s.additionalProperties === true) continue;
    out.push(p);
    delete v[k];
  }
}

// ---- defaulting ------------------------------------------------------------------------------

/**
 * Applies `default`s in place, top-down, as structural defaulting does: a missing field with a
 * default gets a copy of it; a null in a field that is not nullable is dropped, or replaced by
 * the default when there is one (PruneNonNullableNullsWithoutDefaults, then Default).
 */
export function applyDefaults(value: unknown, s: JSONSchemaProps | undefined): void {
  if (!isSchema(s)) return;
  if (Array.isArray(value)) {
    for (const item of value) applyDefaults(item, s.items);
    return;
  }
  if (!isObj(value)) return;
  const known = props(s);
  for (const [k, ps] of Object.entries(known)) {
    if (!isSchema(ps)) continue;
    if (value[k] === null && !ps.nullable) {
      if (ps.default !== undefined) value[k] = structuredClone(ps.default);
      else delete value[k];
    } else if (value[k] === undefined && ps.default !== undefined) {
      value[k] = structuredClone(ps.default);
    }
    if (value[k] !== undefined) applyDefaults(value[k], ps);
  }
  const additional = isSchema(s.additionalProperties) ? s.additionalProperties : undefined;
  if (additional) {
    for (const k of Object.keys(value)) {
      if (k in known) continue;
      if (value[k] === null && !additional.nullable) {
        if (additional.default !== undefined) value[k] = structuredClone(additional.default);
        else delete value[k];
      }
      if (value[k] !== undefined) applyDefaults(value[k], additional);
    }
  }
}

// ---- validation ------------------------------------------------------------------------------

const jsonType = (v: unknown): string => {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v === 'object' ? 'object' : typeof v;
};

function typeMatches(type: string, v: unknown): boolean {
  switch (type) {
    case 'object': return isObj(v);
    case 'array': return Array.isArray(v);
    case 'string': return typeof v === 'string';
    case 'boolean': return typeof v === 'boolean';
    case 'integer': return typeof v === 'number' && Number.isInteger(v);
    case 'number': return typeof v === 'number';
    default: return true;
  }
}

/** kube-openapi prints the offending value with %q on its string form. */
const quoted = (v: unknown): string => JSON.stringify(typeof v === 'string' ? v : v === null ? 'null' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** kube-openapi names the type the value has, not the value: `Invalid value: "string": … must be of type integer: "string"`. */
const typeInvalid = (path: string, v: unknown, type: string): FieldError => {
  const actual = jsonType(v);
  return { type: 'FieldValueTypeInvalid', field: path, value: actual, detail: `${path} in body must be of type ${type}: ${JSON.stringify(actual)}`, showValue: true };
};
const invalidWith = (path: string, v: unknown, detail: string): FieldError =>
  ({ type: 'FieldValueInvalid', field: path, value: v, detail, showValue: true });

// Cheap formats only; an unknown format constrains nothing, as in kube-openapi's strfmt registry.
const formats: Record<string, (s: string) => boolean> = {
  'date-time': (s) => /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s.replace(' ', 'T'))),
  date: (s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s)),
  byte: (s) => /^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.length % 4 === 0,
  uuid: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(s),
  ipv4: (s) => /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(s),
  int32: (s) => /^-?\d+$/.test(s) && Math.abs(Number(s)) <= 2 ** 31,
  int64: (s) => /^-?\d+$/.test(s),
};

const patternCache = new Map<string, RegExp | null>();
function compilePattern(p: string): RegExp | null {
  if (!patternCache.has(p)) {
    let re: RegExp | null = null;
    try { re = new RegExp(p, 'u'); } catch { try { re = new RegExp(p); } catch { re = null; } }
    if (patternCache.size > 1000) patternCache.clear();
    patternCache.set(p, re);
  }
  return patternCache.get(p)!;
}

/**
 * Validates a (pruned, defaulted) value against a structural schema. `path` is where the value
 * sits ("" for the root object). The root's metadata is not validated here (ObjectMeta
 * validation does it), nor its apiVersion and kind.
 */
export function validateValue(v: unknown, s: JSONSchemaProps | undefined, path = '', root = true): FieldError[] {
  const errs: FieldError[] = [];
  if (isSchema(s)) walkValidate(v, s, path, errs, root);
  return errs;
}

function walkValidate(v: unknown, s: JSONSchemaProps, path: string, errs: FieldError[], isResource: boolean): void {
  if (v === null) {
    if (!s.nullable && s.type) errs.push(typeInvalid(path, v, s.type));
    return;
  }
  if (s['x-kubernetes-int-or-string']) {
    if (!(typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v)))) errs.push(typeInvalid(path, v, 'integer,string'));
  } else if (s.type && !typeMatches(s.type, v)) {
    errs.push(typeInvalid(path, v, s.type));
    return;
  }
  if (Array.isArray(s.enum) && !s.enum.some((e) => sameJson(e, v))) {
    errs.push({ type: 'FieldValueNotSupported', field: path, value: v, showValue: true, detail: `supported values: ${s.enum.map((e) => JSON.stringify(e)).join(', ')}` });
  }
  if (typeof v === 'string') validateString(v, s, path, errs);
  if (typeof v === 'number') validateNumber(v, s, path, errs);
  if (Array.isArray(v)) validateArray(v, s, path, errs);
  if (isObj(v)) validateObject(v, s, path, errs, isResource);
  validateRules(v, s, path, errs);
  for (const sub of list(s.allOf)) walkValidate(v, sub, path, errs, false);
  if (list(s.anyOf).length && !list(s.anyOf).some((sub) => validateValue(v, sub, path, false).length === 0)) {
    errs.push(invalidWith(path, v, `${path || 'body'} in body must match at least one schema in anyOf`));
  }
  if (list(s.oneOf).length && list(s.oneOf).filter((sub) => validateValue(v, sub, path, false).length === 0).length !== 1) {
    errs.push(invalidWith(path, v, `${path || 'body'} in body must validate one and only one schema (oneOf)`));
  }
  if (isSchema(s.not) && validateValue(v, s.not, path, false).length === 0) {
    errs.push(invalidWith(path, v, `${path || 'body'} in body should not validate the schema`));
  }
}

const ruleReasons: Record<string, CauseType> = {
  FieldValueInvalid: 'FieldValueInvalid', FieldValueForbidden: 'FieldValueForbidden',
  FieldValueRequired: 'FieldValueRequired', FieldValueDuplicate: 'FieldValueDuplicate',
};

/** x-kubernetes-validations: a rule that evaluates to false is a field error worded as upstream's. */
function validateRules(v: unknown, s: JSONSchemaProps, path: string, errs: FieldError[]): void {
  for (const r of list(s['x-kubernetes-validations'] as Array<Record<string, unknown>> | undefined)) {
    if (!isObj(r) || typeof r.rule !== 'string') continue;
    if (compileRule(r.rule)?.(v) !== false) continue;
    const message = typeof r.message === 'string' && r.message ? r.message : `failed rule: ${r.rule}`;
    const field = typeof r.fieldPath === 'string' && r.fieldPath.startsWith('.') ? (path ? `${path}${r.fieldPath}` : r.fieldPath.slice(1)) : path;
    const type = ruleReasons[typeof r.reason === 'string' ? r.reason : ''] ?? 'FieldValueInvalid';
    // Invalid prints the schema type in place of the value, as the CEL validator does.
    errs.push(type === 'FieldValueInvalid' || type === 'FieldValueDuplicate'
      ? { type, field, value: s.type ?? jsonType(v), detail: message, showValue: true }
      : { type, field, detail: message, showValue: false });
  }
}

function validateString(v: string, s: JSONSchemaProps, path: string, errs: FieldError[]): void {
  const len = [...v].length;
  if (s.maxLength !== undefined && len > s.maxLength) {
    errs.push({ type: 'FieldValueTooLong', field: path, value: v, detail: `may not be more than ${s.maxLength} bytes`, showValue: false });
  }
  if (s.minLength !== undefined && len < s.minLength) errs.push(invalidWith(path, v, `${path} in body should be at least ${s.minLength} chars long`));
  if (s.pattern !== undefined) {
    const re = compilePattern(s.pattern);
    if (re && !re.test(v)) errs.push(invalidWith(path, v, `${path} in body should match '${s.pattern}'`));
  }
  const f = s.format ? formats[s.format] : undefined;
  if (f && !f(v)) errs.push(invalidWith(path, v, `${path} in body must be of type ${s.format}: ${quoted(v)}`));
}

function validateNumber(v: number, s: JSONSchemaProps, path: string, errs: FieldError[]): void {
  if (s.minimum !== undefined && (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum)) {
    errs.push(invalidWith(path, v, `${path} in body should be greater than ${s.exclusiveMinimum ? '' : 'or equal to '}${s.minimum}`));
  }
  if (s.maximum !== undefined && (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum)) {
    errs.push(invalidWith(path, v, `${path} in body should be less than ${s.exclusiveMaximum ? '' : 'or equal to '}${s.maximum}`));
  }
  if (s.multipleOf !== undefined && s.multipleOf > 0 && !Number.isInteger(v / s.multipleOf)) {
    errs.push(invalidWith(path, v, `${path} in body should be a multiple of ${s.multipleOf}`));
  }
}

function validateArray(v: unknown[], s: JSONSchemaProps, path: string, errs: FieldError[]): void {
  if (s.maxItems !== undefined && v.length > s.maxItems) {
    errs.push({ type: 'FieldValueTooMany', field: path, value: v.length, detail: `must have at most ${s.maxItems} items`, showValue: true });
  }
  if (s.minItems !== undefined && v.length < s.minItems) errs.push(invalidWith(path, v.length, `${path} in body should have at least ${s.minItems} items`));
  const embedded = !!s.items?.['x-kubernetes-embedded-resource'];
  if (isSchema(s.items)) v.forEach((item, i) => walkValidate(item, s.items!, index(path, i), errs, embedded));
  const listType = s['x-kubernetes-list-type'];
  if (listType === 'set') {
    const seen = new Set<string>();
    v.forEach((item, i) => {
      const k = JSON.stringify(item);
      if (seen.has(k)) errs.push({ type: 'FieldValueDuplicate', field: index(path, i), value: item, showValue: true });
      seen.add(k);
    });
  } else if (listType === 'map') {
    const keys = list(s['x-kubernetes-list-map-keys']);
    const seen = new Set<string>();
    v.forEach((item, i) => {
      if (!isObj(item)) return;
      const k = JSON.stringify(keys.map((key) => item[key] ?? s.items?.properties?.[key]?.default ?? null));
      if (seen.has(k)) {
        errs.push({ type: 'FieldValueDuplicate', field: index(path, i), value: Object.fromEntries(keys.filter((key) => key in item).map((key) => [key, item[key]])), showValue: true });
      }
      seen.add(k);
    });
  }
}

function validateObject(v: Obj, s: JSONSchemaProps, path: string, errs: FieldError[], isResource: boolean): void {
  const count = Object.keys(v).length;
  if (s.maxProperties !== undefined && count > s.maxProperties) {
    errs.push({ type: 'FieldValueTooMany', field: path, value: count, detail: `must have at most ${s.maxProperties} items`, showValue: true });
  }
  if (s.minProperties !== undefined && count < s.minProperties) errs.push(invalidWith(path, count, `${path} in body should have at least ${s.minProperties} properties`));
  for (const r of list(s.required)) {
    if (v[r] === undefined) errs.push({ type: 'FieldValueRequired', field: child(path, r), detail: '', showValue: false });
  }
  const additional = isSchema(s.additionalProperties) ? s.additionalProperties : undefined;
  for (const [k, val] of Object.entries(v)) {
    // The resource's own apiVersion/kind/metadata are checked by the REST layer, not the schema.
    if (isResource && resourceFields.includes(k)) continue;
    const ps = props(s)[k];
    if (ps) walkValidate(val, ps, child(path, k), errs, !!ps['x-kubernetes-embedded-resource']);
    else if (additional) walkValidate(val, additional, index(path, k), errs, !!additional['x-kubernetes-embedded-resource']);
  }
  if (isResource && path !== '') {
    // An embedded resource must say what it is (apiextensions' embedded-resource validation).
    if (typeof v.apiVersion !== 'string' || v.apiVersion === '') errs.push({ type: 'FieldValueRequired', field: child(path, 'apiVersion'), detail: 'must not be empty', showValue: false });
    if (typeof v.kind !== 'string' || v.kind === '') errs.push({ type: 'FieldValueRequired', field: child(path, 'kind'), detail: 'must not be empty', showValue: false });
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Exported for tests and the CRD validator: the JSON type name kube-openapi uses for a value. */
export { jsonType };

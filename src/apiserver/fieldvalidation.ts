// Server-side field validation (fieldValidation=Strict|Warn|Ignore): finds the fields of a
// request body that the kind's OpenAPI schema does not know. Upstream does this while decoding
// into Go structs; we have no structs, so we walk the generated component schemas instead.
// Pure: schemas in, unknown field paths out. The API handler gets the same paths from the type
// check's single walk (typecheck.ts, checkTypes' onUnknown); these standalone walks stay as the
// reference it is tested against.
import type { Schema } from './openapi/index.js';

export type FieldValidationMode = 'Strict' | 'Warn' | 'Ignore';

const refPrefix = '#/components/schemas/';

/** The component schema name for a group/version/kind (its x-kubernetes-group-version-kind). */
export function schemaNameFor(schemas: Readonly<Record<string, Schema>>, group: string, version: string, kind: string): string | undefined {
  for (const [name, s] of Object.entries(schemas)) {
    const gvks = s['x-kubernetes-group-version-kind'] as Array<{ group: string; version: string; kind: string }> | undefined;
    if (gvks?.some((g) => g.group === group && g.version === version && g.kind === kind)) return name;
  }
  return undefined;
}

const resolved = new WeakMap<Schema, Schema | null>();

/**
 * Follows `$ref` and the `allOf: [{$ref}]` wrapper the generator uses for described references.
 * Memoised per schema node: every write walks its whole body through these.
 */
function resolve(schemas: Readonly<Record<string, Schema>>, s: Schema | undefined): Schema | undefined {
  if (!s) return undefined;
  const hit = resolved.get(s);
  if (hit !== undefined) return hit ?? undefined;
  let cur: Schema | undefined = s;
  for (let depth = 0; cur && depth < 8; depth++) {
    const ref = cur.$ref as string | undefined;
    const allOf = cur.allOf as Schema[] | undefined;
    if (typeof ref === 'string' && ref.startsWith(refPrefix)) cur = schemas[ref.slice(refPrefix.length)];
    else if (allOf?.length === 1) cur = allOf[0];
    else break;
  }
  resolved.set(s, cur ?? null);
  return cur;
}

/**
 * Paths of fields in `value` unknown to `schemaName`, formatted as upstream prints them
 * (`spec.foo`, `spec.template.spec.containers[0].bar`). Values of unknown type (RawExtension,
 * FieldsV1, preserve-unknown-fields) are not descended into.
 */
export function unknownFields(schemas: Readonly<Record<string, Schema>>, schemaName: string, value: unknown): string[] {
  const out: string[] = [];
  walk(schemas, schemas[schemaName], value, [], (path) => out.push(path));
  return out;
}

/**
 * Removes the unknown fields in place and returns their paths. Upstream decodes into typed
 * structs, which silently drops such fields, so Warn/Ignore never store them either.
 */
export function pruneUnknownFields(schemas: Readonly<Record<string, Schema>>, schemaName: string, value: unknown): string[] {
  const out: string[] = [];
  walk(schemas, schemas[schemaName], value, [], (path, parent, key) => { out.push(path); delete parent[key]; });
  return out;
}

type OnUnknown = (path: string, parent: Record<string, unknown>, key: string) => void;

/** Path segments ("spec", "[0]"): joined into text only for the rare unknown field. */
type Path = string[];
const pathText = (p: Path) => p.reduce((acc, seg) => (seg.startsWith('[') || !acc ? acc + seg : `${acc}.${seg}`), '');

function walk(schemas: Readonly<Record<string, Schema>>, raw: Schema | undefined, value: unknown, path: Path, out: OnUnknown): void {
  const s = resolve(schemas, raw);
  if (!s || value === null || value === undefined || s['x-kubernetes-preserve-unknown-fields']) return;
  if (Array.isArray(value)) {
    if (s.type !== 'array') return;
    for (let i = 0; i < value.length; i++) {
      path.push(`[${i}]`);
      walk(schemas, s.items as Schema | undefined, value[i], path, out);
      path.pop();
    }
    return;
  }
  if (typeof value !== 'object') return;
  const props = s.properties as Record<string, Schema> | undefined;
  const additional = s.additionalProperties as Schema | boolean | undefined;
  for (const k of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[k];
    path.push(k);
    if (props && Object.hasOwn(props, k)) walk(schemas, props[k], v, path, out);
    else if (typeof additional === 'object') walk(schemas, additional, v, path, out);
    // An object schema without properties or additionalProperties is free-form (e.g. FieldsV1).
    else if (props) out(pathText(path), value as Record<string, unknown>, k);
    path.pop();
  }
}

/**
 * Applies the mode to the unknown fields: Strict → the 400 message to send, Warn → warnings to
 * add, Ignore → nothing. Upstream joins several unknown fields into one strict decoding error.
 */
export function fieldValidationOutcome(mode: FieldValidationMode, unknown: string[]): { error?: string; warnings: string[] } {
  if (mode === 'Ignore' || unknown.length === 0) return { warnings: [] };
  const items = unknown.map((f) => `unknown field ${JSON.stringify(f)}`);
  if (mode === 'Warn') return { warnings: items };
  return { error: `strict decoding error: ${items.join(', ')}`, warnings: [] };
}

/** Parses the query parameter; undefined for an unsupported value. Absent means Warn (the server default). */
export function parseFieldValidation(v: string | null): FieldValidationMode | undefined {
  if (v === null || v === '') return 'Warn';
  return v === 'Strict' || v === 'Warn' || v === 'Ignore' ? v : undefined;
}

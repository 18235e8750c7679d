// Field paths of every served kind, read from the OpenAPI schemas the server publishes, so a kind
// added to the catalog is fuzzed without touching the fuzzer. A path is a list of segments: a
// property name, `[]` for an array element, or `{}` for a map value (additionalProperties).
import { builtinSchemas as generated, type Schema } from '../../apiserver/openapi/index.js';
import { crdComponentSchemas } from '../../apiserver/crd/openapi-schemas.js';

/** Every schema the server decodes bodies against: the generated built-ins and the CRD kind's own. */
const builtinSchemas: Record<string, Schema> = { ...generated, ...crdComponentSchemas };

export type Segment = string;
export interface FieldPath { segments: Segment[]; type: string | undefined }

const REF = '#/components/schemas/';

function resolve(s: Schema | undefined): Schema | undefined {
  for (let i = 0; s && i < 4; i++) {
    const ref = (s.$ref as string | undefined) ?? ((s.allOf as Schema[] | undefined)?.[0]?.$ref as string | undefined);
    if (!ref) return s;
    s = builtinSchemas[ref.slice(REF.length)];
  }
  return s;
}

function typeOf(s: Schema | undefined): string | undefined {
  if (!s) return undefined;
  if (s['x-kubernetes-int-or-string']) return 'int-or-string';
  return s.type as string | undefined;
}

/** The schema name serving group/version/kind, falling back to the kind in any group-version (legacy APIs). */
export function schemaFor(group: string, version: string, kind: string): string | undefined {
  let fallback: string | undefined;
  for (const [name, s] of Object.entries(builtinSchemas)) {
    const gvks = s['x-kubernetes-group-version-kind'] as Array<{ group: string; version: string; kind: string }> | undefined;
    if (gvks?.some((g) => g.group === group && g.version === version && g.kind === kind)) return name;
    if (!fallback && gvks?.some((g) => g.kind === kind)) fallback = name;
  }
  return fallback;
}

/**
 * Breadth-first field paths of a schema, up to `maxDepth` segments and `maxPaths` paths; a
 * schema is not entered again below itself, so recursive types (JSONSchemaProps) stay finite.
 */
export function fieldPaths(schemaName: string, maxDepth = 9, maxPaths = 4000): FieldPath[] {
  const out: FieldPath[] = [];
  const queue: Array<{ segments: Segment[]; schema: Schema | undefined; seen: Set<Schema> }> = [
    { segments: [], schema: resolve(builtinSchemas[schemaName]), seen: new Set() },
  ];
  while (queue.length && out.length < maxPaths) {
    const { segments, schema, seen } = queue.shift()!;
    if (!schema || segments.length >= maxDepth || seen.has(schema)) continue;
    const below = new Set(seen).add(schema);
    const children: Array<[Segment, Schema | undefined]> = [];
    const props = schema.properties as Record<string, Schema> | undefined;
    for (const [k, v] of Object.entries(props ?? {})) children.push([k, v]);
    if (schema.items) children.push(['[]', schema.items as Schema]);
    if (schema.additionalProperties && typeof schema.additionalProperties === 'object') children.push(['{}', schema.additionalProperties as Schema]);
    for (const [seg, raw] of children) {
      const child = resolve(raw);
      const path = [...segments, seg];
      out.push({ segments: path, type: typeOf(child) ?? typeOf(raw) });
      queue.push({ segments: path, schema: child, seen: below });
    }
  }
  return out;
}

/** Human-readable form, as a report names a field: spec.containers[].image, data{}. */
export function pathString(segments: readonly Segment[]): string {
  return segments.reduce((s, seg) => (seg === '[]' || seg === '{}' ? s + seg : s ? `${s}.${seg}` : seg), '');
}

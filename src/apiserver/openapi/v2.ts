// Swagger 2.0 from our OpenAPI 3.0 paths and component schemas, the way kube-apiserver publishes
// /openapi/v2: `#/definitions/` references, body parameters instead of request bodies, and only
// the schema keywords Swagger 2.0 has (kubectl's gnostic parser refuses any other, e.g. nullable
// or oneOf). Pure.
import type { Schema } from './paths.js';

const schemaKeys = new Set([
  '$ref', 'format', 'title', 'description', 'default', 'multipleOf', 'maximum', 'exclusiveMaximum', 'minimum',
  'exclusiveMinimum', 'maxLength', 'minLength', 'pattern', 'maxItems', 'minItems', 'uniqueItems', 'maxProperties',
  'minProperties', 'required', 'enum', 'additionalProperties', 'type', 'items', 'allOf', 'properties', 'readOnly', 'example',
]);

const v3Ref = '#/components/schemas/';

/** A v3 schema node as a Swagger 2.0 schema node. */
export function toV2Schema(s: unknown): Schema {
  if (typeof s !== 'object' || s === null || Array.isArray(s)) return {};
  const out: Schema = {};
  for (const [k, v] of Object.entries(s as Schema)) {
    if (k.startsWith('x-')) { out[k] = v; continue; }
    if (!schemaKeys.has(k)) continue;
    switch (k) {
      case '$ref': out.$ref = typeof v === 'string' && v.startsWith(v3Ref) ? `#/definitions/${v.slice(v3Ref.length)}` : v; break;
      case 'properties': out.properties = Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([pk, pv]) => [pk, toV2Schema(pv)])); break;
      case 'items': out.items = Array.isArray(v) ? v.map(toV2Schema) : toV2Schema(v); break;
      case 'additionalProperties': out.additionalProperties = typeof v === 'boolean' ? v : toV2Schema(v); break;
      case 'allOf': out.allOf = (v as unknown[]).map(toV2Schema); break;
      case 'type': if (typeof v === 'string') out.type = v; break;
      default: out[k] = v;
    }
  }
  // A described reference is `allOf: [{$ref}]` in v3 (siblings of $ref are ignored there); v2
  // consumers (kubectl's proto models) follow a $ref with a description beside it instead.
  const all = out.allOf as Schema[] | undefined;
  if (all?.length === 1 && typeof all[0]!.$ref === 'string' && out.$ref === undefined) {
    out.$ref = all[0]!.$ref;
    delete out.allOf;
  }
  // Quantity-like `oneOf: [string, number]` has no v2 form; upstream publishes such types as strings.
  if ((s as Schema).oneOf && !out.type && !(s as Schema)['x-kubernetes-int-or-string']) out.type = 'string';
  return out;
}

function toV2Parameter(p: Schema): Schema {
  const { schema, ...rest } = p as Schema & { schema?: Schema };
  return { ...rest, ...(schema?.type ? { type: schema.type } : { type: 'string' }), ...(schema?.uniqueItems ? { uniqueItems: true } : {}) };
}

function toV2Operation(op: Schema): Schema {
  const params = ((op.parameters as Schema[] | undefined) ?? []).map(toV2Parameter);
  const body = op.requestBody as { content?: Record<string, { schema?: Schema }> } | undefined;
  const consumes = body?.content ? Object.keys(body.content) : undefined;
  if (body?.content) params.unshift({ name: 'body', in: 'body', required: true, schema: toV2Schema(Object.values(body.content)[0]?.schema ?? {}) });
  const responses: Record<string, Schema> = {};
  const produces = new Set<string>();
  for (const [code, r] of Object.entries((op.responses as Record<string, Schema> | undefined) ?? {})) {
    const content = r.content as Record<string, { schema?: Schema }> | undefined;
    const first = content ? Object.entries(content)[0] : undefined;
    if (first) produces.add(first[0]);
    responses[code] = { description: r.description ?? '', ...(first?.[1].schema ? { schema: toV2Schema(first[1].schema) } : {}) };
  }
  const out: Schema = { ...op, parameters: params, responses, schemes: ['https'] };
  delete out.requestBody;
  if (consumes) out.consumes = consumes;
  if (produces.size) out.produces = [...produces];
  return out;
}

export function toSwagger(paths: Record<string, Schema>, schemas: Record<string, Schema>): Schema {
  const v2paths: Record<string, Schema> = {};
  for (const [path, item] of Object.entries(paths)) {
    const out: Schema = {};
    for (const [k, v] of Object.entries(item)) {
      out[k] = k === 'parameters' ? (v as Schema[]).map(toV2Parameter) : toV2Operation(v as Schema);
    }
    v2paths[path] = out;
  }
  const definitions = Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b)).map(([n, s]) => [n, toV2Schema(s)]));
  return {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths: v2paths,
    definitions,
    securityDefinitions: { BearerToken: { type: 'apiKey', name: 'authorization', in: 'header', description: 'Bearer Token authentication' } },
    security: [{ BearerToken: [] }],
  };
}

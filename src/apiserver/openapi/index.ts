// OpenAPI v3 discovery for the embedded server: the `/openapi/v3` index and one document per
// group/version. kubectl needs them for `apply`/`create` with default strict validation (it looks
// for a fieldValidation parameter on each kind's patch operation) and for `kubectl explain`
// (component schemas). Pure: the only input besides arguments is the generated schemas.json
// (regenerate with `npx tsx scripts/gen-openapi.ts`).
import { createHash } from 'node:crypto';
import generated from './schemas.json' with { type: 'json' };
import { buildPaths, gvPrefix, type GroupVersionKind, type Schema, type ServedResource } from './paths.js';

export type { Schema, ServedResource, GroupVersionKind } from './paths.js';
export { PATCH_CONTENT_TYPES } from './paths.js';
export { withCustomKind, customKindSchemaName, type CustomKind } from './custom.js';

/** Built-in component schemas, upstream-named (io.k8s.api.core.v1.Pod, ...). */
export const builtinSchemas: Readonly<Record<string, Schema>> = generated as Record<string, Schema>;

export interface OpenAPIDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Schema>;
  components: { schemas: Record<string, Schema> };
}

export interface OpenAPIIndex {
  paths: Record<string, { serverRelativeURL: string }>;
}

export interface DocumentOptions {
  /** Schemas added at run time, e.g. from withCustomKind(); they win over built-ins of the same name. */
  extraSchemas?: Readonly<Record<string, Schema>>;
}

const REF_PREFIX = '#/components/schemas/';

type GvkEntry = { group: string; version: string; kind: string };

function gvkKey(g: GroupVersionKind): string {
  return `${g.group}/${g.version}/${g.kind}`;
}

function indexByGvk(schemas: Readonly<Record<string, Schema>>, into = new Map<string, string>()): Map<string, string> {
  for (const [name, s] of Object.entries(schemas)) {
    const gvks = s['x-kubernetes-group-version-kind'] as GvkEntry[] | undefined;
    for (const g of gvks ?? []) if (!into.has(gvkKey(g))) into.set(gvkKey(g), name);
  }
  return into;
}

// Computed on first use and kept: it depends only on the generated file.
let builtinGvkIndex: Map<string, string> | undefined;

/** Every schema the value refers to, transitively, sorted by name so documents hash stably. */
function reachableSchemas(root: unknown, registry: Readonly<Record<string, Schema>>): Record<string, Schema> {
  const found = new Set<string>();
  const queue: unknown[] = [root];
  while (queue.length > 0) {
    const v = queue.pop();
    if (Array.isArray(v)) queue.push(...v);
    else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === '$ref' && typeof x === 'string' && x.startsWith(REF_PREFIX)) {
          const name = x.slice(REF_PREFIX.length);
          if (!found.has(name) && registry[name]) {
            found.add(name);
            queue.push(registry[name]);
          }
        } else queue.push(x);
      }
    }
  }
  return Object.fromEntries([...found].sort().map((n) => [n, registry[n]]));
}

/**
 * The OpenAPI 3.0 document for one group/version ("v1", "apps/v1"): collection, item and
 * subresource paths for every resource, plus the component schemas they reference.
 */
export function openapiV3Document(gv: string, resources: ServedResource[], options: DocumentOptions = {}): OpenAPIDocument {
  builtinGvkIndex ??= indexByGvk(builtinSchemas);
  const extra = options.extraSchemas;
  const registry = extra ? { ...builtinSchemas, ...extra } : builtinSchemas;
  // Extra schemas win for a GVK, as they win by name in the registry above.
  const gvkIndex = extra ? indexByGvk(builtinSchemas, indexByGvk(extra)) : builtinGvkIndex;
  const paths = buildPaths(gv, resources, (gvk) => gvkIndex.get(gvkKey(gvk)));
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths,
    components: { schemas: reachableSchemas(paths, registry) },
  };
}

/** Upper-case hex SHA-512 of the document's JSON, the form kube-apiserver puts in `?hash=`. */
export function documentHash(doc: unknown): string {
  return createHash('sha512').update(JSON.stringify(doc)).digest('hex').toUpperCase();
}

/** Index key of a group/version: "v1" → "api/v1", "apps/v1" → "apis/apps/v1". */
export function openapiV3Key(gv: string): string {
  return gvPrefix(gv).slice(1);
}

/** Inverse of openapiV3Key for a request path: "/openapi/v3/apis/apps/v1" → "apps/v1". */
export function groupVersionFromOpenAPIPath(path: string): string | undefined {
  const m = /^\/openapi\/v3\/(?:api\/([^/]+)|apis\/([^/]+)\/([^/]+))\/?$/.exec(path);
  if (!m) return undefined;
  return m[1] ?? `${m[2]}/${m[3]}`;
}

let builtinFingerprint: string | undefined;

/**
 * The `/openapi/v3` index. kubectl caches documents by URL, so the hash must change whenever a
 * document does: pass `documentFor` (e.g. gv => openapiV3Document(gv, ...)) when documents can
 * change at run time (custom kinds). Without it the hash covers the group/version and the
 * built-in schemas only.
 */
export function openapiV3Index(groupVersions: string[], documentFor?: (gv: string) => unknown): OpenAPIIndex {
  const paths: OpenAPIIndex['paths'] = {};
  for (const gv of groupVersions) {
    let hash: string;
    if (documentFor) hash = documentHash(documentFor(gv));
    else {
      builtinFingerprint ??= documentHash(builtinSchemas);
      hash = documentHash([gv, builtinFingerprint]);
    }
    const key = openapiV3Key(gv);
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
  }
  return { paths };
}

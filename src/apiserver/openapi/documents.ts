// The OpenAPI documents of whatever the catalog serves right now: `/openapi/v3/<gv>` per group
// version, and `/openapi/v2`, one Swagger 2.0 document of every kind (kubectl falls back to it,
// e.g. `kubectl explain --output plaintext-openapiv2`). Custom resources get their CRD version's
// schema. Documents are built on first request and kept until the catalog changes.
import type { Catalog, ResourceDef } from '../resources/catalog.js';
import { crdComponentSchemas } from '../crd/openapi-schemas.js';
import { openapiV3Document, withCustomKind, type OpenAPIDocument, type Schema } from './index.js';
import { toSwagger } from './v2.js';

export class OpenAPIDocuments {
  #generation = -1;
  #cache = new Map<string, unknown>();

  constructor(private readonly catalog: Catalog) {}

  /** A value computed from the catalog, recomputed once the catalog has changed. */
  cached<T>(key: string, build: () => T): T {
    if (this.#generation !== this.catalog.generation) {
      this.#cache = new Map();
      this.#generation = this.catalog.generation;
    }
    if (!this.#cache.has(key)) this.#cache.set(key, build());
    return this.#cache.get(key) as T;
  }

  /** The document of one group/version ("v1", "apps/v1"), undefined when nothing is served there. */
  v3(gv: string): OpenAPIDocument | undefined {
    return this.cached(`v3:${gv}`, () => {
      const [group, version] = gv.includes('/') ? gv.split('/') : ['', gv];
      const defs = this.catalog.all().filter((d) => d.group === group && d.version === version);
      if (!defs.length) return undefined;
      return openapiV3Document(gv, defs.map(served), { extraSchemas: this.extraSchemas(defs) });
    });
  }

  /** Every served group/version in one Swagger 2.0 document. */
  v2(): unknown {
    return this.cached('v2', () => {
      const byGv = new Map<string, ResourceDef[]>();
      for (const d of this.catalog.all()) {
        const gv = d.group ? `${d.group}/${d.version}` : d.version;
        byGv.set(gv, [...(byGv.get(gv) ?? []), d]);
      }
      const paths: Record<string, Schema> = {};
      const schemas: Record<string, Schema> = {};
      for (const [gv, defs] of byGv) {
        const doc = openapiV3Document(gv, defs.map(served), { extraSchemas: this.extraSchemas(defs) });
        Object.assign(paths, doc.paths);
        Object.assign(schemas, doc.components.schemas);
      }
      return toSwagger(paths, schemas);
    });
  }

  private extraSchemas(defs: readonly ResourceDef[]): Record<string, Schema> {
    let extra: Record<string, Schema> = { ...crdComponentSchemas };
    for (const d of defs) {
      if (!d.custom) continue;
      extra = withCustomKind(extra, { group: d.group, version: d.version, kind: d.kind, schema: d.custom.schema as Schema | undefined });
      // The list kind, so list operations reference a real schema.
      extra[`${customListName(d)}`] = {
        type: 'object', description: `${d.listKind} is a list of ${d.kind}`,
        properties: {
          apiVersion: { type: 'string' }, kind: { type: 'string' },
          metadata: { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta' },
          items: { type: 'array', items: { $ref: `#/components/schemas/${[...d.group.split('.').reverse(), d.version, d.kind].join('.')}` } },
        },
        required: ['items'],
        'x-kubernetes-group-version-kind': [{ group: d.group, version: d.version, kind: d.listKind }],
      };
    }
    return extra;
  }
}

function customListName(d: ResourceDef): string {
  return [...d.group.split('.').reverse(), d.version, d.listKind].join('.');
}

function served(d: ResourceDef) {
  return { kind: d.kind, plural: d.resource, namespaced: d.namespaced, subresources: d.subresources, verbs: d.verbs };
}

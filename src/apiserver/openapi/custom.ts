// Component schemas for kinds only known at run time (CustomResourceDefinitions), named and
// decorated the way kube-apiserver publishes CRD schemas, so openapiV3Document can serve them.
import type { Schema } from './paths.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

export interface CustomKind {
  group: string;
  version: string;
  kind: string;
  /** The version's `schema.openAPIV3Schema`; absent means "anything goes". */
  schema?: Schema;
}

/** Upstream names CRD schemas by reversed group: stable.example.com/v1 CronTab → com.example.stable.v1.CronTab. */
export function customKindSchemaName(group: string, version: string, kind: string): string {
  return [...group.split('.').reverse(), version, kind].join('.');
}

/**
 * Returns a copy of `extra` with the schema for one custom kind added (replacing any previous one).
 * Pass the result as `extraSchemas` to openapiV3Document.
 */
export function withCustomKind(extra: Readonly<Record<string, Schema>>, ck: CustomKind): Record<string, Schema> {
  const given: Schema = ck.schema ? structuredClone(ck.schema) : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  const properties = { ...((given.properties as Record<string, Schema> | undefined) ?? {}) };
  // apiVersion, kind and metadata are always the standard ones, whatever the CRD author wrote.
  properties.apiVersion = {
    description: 'APIVersion defines the versioned schema of this representation of an object.',
    type: 'string',
  };
  properties.kind = {
    description: 'Kind is a string value representing the REST resource this object represents.',
    type: 'string',
  };
  properties.metadata = {
    description: "Standard object's metadata.",
    allOf: [{ $ref: `#/components/schemas/${META}.ObjectMeta` }],
  };
  const schema: Schema = {
    ...given,
    type: 'object',
    properties,
    'x-kubernetes-group-version-kind': [{ group: ck.group, version: ck.version, kind: ck.kind }],
  };
  return { ...extra, [customKindSchemaName(ck.group, ck.version, ck.kind)]: schema };
}

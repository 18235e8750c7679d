// Which fields each served resource lets clients select on (?fieldSelector=), and matching.
// The per-kind tables mirror upstream's field-label conversion funcs and ToSelectableFields.
import type { FieldRequirement } from './selector.js';
import type { KObject } from './types.js';

export type FieldGetter = (obj: KObject) => string;
export type FieldGetters = Readonly<Record<string, FieldGetter>>;

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
/** Go's strconv.FormatBool of a possibly missing bool. */
const bool = (v: unknown): string => (v === true ? 'true' : 'false');

const metaFields: Record<string, FieldGetter> = {
  'metadata.name': (o) => str(obj(o.metadata).name),
  // Cluster-scoped objects have no namespace, so they match "metadata.namespace=".
  'metadata.namespace': (o) => str(obj(o.metadata).namespace),
};

const podFields: Record<string, FieldGetter> = {
  'spec.nodeName': (o) => str(obj(o.spec).nodeName),
  // Legacy alias kept by upstream for old clients.
  'spec.host': (o) => str(obj(o.spec).nodeName),
  'spec.restartPolicy': (o) => str(obj(o.spec).restartPolicy),
  'spec.schedulerName': (o) => str(obj(o.spec).schedulerName),
  'spec.serviceAccountName': (o) => str(obj(o.spec).serviceAccountName),
  'spec.hostNetwork': (o) => bool(obj(o.spec).hostNetwork),
  'status.phase': (o) => str(obj(o.status).phase),
  'status.podIP': (o) => {
    const status = obj(o.status);
    const ips = Array.isArray(status.podIPs) ? status.podIPs : [];
    return ips.length > 0 ? str(obj(ips[0]).ip) : str(status.podIP);
  },
  // Accepted by upstream's label conversion but never filled in its field set, so it only
  // ever equals "". Kept identical rather than inventing a format.
  'status.podIPs': () => '',
  'status.nominatedNodeName': (o) => str(obj(o.status).nominatedNodeName),
};

const nodeFields: Record<string, FieldGetter> = {
  'spec.unschedulable': (o) => bool(obj(o.spec).unschedulable),
};

const namespaceFields: Record<string, FieldGetter> = {
  'status.phase': (o) => str(obj(o.status).phase),
};

const involved = (field: string): FieldGetter => (o) => str(obj(o.involvedObject)[field]);
const coreEventFields: Record<string, FieldGetter> = {
  'involvedObject.kind': involved('kind'),
  'involvedObject.namespace': involved('namespace'),
  'involvedObject.name': involved('name'),
  'involvedObject.uid': involved('uid'),
  'involvedObject.apiVersion': involved('apiVersion'),
  'involvedObject.resourceVersion': involved('resourceVersion'),
  'involvedObject.fieldPath': involved('fieldPath'),
  reason: (o) => str(o.reason),
  reportingComponent: (o) => str(o.reportingComponent),
  // Falls back to the reporting controller for events written through events.k8s.io.
  source: (o) => str(obj(o.source).component) || str(o.reportingComponent),
  type: (o) => str(o.type),
};

const perResource: Record<string, Record<string, FieldGetter>> = {
  '/pods': podFields,
  '/nodes': nodeFields,
  '/namespaces': namespaceFields,
  '/events': coreEventFields,
};

/** The selectable fields of a resource (group '' for core; plural resource name). */
export function fieldGetters(group: string, resource: string): FieldGetters {
  return { ...metaFields, ...(perResource[`${group}/${resource}`] ?? {}) };
}

/** The message upstream returns (as 400 BadRequest) for an unknown field label. */
export function unsupportedFieldMessage(field: string): string {
  return `field label not supported: ${field}`;
}

/**
 * Throws `Error("field label not supported: <field>")` for the first field the resource does
 * not support. Call before listing, so an empty result still reports the bad selector.
 */
export function assertFieldsSupported(reqs: readonly FieldRequirement[], getters: FieldGetters): void {
  for (const r of reqs) {
    if (!Object.prototype.hasOwnProperty.call(getters, r.field)) throw new Error(unsupportedFieldMessage(r.field));
  }
}

/** Do all requirements hold for this object? Throws like assertFieldsSupported for unknown fields. */
export function fieldSelectorMatches(reqs: readonly FieldRequirement[], getters: FieldGetters, o: KObject): boolean {
  assertFieldsSupported(reqs, getters);
  return reqs.every((r) => (getters[r.field](o) === r.value) === (r.op === '='));
}

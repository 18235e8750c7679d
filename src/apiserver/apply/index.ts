// Server-side apply and managedFields for the API server: the pure field manager
// (fieldmanager.ts) bound to a resource's schema and the request. The store calls
// trackManagedFields once per write path; the handler calls serverSideApply for
// application/apply-patch+yaml.
import type { KObject } from '../../api/types.js';
import { rfc3339 } from '../../api/meta.js';
import * as E from '../errors.js';
import { builtinApplyType } from './builtin.js';
import { applyConfiguration, conflictCauses, resetFieldsFilter, resetFieldsView, updateManagedFields, type FieldManagerContext } from './fieldmanager.js';
import type { ManagedFieldsEntry } from './managed.js';
import { untyped, type FieldType } from './schema.js';
import { TypedError } from './typed.js';

export { managerFor } from './fieldmanager.js';
export { fromOpenAPI, type FieldType } from './schema.js';

/** What the field manager needs of a resource. A custom resource's def may carry its own `applyType`. */
export interface ApplyResource {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly subresources: readonly string[];
  /** The apply schema (e.g. fromOpenAPI of a CRD's structural schema); else the built-in one, else untyped. */
  readonly applyType?: FieldType;
}

export function applyTypeFor(def: ApplyResource): FieldType {
  return def.applyType ?? builtinApplyType(def.group, def.version, def.kind) ?? untyped;
}

function context(def: ApplyResource, manager: string, subresource: string, nowMs: number): FieldManagerContext {
  return {
    type: applyTypeFor(def),
    apiVersion: def.group ? `${def.group}/${def.version}` : def.version,
    manager,
    subresource,
    ignore: resetFieldsFilter(subresource, def.subresources.includes('status')),
    view: resetFieldsView(subresource, def.subresources.includes('status')),
    now: rfc3339(nowMs),
  };
}

/**
 * The managedFields after a create (old undefined) or update by `manager`; `requested` is what
 * the request body carried in metadata.managedFields. Undefined: the object carries none.
 */
export function trackManagedFields(def: ApplyResource, old: KObject | undefined, next: KObject, requested: unknown, manager: string, subresource: string, nowMs: number): ManagedFieldsEntry[] | undefined {
  const withRequested = { ...next, metadata: { ...next.metadata, managedFields: requested } } as KObject;
  return updateManagedFields(old, withRequested, context(def, manager, subresource, nowMs));
}

export interface ApplyRequest {
  readonly manager: string;
  readonly force: boolean;
  readonly subresource: string;
  readonly namespace: string;
  readonly name: string;
  readonly nowMs: number;
}

/**
 * Server-side apply of `config` to `live` (undefined: create): the merged object with its
 * managedFields, or the ApiError upstream answers (400 for a configuration that is not an
 * object of this kind, 409 with one cause per conflicting field).
 */
export function serverSideApply(def: ApplyResource, live: KObject | undefined, config: KObject, req: ApplyRequest): KObject {
  const gv = def.group ? `${def.group}/${def.version}` : def.version;
  // versionCheckManager: the configuration must name exactly the kind at this endpoint.
  if (config.apiVersion !== gv || config.kind !== def.kind) {
    const g = typeof config.apiVersion === 'string' && config.apiVersion.includes('/') ? config.apiVersion : `/${typeof config.apiVersion === 'string' ? config.apiVersion : ''}`;
    throw E.badRequest(`invalid object type: ${g}, Kind=${typeof config.kind === 'string' ? config.kind : ''}`);
  }
  if ((config.metadata as { managedFields?: unknown } | undefined)?.managedFields != null) throw E.badRequest('metadata.managedFields must be nil');
  let result;
  try {
    result = applyConfiguration(live, config, context(def, req.manager, req.subresource, req.nowMs), req.force);
  } catch (err) {
    if (err instanceof TypedError) {
      const nn = req.namespace ? `${req.namespace}/${req.name}` : req.name;
      throw E.badRequest(`failed to create typed patch object (${nn}; ${gv}, Kind=${def.kind}): ${err.message}`);
    }
    throw err;
  }
  if (!result.ok) throw new E.ApiError(409, 'Conflict', result.message, { causes: conflictCauses(result.conflicts) as never });
  return result.object;
}

// The scale subresource of custom resources (apiextensions' ScaleREST): an autoscaling/v1
// Scale read from, and written to, the paths the CRD names (specReplicasPath,
// statusReplicasPath, labelSelectorPath). `kubectl scale` and autoscalers use it.
import type { KObject } from '../../api/types.js';
import * as E from '../errors.js';
import type { ApiRequest, ApiResponse, SubresourceHost } from '../exchange.js';
import { parseJson } from '../bodies.js';
import { applyJsonPatch, applyMergePatch, PatchError } from '../../api/patch.js';
import type { ResourceDef } from '../resources/catalog.js';
import type { RequestInfo } from '../routes.js';
import { parseSimpleJsonPath } from '../tables/custom.js';
import { getPath, setPath } from './customresource.js';
import type { CRDScale } from './types.js';

export interface Scale extends KObject {
  spec?: { replicas?: number };
  status?: { replicas: number; selector?: string };
}

/** The Scale view of a custom resource. Pure. */
export function scaleOf(obj: KObject, scale: CRDScale): Scale {
  const at = (p: string | undefined) => (p ? getPath(obj, parseSimpleJsonPath(p) ?? []) : undefined);
  const spec = at(scale.specReplicasPath);
  const status = at(scale.statusReplicasPath);
  const selector = at(scale.labelSelectorPath);
  const m = obj.metadata ?? {};
  return {
    kind: 'Scale', apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: typeof spec === 'number' ? spec : 0 },
    status: { replicas: typeof status === 'number' ? status : 0, ...(typeof selector === 'string' && selector ? { selector } : {}) },
  };
}

/** The custom resource with the Scale's spec.replicas written to specReplicasPath. Pure. */
export function withReplicas(obj: KObject, scale: CRDScale, replicas: number): KObject {
  const next = structuredClone(obj);
  setPath(next as Record<string, unknown>, parseSimpleJsonPath(scale.specReplicasPath ?? '') ?? [], replicas);
  return next;
}

function checkScale(s: unknown, name: string): Scale {
  if (typeof s !== 'object' || s === null || Array.isArray(s)) throw E.badRequest('Object \'Kind\' is missing in request body');
  const sc = s as Scale;
  const r = sc.spec?.replicas;
  if (r !== undefined && (typeof r !== 'number' || !Number.isInteger(r))) {
    throw E.badRequest(`Scale in version "v1" cannot be handled as a Scale: json: cannot unmarshal ${typeof r} into Go struct field ScaleSpec.spec.replicas of type int32`);
  }
  if (typeof r === 'number' && r < 0) {
    throw E.invalid('Scale', 'autoscaling', name, [{ type: 'FieldValueInvalid', field: 'spec.replicas', value: r, detail: 'must be greater than or equal to 0', showValue: true }]);
  }
  return sc;
}

/** How a kind reads and writes its Scale: CRDs through their declared paths, built-ins by their own fields. */
export interface ScaleView {
  read(obj: KObject): Scale;
  write(obj: KObject, replicas: number): KObject;
}

export const crdScaleView = (scale: CRDScale): ScaleView => ({ read: (o) => scaleOf(o, scale), write: (o, r) => withReplicas(o, scale, r) });

export function scaleSubresource(h: SubresourceHost, req: ApiRequest, info: RequestInfo, def: ResourceDef, warnings: string[], view: ScaleView = crdScaleView(def.custom!.scale!)): ApiResponse {
  const ns = def.namespaced ? info.namespace : '';
  const respond = (status: number, body: unknown): ApiResponse => ({ kind: 'response', status, body, warnings });
  const current = h.store.get(def, ns, info.name);
  if (info.verb === 'get') return respond(200, view.read(current));
  if (info.verb !== 'update' && info.verb !== 'patch') throw E.methodNotAllowed(info.verb, `${def.resource}/scale`);
  let wanted: Scale;
  if (info.verb === 'update') {
    wanted = checkScale(parseJson(req.body), info.name);
  } else {
    const ct = (req.contentType.split(';')[0] ?? '').trim().toLowerCase();
    const base = view.read(current);
    try {
      // Scale has no lists, so a strategic merge patch is a merge patch.
      if (ct === 'application/json-patch+json') wanted = applyJsonPatch(base, parseJson(req.body)) as Scale;
      else if (ct === 'application/merge-patch+json' || ct === 'application/strategic-merge-patch+json' || ct === 'application/apply-patch+yaml') wanted = applyMergePatch(base, parseJson(req.body)) as Scale;
      else throw E.unsupportedMediaType(['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json']);
    } catch (err) {
      if (err instanceof PatchError) throw E.badRequest(err.message);
      throw err;
    }
    wanted = checkScale(wanted, info.name);
  }
  const rv = wanted.metadata?.resourceVersion;
  if (info.verb === 'update' && rv && rv !== current.metadata?.resourceVersion) throw E.conflict(`${def.resource}`, def.group, info.name);
  const next = view.write(current, wanted.spec?.replicas ?? 0);
  const dryRun = req.query.getAll('dryRun').includes('All');
  const { obj } = h.store.update(def, ns, info.name, next, '', { dryRun, warnings, owned: true });
  return respond(200, view.read(obj));
}

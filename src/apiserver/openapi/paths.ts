// OpenAPI v3 `paths` for the kinds of one group/version, shaped like kube-apiserver's so that
// kubectl's query-parameter verifier (cli-runtime query_param_verifier_v3.go) finds, for every
// GVK, a `patch` operation carrying x-kubernetes-group-version-kind and a `fieldValidation`
// query parameter. Pure data construction.

export type Schema = Record<string, unknown>;

/** One served resource of a group/version, as discovery describes it. */
export interface ServedResource {
  kind: string;
  /** Resource name in URLs, e.g. "daemonsets". */
  plural: string;
  namespaced: boolean;
  /** Subresource names, e.g. ["status", "eviction"]. */
  subresources: string[];
  /** Discovery verbs; omitted means the usual eight. Binding, for instance, only has "create". */
  verbs?: string[];
}

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** Looks up the component schema name for a GVK (undefined when we have no schema for it). */
export type SchemaLookup = (gvk: GroupVersionKind) => string | undefined;

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

// Strategic merge patch is deliberately NOT offered: when kubectl sees it listed it computes the
// patch from our component schemas, which lack patch-strategy metadata, and warns. Without it
// kubectl falls back to its compiled-in types (apiserver-wire-protocol.md §2.4).
export const PATCH_CONTENT_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const schemaRef = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

const queryParam = (name: string, description: string, type = 'string'): Schema => ({
  name,
  in: 'query',
  description,
  schema: { type },
});
const PRETTY = queryParam('pretty', "If 'true', the output is pretty printed.");
const DRY_RUN = queryParam('dryRun', 'When present, indicates that modifications should not be persisted. The only valid value is All.');
const FIELD_MANAGER = queryParam('fieldManager', 'A name associated with the actor or entity that is making these changes.');
const FIELD_VALIDATION = queryParam(
  'fieldValidation',
  'How the server handles unknown or duplicate fields in the request body: Ignore, Warn or Strict.',
);
const FORCE = queryParam('force', 'Force apply requests to take ownership of conflicting fields.', 'boolean');
const WRITE_PARAMS = [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION];

const pathParam = (name: string, description: string): Schema => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: { type: 'string', uniqueItems: true },
});
const NAME = (kind: string) => pathParam('name', `name of the ${kind}`);
const NAMESPACE = pathParam('namespace', 'object name and auth scope, such as for teams and projects');

/** "" → "Core", "rbac.authorization.k8s.io" → "RbacAuthorization": the operationId style upstream uses. */
function groupWord(group: string): string {
  if (group === '') return 'Core';
  return group
    .replace(/\.k8s\.io$/, '')
    .split(/[.-]/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

/** URL prefix of a group/version: "v1" → "/api/v1", "apps/v1" → "/apis/apps/v1". */
export function gvPrefix(gv: string): string {
  return gv.includes('/') ? `/apis/${gv}` : `/api/${gv}`;
}

export function splitGV(gv: string): { group: string; version: string } {
  const slash = gv.indexOf('/');
  return slash < 0 ? { group: '', version: gv } : { group: gv.slice(0, slash), version: gv.slice(slash + 1) };
}

interface OpSpec {
  action: string;
  gvk?: GroupVersionKind;
  body?: Schema;
  bodyTypes?: string[];
  response: Schema;
  responseType?: string;
  params: Schema[];
}

function operation(id: string, s: OpSpec): Schema {
  const op: Schema = {
    operationId: id,
    tags: [],
    parameters: s.params,
    responses: {
      '200': { description: 'OK', content: { [s.responseType ?? 'application/json']: { schema: s.response } } },
      '401': { description: 'Unauthorized' },
    },
    'x-kubernetes-action': s.action,
  };
  if (s.gvk) op['x-kubernetes-group-version-kind'] = s.gvk;
  if (s.body) {
    const types = s.bodyTypes ?? ['*/*'];
    op.requestBody = { required: true, content: Object.fromEntries(types.map((t) => [t, { schema: s.body }])) };
  }
  return op;
}

/** What a subresource looks like: which operations it has and which kind it takes. */
function subresourceOps(sub: string, kind: GroupVersionKind): Array<{ method: string; verb: string; gvk?: GroupVersionKind; text?: boolean }> {
  switch (sub) {
    case 'binding':
      return [{ method: 'post', verb: 'create', gvk: { group: '', version: 'v1', kind: 'Binding' } }];
    case 'eviction':
      return [{ method: 'post', verb: 'create', gvk: { group: 'policy', version: 'v1', kind: 'Eviction' } }];
    case 'log':
      return [{ method: 'get', verb: 'get', text: true }];
    case 'finalize':
      return [{ method: 'put', verb: 'update', gvk: kind }];
    case 'scale': {
      const scale = { group: 'autoscaling', version: 'v1', kind: 'Scale' };
      return [{ method: 'get', verb: 'get', gvk: scale }, { method: 'put', verb: 'update', gvk: scale }, { method: 'patch', verb: 'patch', gvk: scale }];
    }
    default: // status and anything shaped like it: read, replace and patch the whole object
      return [
        { method: 'get', verb: 'get', gvk: kind },
        { method: 'put', verb: 'update', gvk: kind },
        { method: 'patch', verb: 'patch', gvk: kind },
      ];
  }
}

/** HTTP method → [x-kubernetes-action, operationId verb]. */
const METHOD_ACTION: Record<string, [action: string, idVerb: string]> = {
  get: ['get', 'read'],
  put: ['put', 'replace'],
  patch: ['patch', 'patch'],
  post: ['post', 'create'],
};

/** Builds every path for the given resources of one group/version. */
export function buildPaths(gv: string, resources: ServedResource[], lookup: SchemaLookup): Record<string, Schema> {
  const { group, version } = splitGV(gv);
  const idPrefix = `${groupWord(group)}${version.charAt(0).toUpperCase()}${version.slice(1)}`;
  const schemaFor = (gvk: GroupVersionKind): Schema => {
    const name = lookup(gvk);
    return name ? schemaRef(name) : { type: 'object' };
  };
  const paths: Record<string, Schema> = {};

  for (const r of resources) {
    const verbs = new Set(r.verbs ?? ALL_VERBS);
    const gvk: GroupVersionKind = { group, version, kind: r.kind };
    const kindSchema = schemaFor(gvk);
    const listSchema = schemaFor({ group, version, kind: `${r.kind}List` });
    const scope = r.namespaced ? 'Namespaced' : '';
    const base = `${gvPrefix(gv)}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.plural}`;
    const scopeParams = r.namespaced ? [NAMESPACE] : [];
    const id = (verb: string, suffix = '') => `${verb}${idPrefix}${scope}${r.kind}${suffix}`;

    const collection: Schema = { parameters: [...scopeParams, PRETTY] };
    if (verbs.has('list')) collection.get = operation(id('list'), { action: 'list', gvk, response: listSchema, params: [] });
    if (verbs.has('create')) {
      collection.post = operation(id('create'), { action: 'post', gvk, body: kindSchema, response: kindSchema, params: WRITE_PARAMS });
    }
    if (verbs.has('deletecollection')) {
      collection.delete = operation(id('deleteCollection'), {
        action: 'deletecollection', gvk, body: schemaRef(`${META}.DeleteOptions`),
        response: schemaRef(`${META}.Status`), params: [DRY_RUN],
      });
    }
    if (Object.keys(collection).length > 1) paths[base] = collection;

    const item: Schema = { parameters: [NAME(r.kind), ...scopeParams, PRETTY] };
    if (verbs.has('get')) item.get = operation(id('read'), { action: 'get', gvk, response: kindSchema, params: [] });
    if (verbs.has('update')) item.put = operation(id('replace'), { action: 'put', gvk, body: kindSchema, response: kindSchema, params: WRITE_PARAMS });
    if (verbs.has('patch')) {
      item.patch = operation(id('patch'), {
        action: 'patch', gvk, body: { type: 'object' }, bodyTypes: PATCH_CONTENT_TYPES,
        response: kindSchema, params: [...WRITE_PARAMS, FORCE],
      });
    }
    if (verbs.has('delete')) {
      item.delete = operation(id('delete'), {
        action: 'delete', gvk, body: schemaRef(`${META}.DeleteOptions`),
        response: schemaRef(`${META}.Status`), params: [DRY_RUN],
      });
    }
    if (Object.keys(item).length > 1) paths[`${base}/{name}`] = item;

    // Upstream also serves a cross-namespace list; it has no patch, so the verifier ignores it.
    if (r.namespaced && verbs.has('list')) {
      paths[`${gvPrefix(gv)}/${r.plural}`] = {
        parameters: [PRETTY],
        get: operation(`list${idPrefix}${r.kind}ForAllNamespaces`, { action: 'list', gvk, response: listSchema, params: [] }),
      };
    }

    for (const sub of r.subresources) {
      const subItem: Schema = { parameters: [NAME(r.kind), ...scopeParams, PRETTY] };
      const suffix = sub.charAt(0).toUpperCase() + sub.slice(1);
      for (const o of subresourceOps(sub, gvk)) {
        const [action, idVerb] = METHOD_ACTION[o.method];
        const schema = o.text ? { type: 'string' } : o.gvk ? schemaFor(o.gvk) : { type: 'object' };
        const isPatch = o.method === 'patch';
        subItem[o.method] = operation(id(idVerb, suffix), {
          action,
          gvk: o.gvk,
          body: o.method === 'get' ? undefined : isPatch ? { type: 'object' } : schema,
          bodyTypes: isPatch ? PATCH_CONTENT_TYPES : undefined,
          response: schema,
          responseType: o.text ? 'text/plain' : undefined,
          params: o.method === 'get' ? [] : isPatch ? [...WRITE_PARAMS, FORCE] : WRITE_PARAMS,
        });
      }
      paths[`${base}/{name}/${sub}`] = subItem;
    }
  }
  return paths;
}

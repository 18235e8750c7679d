// Authorization attributes of an HTTP request, as k8s.io/apiserver's RequestInfoFactory derives
// them from the method and path (plus the few query parameters it reads). Pure.
import { parseFieldSelector } from '../../api/selector.js';
import { isTruthyParam, parseResourcePath, type RequestTarget } from '../routes.js';
import type { UserInfo } from './user.js';

export interface ResourceAttributes {
  resourceRequest: true;
  verb: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

export interface NonResourceAttributes {
  resourceRequest: false;
  verb: string;
  path: string;
}

export type RequestAttributes = ResourceAttributes | NonResourceAttributes;

/** What an authorizer decides on: who asks, and for what. */
export type Attributes = RequestAttributes & { user: UserInfo };

/**
 * The attributes of a request target. A path that is not a resource path is a non-resource
 * request whose verb is the lower-cased method, as upstream (so HEAD is "head" there). A resource
 * path the router will refuse anyway (bad name, empty segment) is authorized as the resource
 * request it looks like, so that the refusal is not a way to probe the server unauthenticated.
 */
export function requestAttributes(method: string, path: string, t: RequestTarget): RequestAttributes {
  const parsed = parseResourcePath(method === 'HEAD' ? 'GET' : method, t);
  if (!parsed || 'error' in parsed) {
    const info = looseResourceInfo(t.segments, method, t.query);
    return info ?? { resourceRequest: false, verb: method.toLowerCase(), path: path || '/' };
  }
  const i = parsed.info;
  let name = i.name;
  // A namespace's own path names it: /api/v1/namespaces/foo is in namespace "foo".
  const namespace = i.resource === 'namespaces' && !i.namespace && name ? name : i.namespace;
  // list and watch restricted to one object by fieldSelector=metadata.name=X are about X.
  if ((i.verb === 'list' || i.verb === 'watch') && !name) name = nameFromFieldSelector(t.query.get('fieldSelector')) ?? '';
  return { resourceRequest: true, verb: i.verb, apiGroup: i.group, apiVersion: i.version, resource: i.resource, subresource: i.subresource, namespace, name };
}

function nameFromFieldSelector(sel: string | null): string | undefined {
  if (!sel) return undefined;
  try {
    const reqs = parseFieldSelector(sel);
    const r = reqs.find((x) => x.field === 'metadata.name' && x.op === '=');
    return r ? r.value : undefined;
  } catch { return undefined; }
}

/** The resource reading of a path the router refuses (e.g. "namespaces//pods"): still a resource request. */
function looseResourceInfo(segments: string[], method: string, query: URLSearchParams): ResourceAttributes | undefined {
  let group: string, version: string, rest: string[];
  if (segments[0] === 'api' && segments.length >= 3) { group = ''; version = segments[1]; rest = segments.slice(2); }
  else if (segments[0] === 'apis' && segments.length >= 4) { group = segments[1]; version = segments[2]; rest = segments.slice(3); }
  else return undefined;
  if (rest[0] === 'watch') rest = rest.slice(1);
  let namespace = '';
  if (rest[0] === 'namespaces' && rest.length >= 3) { namespace = rest[1]; rest = rest.slice(2); }
  const [resource = '', name = '', subresource = ''] = rest;
  const verbs: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch' };
  let verb = verbs[method] ?? '';
  if (method === 'GET' || method === 'HEAD') verb = isTruthyParam(query.get('watch')) ? 'watch' : name ? 'get' : 'list';
  if (method === 'DELETE') verb = name ? 'delete' : 'deletecollection';
  return { resourceRequest: true, verb, apiGroup: group, apiVersion: version, resource, subresource, namespace, name };
}

// URL → request info, the way the real server's RequestInfoFactory reads a path.
// Pure: no lookup of what is served; the caller resolves the resource against the catalog.

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface RequestInfo {
  /** '' for the core group. */
  group: string;
  version: string;
  namespace: string;
  resource: string;
  name: string;
  subresource: string;
  verb: Verb;
}

const namespaceSubresources = new Set(['status', 'finalize']);

export function isTruthyParam(v: string | null): boolean {
  // apimachinery's lenient bool: absent → false, "0"/"false" → false, anything else (even "") → true.
  if (v === null) return false;
  const l = v.toLowerCase();
  return l !== '0' && l !== 'false';
}

/** Parses /api/v1/... and /apis/<g>/<v>/...; returns undefined for anything else. */
export function parseResourcePath(method: string, path: string, query: URLSearchParams): RequestInfo | undefined {
  const parts = path.split('/').filter((p) => p !== '');
  let group: string, version: string, rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) { group = ''; version = parts[1]; rest = parts.slice(2); }
  else if (parts[0] === 'apis' && parts.length >= 4) { group = parts[1]; version = parts[2]; rest = parts.slice(3); }
  else return undefined;
  rest = rest.map(decodeURIComponent);
  let legacyWatch = false;
  if (rest[0] === 'watch') { legacyWatch = true; rest = rest.slice(1); }
  let namespace = '';
  if (rest[0] === 'namespaces' && rest.length >= 3 && !(rest.length === 3 && namespaceSubresources.has(rest[2]))) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  if (rest.length === 0 || rest.length > 3) return undefined;
  const [resource, name = '', subresource = ''] = rest;
  let verb: Verb;
  switch (method) {
    case 'GET': case 'HEAD':
      verb = name ? 'get' : (legacyWatch || isTruthyParam(query.get('watch')) ? 'watch' : 'list');
      if (name && (legacyWatch || isTruthyParam(query.get('watch')))) verb = 'watch';
      break;
    case 'POST': verb = 'create'; break;
    case 'PUT': verb = 'update'; break;
    case 'PATCH': verb = 'patch'; break;
    case 'DELETE': verb = name ? 'delete' : 'deletecollection'; break;
    default: return undefined;
  }
  return { group, version, namespace, resource, name, subresource, verb };
}

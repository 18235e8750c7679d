// URL → request info, the way the real server's RequestInfoFactory reads a path.
// Pure: no lookup of what is served; the caller resolves the resource against the catalog.
// Nothing here throws: a hostile request target is an answer (400, 404, 405), never an exception.
import * as E from './errors.js';

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

/** A request target split into decoded path segments (leading and trailing slashes trimmed) and its query. */
export interface RequestTarget {
  segments: string[];
  /** The path ended in '/' (and was not just '/'). */
  trailingSlash: boolean;
  query: URLSearchParams;
}

const namespaceSubresources = new Set(['status', 'finalize']);

export function isTruthyParam(v: string | null): boolean {
  // apimachinery's lenient bool: absent → false, "0"/"false" → false, anything else (even "") → true.
  if (v === null) return false;
  const l = v.toLowerCase();
  return l !== '0' && l !== 'false';
}

/**
 * Splits the request line's target (origin form "/p?q" or absolute form "https://h/p?q") without
 * the WHATWG URL parser: that parser resolves "%2e%2e" and ".." segments, which turned
 * ".../configmaps/%2e%2e" into the namespace itself. Each segment is percent-decoded on its own,
 * as Go's url.Parse leaves dot segments alone and the RequestInfoFactory splits the decoded path.
 */
export function parseRequestTarget(raw: string): RequestTarget | E.ApiError {
  let pathAndQuery: string;
  if (raw.startsWith('/')) pathAndQuery = raw;
  else if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(raw)) {
    if (!URL.canParse(raw)) return E.badRequest(`parse ${JSON.stringify(raw)}: invalid request URI`);
    const afterScheme = raw.indexOf('//') + 2;
    const cut = raw.slice(afterScheme).search(/[/?]/);
    pathAndQuery = cut < 0 ? '/' : raw.slice(afterScheme + cut);
    if (pathAndQuery.startsWith('?')) pathAndQuery = `/${pathAndQuery}`;
  } else return E.badRequest(`parse ${JSON.stringify(raw)}: invalid request URI`);
  const q = pathAndQuery.indexOf('?');
  const path = q < 0 ? pathAndQuery : pathAndQuery.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : pathAndQuery.slice(q + 1));
  const segments: string[] = [];
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  for (const s of trimmed === '' ? [] : trimmed.split('/')) {
    try {
      segments.push(decodeURIComponent(s));
    } catch {
      const bad = /%(?![0-9A-Fa-f]{2}).{0,2}/s.exec(s);
      return E.badRequest(bad ? `invalid URL escape ${JSON.stringify(bad[0])}` : `invalid UTF-8 in URL path segment ${JSON.stringify(s)}`);
    }
  }
  return { segments, trailingSlash: path.length > 1 && path.endsWith('/'), query };
}

/**
 * IsValidPathSegmentName: a name that becomes a path segment (and a storage key) may not be "."
 * or "..", nor contain "/" or "%". Returns the problems, none for a valid name.
 */
export function pathSegmentNameProblems(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  return ['/', '%'].filter((c) => name.includes(c)).map((c) => `may not contain '${c}'`);
}

export type ParsedPath = { info: RequestInfo } | { error: E.ApiError };

/**
 * Reads /api/v1/... and /apis/<g>/<v>/... from decoded segments; undefined for any other path
 * (discovery, health). Trailing slashes are trimmed as upstream does, with one deliberate
 * exception: a DELETE whose name segment is empty ("…/configmaps/") is refused instead of
 * becoming a deletecollection, since the only client that sends it is one that lost a name.
 */
export function parseResourcePath(method: string, t: Pick<RequestTarget, 'segments' | 'trailingSlash' | 'query'>): ParsedPath | undefined {
  const parts = t.segments;
  let group: string, version: string, rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) { group = ''; version = parts[1]; rest = parts.slice(2); }
  else if (parts[0] === 'apis' && parts.length >= 4) { group = parts[1]; version = parts[2]; rest = parts.slice(3); }
  else return undefined;
  // go-restful's router matches no path parameter to an empty segment ("namespaces//pods").
  if (parts.includes('')) return { error: E.pathNotFound() };
  let legacyWatch = false;
  if (rest[0] === 'watch') { legacyWatch = true; rest = rest.slice(1); }
  let namespace = '';
  if (rest[0] === 'namespaces' && rest.length >= 3 && !(rest.length === 3 && namespaceSubresources.has(rest[2]))) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  if (rest.length === 0 || rest.length > 3) return { error: E.pathNotFound() };
  const [resource, name = '', subresource = ''] = rest;
  // The /watch/ prefix is routed for GET only upstream (go-restful answers any other method 405):
  // read as a plain path, DELETE /api/v1/watch/namespaces/x deleted the Namespace x.
  if (legacyWatch && method !== 'GET') return { error: E.methodNotSupported() };
  const watching = legacyWatch || isTruthyParam(t.query.get('watch'));
  let verb: Verb;
  switch (method) {
    case 'GET': case 'HEAD': verb = watching ? 'watch' : name ? 'get' : 'list'; break;
    case 'POST': verb = 'create'; break;
    case 'PUT': verb = 'update'; break;
    case 'PATCH': verb = 'patch'; break;
    case 'DELETE': verb = name ? 'delete' : 'deletecollection'; break;
    default: return { error: E.methodNotSupported() };
  }
  // The collection path has no PUT or PATCH route upstream.
  if ((verb === 'update' || verb === 'patch') && !name) return { error: E.methodNotSupported() };
  if (verb === 'deletecollection' && t.trailingSlash) return { error: E.badRequest('Name parameter required.') };
  if (name) {
    const problems = pathSegmentNameProblems(name);
    if (problems.length) return { error: E.badRequest(`Name parameter invalid: ${JSON.stringify(name)}: ${problems.join(';')}`) };
  }
  // A namespace is a DNS label, so one that is not even a valid path segment cannot exist.
  if (namespace && pathSegmentNameProblems(namespace).length) return { error: E.notFound('namespaces', '', namespace) };
  return { info: { group, version, namespace, resource, name, subresource, verb } };
}

// ---- query parameters (ListOptions), decoded as apimachinery's parameter codec does ----------

const int64Max = 9223372036854775807n;
const uint64Max = 18446744073709551615n;

/** strconv.ParseInt(s, 10, 64), with Go's error text. */
export function parseInt64(s: string): bigint | string {
  if (!/^[+-]?\d+$/.test(s)) return `strconv.ParseInt: parsing ${JSON.stringify(s)}: invalid syntax`;
  const v = BigInt(s);
  if (v > int64Max || v < -int64Max - 1n) return `strconv.ParseInt: parsing ${JSON.stringify(s)}: value out of range`;
  return v;
}

/**
 * APIObjectVersioner.ParseResourceVersion as the storage layer reports it: "" and "0" mean "any",
 * anything else must be an unsigned 64-bit integer. Returns the 400 for a bad one.
 */
export function resourceVersionError(rv: string | null): E.ApiError | undefined {
  if (rv === null || rv === '' || rv === '0') return undefined;
  let why: string | undefined;
  if (!/^\d+$/.test(rv)) why = 'invalid syntax';
  else if (BigInt(rv) > uint64Max) why = 'value out of range';
  if (!why) return undefined;
  return E.badRequest(`invalid resource version: resourceVersion: Invalid value: ${JSON.stringify(rv)}: strconv.ParseUint: parsing ${JSON.stringify(rv)}: ${why}`);
}

export interface ListParams {
  /** 0 = no limit (upstream treats every limit <= 0 so). */
  limit: number;
  /** Seconds, as sent; undefined when absent. */
  timeoutSeconds?: number;
}

/** The integer ListOptions fields; a value Go cannot parse is a 400 with strconv's message. */
export function decodeListParams(q: URLSearchParams): ListParams | E.ApiError {
  const out: ListParams = { limit: 0 };
  const limit = q.get('limit');
  if (limit !== null) {
    const v = parseInt64(limit);
    if (typeof v === 'string') return E.badRequest(v);
    out.limit = v > 0n ? Number(v) : 0;
  }
  const timeout = q.get('timeoutSeconds');
  if (timeout !== null) {
    const v = parseInt64(timeout);
    if (typeof v === 'string') return E.badRequest(v);
    out.timeoutSeconds = Number(v);
  }
  return out;
}

/** Longest watch we keep open, whatever timeoutSeconds asks: kube-apiserver's own maximum default (2 × 30 min). */
export const maxWatchTimeoutSeconds = 3600;

/**
 * How long a watch stays open: timeoutSeconds capped (setTimeout overflows past 2^31 ms and would
 * fire at once), negative ends it at once as upstream, absent or 0 is 30 min × [1, 2)
 * (--min-request-timeout). `random` is in [0, 1).
 */
export function watchTimeoutMs(timeoutSeconds: number | undefined, random: number): number {
  if (timeoutSeconds === undefined || timeoutSeconds === 0) return 1800_000 * (1 + random);
  if (timeoutSeconds < 0) return 0;
  return Math.min(timeoutSeconds, maxWatchTimeoutSeconds) * 1000;
}

// Query parameters and selectors: valid values, values just outside what is valid, and junk.
import type { Rng } from './prng.js';
import type { FuzzContext, FuzzRequest } from './request.js';
import { collectionPath, encode, itemPath, wireEscape } from './request.js';
import { oddKeys, oddStrings } from './values.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

const paramValues: Record<string, readonly string[]> = {
  resourceVersion: ['', '0', '1', 'abc', '-1', '99999999999999999999', '1.5', ' ', '\u0000', '18446744073709551616'],
  resourceVersionMatch: ['NotOlderThan', 'Exact', '', 'x'],
  limit: ['0', '1', '2', '-1', 'abc', '500', '99999999999', '1e3', ''],
  continue: ['', 'abc', '%', b64('{"rv":"x"}'), b64('{"v":"meta.k8s.io/v1","rv":1,"start":"a"}'), b64('{"v":"meta.k8s.io/v1","rv":-5,"start":"\u0000"}'), b64('null'), b64('[]'), 'eyJ'],
  timeoutSeconds: ['0', '1', 'abc', '-1', '2147483', '2147484', '99999999999', '1.5', ''],
  watch: ['true', '1', 'false', '0', '', 'yes'],
  allowWatchBookmarks: ['true', 'false', 'x'],
  sendInitialEvents: ['true', 'false', 'x'],
  dryRun: ['All', '', 'x', 'all'],
  fieldValidation: ['Strict', 'Warn', 'Ignore', '', 'strict', 'x'],
  fieldManager: ['fuzz', '', 'm'.repeat(200), 'ключ', '\u0000'],
  propagationPolicy: ['Background', 'Foreground', 'Orphan', '', 'x'],
  gracePeriodSeconds: ['0', '-1', 'abc', '30', '9999999999999', '1.5'],
  orphanDependents: ['true', 'false', 'x'],
  pretty: ['true', 'false', 'x'],
  includeObject: ['None', 'Metadata', 'Object', 'x'],
  force: ['true', 'false', 'x'],
};

/** label and field selectors: grammar pieces put together, then sometimes broken. */
export function labelSelector(rng: Rng): string {
  const key = () => rng.chance(0.7) ? rng.pick(['app', 'a', 'tier', 'example.com/x', 'a.b-c_d']) : rng.pick([...oddKeys, ...oddStrings]);
  const value = () => rng.chance(0.6) ? rng.pick(['fuzz', 'a', '']) : rng.pick(oddStrings);
  const term = () => rng.pick<() => string>([
    () => `${key()}=${value()}`, () => `${key()}==${value()}`, () => `${key()}!=${value()}`, () => `${key()}`, () => `!${key()}`,
    () => `${key()} in (${value()},${value()})`, () => `${key()} notin (${value()})`, () => `${key()} in ()`, () => `${key()} in (`,
    () => `${key()} ${rng.pick(['gt', 'lt', '>', '<', 'exists'])} ${rng.pick(['1', 'x', '-1'])}`, () => rng.pick(oddStrings),
  ])();
  return Array.from({ length: 1 + rng.int(3) }, term).join(rng.pick([',', ',', ' , ', ';', ',,']));
}

export function fieldSelector(rng: Rng): string {
  const field = () => rng.pick(['metadata.name', 'metadata.namespace', 'spec.nodeName', 'status.phase', 'involvedObject.name', 'spec.unschedulable', 'type', 'reason', 'x', '', 'metadata', 'metadata.labels', 'spec.schedulerName', 'status.podIP']);
  const value = () => rng.pick(['fuzz-o1', '', 'Running', 'a\\,b', 'a\\', 'a=b', '\\=', '%ZZ', ...oddStrings.slice(0, 16)]);
  return Array.from({ length: 1 + rng.int(3), }, () => `${field()}${rng.pick(['=', '==', '!=', '', '=~', ' in '])}${value()}`).join(rng.pick([',', ',', ';']));
}

/** A query string (with its '?', or '') of some of `params`, each present with probability p. */
export function queryString(rng: Rng, params: readonly string[], p: number): string {
  const parts: string[] = [];
  for (const name of params) {
    if (!rng.chance(p)) continue;
    const v = name === 'labelSelector' ? labelSelector(rng) : name === 'fieldSelector' ? fieldSelector(rng) : rng.pick(paramValues[name] ?? oddStrings);
    parts.push(`${name}=${rng.chance(0.05) ? wireEscape(v) : encode(v)}`);
  }
  if (parts.length && rng.chance(0.05)) parts.push(parts[0]); // a repeated parameter
  return parts.length ? `?${parts.join('&')}` : '';
}

export function selectors(rng: Rng, ctx: FuzzContext): FuzzRequest {
  const k = rng.pick(ctx.kinds);
  const ns = rng.chance(0.2) ? '' : rng.pick(ctx.namespaces);
  const q = [`labelSelector=${encode(labelSelector(rng))}`, `fieldSelector=${encode(fieldSelector(rng))}`].filter(() => rng.chance(0.7));
  // An empty namespace is the cluster-wide list (/api/v1/pods).
  const path = collectionPath(k.def, ns).replace('/namespaces//', '/');
  return { kind: 'http', generator: 'selectors', method: 'GET', path: `${path}${q.length ? `?${q.join('&')}` : ''}`, headers: {} };
}

/** GET list or item, with any query parameter: list options, watch, table output. */
export function query(rng: Rng, ctx: FuzzContext): FuzzRequest {
  const k = rng.pick(ctx.kinds);
  const ns = rng.pick(ctx.namespaces);
  const item = rng.chance(0.3);
  const path = item ? itemPath(k.def, ns, rng.pick(ctx.names)) : collectionPath(k.def, ns);
  const q = queryString(rng, Object.keys(paramValues), 0.2);
  const accept = rng.pick(['application/json', 'application/json;as=Table;v=v1;g=meta.k8s.io', 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io', 'application/yaml', 'application/vnd.kubernetes.protobuf', '*/*', 'text/html', '', 'application/json;as=Table;v=v9;g=x']);
  return { kind: 'http', generator: 'query', method: 'GET', path: path + q, headers: { Accept: accept } };
}

/** A watch that the transport reads for a moment and then closes. */
export function watch(rng: Rng, ctx: FuzzContext): FuzzRequest {
  const k = rng.pick(ctx.kinds);
  const ns = rng.pick(ctx.namespaces);
  const legacy = rng.chance(0.15);
  let path = collectionPath(k.def, ns);
  if (legacy) path = path.replace(/^(\/apis?\/(?:[^/]+\/)?v[^/]+)\//, '$1/watch/');
  else path += '?watch=true';
  if (rng.chance(0.2)) path = path.replace(/(\/[^/?]+)(\?|$)/, `$1/${encode(rng.pick(ctx.names))}$2`);
  const q = queryString(rng, ['resourceVersion', 'resourceVersionMatch', 'timeoutSeconds', 'allowWatchBookmarks', 'sendInitialEvents', 'labelSelector', 'fieldSelector', 'limit'], 0.3);
  const joined = q ? (path.includes('?') ? `${path}&${q.slice(1)}` : path + q) : path;
  return { kind: 'http', generator: 'watch', method: rng.chance(0.1) ? 'HEAD' : 'GET', path: joined, headers: { Accept: rng.pick(['application/json', 'application/json;as=Table;v=v1;g=meta.k8s.io', 'application/vnd.kubernetes.protobuf;stream=watch']) } };
}

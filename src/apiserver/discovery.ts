// Legacy (unaggregated) discovery documents: kubectl falls back to these when the response is
// plain application/json, so we need not implement aggregated discovery (wire-protocol §2.2).
// Built from the catalog on every request, so a CRD's resource shows up the moment it is served.
import type { Catalog, ResourceDef } from './resources/catalog.js';

export const serverVersion = {
  major: '1', minor: '32', gitVersion: 'v1.32.0', gitCommit: 'everynode', gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z', goVersion: 'go1.23.0', compiler: 'gc', platform: 'linux/amd64',
};

export function apiVersions(serverAddress: string) {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function groupDoc(name: string, versions: string[]) {
  const vs = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: vs, preferredVersion: vs[0] };
}

export function apiGroupList(catalog: Catalog) {
  const groups = [...catalog.groups()].filter(([g]) => g !== '').map(([g, vs]) => groupDoc(g, vs));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

export function apiGroup(catalog: Catalog, group: string) {
  const vs = catalog.groups().get(group);
  return vs && group ? { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(group, vs) } : undefined;
}

const subresourceVerbs: Record<string, string[]> = {
  status: ['get', 'patch', 'update'],
  ephemeralcontainers: ['get', 'patch', 'update'],
  finalize: ['update'],
  binding: ['create'],
  eviction: ['create'],
  log: ['get'],
  exec: ['create', 'get'],
  attach: ['create', 'get'],
  portforward: ['create', 'get'],
  scale: ['get', 'patch', 'update'],
  token: ['create'],
};
/** The options kind of each connect subresource, as upstream's discovery names it. */
const connectKinds: Record<string, string> = { exec: 'PodExecOptions', attach: 'PodAttachOptions', portforward: 'PodPortForwardOptions' };

function resourceRows(d: ResourceDef) {
  const rows: object[] = [{
    name: d.resource, singularName: d.singular, namespaced: d.namespaced, kind: d.kind, verbs: d.verbs,
    ...(d.shortNames.length ? { shortNames: d.shortNames } : {}),
    ...(d.categories.length ? { categories: d.categories } : {}),
  }];
  for (const sub of d.subresources) {
    const row: Record<string, unknown> = { name: `${d.resource}/${sub}`, singularName: '', namespaced: d.namespaced, kind: d.kind, verbs: subresourceVerbs[sub] ?? ['get'] };
    if (sub === 'eviction') Object.assign(row, { kind: 'Eviction', group: 'policy', version: 'v1' });
    if (sub === 'binding') row.kind = 'Binding';
    if (connectKinds[sub]) row.kind = connectKinds[sub];
    if (sub === 'scale') Object.assign(row, { kind: 'Scale', group: 'autoscaling', version: 'v1' });
    if (sub === 'token') Object.assign(row, { kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1' });
    rows.push(row);
  }
  return rows;
}

export function apiResourceList(catalog: Catalog, group: string, version: string) {
  const defs = catalog.all().filter((d) => d.group === group && d.version === version);
  if (defs.length === 0) return undefined;
  return {
    kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version,
    resources: defs.flatMap(resourceRows),
  };
}

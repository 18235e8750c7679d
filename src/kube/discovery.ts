// Which resources the server serves, from legacy discovery: used by controllers that work on
// every kind (garbage collector, namespace controller) so they follow whatever is served.
import type { RawClient } from './client.js';

export interface ServedResource {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  /** Collection path across namespaces, e.g. /apis/apps/v1/daemonsets. */
  path: string;
}

interface ResourceList { groupVersion: string; resources: { name: string; kind: string; namespaced: boolean; verbs: string[] }[] }

export async function discoverResources(client: RawClient): Promise<ServedResource[]> {
  const out: ServedResource[] = [];
  const add = (base: string, group: string, rl: ResourceList) => {
    const version = rl.groupVersion.split('/').pop()!;
    for (const r of rl.resources) {
      if (r.name.includes('/')) continue;
      out.push({ group, version, resource: r.name, kind: r.kind, namespaced: r.namespaced, verbs: r.verbs, path: `${base}/${r.name}` });
    }
  };
  add('/api/v1', '', await client.request<ResourceList>('GET', '/api/v1'));
  const groups = await client.request<{ groups: { name: string; preferredVersion: { groupVersion: string } }[] }>('GET', '/apis');
  for (const g of groups.groups) {
    const gv = g.preferredVersion.groupVersion;
    add(`/apis/${gv}`, g.name, await client.request<ResourceList>('GET', `/apis/${gv}`));
  }
  return out;
}

/** Path of one object of a served resource. */
export function objectPath(r: ServedResource, namespace: string, name: string): string {
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  return r.namespaced ? `${base}/namespaces/${encodeURIComponent(namespace)}/${r.resource}/${encodeURIComponent(name)}` : `${base}/${r.resource}/${encodeURIComponent(name)}`;
}

export function collectionPath(r: ServedResource, namespace: string): string {
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  return r.namespaced && namespace ? `${base}/namespaces/${encodeURIComponent(namespace)}/${r.resource}` : `${base}/${r.resource}`;
}

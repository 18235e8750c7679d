// Storage keys: /registry/<group or "core">/<resource>/[<namespace>/]<name>.
// Namespaced collections list by the "<namespace>/" prefix; "all namespaces" by the resource prefix.

export function resourcePrefix(group: string, resource: string): string {
  return `/registry/${group || 'core'}/${resource}/`;
}

export function collectionPrefix(group: string, resource: string, namespace: string): string {
  return namespace ? `${resourcePrefix(group, resource)}${namespace}/` : resourcePrefix(group, resource);
}

export function objectKey(group: string, resource: string, namespace: string, name: string): string {
  return `${collectionPrefix(group, resource, namespace)}${name}`;
}

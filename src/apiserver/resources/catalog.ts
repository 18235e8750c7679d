// Every kind the embedded server serves: discovery facts plus the pure strategy that gives it
// Kubernetes semantics. Registered once at start-up and frozen; CRDs will add entries later.
import type { ResourceStrategy } from './types.js';

export interface ResourceDef {
  group: string;
  version: string;
  /** Plural resource name, e.g. "daemonsets". */
  resource: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  /** Subresources served, e.g. ["status"]. */
  subresources: string[];
  /** Where objects live in storage; legacy group-versions share the storage of the current one. */
  storageGroup: string;
  storageResource: string;
  strategy: ResourceStrategy;
  /** Legacy API answered with a deprecation Warning header. */
  deprecationWarning?: string;
  /** Whether a subresource-less item may be created by PUT (none of ours). */
  verbs: string[];
}

const allVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export interface DefInput {
  group: string; version: string; resource: string; kind: string; namespaced: boolean;
  shortNames?: string[]; categories?: string[]; subresources?: string[]; strategy?: ResourceStrategy;
  storageGroup?: string; deprecationWarning?: string; verbs?: string[]; singular?: string;
}

export function def(i: DefInput): ResourceDef {
  return {
    group: i.group, version: i.version, resource: i.resource, kind: i.kind, namespaced: i.namespaced,
    singular: i.singular ?? i.kind.toLowerCase(), listKind: `${i.kind}List`,
    shortNames: i.shortNames ?? [], categories: i.categories ?? [], subresources: i.subresources ?? [],
    storageGroup: i.storageGroup ?? i.group, storageResource: i.resource,
    strategy: i.strategy ?? {}, deprecationWarning: i.deprecationWarning, verbs: i.verbs ?? allVerbs,
  };
}

export class Catalog {
  readonly #byGvr = new Map<string, ResourceDef>();
  readonly #defs: ResourceDef[] = [];
  #frozen = false;

  add(d: ResourceDef): void {
    if (this.#frozen) throw new Error(`catalog is frozen; cannot add ${d.resource}.${d.group}`);
    this.#byGvr.set(`${d.group}/${d.version}/${d.resource}`, d);
    this.#defs.push(d);
  }

  freeze(): this { this.#frozen = true; return this; }

  lookup(group: string, version: string, resource: string): ResourceDef | undefined {
    return this.#byGvr.get(`${group}/${version}/${resource}`);
  }

  all(): readonly ResourceDef[] { return this.#defs; }

  /** Group → versions in preference order (first registered first). */
  groups(): Map<string, string[]> {
    const m = new Map<string, string[]>();
    for (const d of this.#defs) {
      const vs = m.get(d.group) ?? [];
      if (!vs.includes(d.version)) vs.push(d.version);
      m.set(d.group, vs);
    }
    return m;
  }

  /** The current (storage) definition for a stored group/resource. */
  storageDef(group: string, resource: string): ResourceDef | undefined {
    return this.#defs.find((d) => d.group === group && d.resource === resource && d.storageGroup === group);
  }
}

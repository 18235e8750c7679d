// Every kind the embedded server serves: discovery facts plus the pure strategy that gives it
// Kubernetes semantics. The built-in kinds are registered at start-up and then frozen; entries
// of CustomResourceDefinitions come and go at run time (setCustom), copy-on-write, so a request
// that already holds a definition or a listing keeps a consistent view.
import type { ResourceStrategy } from './types.js';
import type { CustomResourceInfo } from '../crd/types.js';

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
  /** Set for the versions of a CustomResourceDefinition. */
  custom?: CustomResourceInfo;
  /** This version is the one objects are stored in (CRDs; built-ins store in the first registered). */
  storageVersion?: boolean;
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
  #byGvr = new Map<string, ResourceDef>();
  #defs: readonly ResourceDef[] = [];
  /** Custom entries by owner (the CRD's name), replaced as a whole. */
  readonly #custom = new Map<string, readonly ResourceDef[]>();
  #frozen = false;
  #generation = 0;

  add(d: ResourceDef): void {
    if (this.#frozen) throw new Error(`catalog is frozen; cannot add ${d.resource}.${d.group}`);
    this.#byGvr.set(`${d.group}/${d.version}/${d.resource}`, d);
    this.#defs = [...this.#defs, d];
    this.#generation++;
  }

  /** Ends registration of built-in kinds; only custom entries change after this. */
  freeze(): this { this.#frozen = true; return this; }

  /** Bumped on every change, so caches of documents built from the catalog know when to rebuild. */
  get generation(): number { return this.#generation; }

  /**
   * Replaces the entries owned by one CRD (none removes them). An entry may not shadow a
   * built-in kind or another CRD's: those are skipped and returned.
   */
  setCustom(owner: string, defs: readonly ResourceDef[]): ResourceDef[] {
    const previous = this.#custom.get(owner) ?? [];
    if (previous.length === 0 && defs.length === 0) return [];
    const rest = this.#defs.filter((d) => !previous.includes(d));
    const taken = new Set(rest.map(gvrKey));
    const accepted = defs.filter((d) => !taken.has(gvrKey(d)));
    const rejected = defs.filter((d) => taken.has(gvrKey(d)));
    const next = [...rest, ...accepted];
    const byGvr = new Map<string, ResourceDef>();
    for (const d of next) byGvr.set(gvrKey(d), d);
    // Two assignments, no await between them: every reader sees the old catalog or the new one.
    this.#defs = next;
    this.#byGvr = byGvr;
    if (accepted.length) this.#custom.set(owner, accepted); else this.#custom.delete(owner);
    this.#generation++;
    for (const l of [...this.#listeners]) l();
    return rejected;
  }

  readonly #listeners = new Set<() => void>();

  /** Calls `listener` after every change of custom entries; returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => { this.#listeners.delete(listener); };
  }

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
    let first: ResourceDef | undefined;
    for (const d of this.#defs) {
      if (d.group !== group || d.resource !== resource || d.storageGroup !== group) continue;
      if (d.storageVersion) return d;
      first ??= d;
    }
    return first;
  }
}

function gvrKey(d: ResourceDef): string {
  return `${d.group}/${d.version}/${d.resource}`;
}

// The RBAC objects as the authorizer reads them, kept in memory and rebuilt only after one of
// them changed (a storage watch on the rbac group marks the snapshot stale), as upstream's
// authorizer reads informer caches. Stored objects are never trusted: a malformed rule or
// subject is dropped, so it can neither throw nor grant anything.
import type { PolicyRule, RoleRef, Subject } from 'kubernetes-types/rbac/v1.js';
import type { KObject } from '../../api/types.js';
import type { Store } from '../store.js';
import type { BindingObject, PolicySnapshot, RoleObject } from './rbac.js';

const rbacGroup = 'rbac.authorization.k8s.io';

const strings = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined);

/** A stored rule as the authorizer may use it, or undefined when it is not a well-formed rule. */
export function sanitizeRule(r: unknown): PolicyRule | undefined {
  if (typeof r !== 'object' || r === null) return undefined;
  const o = r as Record<string, unknown>;
  const verbs = strings(o.verbs);
  if (!verbs) return undefined;
  const out: Record<string, string[]> = { verbs };
  for (const k of ['apiGroups', 'resources', 'resourceNames', 'nonResourceURLs'] as const) {
    if (o[k] === undefined || o[k] === null) continue;
    const v = strings(o[k]);
    if (!v) return undefined;
    out[k] = v;
  }
  return out as unknown as PolicyRule;
}

function sanitizeSubject(s: unknown): Subject | undefined {
  if (typeof s !== 'object' || s === null) return undefined;
  const o = s as Record<string, unknown>;
  if (typeof o.kind !== 'string' || typeof o.name !== 'string') return undefined;
  return { kind: o.kind, name: o.name, ...(typeof o.namespace === 'string' ? { namespace: o.namespace } : {}), ...(typeof o.apiGroup === 'string' ? { apiGroup: o.apiGroup } : {}) };
}

export function roleObject(o: KObject): RoleObject {
  const rules = Array.isArray(o.rules) ? o.rules.map(sanitizeRule).filter((r): r is PolicyRule => r !== undefined) : [];
  return { name: o.metadata?.name ?? '', namespace: o.metadata?.namespace ?? '', rules };
}

export function bindingObject(o: KObject): BindingObject | undefined {
  const ref = o.roleRef as Partial<RoleRef> | undefined;
  if (!ref || typeof ref.kind !== 'string' || typeof ref.name !== 'string') return undefined;
  const subjects = Array.isArray(o.subjects) ? o.subjects.map(sanitizeSubject).filter((s): s is Subject => s !== undefined) : [];
  return { name: o.metadata?.name ?? '', namespace: o.metadata?.namespace ?? '', roleRef: { apiGroup: ref.apiGroup ?? rbacGroup, kind: ref.kind, name: ref.name }, subjects };
}

/** A snapshot over plain lists (tests build these directly). */
export function snapshotOf(roles: RoleObject[], clusterRoles: RoleObject[], roleBindings: BindingObject[], clusterRoleBindings: BindingObject[]): PolicySnapshot {
  const roleIdx = new Map(roles.map((r) => [`${r.namespace}/${r.name}`, r]));
  const crIdx = new Map(clusterRoles.map((r) => [r.name, r]));
  const rbIdx = new Map<string, BindingObject[]>();
  for (const b of roleBindings) rbIdx.set(b.namespace, [...(rbIdx.get(b.namespace) ?? []), b]);
  return {
    role: (ns, name) => roleIdx.get(`${ns}/${name}`),
    clusterRole: (name) => crIdx.get(name),
    clusterRoleBindings: () => clusterRoleBindings,
    roleBindings: (ns) => rbIdx.get(ns) ?? [],
  };
}

export class PolicyCache {
  #snapshot: PolicySnapshot | undefined;
  readonly #stop: () => void;

  constructor(private readonly store: Store) {
    // One prefix covers all four kinds: /registry/rbac.authorization.k8s.io/.
    const w = store.backend.watch(`/registry/${rbacGroup}/`, store.backend.currentRevision(), () => { this.#snapshot = undefined; });
    this.#stop = 'compacted' in w ? () => {} : () => w.stop();
  }

  snapshot(): PolicySnapshot {
    return (this.#snapshot ??= this.build());
  }

  close(): void { this.#stop(); }

  private build(): PolicySnapshot {
    const list = (resource: string) => {
      const def = this.store.catalog.storageDef(rbacGroup, resource);
      return def ? this.store.list(def, '', () => true).items : [];
    };
    return snapshotOf(
      list('roles').map(roleObject),
      list('clusterroles').map(roleObject),
      list('rolebindings').map(bindingObject).filter((b): b is BindingObject => b !== undefined),
      list('clusterrolebindings').map(bindingObject).filter((b): b is BindingObject => b !== undefined),
    );
  }
}

// The RBAC objects every cluster starts with, as kube-apiserver's rbac/bootstrap-roles post-start
// hook creates them: cluster-admin for system:masters; discovery, self-reviews and the public
// health and version paths for everyone; and the user-facing admin, edit and view roles,
// aggregated from the aggregate-to-* roles as upstream builds them. The rules are ours, written
// to the intent of upstream's: view reads everything served but Secrets; edit also writes
// workloads and reads and writes Secrets; admin also manages Roles and RoleBindings in a
// namespace. Missing objects are created at every start; existing ones are reconciled
// (reconcileBootstrap) as kube-apiserver's hook does.
import type { PolicyRule } from 'kubernetes-types/rbac/v1.js';
import type { KObject } from '../../api/types.js';
import { aggregatedRules } from './aggregation.js';
import { covers } from './escalation.js';
import { authenticatedGroup, systemMasters, unauthenticatedGroup } from './user.js';

const rbacGroup = 'rbac.authorization.k8s.io';
const bootstrapLabels = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
const autoupdate = { 'rbac.authorization.kubernetes.io/autoupdate': 'true' };

const read = ['get', 'list', 'watch'];
const write = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const rule = (apiGroups: string[], resources: string[], verbs: string[]): PolicyRule => ({ apiGroups, resources, verbs });
const paths = (nonResourceURLs: string[], verbs = ['get']): PolicyRule => ({ nonResourceURLs, verbs });

function clusterRole(name: string, rules: PolicyRule[], labels: Record<string, string> = {}, aggregateFrom?: string): KObject {
  return {
    apiVersion: `${rbacGroup}/v1`, kind: 'ClusterRole',
    metadata: { name, labels: { ...bootstrapLabels, ...labels }, annotations: autoupdate },
    rules,
    ...(aggregateFrom ? { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [`rbac.authorization.k8s.io/${aggregateFrom}`]: 'true' } }] } } : {}),
  };
}

function groupBinding(name: string, role: string, groups: string[]): KObject {
  return {
    apiVersion: `${rbacGroup}/v1`, kind: 'ClusterRoleBinding',
    metadata: { name, labels: bootstrapLabels, annotations: autoupdate },
    roleRef: { apiGroup: rbacGroup, kind: 'ClusterRole', name: role },
    subjects: groups.map((g) => ({ apiGroup: rbacGroup, kind: 'Group', name: g })),
  };
}

/** The workload kinds this server serves, by group, that view reads and edit writes. */
const namespacedReadable = [
  rule([''], ['configmaps', 'events', 'pods', 'pods/log', 'pods/status', 'serviceaccounts', 'services', 'services/status'], read),
  rule([''], ['namespaces', 'namespaces/status'], read),
  rule(['apps'], ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status'], read),
  rule(['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status'], read),
  rule(['coordination.k8s.io'], ['leases'], read),
];
const namespacedWritable = [
  rule([''], ['configmaps', 'events', 'pods', 'serviceaccounts', 'services', 'secrets'], write),
  rule([''], ['secrets'], read),
  rule([''], ['pods/eviction', 'serviceaccounts/token'], ['create']),
  rule([''], ['pods/ephemeralcontainers'], ['patch', 'update']),
  rule([''], ['serviceaccounts'], ['impersonate']),
  rule(['apps'], ['daemonsets', 'deployments', 'deployments/scale', 'replicasets', 'replicasets/scale'], write),
  rule(['policy'], ['poddisruptionbudgets'], write),
  rule(['coordination.k8s.io'], ['leases'], write),
];
const namespaceAdmin = [
  rule([rbacGroup], ['roles', 'rolebindings'], [...read, ...write]),
  rule(['authorization.k8s.io'], ['localsubjectaccessreviews'], ['create']),
];

export const bootstrapClusterRoles: KObject[] = [
  clusterRole('cluster-admin', [rule(['*'], ['*'], ['*']), paths(['*'], ['*'])]),
  clusterRole('system:discovery', [paths(['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'])]),
  clusterRole('system:public-info-viewer', [paths(['/healthz', '/livez', '/readyz', '/version', '/version/'])]),
  clusterRole('system:basic-user', [
    rule(['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], ['create']),
    rule(['authentication.k8s.io'], ['selfsubjectreviews'], ['create']),
  ]),
  // Delegated authentication and authorization (an extension API server, a metrics proxy such
  // as kube-rbac-proxy) and service account issuer discovery, as upstream defines them.
  clusterRole('system:auth-delegator', [
    rule(['authentication.k8s.io'], ['tokenreviews'], ['create']),
    rule(['authorization.k8s.io'], ['subjectaccessreviews'], ['create']),
  ]),
  clusterRole('system:service-account-issuer-discovery', [paths(['/.well-known/openid-configuration', '/.well-known/openid-configuration/', '/openid/v1/jwks', '/openid/v1/jwks/'])]),
  clusterRole('system:aggregate-to-view', namespacedReadable, { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' }),
  clusterRole('system:aggregate-to-edit', namespacedWritable, { 'rbac.authorization.k8s.io/aggregate-to-edit': 'true' }),
  clusterRole('system:aggregate-to-admin', namespaceAdmin, { 'rbac.authorization.k8s.io/aggregate-to-admin': 'true' }),
  clusterRole('view', [], { 'rbac.authorization.k8s.io/aggregate-to-edit': 'true' }, 'aggregate-to-view'),
  clusterRole('edit', [], { 'rbac.authorization.k8s.io/aggregate-to-admin': 'true' }, 'aggregate-to-edit'),
  clusterRole('admin', [], {}, 'aggregate-to-admin'),
];

export const bootstrapClusterRoleBindings: KObject[] = [
  groupBinding('cluster-admin', 'cluster-admin', [systemMasters]),
  groupBinding('system:discovery', 'system:discovery', [authenticatedGroup]),
  groupBinding('system:basic-user', 'system:basic-user', [authenticatedGroup]),
  groupBinding('system:public-info-viewer', 'system:public-info-viewer', [authenticatedGroup, unauthenticatedGroup]),
  groupBinding('system:service-account-issuer-discovery', 'system:service-account-issuer-discovery', ['system:serviceaccounts']),
];

/**
 * The bootstrap ClusterRoles with the aggregated ones' rules filled in, as the aggregation
 * controller would leave them: view feeds edit, which feeds admin, so repeat until stable.
 */
export function bootstrapClusterRolesAggregated(): KObject[] {
  let roles = bootstrapClusterRoles;
  for (let round = 0; round < roles.length; round++) {
    let changed = false;
    roles = roles.map((r) => {
      const rules = aggregatedRules(r, roles);
      if (!rules || JSON.stringify(rules) === JSON.stringify(r.rules)) return r;
      changed = true;
      return { ...r, rules };
    });
    if (!changed) break;
  }
  return roles;
}

/**
 * The bootstrap policy hook's non-destructive reconcile (ReconcileClusterRole,
 * ReconcileRoleBinding without --remove-extra-*): a stored bootstrap object gets the rules or
 * subjects it lacks and the labels and annotations it lacks, so that roles stored by an older
 * everynode grow what a newer one grants; what a user added stays. An object annotated
 * `rbac.authorization.kubernetes.io/autoupdate: "false"` is left alone, as upstream. Undefined
 * when nothing would change.
 */
export function reconcileBootstrap(existing: KObject, wanted: KObject): KObject | undefined {
  const ann = existing.metadata?.annotations ?? {};
  if (ann['rbac.authorization.kubernetes.io/autoupdate'] === 'false') return undefined;
  const out = structuredClone(existing) as KObject & { rules?: PolicyRule[]; subjects?: unknown[] };
  let changed = false;
  const meta = out.metadata ?? (out.metadata = {});
  for (const field of ['labels', 'annotations'] as const) {
    const want = wanted.metadata?.[field] ?? {};
    const have: Record<string, string> = { ...(meta[field] ?? {}) };
    for (const [k, v] of Object.entries(want)) if (!(k in have)) { have[k] = v; changed = true; }
    meta[field] = have;
  }
  const w = wanted as KObject & { rules?: PolicyRule[]; subjects?: unknown[]; aggregationRule?: unknown };
  // An aggregated role's rules are the aggregation controller's to fill.
  if (w.kind === 'ClusterRole' && !w.aggregationRule) {
    const rules = Array.isArray(out.rules) ? out.rules : [];
    const missing = (w.rules ?? []).filter((r) => !covers(rules, [r]).covered);
    if (missing.length) { out.rules = [...rules, ...missing]; changed = true; }
  }
  if (w.kind === 'ClusterRoleBinding') {
    const subjects = Array.isArray(out.subjects) ? out.subjects : [];
    const key = (s: unknown) => { const o = (s ?? {}) as Record<string, unknown>; return `${String(o.kind)}/${String(o.namespace ?? '')}/${String(o.name)}`; };
    const have = new Set(subjects.map(key));
    const missing = (w.subjects ?? []).filter((s) => !have.has(key(s)));
    if (missing.length) { out.subjects = [...subjects, ...missing]; changed = true; }
  }
  return changed ? out : undefined;
}

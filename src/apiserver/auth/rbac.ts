// The RBAC authorizer, as plugin/pkg/auth/authorizer/rbac's RBACAuthorizer: the rules of every
// ClusterRoleBinding and (in the request's namespace) RoleBinding whose subjects include the
// user are visited until one allows the request. Pure: a snapshot of the policy objects in,
// a decision and upstream's reason out. RBAC never denies; "not allowed" is NoOpinion.
import type { PolicyRule, RoleRef, Subject } from 'kubernetes-types/rbac/v1.js';
import type { Attributes, RequestAttributes } from './attributes.js';
import { splitServiceAccountUsername, type UserInfo } from './user.js';

export interface RoleObject { name: string; namespace: string; rules: PolicyRule[] }
export interface BindingObject { name: string; namespace: string; roleRef: RoleRef; subjects: Subject[] }

/** The stored policy, as the authorizer reads it (listers over Roles, ClusterRoles and their bindings). */
export interface PolicySnapshot {
  role(namespace: string, name: string): RoleObject | undefined;
  clusterRole(name: string): RoleObject | undefined;
  clusterRoleBindings(): readonly BindingObject[];
  roleBindings(namespace: string): readonly BindingObject[];
}

export interface Decision {
  allowed: boolean;
  /** Upstream's reason: what allowed it, or why the evaluation was incomplete ("" when there is nothing to say). */
  reason: string;
}

// ---- rule matching (rbac/v1 helpers: VerbMatches, APIGroupMatches, ResourceMatches, ...) ------

export const verbMatches = (r: PolicyRule, verb: string) => r.verbs.some((v) => v === '*' || v === verb);
export const apiGroupMatches = (r: PolicyRule, group: string) => (r.apiGroups ?? []).some((g) => g === '*' || g === group);

export function resourceMatches(r: PolicyRule, combined: string, subresource: string): boolean {
  for (const res of r.resources ?? []) {
    if (res === '*' || res === combined) return true;
    // "*/status" matches the status subresource of every resource.
    if (subresource && res === `*/${subresource}`) return true;
  }
  return false;
}

export const resourceNameMatches = (r: PolicyRule, name: string) => !r.resourceNames?.length || r.resourceNames.includes(name);

export function nonResourceURLMatches(r: PolicyRule, path: string): boolean {
  for (const u of r.nonResourceURLs ?? []) {
    if (u === '*' || u === path) return true;
    if (u.endsWith('*') && path.startsWith(u.slice(0, -1))) return true;
  }
  return false;
}

/** RuleAllows. */
export function ruleAllows(a: RequestAttributes, r: PolicyRule): boolean {
  if (!a.resourceRequest) return verbMatches(r, a.verb) && nonResourceURLMatches(r, a.path);
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return verbMatches(r, a.verb) && apiGroupMatches(r, a.apiGroup) && resourceMatches(r, combined, a.subresource) && resourceNameMatches(r, a.name);
}

// ---- subjects ------------------------------------------------------------------------------

/** appliesToUser: a ServiceAccount subject without a namespace means the binding's own. */
export function appliesToUser(user: UserInfo, s: Subject, bindingNamespace: string): boolean {
  switch (s.kind) {
    case 'User': return user.name === s.name;
    case 'Group': return user.groups.includes(s.name);
    case 'ServiceAccount': {
      const ns = s.namespace || bindingNamespace;
      if (!ns) return false;
      const sa = splitServiceAccountUsername(user.name);
      return sa !== undefined && sa.namespace === ns && sa.name === s.name;
    }
    default: return false;
  }
}

function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === 'ServiceAccount') {
    const ns = s.namespace || bindingNamespace;
    return `${s.kind} ${JSON.stringify(ns ? `${s.name}/${ns}` : s.name)}`;
  }
  return `${s.kind} ${JSON.stringify(s.name)}`;
}

// ---- the visitor ---------------------------------------------------------------------------

/** Where a rule came from, as the visitor describes it in reasons. */
type Source = () => string;

/**
 * VisitRulesFor: calls visit for every rule that applies to the user in the namespace ('' = the
 * cluster scope only), and for every binding whose role is missing (with the error). Stops
 * when visit returns false.
 */
export function visitRulesFor(p: PolicySnapshot, user: UserInfo, namespace: string, visit: (source: Source | undefined, rule: PolicyRule | undefined, err: string | undefined) => boolean): void {
  for (const b of p.clusterRoleBindings()) {
    const subject = b.subjects.find((s) => appliesToUser(user, s, ''));
    if (!subject) continue;
    const role = b.roleRef.kind === 'ClusterRole' ? p.clusterRole(b.roleRef.name) : undefined;
    if (!role) { if (!visit(undefined, undefined, `clusterrole.rbac.authorization.k8s.io ${JSON.stringify(b.roleRef.name)} not found`)) return; continue; }
    const source = () => `ClusterRoleBinding ${JSON.stringify(b.name)} of ${b.roleRef.kind} ${JSON.stringify(b.roleRef.name)} to ${describeSubject(subject, '')}`;
    for (const r of role.rules) if (!visit(source, r, undefined)) return;
  }
  if (!namespace) return;
  for (const b of p.roleBindings(namespace)) {
    const subject = b.subjects.find((s) => appliesToUser(user, s, namespace));
    if (!subject) continue;
    const role = b.roleRef.kind === 'Role' ? p.role(namespace, b.roleRef.name) : b.roleRef.kind === 'ClusterRole' ? p.clusterRole(b.roleRef.name) : undefined;
    if (!role) {
      const what = b.roleRef.kind === 'Role' ? 'role' : 'clusterrole';
      if (!visit(undefined, undefined, `${what}.rbac.authorization.k8s.io ${JSON.stringify(b.roleRef.name)} not found`)) return;
      continue;
    }
    const source = () => `RoleBinding ${JSON.stringify(`${b.name}/${namespace}`)} of ${b.roleRef.kind} ${JSON.stringify(b.roleRef.name)} to ${describeSubject(subject, namespace)}`;
    for (const r of role.rules) if (!visit(source, r, undefined)) return;
  }
}

/** utilerrors.NewAggregate(...).Error(): one message as is, several in brackets. */
const aggregate = (errs: string[]) => (errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`);

/** RBACAuthorizer.Authorize. */
export function authorize(p: PolicySnapshot, a: Attributes): Decision {
  const errors: string[] = [];
  let allowedBy: string | undefined;
  visitRulesFor(p, a.user, a.resourceRequest ? a.namespace : '', (source, rule, err) => {
    if (rule && source && ruleAllows(a, rule)) { allowedBy = `RBAC: allowed by ${source()}`; return false; }
    if (err) errors.push(err);
    return true;
  });
  if (allowedBy) return { allowed: true, reason: allowedBy };
  return { allowed: false, reason: errors.length ? `RBAC: ${aggregate(errors)}` : '' };
}

export interface RulesResult {
  resourceRules: PolicyRule[];
  nonResourceRules: PolicyRule[];
  incomplete: boolean;
  evaluationError: string;
}

/** RBACAuthorizer.RulesFor, split as SelfSubjectRulesReview reports them. */
export function rulesFor(p: PolicySnapshot, user: UserInfo, namespace: string): RulesResult {
  const resourceRules: PolicyRule[] = [];
  const nonResourceRules: PolicyRule[] = [];
  const errors: string[] = [];
  visitRulesFor(p, user, namespace, (_s, rule, err) => {
    if (rule) {
      if (rule.nonResourceURLs?.length) nonResourceRules.push({ verbs: rule.verbs, nonResourceURLs: rule.nonResourceURLs });
      // A rule may carry both on a badly formed ClusterRole; SSRR lists it as a resource rule too when it names resources.
      if (rule.resources?.length || rule.apiGroups?.length) resourceRules.push(stripNonResource(rule));
    }
    if (err) errors.push(err);
    return true;
  });
  return { resourceRules, nonResourceRules, incomplete: errors.length > 0, evaluationError: errors.length ? aggregate(errors) : '' };
}

function stripNonResource(r: PolicyRule): PolicyRule {
  const out: PolicyRule = { verbs: r.verbs, apiGroups: r.apiGroups ?? [], resources: r.resources ?? [] };
  if (r.resourceNames?.length) (out as { resourceNames?: string[] }).resourceNames = r.resourceNames;
  return out;
}

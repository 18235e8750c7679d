// rbac.authorization.k8s.io/v1 Roles, ClusterRoles and their bindings (pkg/apis/rbac/validation,
// pkg/apis/rbac/v1/defaults.go). Names only need to be URL path segments (see objectmeta.ts).
import { invalid, notSupported, required, type FieldError } from '../../api/fielderrors.js';
import type { KObject } from '../../api/types.js';
import type { PolicyRule, RoleRef, Subject } from 'kubernetes-types/rbac/v1.js';
import { isDNS1123Subdomain, isValidPathSegmentName } from '../../api/validation.js';
import { semanticEqual } from './equality.js';
import { validateLabelSelector } from './objectmeta.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { ResourceStrategy } from './types.js';

export const rbacGroup = 'rbac.authorization.k8s.io';

export function validatePolicyRule(rule: PolicyRule, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!rule.verbs?.length) errs.push(required(`${path}.verbs`, 'verbs must contain at least one value'));
  if (rule.nonResourceURLs?.length) {
    if (namespaced) errs.push(invalid(`${path}.nonResourceURLs`, rule.nonResourceURLs, 'namespaced rules cannot apply to non-resource URLs'));
    if (rule.apiGroups?.length || rule.resources?.length || rule.resourceNames?.length) {
      errs.push(invalid(`${path}.nonResourceURLs`, rule.nonResourceURLs, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errs;
  }
  if (!rule.apiGroups?.length) errs.push(required(`${path}.apiGroups`, 'resource rules must supply at least one api group'));
  if (!rule.resources?.length) errs.push(required(`${path}.resources`, 'resource rules must supply at least one resource'));
  return errs;
}

export function validateSubject(s: Subject, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!s.name) errs.push(required(`${path}.name`));
  switch (s.kind) {
    case 'ServiceAccount':
      if (s.name) errs.push(...isDNS1123Subdomain(s.name).map((m) => invalid(`${path}.name`, s.name, m)));
      if (s.apiGroup) errs.push(notSupported(`${path}.apiGroup`, s.apiGroup, ['']));
      if (!namespaced && !s.namespace) errs.push(required(`${path}.namespace`));
      break;
    case 'User': case 'Group':
      if (s.apiGroup !== rbacGroup) errs.push(notSupported(`${path}.apiGroup`, s.apiGroup ?? '', [rbacGroup]));
      break;
    default: errs.push(notSupported(`${path}.kind`, s.kind, ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

interface RoleShape { rules?: PolicyRule[] }
interface BindingShape { roleRef?: RoleRef; subjects?: Subject[] }

const validateRules = (obj: KObject, namespaced: boolean) => ((obj as RoleShape).rules ?? []).flatMap((r, i) => validatePolicyRule(r, namespaced, `rules[${i}]`));

function defaultBinding(b: BindingShape): void {
  if (b.roleRef && !b.roleRef.apiGroup) b.roleRef.apiGroup = rbacGroup;
  for (const s of b.subjects ?? []) {
    if (!s.apiGroup && (s.kind === 'User' || s.kind === 'Group')) s.apiGroup = rbacGroup;
  }
}

function validateBinding(b: BindingShape, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const ref = b.roleRef ?? ({} as RoleRef);
  if (ref.apiGroup !== rbacGroup) errs.push(notSupported('roleRef.apiGroup', ref.apiGroup ?? '', [rbacGroup]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind)) errs.push(notSupported('roleRef.kind', ref.kind ?? '', kinds));
  if (!ref.name) errs.push(required('roleRef.name'));
  else errs.push(...isValidPathSegmentName(ref.name).map((m) => invalid('roleRef.name', ref.name, m)));
  (b.subjects ?? []).forEach((s, i) => errs.push(...validateSubject(s, namespaced, `subjects[${i}]`)));
  return errs;
}

function bindingStrategyFor(namespaced: boolean): ResourceStrategy {
  return {
    default: (obj) => defaultBinding(obj as BindingShape),
    validate: (obj) => validateBinding(obj as BindingShape, namespaced),
    validateUpdate: (obj: KObject, old: KObject) => {
      const now = (obj as BindingShape).roleRef, before = (old as BindingShape).roleRef;
      return semanticEqual(now, before) ? [] : [invalid('roleRef', now ?? null, 'cannot change roleRef')];
    },
  };
}

export const roleStrategy: ResourceStrategy = { validate: (obj) => validateRules(obj, true) };

/** ValidateClusterRole's aggregationRule check: selectors the aggregation controller can use. */
function validateAggregationRule(rule: unknown): FieldError[] {
  if (rule === undefined || rule === null) return [];
  const selectors = (rule as { clusterRoleSelectors?: unknown }).clusterRoleSelectors;
  if (!Array.isArray(selectors) || selectors.length === 0) return [required('aggregationRule.clusterRoleSelectors', 'at least one clusterRoleSelector required if aggregationRule is non-nil')];
  return selectors.flatMap((sel, i) => validateLabelSelector(sel as LabelSelector, `aggregationRule.clusterRoleSelectors[${i}]`));
}

export const clusterRoleStrategy: ResourceStrategy = {
  validate: (obj) => [...validateRules(obj, false), ...validateAggregationRule(obj.aggregationRule)],
};
export const roleBindingStrategy = bindingStrategyFor(true);
export const clusterRoleBindingStrategy = bindingStrategyFor(false);

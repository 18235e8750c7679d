// kube-apiserver's authorizer chain for this server: the privileged-groups authorizer
// (system:masters may do anything, whatever RBAC says) and then RBAC; plus the 403 a denied
// request gets, worded as responsewriters.Forbidden words it. Pure.
import type { PolicyRule } from 'kubernetes-types/rbac/v1.js';
import type { Status } from '../../api/types.js';
import { ApiError, qualified } from '../errors.js';
import type { Attributes } from './attributes.js';
import { authorize as rbacAuthorize, rulesFor as rbacRulesFor, type Decision, type PolicySnapshot, type RulesResult } from './rbac.js';
import { systemMasters, type UserInfo } from './user.js';

export function authorize(p: PolicySnapshot, a: Attributes): Decision {
  if (a.user.groups.includes(systemMasters)) return { allowed: true, reason: '' };
  return rbacAuthorize(p, a);
}

const everything: PolicyRule = { verbs: ['*'], apiGroups: ['*'], resources: ['*'] };
const everyPath: PolicyRule = { verbs: ['*'], nonResourceURLs: ['*'] };

export function rulesFor(p: PolicySnapshot, user: UserInfo, namespace: string): RulesResult {
  const r = rbacRulesFor(p, user, namespace);
  if (!user.groups.includes(systemMasters)) return r;
  return { ...r, resourceRules: [everything, ...r.resourceRules], nonResourceRules: [everyPath, ...r.nonResourceRules] };
}

/** forbiddenMessage. */
export function forbiddenMessage(a: Attributes): string {
  const who = JSON.stringify(a.user.name);
  if (!a.resourceRequest) return `User ${who} cannot ${a.verb} path ${JSON.stringify(a.path)}`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const where = a.namespace ? `in the namespace ${JSON.stringify(a.namespace)}` : 'at the cluster scope';
  return `User ${who} cannot ${a.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(a.apiGroup)} ${where}`;
}

/** responsewriters.Forbidden: NewForbidden of the group/resource and name, with the reason appended. */
export function forbiddenError(a: Attributes, reason: string): ApiError {
  const msg = reason ? `${forbiddenMessage(a)}: ${reason}` : forbiddenMessage(a);
  if (!a.resourceRequest) return new ApiError(403, 'Forbidden', `forbidden: ${msg}`, {});
  const gr = qualified(a.resource, a.apiGroup);
  const message = a.name ? `${gr} ${JSON.stringify(a.name)} is forbidden: ${msg}` : `${gr} is forbidden: ${msg}`;
  const details: Status['details'] = { kind: a.resource };
  if (a.name) details.name = a.name;
  if (a.apiGroup) details.group = a.apiGroup;
  return new ApiError(403, 'Forbidden', message, details);
}

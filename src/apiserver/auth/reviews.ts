// The review kinds of authorization.k8s.io/v1 and authentication.k8s.io/v1: create-only
// resources whose answer is computed, never stored (pkg/registry/authorization/*,
// pkg/registry/authentication/selfsubjectreview). Pure: the body, the asking user and the
// policy in, the object to answer with (or the ApiError) out.
import type { KObject } from '../../api/types.js';
import { invalid, type FieldError } from '../../api/fielderrors.js';
import * as E from '../errors.js';
import type { Attributes } from './attributes.js';
import { authorize, rulesFor } from './authorizer.js';
import type { PolicySnapshot } from './rbac.js';
import type { UserInfo } from './user.js';

export const authorizationGroup = 'authorization.k8s.io';
export const authenticationGroup = 'authentication.k8s.io';

export type ReviewResource = 'selfsubjectaccessreviews' | 'selfsubjectrulesreviews' | 'subjectaccessreviews' | 'localsubjectaccessreviews' | 'selfsubjectreviews' | 'tokenreviews';

/** Group, kind and scope of each review resource (discovery registers the same facts). */
export const reviewKinds: Record<ReviewResource, { group: string; kind: string; namespaced: boolean }> = {
  selfsubjectaccessreviews: { group: authorizationGroup, kind: 'SelfSubjectAccessReview', namespaced: false },
  selfsubjectrulesreviews: { group: authorizationGroup, kind: 'SelfSubjectRulesReview', namespaced: false },
  subjectaccessreviews: { group: authorizationGroup, kind: 'SubjectAccessReview', namespaced: false },
  localsubjectaccessreviews: { group: authorizationGroup, kind: 'LocalSubjectAccessReview', namespaced: true },
  selfsubjectreviews: { group: authenticationGroup, kind: 'SelfSubjectReview', namespaced: false },
  tokenreviews: { group: authenticationGroup, kind: 'TokenReview', namespaced: false },
};

export function isReviewResource(r: string): r is ReviewResource {
  return Object.hasOwn(reviewKinds, r);
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined);
const str = (v: unknown) => (typeof v === 'string' ? v : '');
const strs = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

interface AccessSpec { resourceAttributes?: Obj; nonResourceAttributes?: Obj }

/** ValidateSelfSubjectAccessReviewSpec's one-of check. */
function attributeErrors(spec: AccessSpec): FieldError[] {
  if (spec.resourceAttributes && spec.nonResourceAttributes) return [invalid('spec.nonResourceAttributes', spec.nonResourceAttributes, 'cannot be specified in combination with resourceAttributes')];
  if (!spec.resourceAttributes && !spec.nonResourceAttributes) return [invalid('spec.resourceAttributes', null, 'exactly one of nonResourceAttributes or resourceAttributes must be specified')];
  return [];
}

/** ResourceAttributesFrom / NonResourceAttributesFrom. */
function attributesOf(user: UserInfo, spec: AccessSpec): Attributes {
  const r = spec.resourceAttributes;
  if (r) {
    return {
      user, resourceRequest: true, verb: str(r.verb), apiGroup: str(r.group), apiVersion: str(r.version),
      resource: str(r.resource), subresource: str(r.subresource), namespace: str(r.namespace), name: str(r.name),
    };
  }
  const n = spec.nonResourceAttributes ?? {};
  return { user, resourceRequest: false, verb: str(n.verb), path: str(n.path) };
}

function extraOf(v: unknown): Record<string, string[]> | undefined {
  const o = obj(v);
  if (!o) return undefined;
  return Object.fromEntries(Object.entries(o).map(([k, vs]) => [k, strs(vs)]));
}

export interface ReviewContext {
  user: UserInfo;
  policy: PolicySnapshot;
  /** The namespace of the request path (LocalSubjectAccessReview). */
  namespace: string;
  /** Authenticates a presented token for the given audiences (TokenReview); none refuses every token. */
  reviewToken?: (token: string, audiences: string[]) => TokenReviewResult;
}

/** A token's user and the requested audiences it is valid for, or why it is not valid. */
export type TokenReviewResult = { user: UserInfo; audiences: string[] } | { error: string };

/** The answer to a create of a review resource: the body with its status filled in. */
export function review(resource: ReviewResource, body: unknown, ctx: ReviewContext): KObject {
  const { group, kind } = reviewKinds[resource];
  const b = obj(body);
  if (!b) throw E.badRequest(`the object provided is unrecognized (must be of type ${kind})`);
  if (b.kind !== undefined && b.kind !== kind) throw E.badRequest(`the API version in the data (${str(b.apiVersion)}) does not match the expected API version (${group}/v1)`);
  const spec = obj(b.spec) ?? {};
  const meta = obj(b.metadata) ?? {};
  // creationTimestamp: null, as a Go object that was never stored serialises.
  const metadata = { ...meta, creationTimestamp: null };
  const out = (status: unknown): KObject => ({ kind, apiVersion: `${group}/v1`, metadata, spec, status }) as unknown as KObject;
  const fail = (errs: FieldError[]) => { if (errs.length) throw E.invalid(kind, group, '', errs); };
  switch (resource) {
    case 'tokenreviews': {
      // pkg/registry/authentication/tokenreview's Create: a missing token is the client's
      // error; a token that does not authenticate is an answer (authenticated omitted).
      const token = str(spec.token);
      if (!token) throw E.badRequest(`token is required for TokenReview in ${group}`);
      const r = ctx.reviewToken?.(token, strs(spec.audiences)) ?? { error: 'token authentication is not configured' };
      const status = 'error' in r
        ? { user: {}, error: r.error }
        : { authenticated: true, user: userInfoOf(r.user), ...(r.audiences.length ? { audiences: r.audiences } : {}) };
      return out(status);
    }
    case 'selfsubjectreviews':
      return { kind, apiVersion: `${group}/v1`, metadata, status: { userInfo: userInfoOf(ctx.user) } } as unknown as KObject;
    case 'selfsubjectrulesreviews': {
      const ns = str(spec.namespace);
      if (!ns) throw E.badRequest('no namespace on request');
      const r = rulesFor(ctx.policy, ctx.user, ns);
      return out({ resourceRules: r.resourceRules, nonResourceRules: r.nonResourceRules, incomplete: r.incomplete, ...(r.evaluationError ? { evaluationError: r.evaluationError } : {}) });
    }
    case 'selfsubjectaccessreviews': {
      const s = spec as AccessSpec;
      fail(attributeErrors(s));
      return out(statusOf(authorize(ctx.policy, attributesOf(ctx.user, s))));
    }
    case 'subjectaccessreviews':
    case 'localsubjectaccessreviews': {
      const s = spec as AccessSpec & Obj;
      const errs = attributeErrors(s);
      const user = str(s.user), groups = strs(s.groups);
      if (!user && groups.length === 0) errs.push(invalid('spec.user', user, 'at least one of user or group must be specified'));
      if (resource === 'localsubjectaccessreviews') {
        if (s.nonResourceAttributes) errs.push(invalid('spec.nonResourceAttributes', s.nonResourceAttributes, 'disallowed on this kind of request'));
        if (s.resourceAttributes && str(s.resourceAttributes.namespace) !== ctx.namespace) errs.push(invalid('spec.resourceAttributes.namespace', str(s.resourceAttributes.namespace), 'must match metadata.namespace'));
      }
      fail(errs);
      const subject: UserInfo = { name: user, groups, ...(str(s.uid) ? { uid: str(s.uid) } : {}), ...(extraOf(s.extra) ? { extra: extraOf(s.extra) } : {}) };
      return out(statusOf(authorize(ctx.policy, attributesOf(subject, s))));
    }
  }
}

function statusOf(d: { allowed: boolean; reason: string }): Obj {
  return { allowed: d.allowed, ...(d.reason ? { reason: d.reason } : {}) };
}

export function userInfoOf(u: UserInfo): Obj {
  return { username: u.name, ...(u.uid ? { uid: u.uid } : {}), groups: u.groups, ...(u.extra && Object.keys(u.extra).length ? { extra: u.extra } : {}) };
}

// The request pipeline's security filters, as kube-apiserver's handler chain orders them:
// authentication (WithAuthentication), impersonation (WithImpersonation), authorization
// (WithAuthorization); then the few endpoints whose answer depends on who asks (TokenRequest
// and the review kinds), which the generic REST handler does not serve. The decisions are the
// pure functions of this folder; this class only reads the store and the request.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { KObject } from '../../api/types.js';
import * as E from '../errors.js';
import type { PolicyRule } from 'kubernetes-types/rbac/v1.js';
import type { ApiHandler, ApiRequest, ApiResult } from '../handler.js';
import { bearerToken } from '../limits.js';
import type { RequestTarget } from '../routes.js';
import type { Store } from '../store.js';
import { requestAttributes, type Attributes } from './attributes.js';
import { authorize, forbiddenError, rulesFor } from './authorizer.js';
import { escalationError } from './escalation.js';
import { planImpersonation, type DistinctHeaders } from './impersonation.js';
import { looksLikeJwt, verifyJwt, type SigningKey } from './jwt.js';
import { bindingObject, PolicyCache, roleObject } from './policy.js';
import type { PolicySnapshot } from './rbac.js';
import { isReviewResource, review, reviewKinds, type TokenReviewResult } from './reviews.js';
import { jwks, oidcDocument, openIdConfiguration } from './oidc.js';
import { defaultIssuer, legacyIssuer, userFromClaims, type TokenLookups } from './satoken.js';
import { tokenRequest } from './tokenrequest.js';
import { adminUser, anonymous, authenticatedGroup, systemMasters, type UserInfo } from './user.js';

/**
 * Paths an anonymous request may reach: system:public-info-viewer's. kube-apiserver with
 * anonymous authentication restricted to these paths (AuthenticationConfiguration
 * anonymous.conditions) treats an anonymous request for any other path as unauthenticated: 401.
 */
export const publicPaths: readonly string[] = ['/healthz', '/livez', '/readyz', '/version', '/version/'];

export interface AuthOptions {
  store: Store;
  /** The admin token of the kubeconfig: user kubernetes-admin in system:masters. */
  adminToken: string;
  signingKey: SigningKey;
  /** Audiences a service account token must carry to be accepted here (--api-audiences). */
  apiAudiences?: string[];
  /** Where clients reach this server (the JWKS URI of the issuer discovery document). */
  externalUrl?: () => string;
  now?: () => number;
}

/** What the filters decided, for the handler of an admitted request. */
export interface Admitted { user: UserInfo; attributes: Attributes }

export type Admission = Admitted | { error: E.ApiError };

export class RequestAuth {
  readonly policy: PolicyCache;
  readonly apiAudiences: string[];
  readonly #admin: Buffer;
  readonly #now: () => number;

  constructor(private readonly o: AuthOptions) {
    this.policy = new PolicyCache(o.store);
    this.apiAudiences = o.apiAudiences ?? [defaultIssuer];
    this.#admin = Buffer.from(o.adminToken);
    this.#now = o.now ?? Date.now;
  }

  close(): void { this.policy.close(); }

  /** The user of an Authorization header: anonymous without a bearer token, undefined for a token that is not valid. */
  authenticate(authorization: string | undefined): UserInfo | undefined {
    const token = bearerToken(authorization);
    // No bearer token (no header, or another scheme) is no credential at all: anonymous, as upstream.
    if (token === undefined) return anonymous;
    const r = this.reviewToken(token, []);
    return 'user' in r ? r.user : undefined;
  }

  /**
   * A token checked for audiences (none: the API's own), as TokenReview and every request do.
   * The admin token and legacy Secret tokens carry no audience: they are valid for the API's
   * audiences only, as upstream's audience-agnostic authenticators.
   */
  reviewToken(token: string, requested: string[]): TokenReviewResult {
    const wanted = requested.length ? requested : this.apiAudiences;
    const implicit = wanted.filter((a) => this.apiAudiences.includes(a));
    const invalid = { error: '[invalid bearer token, token lookup failed]' };
    const got = Buffer.from(token);
    if (got.length === this.#admin.length && timingSafeEqual(got, this.#admin)) {
      return implicit.length ? { user: { name: adminUser, groups: [systemMasters, authenticatedGroup] }, audiences: requested.length ? implicit : [] } : { error: `token audiences ${JSON.stringify(this.apiAudiences)} is invalid for the target audiences ${JSON.stringify(wanted)}` };
    }
    if (!looksLikeJwt(token)) return invalid;
    const claims = verifyJwt(this.o.signingKey, token);
    if (!claims) return invalid;
    const legacy = claims.iss === legacyIssuer;
    if (legacy && !implicit.length) return { error: `token audiences ${JSON.stringify(this.apiAudiences)} is invalid for the target audiences ${JSON.stringify(wanted)}` };
    const u = userFromClaims(claims, token, wanted, Math.floor(this.#now() / 1000), this.lookups());
    if ('refused' in u) return { error: `[invalid bearer token, ${u.refused}]` };
    const aud = Array.isArray(claims.aud) ? claims.aud : typeof claims.aud === 'string' ? [claims.aud] : [];
    return { user: u, audiences: !requested.length ? [] : legacy ? implicit : requested.filter((a) => aud.includes(a)) };
  }

  /** Authentication, impersonation and authorization of a request, before its body is read. */
  admit(method: string, target: RequestTarget, headers: IncomingHttpHeaders, distinct: DistinctHeaders = headers): Admission {
    const path = `/${target.segments.join('/')}${target.trailingSlash ? '/' : ''}`;
    let user = this.authenticate(headers.authorization);
    if (user === undefined || (user === anonymous && !publicPaths.includes(path))) return { error: E.unauthorized() };
    const plan = planImpersonation(distinct, user);
    if (plan.kind === 'bad') return { error: E.badRequest(plan.message) };
    // Read lazily: system:masters requests (every embedded component's) never need the policy.
    const cache = this.policy;
    const policy: PolicySnapshot = {
      role: (ns, name) => cache.snapshot().role(ns, name),
      clusterRole: (name) => cache.snapshot().clusterRole(name),
      clusterRoleBindings: () => cache.snapshot().clusterRoleBindings(),
      roleBindings: (ns) => cache.snapshot().roleBindings(ns),
    };
    if (plan.kind === 'impersonate') {
      for (const check of plan.checks) {
        const d = authorize(policy, check);
        if (!d.allowed) return { error: forbiddenError(check, d.reason) };
      }
      user = plan.user;
    }
    const attributes: Attributes = { ...requestAttributes(method, path, target), user };
    const d = authorize(policy, attributes);
    if (!d.allowed) return { error: forbiddenError(attributes, d.reason) };
    return { user, attributes };
  }

  /**
   * Answers the requests the generic handler does not serve (TokenRequest, reviews) and refuses
   * RBAC writes that would escalate privileges; undefined for all others.
   */
  serve(a: Admitted, req: ApiRequest, handler: ApiHandler): ApiResult | undefined {
    const at = a.attributes;
    if (!at.resourceRequest) {
      const doc = oidcDocument(at.path);
      if (!doc || (at.verb !== 'get' && req.method !== 'HEAD')) return undefined;
      return doc === 'config'
        ? { kind: 'response', status: 200, body: openIdConfiguration(defaultIssuer, this.o.externalUrl?.() ?? defaultIssuer), warnings: [] }
        : { kind: 'response', status: 200, body: Buffer.from(JSON.stringify(jwks(this.o.signingKey))), contentType: 'application/jwk-set+json', warnings: [] };
    }
    if (at.apiGroup === rbacGroup && !at.subresource && ['create', 'update', 'patch'].includes(at.verb) && !a.user.groups.includes(systemMasters)) {
      return this.escalation(a.user, at, req, handler);
    }
    const created = (body: KObject) => ({ kind: 'response' as const, status: 201, body, warnings: [] });
    try {
      if (at.apiGroup === '' && at.apiVersion === 'v1' && at.resource === 'serviceaccounts' && at.subresource === 'token') {
        if (at.verb !== 'create') throw E.methodNotSupported();
        const def = this.o.store.catalog.lookup('', 'v1', 'serviceaccounts')!;
        const sa = this.o.store.get(def, at.namespace, at.name);
        const look = this.lookups();
        return created(tokenRequest({
          body: handler.decodeBody(req, { ...def, kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1' }, []), namespace: at.namespace, serviceAccount: sa, apiAudiences: this.apiAudiences, nowMs: this.#now(), key: this.o.signingKey,
          objectUid: (kind, name) => look.objectUid!(kind, at.namespace, name),
        }));
      }
      if (at.apiVersion === 'v1' && isReviewResource(at.resource) && reviewKinds[at.resource].group === at.apiGroup && !at.subresource) {
        if (at.name || at.verb !== 'create') throw E.methodNotSupported();
        if (reviewKinds[at.resource].namespaced !== (at.namespace !== '')) throw E.pathNotFound();
        const reviewDef = this.o.store.catalog.lookup(at.apiGroup, 'v1', at.resource)!;
        return created(review(at.resource, handler.decodeBody(req, reviewDef, []), { user: a.user, policy: this.policy.snapshot(), namespace: at.namespace, reviewToken: (t, aud) => this.reviewToken(t, aud) }));
      }
    } catch (err) {
      if (err instanceof E.ApiError) return { kind: 'response', status: err.code, body: err.toStatus(), warnings: [] };
      throw err;
    }
    return undefined;
  }

  /**
   * The role and binding storages' escalation checks, on the object the write would store: the
   * request is first run as a dry run (a patch's result is only known after applying it), and
   * its refusal, if any, is the answer.
   */
  private escalation(user: UserInfo, at: Attributes & { resourceRequest: true }, req: ApiRequest, handler: ApiHandler): ApiResult | undefined {
    const isRole = at.resource === 'roles' || at.resource === 'clusterroles';
    if (!isRole && at.resource !== 'rolebindings' && at.resource !== 'clusterrolebindings') return undefined;
    const query = new URLSearchParams(req.query);
    query.set('dryRun', 'All');
    const dry = handler.handle({ ...req, query });
    if (dry.kind !== 'response' || dry.status >= 300) return dry;
    const obj = dry.body as KObject;
    const name = obj.metadata?.name ?? at.name;
    const ns = at.namespace;
    const policy = this.policy.snapshot();
    const may = (verb: string, resource: string, objName: string) =>
      authorize(policy, { user, resourceRequest: true, verb, apiGroup: rbacGroup, apiVersion: at.apiVersion, resource, subresource: '', namespace: ns, name: objName }).allowed;
    let granted: PolicyRule[];
    if (isRole) {
      if (may('escalate', at.resource, name)) return undefined;
      granted = roleObject(obj).rules;
    } else {
      const ref = bindingObject(obj)?.roleRef;
      if (!ref) return undefined; // validation refuses it
      const refResource = ref.kind === 'Role' ? 'roles' : 'clusterroles';
      if (may('bind', refResource, ref.name)) return undefined;
      const role = ref.kind === 'Role' ? policy.role(ns, ref.name) : policy.clusterRole(ref.name);
      if (!role) return refusedWrite(at, name, `${ref.kind.toLowerCase()}.${rbacGroup} ${JSON.stringify(ref.name)} not found`);
      granted = role.rules;
    }
    const own = rulesFor(policy, user, ns);
    const why = escalationError(user, [...own.resourceRules, ...own.nonResourceRules], granted, own.evaluationError);
    return why ? refusedWrite(at, name, why) : undefined;
  }

  private lookups(): TokenLookups {
    const store = this.o.store;
    const sa = store.catalog.lookup('', 'v1', 'serviceaccounts')!;
    const secrets = store.catalog.lookup('', 'v1', 'secrets')!;
    const pods = store.catalog.lookup('', 'v1', 'pods')!;
    return {
      objectUid(kind, namespace, name) {
        const kv = store.getKV(kind === 'Pod' ? pods : secrets, namespace, name);
        const o = kv ? safeParse(kv.value) : undefined;
        return o && !o.metadata?.deletionTimestamp ? String(o.metadata?.uid ?? '') : undefined;
      },
      serviceAccount(namespace, name) {
        const kv = store.getKV(sa, namespace, name);
        if (!kv) return undefined;
        const o = safeParse(kv.value);
        return o ? { uid: String(o.metadata?.uid ?? ''), deleting: !!o.metadata?.deletionTimestamp } : undefined;
      },
      secret(namespace, name) {
        const kv = store.getKV(secrets, namespace, name);
        if (!kv) return undefined;
        const o = safeParse(kv.value);
        if (!o) return undefined;
        const data = (o.data ?? {}) as Record<string, unknown>;
        const ann = o.metadata?.annotations ?? {};
        return {
          type: String(o.type ?? ''),
          token: typeof data.token === 'string' ? Buffer.from(data.token, 'base64').toString('utf8') : undefined,
          serviceAccountName: String(ann['kubernetes.io/service-account.name'] ?? ''),
          serviceAccountUid: String(ann['kubernetes.io/service-account.uid'] ?? ''),
          deleting: !!o.metadata?.deletionTimestamp,
        };
      },
    };
  }
}

const rbacGroup = 'rbac.authorization.k8s.io';

/** NewForbidden of the written object, as the RBAC storages refuse an escalation. */
function refusedWrite(at: { apiGroup: string; resource: string }, name: string, why: string): ApiResult {
  const err = E.forbidden(`${E.qualified(at.resource, at.apiGroup)} ${JSON.stringify(name)} is forbidden: ${why}`, { name, group: at.apiGroup, kind: at.resource });
  return { kind: 'response', status: 403, body: err.toStatus(), warnings: [] };
}

function safeParse(text: string): KObject | undefined {
  try { const v = JSON.parse(text) as unknown; return typeof v === 'object' && v !== null ? (v as KObject) : undefined; } catch { return undefined; }
}

// Impersonation as k8s.io/apiserver's WithImpersonation: the Impersonate-* headers name a user
// (and optionally groups, extra and uid) that the request then runs as, each of which the
// acting user must be allowed to `impersonate`. Pure: headers in, the checks to make and the
// resulting user out.
import type { Attributes } from './attributes.js';
import { anonymousUser, authenticatedGroup, serviceAccountGroups, splitServiceAccountUsername, unauthenticatedGroup, type UserInfo } from './user.js';

export type ImpersonationPlan =
  | { kind: 'none' }
  | { kind: 'bad'; message: string }
  | { kind: 'impersonate'; checks: Attributes[]; user: UserInfo };

const all = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * Request headers by lower-cased name, each with all its values: node's headersDistinct, since
 * node's plain `headers` joins repeated headers (two Impersonate-Group lines) into one string.
 */
export type DistinctHeaders = Record<string, string | string[] | undefined>;

/** Impersonate-Extra-<key> keys are percent-encoded on the wire. */
function extras(h: DistinctHeaders): Record<string, string[]> | { bad: string } {
  const out: Record<string, string[]> = {};
  for (const [name, v] of Object.entries(h)) {
    if (!name.startsWith('impersonate-extra-')) continue;
    let key: string;
    try { key = decodeURIComponent(name.slice('impersonate-extra-'.length)); } catch { return { bad: `invalid Impersonate-Extra header ${JSON.stringify(name)}` }; }
    out[key] = [...(out[key] ?? []), ...all(v).flatMap((x) => x.split(',').map((s) => s.trim()))];
  }
  return out;
}

export function planImpersonation(h: DistinctHeaders, actor: UserInfo): ImpersonationPlan {
  const users = all(h['impersonate-user']);
  const groups = all(h['impersonate-group']);
  const uids = all(h['impersonate-uid']);
  const extra = extras(h);
  if ('bad' in extra) return { kind: 'bad', message: String(extra.bad) };
  const hasExtra = Object.keys(extra).length > 0;
  if (users.length === 0) {
    if (groups.length || hasExtra || uids.length) return { kind: 'bad', message: `requested [${[...groups.map((g) => `{Group ${g}}`), ...uids.map((u) => `{UID ${u}}`)].join(' ')}] without impersonating a user` };
    return { kind: 'none' };
  }
  if (users.length > 1 || uids.length > 1) return { kind: 'bad', message: 'only one user and one uid may be impersonated' };
  const username = users[0];
  const check = (a: Omit<Attributes & { resourceRequest: true }, 'user' | 'resourceRequest' | 'verb' | 'apiVersion'>): Attributes =>
    ({ user: actor, resourceRequest: true, verb: 'impersonate', apiVersion: '', ...a });
  const checks: Attributes[] = [];
  const sa = splitServiceAccountUsername(username);
  let userGroups = [...groups];
  if (sa) {
    checks.push(check({ apiGroup: '', resource: 'serviceaccounts', subresource: '', namespace: sa.namespace, name: sa.name }));
    if (groups.length === 0) userGroups = serviceAccountGroups(sa.namespace).filter((g) => g !== authenticatedGroup);
  } else {
    checks.push(check({ apiGroup: '', resource: 'users', subresource: '', namespace: '', name: username }));
  }
  for (const g of groups) checks.push(check({ apiGroup: '', resource: 'groups', subresource: '', namespace: '', name: g }));
  for (const [k, vs] of Object.entries(extra)) for (const v of vs) checks.push(check({ apiGroup: 'authentication.k8s.io', resource: 'userextras', subresource: k, namespace: '', name: v }));
  for (const u of uids) checks.push(check({ apiGroup: 'authentication.k8s.io', resource: 'uids', subresource: '', namespace: '', name: u }));
  // Every impersonated user other than the anonymous one is authenticated, whatever groups were asked for.
  const implied = username === anonymousUser ? unauthenticatedGroup : authenticatedGroup;
  if (!userGroups.includes(implied)) userGroups.push(implied);
  const user: UserInfo = { name: username, groups: userGroups, ...(uids[0] ? { uid: uids[0] } : {}), ...(hasExtra ? { extra } : {}) };
  return { kind: 'impersonate', checks, user };
}

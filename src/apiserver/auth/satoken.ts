// Service account tokens as pkg/serviceaccount issues and validates them: bound tokens
// (TokenRequest: audiences, expiry, bound to the ServiceAccount's uid) and legacy ones (a token
// Secret's data.token: no expiry, valid while the Secret holds it). Pure: keys, the clock and
// lookups of stored objects are passed in.
import { serviceAccountUser, type UserInfo } from './user.js';

/** The issuer and default API audience of a stock cluster (--service-account-issuer). */
export const defaultIssuer = 'https://kubernetes.default.svc.cluster.local';
export const legacyIssuer = 'kubernetes/serviceaccount';
/** Clock skew accepted on exp/nbf/iat, as go-jose's DefaultLeeway. */
export const leewaySeconds = 60;
/** TokenRequest limits: ValidateTokenRequest's minimum, and the default when none is asked. */
export const minExpirationSeconds = 600;
export const maxExpirationSeconds = 2 ** 32;
export const defaultExpirationSeconds = 3600;

export interface BoundTokenInput {
  namespace: string;
  name: string;
  uid: string;
  audiences: string[];
  expirationSeconds: number;
  nowSeconds: number;
  jti: string;
}

export function boundTokenClaims(i: BoundTokenInput): Record<string, unknown> {
  return {
    aud: i.audiences, exp: i.nowSeconds + i.expirationSeconds, iat: i.nowSeconds, nbf: i.nowSeconds,
    iss: defaultIssuer, jti: i.jti, sub: `system:serviceaccount:${i.namespace}:${i.name}`,
    'kubernetes.io': { namespace: i.namespace, serviceaccount: { name: i.name, uid: i.uid } },
  };
}

export function legacyTokenClaims(namespace: string, secretName: string, saName: string, saUid: string): Record<string, unknown> {
  return {
    iss: legacyIssuer,
    'kubernetes.io/serviceaccount/namespace': namespace,
    'kubernetes.io/serviceaccount/secret.name': secretName,
    'kubernetes.io/serviceaccount/service-account.name': saName,
    'kubernetes.io/serviceaccount/service-account.uid': saUid,
    sub: `system:serviceaccount:${namespace}:${saName}`,
  };
}

export interface StoredServiceAccount { uid: string; deleting: boolean }
export interface StoredTokenSecret { type: string; token: string | undefined; serviceAccountName: string; serviceAccountUid: string; deleting: boolean }

export interface TokenLookups {
  serviceAccount(namespace: string, name: string): StoredServiceAccount | undefined;
  /** A Pod's or Secret's uid, for tokens bound to one (undefined when absent or being deleted). */
  objectUid?(kind: 'Pod' | 'Secret', namespace: string, name: string): string | undefined;
  secret(namespace: string, name: string): StoredTokenSecret | undefined;
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * The user of a verified token's claims, or the reason it is refused (which only the log sees:
 * the client gets a bare 401, as upstream). `token` is the raw token, compared with a legacy Secret's.
 */
export function userFromClaims(claims: Record<string, unknown>, token: string, apiAudiences: string[], nowSeconds: number, look: TokenLookups): UserInfo | { refused: string } {
  if (claims.iss === legacyIssuer) return legacyUser(claims, token, look);
  if (claims.iss !== defaultIssuer) return { refused: 'issuer not recognised' };
  const exp = num(claims.exp), nbf = num(claims.nbf), iat = num(claims.iat);
  if (exp === undefined || exp + leewaySeconds < nowSeconds) return { refused: 'service account token has expired' };
  if (nbf !== undefined && nbf - leewaySeconds > nowSeconds) return { refused: 'service account token is not valid yet' };
  if (iat !== undefined && iat - leewaySeconds > nowSeconds) return { refused: 'service account token issued in the future' };
  const aud = Array.isArray(claims.aud) ? claims.aud : typeof claims.aud === 'string' ? [claims.aud] : [];
  if (!aud.some((a) => apiAudiences.includes(a as string))) return { refused: 'token audiences do not include an API audience' };
  const k = claims['kubernetes.io'] as { namespace?: unknown; serviceaccount?: { name?: unknown; uid?: unknown } } | undefined;
  const ns = str(k?.namespace), name = str(k?.serviceaccount?.name), uid = str(k?.serviceaccount?.uid);
  if (!ns || !name || !uid || claims.sub !== `system:serviceaccount:${ns}:${name}`) return { refused: 'malformed service account claims' };
  const sa = look.serviceAccount(ns, name);
  if (!sa) return { refused: `serviceaccounts "${name}" not found` };
  if (sa.uid !== uid) return { refused: `service account UID (${uid}) does not match claim (${sa.uid})` };
  if (sa.deleting) return { refused: `service account ${ns}/${name} has been deleted` };
  // A token bound to a Pod or Secret dies with it (or with its replacement under the same name).
  for (const kind of ['Pod', 'Secret'] as const) {
    const b = (k as Record<string, unknown>)[kind.toLowerCase()] as { name?: unknown; uid?: unknown } | undefined;
    if (b === undefined) continue;
    const boundName = str(b?.name), boundUid = str(b?.uid);
    if (!boundName || !boundUid) return { refused: `malformed ${kind} binding` };
    const live = look.objectUid?.(kind, ns, boundName);
    if (live === undefined) return { refused: `${kind.toLowerCase()}s "${boundName}" not found` };
    if (live !== boundUid) return { refused: `${kind} UID (${live}) does not match claim (${boundUid})` };
  }
  const jti = str(claims.jti);
  return serviceAccountUser(ns, name, uid, jti ? { 'authentication.kubernetes.io/credential-id': [`JTI=${jti}`] } : undefined);
}

function legacyUser(claims: Record<string, unknown>, token: string, look: TokenLookups): UserInfo | { refused: string } {
  const ns = str(claims['kubernetes.io/serviceaccount/namespace']);
  const secretName = str(claims['kubernetes.io/serviceaccount/secret.name']);
  const name = str(claims['kubernetes.io/serviceaccount/service-account.name']);
  const uid = str(claims['kubernetes.io/serviceaccount/service-account.uid']);
  if (!ns || !secretName || !name || !uid || claims.sub !== `system:serviceaccount:${ns}:${name}`) return { refused: 'malformed legacy service account claims' };
  const secret = look.secret(ns, secretName);
  if (!secret || secret.deleting || secret.type !== 'kubernetes.io/service-account-token') return { refused: `secrets "${secretName}" not found` };
  if (secret.token !== token) return { refused: 'token does not match the secret' };
  if (secret.serviceAccountName !== name || (secret.serviceAccountUid && secret.serviceAccountUid !== uid)) return { refused: 'secret is for another service account' };
  const sa = look.serviceAccount(ns, name);
  if (!sa || sa.deleting) return { refused: `serviceaccounts "${name}" not found` };
  if (sa.uid !== uid) return { refused: `service account UID (${uid}) does not match claim (${sa.uid})` };
  return serviceAccountUser(ns, name, uid);
}

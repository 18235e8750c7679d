// TokenRequest (POST .../serviceaccounts/NAME/token, what `kubectl create token` sends), as
// pkg/registry/core/serviceaccount/storage/token.go: a signed, expiring token for the
// ServiceAccount, bound to its uid. Pure but for the signature (the key is passed in).
import { randomUUID } from 'node:crypto';
import type { KObject } from '../../api/types.js';
import { invalid } from '../../api/fielderrors.js';
import { rfc3339 } from '../../api/meta.js';
import * as E from '../errors.js';
import { signJwt, type SigningKey } from './jwt.js';
import { boundTokenClaims, defaultExpirationSeconds, maxExpirationSeconds, minExpirationSeconds } from './satoken.js';

export interface TokenRequestInput {
  body: unknown;
  namespace: string;
  /** The ServiceAccount as stored. */
  serviceAccount: KObject;
  apiAudiences: string[];
  nowMs: number;
  key: SigningKey;
  jti?: string;
  /** The uid of a Pod or Secret in the namespace (undefined when absent), for a token bound to it. */
  objectUid?: (kind: 'Pod' | 'Secret', name: string) => string | undefined;
}

/** BoundObjectReference: a token bound to a Pod or Secret is valid only while that object exists. */
function boundObject(ref: Record<string, unknown>, i: TokenRequestInput): { kind: 'Pod' | 'Secret'; name: string; uid: string } {
  const kind = typeof ref.kind === 'string' ? ref.kind : '';
  const apiVersion = typeof ref.apiVersion === 'string' ? ref.apiVersion : '';
  const name = typeof ref.name === 'string' ? ref.name : '';
  const wantUid = typeof ref.uid === 'string' ? ref.uid : '';
  if (apiVersion !== 'v1' || (kind !== 'Pod' && kind !== 'Secret')) {
    const [g, v] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
    throw E.badRequest(`cannot bind token to object of type ${g}/${v}, Kind=${kind}`);
  }
  const uid = i.objectUid?.(kind, name);
  if (uid === undefined) throw E.notFound(kind === 'Pod' ? 'pods' : 'secrets', '', name);
  if (wantUid && wantUid !== uid) throw E.conflict(kind, '', name, `the UID in the bound object reference (${wantUid}) does not match the UID in record. The object might have been deleted and then recreated`);
  return { kind, name, uid };
}

export function tokenRequest(i: TokenRequestInput): KObject {
  const b = (typeof i.body === 'object' && i.body !== null && !Array.isArray(i.body) ? i.body : undefined) as Record<string, unknown> | undefined;
  if (!b) throw E.badRequest('the object provided is unrecognized (must be of type TokenRequest)');
  const name = i.serviceAccount.metadata!.name!;
  const spec = ((typeof b.spec === 'object' && b.spec !== null && !Array.isArray(b.spec)) ? b.spec : {}) as Record<string, unknown>;
  const asked = spec.expirationSeconds;
  const expirationSeconds = asked === undefined || asked === null ? defaultExpirationSeconds : asked;
  if (typeof expirationSeconds !== 'number' || !Number.isInteger(expirationSeconds)) throw E.badRequest('spec.expirationSeconds must be an integer');
  const errs = [];
  if (expirationSeconds < minExpirationSeconds) errs.push(invalid('spec.expirationSeconds', expirationSeconds, 'may not specify a duration less than 10 minutes'));
  if (expirationSeconds > maxExpirationSeconds) errs.push(invalid('spec.expirationSeconds', expirationSeconds, 'may not specify a duration larger than 2^32 seconds'));
  const audiences = Array.isArray(spec.audiences) ? spec.audiences.filter((a): a is string => typeof a === 'string') : [];
  if (errs.length) throw E.invalid('TokenRequest', 'authentication.k8s.io', name, errs);
  const ref = spec.boundObjectRef;
  const bound = typeof ref === 'object' && ref !== null && !Array.isArray(ref) ? boundObject(ref as Record<string, unknown>, i) : undefined;
  const aud = audiences.length ? audiences : i.apiAudiences;
  const nowSeconds = Math.floor(i.nowMs / 1000);
  const claims = boundTokenClaims({
    namespace: i.namespace, name, uid: i.serviceAccount.metadata!.uid ?? '', audiences: aud, expirationSeconds, nowSeconds, jti: i.jti ?? randomUUID(),
  });
  if (bound) (claims['kubernetes.io'] as Record<string, unknown>)[bound.kind.toLowerCase()] = { name: bound.name, uid: bound.uid };
  const token = signJwt(i.key, claims);
  // Go's protobuf marshaller writes empty strings JSON would omit; drop them.
  const meta = Object.fromEntries(Object.entries((typeof b.metadata === 'object' && b.metadata !== null ? b.metadata : {}) as Record<string, unknown>).filter(([, v]) => v !== ''));
  return {
    kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1',
    metadata: { ...meta, name, namespace: i.namespace, creationTimestamp: null },
    spec: { audiences: aud, expirationSeconds, boundObjectRef: bound ? { kind: bound.kind, apiVersion: 'v1', name: bound.name, uid: bound.uid } : null },
    status: { token, expirationTimestamp: rfc3339((nowSeconds + expirationSeconds) * 1000) },
  } as unknown as KObject;
}

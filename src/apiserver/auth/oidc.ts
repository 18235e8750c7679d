// Service account issuer discovery, as kube-apiserver serves it (pkg/serviceaccount's
// openidmetadata): an OpenID provider configuration naming the issuer and a JWKS with the public
// half of the token signing key, so that anything outside the cluster can verify our
// ServiceAccount tokens (workload identity federation, Vault's kubernetes auth, …). Pure.
import type { SigningKey } from './jwt.js';

export const oidcConfigPath = '/.well-known/openid-configuration';
export const jwksPath = '/openid/v1/jwks';

/** The paths with and without the trailing slash upstream also answers on. */
export function oidcDocument(path: string): 'config' | 'jwks' | undefined {
  const p = path.endsWith('/') ? path.slice(0, -1) : path;
  if (p === oidcConfigPath) return 'config';
  if (p === jwksPath) return 'jwks';
  return undefined;
}

/** The provider configuration: the issuer tokens carry, and where the keys are. */
export function openIdConfiguration(issuer: string, externalUrl: string): Record<string, unknown> {
  return {
    issuer,
    jwks_uri: `${externalUrl.replace(/\/$/, '')}${jwksPath}`,
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['ES256'],
  };
}

/** RFC 7517 key set with the one verification key, under the key id tokens name in their header. */
export function jwks(key: SigningKey): Record<string, unknown> {
  const jwk = key.publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
  return { keys: [{ use: 'sig', kty: jwk.kty, kid: key.keyId, crv: jwk.crv, alg: 'ES256', x: jwk.x, y: jwk.y }] };
}

// Compact JWS (RFC 7515) with ES256, for service account tokens. node:crypto rather than a JWT
// library: the one in node_modules (jose) is only a transitive dependency of client-node, and
// the little we need (sign, verify one algorithm, read claims) is a few lines over
// crypto.sign/verify. Parsing never throws: a malformed token is `undefined`, i.e. not ours.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

export interface SigningKey { privateKey: KeyObject; publicKey: KeyObject; keyId: string }

/** The key id upstream derives from the public key: base64url of the SHA-256 of its DER form. */
function keyIdOf(pub: KeyObject): string {
  return createHash('sha256').update(pub.export({ type: 'spki', format: 'der' })).digest('base64url');
}

export function signingKeyFromPem(pem: string): SigningKey {
  const privateKey = createPrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}

export function generateSigningKeyPem(): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

export function signJwt(key: SigningKey, claims: Record<string, unknown>): string {
  const input = `${b64({ alg: 'ES256', kid: key.keyId })}.${b64(claims)}`;
  const sig = sign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${sig.toString('base64url')}`;
}

/** True when the text has the shape of a compact JWS (three base64url parts); a token that does not is not a JWT at all. */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}

/** The claims of a token signed by this key with ES256, or undefined (bad shape, header, algorithm or signature). */
export function verifyJwt(key: SigningKey, token: string): Record<string, unknown> | undefined {
  if (!looksLikeJwt(token)) return undefined;
  const [h, p, s] = token.split('.');
  const header = parseJsonObject(Buffer.from(h, 'base64url').toString('utf8'));
  if (!header || header.alg !== 'ES256') return undefined;
  const sig = Buffer.from(s, 'base64url');
  if (sig.length !== 64) return undefined;
  let ok = false;
  try { ok = verify('sha256', Buffer.from(`${h}.${p}`), { key: key.publicKey, dsaEncoding: 'ieee-p1363' }, sig); } catch { return undefined; }
  if (!ok) return undefined;
  return parseJsonObject(Buffer.from(p, 'base64url').toString('utf8'));
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch { return undefined; }
}

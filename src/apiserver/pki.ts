// The embedded API server's TLS material: a private CA, a serving certificate it signs, and the
// bearer token clients present. Generated on first start, persisted to a directory and reused.
// kubectl only sends credentials over TLS and Go ignores the CN, so the leaf needs SANs for every
// name clients dial (apiserver-wire-protocol.md §11).
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import path from 'node:path';
import type * as X509 from '@peculiar/x509';

export interface PkiMaterial { caCertPem: string; certPem: string; keyPem: string; token: string }

export interface PkiOptions {
  /** Extra host names or IP addresses for the serving certificate (e.g. the host's name with `--address 0.0.0.0`). */
  extraSans?: readonly string[];
  /** Injected clock; defaults to the current time. */
  now?: Date;
}

const DAY_MS = 24 * 60 * 60 * 1000;
export const CA_VALIDITY_DAYS = 3650;
export const LEAF_VALIDITY_DAYS = 365;
/** Renew a certificate that would expire within this window, so a long-running server never serves an expired one. */
export const RENEW_BEFORE_DAYS = 30;
/** Backdate notBefore a little so clients whose clock runs slightly behind still accept a fresh cert. */
const BACKDATE_MS = 60 * 60 * 1000;
const EC_KEY = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;

const FILES = { caCert: 'ca.crt', caKey: 'ca.key', cert: 'server.crt', key: 'server.key', token: 'token' } as const;

// ---- Pure decisions -------------------------------------------------------------------------

/** The SANs the serving cert must carry, as sorted "ip:…"/"dns:…" strings (loopback always included). */
export function wantedSans(extra: readonly string[] = []): string[] {
  const names = ['127.0.0.1', '::1', 'localhost', ...extra.map((n) => n.trim()).filter(Boolean)];
  return [...new Set(names.map((n) => (isIP(n) ? `ip:${canonicalIp(n)}` : `dns:${n.toLowerCase()}`)))].sort();
}

/** One spelling per address, so "0:0::1" and "::1" compare equal. */
function canonicalIp(ip: string): string {
  return isIP(ip) === 6 ? new URL(`http://[${ip}]/`).hostname.slice(1, -1) : ip;
}

/** True when a certificate must be replaced: near expiry (or not yet valid). */
export function nearExpiry(notBefore: Date, notAfter: Date, now: Date): boolean {
  return notBefore.getTime() > now.getTime() || notAfter.getTime() - now.getTime() < RENEW_BEFORE_DAYS * DAY_MS;
}

export interface LeafFacts { notBefore: Date; notAfter: Date; sans: readonly string[]; signedByCa: boolean }

/** Whether an existing serving cert can be reused as is. */
export function leafReusable(leaf: LeafFacts, wanted: readonly string[], now: Date): boolean {
  const have = [...new Set(leaf.sans)].sort();
  return leaf.signedByCa && !nearExpiry(leaf.notBefore, leaf.notAfter, now) && have.join(',') === [...wanted].join(',');
}

// ---- Shell ----------------------------------------------------------------------------------

/**
 * Load the CA, serving cert/key and token from `dir`, creating or renewing what is missing,
 * expired or no longer matching the wanted SANs. `dir = null` keeps everything in memory.
 */
export async function ensurePki(dir: string | null, opts: PkiOptions = {}): Promise<PkiMaterial> {
  const x509 = await loadX509();
  const now = opts.now ?? new Date();
  const sans = wantedSans(opts.extraSans);
  const stored = dir ? await readStored(dir) : {};

  let ca = await parseCa(x509, stored.caCert, stored.caKey);
  const newCa = !ca || nearExpiry(ca.cert.notBefore, ca.cert.notAfter, now);
  if (newCa) ca = await createCa(x509, now);
  const { cert: caCert, key: caKey } = ca!;

  let certPem = stored.cert;
  let keyPem = stored.key;
  const leaf = !newCa && certPem && keyPem ? await leafFacts(x509, certPem, caCert) : null;
  const newLeaf = !leaf || !leafReusable(leaf, sans, now);
  if (newLeaf) ({ certPem, keyPem } = await createLeaf(x509, caCert, caKey, sans, now));

  const token = stored.token?.trim() || randomBytes(32).toString('base64url');
  const material: PkiMaterial = { caCertPem: caCert.toString('pem') + '\n', certPem: certPem!, keyPem: keyPem!, token };

  if (dir) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    if (newCa) {
      await writeFileMode(path.join(dir, FILES.caCert), material.caCertPem, 0o644);
      await writeFileMode(path.join(dir, FILES.caKey), await privateKeyPem(x509, caKey), 0o600);
    }
    if (newLeaf) {
      await writeFileMode(path.join(dir, FILES.cert), material.certPem, 0o644);
      await writeFileMode(path.join(dir, FILES.key), material.keyPem, 0o600);
    }
    if (token !== stored.token?.trim()) await writeFileMode(path.join(dir, FILES.token), token + '\n', 0o600);
    // Secrets reused from an earlier run get their mode tightened too, in case someone loosened it.
    for (const f of [FILES.caKey, FILES.key, FILES.token]) await chmod(path.join(dir, f), 0o600);
  }
  return material;
}

/** Write with `mode`, fixing the mode too when the file already existed (writeFile's mode applies only on create). */
async function writeFileMode(file: string, data: string, mode: number): Promise<void> {
  await writeFile(file, data, { mode });
  await chmod(file, mode);
}

async function readStored(dir: string): Promise<Partial<Record<keyof typeof FILES, string>>> {
  const entries = await Promise.all(Object.entries(FILES).map(async ([k, f]) => {
    try { return [k, await readFile(path.join(dir, f), 'utf8')] as const; } catch { return [k, undefined] as const; }
  }));
  return Object.fromEntries(entries.filter(([, v]) => v !== undefined));
}

interface Ca { cert: X509.X509Certificate; key: CryptoKey }

/** A stored CA that does not parse is treated as absent (and replaced), not as fatal. */
async function parseCa(x509: typeof X509, certPem?: string, keyPem?: string): Promise<Ca | null> {
  if (!certPem || !keyPem) return null;
  try {
    const cert = new x509.X509Certificate(certPem);
    const der = x509.PemConverter.decodeFirst(keyPem);
    const key = await crypto.subtle.importKey('pkcs8', der, EC_KEY, true, ['sign']);
    return { cert, key };
  } catch {
    return null;
  }
}

async function leafFacts(x509: typeof X509, certPem: string, caCert: X509.X509Certificate): Promise<LeafFacts | null> {
  try {
    const cert = new x509.X509Certificate(certPem);
    const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
    const sans = (san?.names.toJSON() ?? []).map((n) => (n.type === 'ip' ? `ip:${canonicalIp(n.value)}` : `${n.type}:${n.value.toLowerCase()}`));
    const signedByCa = await cert.verify({ publicKey: caCert.publicKey, signatureOnly: true });
    return { notBefore: cert.notBefore, notAfter: cert.notAfter, sans, signedByCa };
  } catch {
    return null;
  }
}

async function createCa(x509: typeof X509, now: Date): Promise<Ca> {
  const keys = await crypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=everynode-ca',
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(now.getTime() + CA_VALIDITY_DAYS * DAY_MS),
    signingAlgorithm: SIGNING,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, key: keys.privateKey };
}

async function createLeaf(x509: typeof X509, caCert: X509.X509Certificate, caKey: CryptoKey, sans: readonly string[], now: Date) {
  const keys = await crypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.create({
    subject: 'CN=everynode-apiserver',
    issuer: caCert.subject,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(now.getTime() + LEAF_VALIDITY_DAYS * DAY_MS),
    signingAlgorithm: SIGNING,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(sans.map(toGeneralName)),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
    ],
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: await privateKeyPem(x509, keys.privateKey) };
}

/** "ip:127.0.0.1" / "dns:localhost" → the library's JSON GeneralName. */
function toGeneralName(san: string): { type: 'ip' | 'dns'; value: string } {
  const colon = san.indexOf(':');
  return { type: san.slice(0, colon) === 'ip' ? 'ip' : 'dns', value: san.slice(colon + 1) };
}

async function privateKeyPem(x509: typeof X509, key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await crypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY') + '\n';
}

let x509Module: Promise<typeof X509> | undefined;

/**
 * @peculiar/x509 resolves its algorithm plug-ins through tsyringe, which needs the Reflect
 * metadata API before the library's own module evaluation; the dynamic import orders the
 * polyfill first.
 */
function loadX509(): Promise<typeof X509> {
  x509Module ??= (async () => {
    await import('reflect-metadata');
    const x509 = await import('@peculiar/x509');
    x509.cryptoProvider.set(globalThis.crypto);
    return x509;
  })();
  return x509Module;
}

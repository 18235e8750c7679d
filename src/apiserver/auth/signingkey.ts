// The key that signs service account tokens (kube-apiserver's --service-account-signing-key-file):
// sa.key in the PKI directory, created on first start with mode 0600, or a fresh one per
// process for an in-memory cluster (whose tokens could not outlive it anyway).
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateSigningKeyPem, signingKeyFromPem, type SigningKey } from './jwt.js';

export async function ensureSigningKey(pkiDir: string | null): Promise<{ key: SigningKey; pem: string }> {
  if (pkiDir === null) { const pem = generateSigningKeyPem(); return { key: signingKeyFromPem(pem), pem }; }
  const file = path.join(pkiDir, 'sa.key');
  let pem: string | undefined;
  try { pem = await readFile(file, 'utf8'); } catch { /* absent: created below */ }
  if (pem !== undefined) {
    try { const key = signingKeyFromPem(pem); await chmod(file, 0o600); return { key, pem }; } catch {
      throw new Error(`${file} is not a PEM private key; remove it to have a new one made (tokens signed with it become invalid)`);
    }
  }
  pem = generateSigningKeyPem();
  await mkdir(pkiDir, { recursive: true, mode: 0o700 });
  await writeFile(file, pem, { mode: 0o600 });
  await chmod(file, 0o600);
  return { key: signingKeyFromPem(pem), pem };
}

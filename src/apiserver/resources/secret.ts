// Secrets (ValidateSecret / ValidateSecretUpdate, v1 defaults and the stringData conversion).
import { invalid, required, tooLong, type FieldError } from '../../api/fielderrors.js';
import type { KObject } from '../../api/types.js';
import { base64Size, maxDataSize, validateDataKeys, validateImmutableData } from './configmap.js';
import { immutable } from './objectmeta.js';
import type { ResourceStrategy } from './types.js';

interface SecretShape {
  metadata?: { annotations?: Record<string, string> };
  data?: Record<string, string>; stringData?: Record<string, string>; type?: string; immutable?: boolean;
}

const asSecret = (o: KObject) => o as unknown as SecretShape;

/** Keys each built-in secret type must carry. */
function typeRules(s: SecretShape): FieldError[] {
  const data = s.data ?? {};
  const has = (k: string) => k in data;
  const needKey = (k: string) => (has(k) ? [] : [required(`data[${k}]`)]);
  const jsonKey = (k: string): FieldError[] => {
    if (!has(k)) return [required(`data[${k}]`)];
    try { JSON.parse(Buffer.from(data[k], 'base64').toString('utf8')); return []; } catch (e) {
      return [invalid(`data[${k}]`, '<secret contents redacted>', (e as Error).message)];
    }
  };
  switch (s.type) {
    case 'kubernetes.io/service-account-token':
      return s.metadata?.annotations?.['kubernetes.io/service-account.name'] ? [] : [required('metadata.annotations[kubernetes.io/service-account.name]')];
    case 'kubernetes.io/dockercfg': return jsonKey('.dockercfg');
    case 'kubernetes.io/dockerconfigjson': return jsonKey('.dockerconfigjson');
    case 'kubernetes.io/basic-auth':
      return has('username') || has('password') ? [] : [required('data[username]'), required('data[password]')];
    case 'kubernetes.io/ssh-auth': return data['ssh-privatekey'] ? [] : [required('data[ssh-privatekey]')];
    case 'kubernetes.io/tls': return [...needKey('tls.crt'), ...needKey('tls.key')];
    default: return [];
  }
}

export function validateSecret(s: SecretShape): FieldError[] {
  const errs = validateDataKeys(s.data, 'data');
  const size = Object.values(s.data ?? {}).reduce((n, v) => n + base64Size(String(v)), 0);
  if (size > maxDataSize) errs.push(tooLong('data', '', maxDataSize));
  errs.push(...typeRules(s));
  return errs;
}

export const secretStrategy: ResourceStrategy = {
  default(obj) {
    const s = asSecret(obj);
    s.type ||= 'Opaque';
    // stringData is write-only: the v1 conversion folds it into data (base64) and drops it.
    if (s.stringData) {
      s.data = { ...(s.data ?? {}) };
      for (const [k, v] of Object.entries(s.stringData)) s.data[k] = Buffer.from(String(v), 'utf8').toString('base64');
      delete s.stringData;
    }
  },
  validate: (obj) => validateSecret(asSecret(obj)),
  validateUpdate: (obj, old) => [
    ...immutable(asSecret(obj).type, asSecret(old).type, 'type'),
    ...validateImmutableData(asSecret(obj), asSecret(old), ['data']),
  ],
};

// ConfigMaps (ValidateConfigMap / ValidateConfigMapUpdate in pkg/apis/core/validation).
import { forbidden, invalid, tooLong, type FieldError } from '../../api/fielderrors.js';
import type { KObject } from '../../api/types.js';
import { isConfigMapKey } from '../../api/validation.js';
import { semanticEqual } from './equality.js';
import type { ResourceStrategy } from './types.js';

/** core.MaxSecretSize: the cap on the summed value sizes of a ConfigMap or Secret. */
export const maxDataSize = 1024 * 1024;
export const immutableMessage = 'field is immutable when `immutable` is set';

interface ConfigMapShape { data?: Record<string, string>; binaryData?: Record<string, string>; immutable?: boolean }

/** Bytes carried by a base64 value (binaryData, Secret data). */
export function base64Size(v: string): number {
  return Buffer.from(v, 'base64').length;
}

export function validateDataKeys(data: Record<string, unknown> | undefined, path: string): FieldError[] {
  return Object.keys(data ?? {}).flatMap((k) => isConfigMapKey(k).map((m) => invalid(`${path}[${k}]`, k, m)));
}

export function validateConfigMap(cm: ConfigMapShape): FieldError[] {
  const errs = [...validateDataKeys(cm.data, 'data'), ...validateDataKeys(cm.binaryData, 'binaryData')];
  let size = 0;
  for (const [k, v] of Object.entries(cm.data ?? {})) {
    if (cm.binaryData && k in cm.binaryData) errs.push(invalid(`data[${k}]`, k, 'duplicate of key present in binaryData'));
    size += Buffer.byteLength(String(v));
  }
  for (const v of Object.values(cm.binaryData ?? {})) size += base64Size(String(v));
  // Upstream reports the whole object at the empty path.
  if (size > maxDataSize) errs.push(tooLong('', '', maxDataSize));
  return errs;
}

/** The `immutable: true` rules ConfigMaps and Secrets share. */
export function validateImmutableData(now: ConfigMapShape, before: ConfigMapShape, fields: ('data' | 'binaryData')[]): FieldError[] {
  if (before.immutable !== true) return [];
  const errs: FieldError[] = [];
  if (now.immutable !== true) errs.push(forbidden('immutable', immutableMessage));
  for (const f of fields) if (!semanticEqual(now[f], before[f])) errs.push(forbidden(f, immutableMessage));
  return errs;
}

const asCM = (o: KObject) => o as unknown as ConfigMapShape;

export const configMapStrategy: ResourceStrategy = {
  validate: (obj) => validateConfigMap(asCM(obj)),
  validateUpdate: (obj, old) => validateImmutableData(asCM(obj), asCM(old), ['data', 'binaryData']),
};

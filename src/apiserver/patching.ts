// PATCH bodies → the patched object, choosing the mechanism by media type (wire-protocol §7.3).
// Server-side apply is served as a strategic merge of the applied configuration into the live
// object (create when absent): we keep no managedFields, and a merge never wipes fields the
// applied configuration leaves out, which is what kubectl's second apply request relies on.
import YAML from 'yaml';
import type { KObject } from '../api/types.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, PatchError } from '../api/patch.js';
import { smpSchemaFor } from '../api/patchschema.js';
import * as E from './errors.js';

export const patchTypes = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];

function parse(body: Buffer, yaml: boolean): unknown {
  const text = body.toString('utf8');
  try {
    return yaml ? YAML.parse(text) : JSON.parse(text);
  } catch (err) {
    throw E.badRequest(`error decoding patch: ${(err as Error).message}`);
  }
}

export function applyPatchBody(mediaType: string, current: KObject, body: Buffer, kind: string): KObject {
  try {
    let out: unknown;
    switch (mediaType) {
      case 'application/json-patch+json': out = applyJsonPatch(current, parse(body, false)); break;
      case 'application/merge-patch+json': out = applyMergePatch(current, parse(body, false)); break;
      case 'application/strategic-merge-patch+json': {
        const schema = smpSchemaFor(kind);
        if (!schema) throw E.unsupportedMediaType(patchTypes.filter((t) => !t.includes('strategic')));
        out = applyStrategicMergePatch(current, parse(body, false), schema);
        break;
      }
      case 'application/apply-patch+yaml': {
        const applied = parse(body, true);
        if (typeof applied !== 'object' || applied === null || Array.isArray(applied)) throw E.badRequest('apply patch must be an object');
        out = applyStrategicMergePatch(current, applied, smpSchemaFor(kind));
        break;
      }
      default: throw E.unsupportedMediaType(patchTypes);
    }
    if (typeof out !== 'object' || out === null || Array.isArray(out)) throw E.badRequest('the patched document is not an object');
    return out as KObject;
  } catch (err) {
    if (err instanceof PatchError) {
      if (err.code === 400) throw E.badRequest(err.message);
      if (err.code === 413) throw E.tooLarge(err.message);
      if (err.code === 422) throw new E.ApiError(422, 'Invalid', err.message, {});
      throw new E.ApiError(500, 'InternalError', err.message, {});
    }
    throw err;
  }
}

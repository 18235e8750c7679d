// PATCH bodies → the patched object, choosing the mechanism by media type (wire-protocol §7.3).
// Server-side apply is not a patch of this kind: it merges by field ownership (apply/), and the
// handler sends it there.
import { parseYamlText } from './yamltext.js';
import type { KObject } from '../api/types.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, PatchError } from '../api/patch.js';
import { smpSchemaFor } from '../api/patchschema.js';
import * as E from './errors.js';
import { deepCopy } from '../api/clone.js';
import { exceedsDepth } from './typecheck.js';

export const patchTypes = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];

/**
 * The patch body as a plain JSON tree. Its depth is bounded before any recursive patch code
 * sees it; YAML aliases are bounded by maxAliasCount and un-shared by the copy (apply mutates).
 */
function parse(body: Buffer, yaml: boolean): unknown {
  const text = body.toString('utf8');
  let v: unknown;
  try {
    v = yaml ? parseYamlText(text) : JSON.parse(text);
  } catch (err) {
    if (yaml && err instanceof ReferenceError && /alias/i.test(err.message)) throw E.badRequest('error decoding YAML: yaml: document contains excessive aliasing');
    if (err instanceof RangeError || /Maximum call stack/.test(String((err as Error).message))) throw E.badRequest(`error decoding ${yaml ? 'YAML' : 'patch'}: exceeded max depth`);
    throw E.badRequest(`error decoding patch: ${(err as Error).message}`);
  }
  if (exceedsDepth(v)) throw E.badRequest(`error decoding ${yaml ? 'YAML' : 'patch'}: exceeded max depth`);
  return yaml ? deepCopy(v) : v;
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

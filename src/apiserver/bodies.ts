// Request bodies parsed as the Go decoder would, bounded in depth like its JSON reader.
import * as E from './errors.js';
import { exceedsDepth } from './typecheck.js';

export const tooDeep = "couldn't get version/kind; json parse error: exceeded max depth";

export function parseJson(body: Buffer): unknown {
  let v: unknown;
  try { v = JSON.parse(body.toString('utf8')); } catch (err) {
    throw E.badRequest(`the object provided is unrecognized (must be of type JSON): ${(err as Error).message}`);
  }
  if (exceedsDepth(v)) throw E.badRequest(tooDeep);
  return v;
}


// Reading the files `everynode plan` and `everynode rehearse` take: YAML with one or more
// documents. Every problem is one line naming the file (and line:column for a syntax error), so
// the commands can print it and exit non-zero; nothing here throws anything else.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { fieldErrorMessage } from '../../api/fielderrors.js';
import type { DaemonSet } from '../../api/types.js';
import { API_VERSION, KIND, type DaemonSetRollout } from '../api/types.js';
import { validateRollout } from '../api/validate.js';

/** A problem the user must fix: one line, already prefixed with the file name. */
export class InputError extends Error {
  constructor(readonly lines: string[]) { super(lines.join('\n')); }
}

/** The file's text, or an InputError "FILE: cannot read: …" (missing file, a directory, no permission). */
export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message.split('\n')[0];
    throw new InputError([`${file}: cannot read: ${why}`]);
  }
}

/** Every non-empty document of a YAML text; a syntax error is "FILE:LINE:COL: message". */
export function yamlDocuments(text: string, file: string): unknown[] {
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [];
  for (const d of list) {
    const err = d.errors[0];
    if (err) {
      // The message names where the parser gave up ("at line 3, column 1"), which is where the
      // user should look; linePos is the start of the offending node. Prefer the former.
      const first = err.message.split('\n')[0];
      const m = / at line (\d+), column (\d+):?$/.exec(first);
      const pos = m ? `${m[1]}:${m[2]}` : err.linePos?.[0] ? `${err.linePos[0].line}:${err.linePos[0].col}` : '1:1';
      throw new InputError([`${file}:${pos}: ${m ? first.slice(0, m.index) : first}`]);
    }
  }
  return list.map((d) => d.toJS({ maxAliasCount: 100 }) as unknown).filter((v) => v !== null && v !== undefined);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The one DaemonSetRollout of a file, validated with validateRollout (one line per field error). */
export function parseRollout(text: string, file: string): DaemonSetRollout {
  const docs = yamlDocuments(text, file).filter((d) => !isObject(d) || d.kind === undefined || d.kind === KIND);
  if (docs.length === 0) throw new InputError([`${file}: no ${KIND} in the file`]);
  if (docs.length > 1) throw new InputError([`${file}: ${docs.length} ${KIND} documents; give one per file`]);
  const doc = docs[0];
  if (isObject(doc) && doc.apiVersion !== undefined && doc.apiVersion !== API_VERSION) {
    throw new InputError([`${file}: apiVersion ${JSON.stringify(doc.apiVersion)}: expected ${API_VERSION}`]);
  }
  const errs = validateRollout(doc);
  if (errs.length) throw new InputError(errs.map((e) => `${file}: ${fieldErrorMessage(e)}`));
  const r = doc as unknown as DaemonSetRollout;
  if (r.metadata !== undefined && !isObject(r.metadata)) throw new InputError([`${file}: metadata: must be of type object`]);
  return r;
}

/** The DaemonSets of a file (other kinds are skipped); each must have a name and a pod template. */
export function parseDaemonSets(text: string, file: string): DaemonSet[] {
  const out: DaemonSet[] = [];
  for (const d of yamlDocuments(text, file)) {
    if (!isObject(d) || d.kind !== 'DaemonSet') continue;
    const ds = d as unknown as DaemonSet;
    const name = ds.metadata?.name;
    if (typeof name !== 'string' || !name) throw new InputError([`${file}: a DaemonSet without metadata.name`]);
    const containers = ds.spec?.template?.spec?.containers;
    if (!Array.isArray(containers) || containers.length === 0 || containers.some((c) => !isObject(c) || typeof c.name !== 'string' || typeof c.image !== 'string')) {
      throw new InputError([`${file}: DaemonSet ${name}: spec.template.spec.containers: every container needs a name and an image`]);
    }
    out.push(ds);
  }
  if (!out.length) throw new InputError([`${file}: no DaemonSet in the file`]);
  return out;
}

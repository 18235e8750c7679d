// Mutations of a valid object at schema paths: the value at a path replaced by a hostile one,
// intermediate objects and arrays created on the way, or a field removed. Pure given the Rng.
import type { Rng } from './prng.js';
import type { FieldPath } from './schema.js';
import { hostile, oddKeys, wrongTyped } from './values.js';

type Json = Record<string, unknown> | unknown[];
type Key = string | number;

export interface Mutation { path: string; at: Key[]; value: unknown; remove?: boolean }

// Keys such as `__proto__` are among the hostile keys: they must become own properties of the
// body (JSON.stringify then sends them), never reach through to Object.prototype, which would
// pollute every object of the fuzzer's own process (process.env among them: a polluted prototype
// made fork() refuse the environment).
const own = (o: unknown, key: Key): unknown =>
  o !== null && typeof o === 'object' && Object.prototype.hasOwnProperty.call(o, key) ? (o as Record<Key, unknown>)[key] : undefined;
const define = (o: object, key: Key, value: unknown) => Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });

/** Chooses concrete element indexes and map keys for a schema path in `root`. */
function concretePath(rng: Rng, root: unknown, segments: readonly string[]): Key[] {
  const out: Key[] = [];
  let at: unknown = root;
  for (const seg of segments) {
    let key: Key;
    if (seg === '[]') {
      const len = Array.isArray(at) ? at.length : 0;
      key = len && rng.chance(0.7) ? rng.int(len) : len;
    } else if (seg === '{}') {
      const existing = at !== null && typeof at === 'object' ? Object.keys(at) : [];
      key = existing.length && rng.chance(0.5) ? rng.pick(existing) : rng.chance(0.5) ? rng.pick(oddKeys) : 'k';
    } else key = seg;
    out.push(key);
    at = own(at, key);
  }
  return out;
}

/** Sets (or removes) the value at a concrete path, creating objects and arrays on the way. */
export function setAt(root: Record<string, unknown>, path: readonly Key[], value: unknown, remove = false): void {
  let at: Json = root;
  for (let i = 0; i < path.length; i++) {
    const key = path[i];
    if (i === path.length - 1) {
      if (!remove) define(at, key, value);
      else if (Array.isArray(at) && typeof key === 'number') at.splice(key, 1);
      else delete (at as Record<Key, unknown>)[key];
      return;
    }
    let next = own(at, key);
    if (next === null || typeof next !== 'object') define(at, key, (next = typeof path[i + 1] === 'number' ? [] : {}));
    at = next as Json;
  }
}

export function showPath(path: readonly Key[]): string {
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : /^[A-Za-z_$][\w$]*$/.test(k) ? (i ? `.${k}` : k) : `[${JSON.stringify(k)}]`)).join('');
}

/** Applies 1..maxMutations random mutations to a deep copy of `obj`; returns the copy and what changed. */
export function mutateObject(rng: Rng, obj: object, paths: readonly FieldPath[], maxMutations = 3): { value: Record<string, unknown>; mutations: Mutation[] } {
  const value = structuredClone(obj) as Record<string, unknown>;
  const mutations: Mutation[] = [];
  const n = 1 + rng.int(maxMutations);
  for (let i = 0; i < n && paths.length; i++) {
    const p = rng.pick(paths);
    const remove = rng.chance(0.08);
    const v = remove ? undefined : hostile(rng, p.type);
    const at = concretePath(rng, value, p.segments);
    setAt(value, at, v, remove);
    mutations.push({ path: showPath(at), at, value: v, remove });
  }
  if (rng.chance(0.05)) {
    // A non-ASCII or odd top-level or metadata key nobody declared.
    const target = rng.chance(0.5) ? value : 'metadata';
    const k = rng.pick(oddKeys);
    const v = wrongTyped(rng, undefined);
    const at: Key[] = target === value ? [k] : ['metadata', k];
    setAt(value, at, v);
    mutations.push({ path: showPath(at), at, value: v });
  }
  return { value, mutations };
}

/** The mutations as a report shows them: spec.containers[0].image=5, -metadata.name. */
export function describeMutations(ms: readonly Mutation[]): string {
  return ms.map((m) => (m.remove ? `-${m.path}` : `${m.path}=${short(m.value)}`)).join(', ');
}

export function short(v: unknown): string {
  const s = (JSON.stringify(v) ?? 'undefined').replace(/"\\u0000fuzz-(deep|huge):([ao]?)(\d+)"/g, (_m, what: string, shape: string, n: string) =>
    (what === 'huge' ? `<${n}-char string>` : `<${shape === 'o' ? 'object' : 'array'} ${n} deep>`));
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

// Generators of request bodies for every served kind: valid creates (so there is something to
// update), mutated creates and updates, patches of every type, deletes with odd options.
import type { Rng } from './prng.js';
import type { FuzzContext, FuzzRequest, HttpRequest } from './request.js';
import { collectionPath, encode, itemPath } from './request.js';
import { sampleObject } from './samples.js';
import { describeMutations, mutateObject, setAt, type Mutation } from './mutate.js';
import { encodeJson, hasPlaceholder, yamlAliasBomb, yamlRecursiveAlias } from './encode.js';
import { hostile, oddStrings, wrongTyped } from './values.js';
import { queryString } from './queries.js';

type Kind = FuzzContext['kinds'][number];

function target(rng: Rng, ctx: FuzzContext): { k: Kind; ns: string; name: string } {
  return { k: rng.pick(ctx.kinds), ns: rng.pick(ctx.namespaces), name: rng.pick(ctx.names) };
}

const json = (generator: string, method: string, path: string, body: string, contentType = 'application/json', note?: string): HttpRequest =>
  ({ kind: 'http', generator, method, path, headers: { 'Content-Type': contentType }, body, note });

/** The mutated body, as JSON (sometimes with a duplicate key) or as the same text sent as YAML. */
function encodeMutated(rng: Rng, value: unknown): { text: string; contentType: string } {
  const text = encodeJson(value, rng, rng.chance(0.1));
  const yaml = rng.chance(0.1) && !hasPlaceholder(JSON.stringify(value));
  return { text, contentType: yaml ? 'application/yaml' : 'application/json' };
}

/** Each single mutation alone, on a fresh sample: the smallest change that still fails. */
function singleMutations(generator: string, method: string, path: string, sample: object, ms: Mutation[], contentType: string): () => FuzzRequest[] {
  return () => (ms.length < 2 ? [] : ms.map((m) => {
    const v = structuredClone(sample) as Record<string, unknown>;
    setAt(v, m.at, m.value, m.remove);
    return json(generator, method, path, encodeJson(v), contentType, describeMutations([m]));
  }));
}

export function createValid(rng: Rng, ctx: FuzzContext): FuzzRequest {
  const { k, ns, name } = target(rng, ctx);
  return json('create-valid', 'POST', collectionPath(k.def, ns), JSON.stringify(sampleObject(k.def, name, ns)));
}

export function createMutated(rng: Rng, ctx: FuzzContext): FuzzRequest {
  const { k, ns, name } = target(rng, ctx);
  const sample = sampleObject(k.def, name, ns);
  const { value, mutations } = mutateObject(rng, sample, k.paths);
  const { text, contentType } = encodeMutated(rng, value);
  const path = collectionPath(k.def, ns) + queryString(rng, ['dryRun', 'fieldValidation', 'fieldManager', 'pretty'], 0.3);
  return { ...json('create-mutated', 'POST', path, text, contentType, describeMutations(mutations)), shrink: singleMutations('create-mutated', 'POST', path, sample, mutations, 'application/json') };
}

export function updateMutated(rng: Rng, ctx: FuzzContext): FuzzRequest {
  const { k, ns, name } = target(rng, ctx);
  const sub = k.def.subresources.includes('status') && rng.chance(0.3) ? 'status' : '';
  const sample = sampleObject(k.def, name, ns);
  const { value, mutations } = mutateObject(rng, sample, k.paths);
  const { text, contentType } = encodeMutated(rng, value);
  const path = itemPath(k.def, ns, name, sub) + queryString(rng, ['dryRun', 'fieldValidation', 'fieldManager'], 0.3);
  return { ...json('update-mutated', 'PUT', path, text, contentType, describeMutations(mutations)), shrink: singleMutations('update-mutated', 'PUT', path, sample, mutations, 'application/json') };
}

/** A JSON pointer into the kind's schema (sometimes broken: escapes, indexes, '-', no slash). */
function pointer(rng: Rng, k: Kind): string {
  if (rng.chance(0.15)) return rng.pick(['', '/', 'metadata', '/metadata/labels/a~1b', '/~2', '/spec/containers/-', '/spec/containers/99', '/data/%ZZ', '/metadata/name/x', '//', '/-1', '/metadata/labels/ключ']);
  const p = rng.pick(k.paths);
  return '/' + p.segments.map((s) => (s === '[]' ? rng.pick(['0', '1', '-', '99']) : s === '{}' ? rng.pick(['a', 'a~1b', '']) : s)).join('/');
}

export function patchJson(rng: Rng, ctx: FuzzContext): FuzzRequest {
  const { k, ns, name } = target(rng, ctx);
  const ops = Array.from({ length: 1 + rng.int(3) }, () => {
    const op: Record<string, unknown> = { op: rng.pick(['add', 'remove', 'replace', 'move', 'copy', 'test', 'x', '']), path: pointer(rng, k) };
    if (rng.chance(0.8)) op.value = hostile(rng, undefined);
    if (rng.chance(0.2)) op.from = pointer(rng, k);
    if (rng.chance(0.1)) op.path = wrongTyped(rng, 'string');
    return op;
  });
  const body: unknown = rng.chance(0.1) ? rng.pick<unknown>([{}, null, 'x', [null], [[]], ops[0]]) : ops;
  return json('patch-json', 'PATCH', itemPath(k.def, ns, name, subresource(rng, k)) + queryString(rng, ['dryRun', 'fieldValidation'], 0.2), encodeJson(body), 'application/json-patch+json', undefined);
}

function subresource(rng: Rng, k: Kind): string {
  return k.def.subresources.includes('status') && rng.chance(0.25) ? 'status' : '';
}

/** A partial object: a mutated sample pruned to a few top-level fields, or a classic bad shape. */
function partial(rng: Rng, k: Kind, ns: string, name: string, strategic: boolean): { value: unknown; note: string } {
  if (rng.chance(0.15)) {
    const v = rng.pick<unknown>([{ metadata: 'x' }, { metadata: null }, { metadata: { labels: null } }, { metadata: { labels: 5 } }, { spec: 'x' }, { status: [] }, 'x', [], null, 5, { apiVersion: 5 }, { kind: 'Other' }]);
    return { value: v, note: 'classic' };
  }
  const { value, mutations } = mutateObject(rng, sampleObject(k.def, name, ns), k.paths);
  const keep = Object.keys(value).filter(() => rng.chance(0.5));
  const out: Record<string, unknown> = Object.fromEntries(keep.map((key) => [key, value[key]]));
  if (strategic && rng.chance(0.3)) {
    const directive = rng.pick(['$patch', '$retainKeys', '$setElementOrder/containers', '$deleteFromPrimitiveList/finalizers', '$setElementOrder/metadata']);
    out[directive] = rng.pick<unknown>(['replace', 'delete', 'merge', 'x', ['a'], [{ name: 'c' }], 5, null, {}]);
  }
  return { value: out, note: describeMutations(mutations) };
}

export function patchMerge(rng: Rng, ctx: FuzzContext): FuzzRequest {
  const { k, ns, name } = target(rng, ctx);
  const { value, note } = partial(rng, k, ns, name, false);
  return json('patch-merge', 'PATCH', itemPath(k.def, ns, name, subresource(rng, k)), encodeJson(value, rng, rng.chance(0.1)), 'application/merge-patch+json', note);
}

export function patchStrategic(rng: Rng, ctx: FuzzContext): FuzzRequest {
  const { k, ns, name } = target(rng, ctx);
  const { value, note } = partial(rng, k, ns, name, true);
  return json('patch-strategic', 'PATCH', itemPath(k.def, ns, name, subresource(rng, k)), encodeJson(value, rng, rng.chance(0.1)), 'application/strategic-merge-patch+json', note);
}

export function patchApply(rng: Rng, ctx: FuzzContext): FuzzRequest {
  const { k, ns, name } = target(rng, ctx);
  const manager = rng.weighted<string | undefined>([[6, 'fuzz'], [3, undefined], [1, ''], [1, 'm'.repeat(200)], [1, 'ключ']]);
  const query = (manager === undefined ? '' : `?fieldManager=${encode(manager)}`) + (rng.chance(0.2) ? `${manager === undefined ? '?' : '&'}force=${rng.pick(['true', 'false', 'x'])}` : '');
  let body: string;
  let note: string | undefined;
  if (rng.chance(0.08)) { body = rng.chance(0.5) ? yamlAliasBomb(rng.pick([3, 5, 8])) : yamlRecursiveAlias; note = 'yaml aliases'; }
  else if (rng.chance(0.05)) body = rng.pick([':', '- a\n- b', '"unterminated', '\t- x', 'a: b: c', '---\n---\n', '', '%YAML 9.9\n---\na: 1', '!!binary x', '? [a]\n: b']);
  else {
    let value: unknown = sampleObject(k.def, name, ns);
    if (rng.chance(0.7)) {
      const m = mutateObject(rng, value as object, k.paths);
      value = m.value;
      note = describeMutations(m.mutations);
    }
    body = encodeJson(value, rng, rng.chance(0.05)); // JSON is YAML, and deep/huge placeholders are expanded
  }
  return json('patch-apply', 'PATCH', itemPath(k.def, ns, name, subresource(rng, k)) + query, body, 'application/apply-patch+yaml', note);
}

export function deleteOdd(rng: Rng, ctx: FuzzContext): FuzzRequest {
  const { k, ns, name } = target(rng, ctx);
  const collection = rng.chance(0.15) && k.def.verbs.includes('deletecollection') && k.def.namespaced;
  const path = (collection ? collectionPath(k.def, ns) : itemPath(k.def, ns, name)) + queryString(rng, ['propagationPolicy', 'gracePeriodSeconds', 'dryRun', 'orphanDependents', 'labelSelector', 'fieldSelector', 'resourceVersion'], 0.4);
  if (!rng.chance(0.5)) return { kind: 'http', generator: 'delete', method: 'DELETE', path, headers: {} };
  const opts: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1' };
  for (const f of ['propagationPolicy', 'gracePeriodSeconds', 'preconditions', 'orphanDependents', 'dryRun']) {
    if (rng.chance(0.4)) opts[f] = rng.chance(0.5) ? hostile(rng, undefined) : rng.pick<unknown>(['Foreground', 'Orphan', 0, 30, { uid: 'x' }, { resourceVersion: '1' }, ['All'], true]);
  }
  const body = rng.chance(0.1) ? rng.pick(['x', '[]', 'null', '5', '{', '"s"', rng.pick(oddStrings)]) : encodeJson(opts);
  return json('delete', 'DELETE', path, body);
}

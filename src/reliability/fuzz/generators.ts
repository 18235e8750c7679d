// The generator table: every kind of hostile request, with how often each is drawn. The kinds and
// their field paths come from the server's catalog and OpenAPI schemas (see context()).
import { builtinCatalog } from '../../apiserver/builtin.js';
import type { Rng } from './prng.js';
import type { FuzzContext, FuzzRequest } from './request.js';
import { fieldPaths, schemaFor } from './schema.js';
import * as B from './bodies.js';
import * as Q from './queries.js';
import * as W from './wire.js';

export type Generator = (rng: Rng, ctx: FuzzContext) => FuzzRequest;

export const generators: ReadonlyArray<readonly [weight: number, name: string, gen: Generator]> = [
  [6, 'create-valid', B.createValid],
  [18, 'create-mutated', B.createMutated],
  [12, 'update-mutated', B.updateMutated],
  [6, 'patch-json', B.patchJson],
  [6, 'patch-merge', B.patchMerge],
  [6, 'patch-strategic', B.patchStrategic],
  [6, 'patch-apply', B.patchApply],
  [4, 'delete', B.deleteOdd],
  [5, 'selectors', Q.selectors],
  [6, 'query', Q.query],
  [3, 'watch', Q.watch],
  [5, 'paths', W.paths],
  [3, 'methods', W.methods],
  [3, 'content-types', W.contentTypesGen],
  [3, 'protobuf', W.protobuf],
  [1, 'huge-deep', W.hugeDeep],
  [2, 'raw-http', W.rawHttp],
  [1, 'slow', W.slow],
];

const weighted = generators.map(([w, , g]) => [w, g] as const);

/** The next request; each request draws from its own forked generator, so shrinking can replay it. */
export function nextRequest(rng: Rng, ctx: FuzzContext): FuzzRequest {
  const gen = rng.weighted(weighted);
  return gen(rng.fork(), ctx);
}

/** Kinds from the server's catalog with their schema's field paths; a kind without a schema is fuzzed through metadata only. */
export function fuzzContext(namespaces: string[], names: string[]): FuzzContext {
  const metaOnly = fieldPaths('io.k8s.api.core.v1.ConfigMap').filter((p) => p.segments[0] === 'metadata');
  const kinds = builtinCatalog().all().map((def) => {
    const schema = schemaFor(def.group, def.version, def.kind);
    return { def, paths: schema ? fieldPaths(schema) : metaOnly };
  });
  return { kinds, namespaces, names };
}

// Pod subresources with behaviour of their own: binding (the scheduler's write), eviction
// (a delete that honours PodDisruptionBudgets), log, and exec/attach/portforward, which a real
// server proxies to the node's kubelet and which no simulated node can serve.
import type { KObject, PodDisruptionBudget } from '../api/types.js';
import { rfc3339 } from '../api/meta.js';
import { labelSelectorMatches } from '../api/selector.js';
import * as E from './errors.js';
import type { ApiRequest, ApiResponse, SubresourceHost } from './exchange.js';
import type { ResourceDef } from './resources/catalog.js';
import type { RequestInfo } from './routes.js';

const success = (code: number): ApiResponse => ({ kind: 'response', status: code, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code }, warnings: [] });

export function podSubresource(h: SubresourceHost, req: ApiRequest, info: RequestInfo, def: ResourceDef, warnings: string[]): ApiResponse {
  const ns = info.namespace;
  switch (info.subresource) {
    case 'binding':
      if (info.verb !== 'create') throw E.methodNotAllowed(info.verb, 'pods/binding');
      return bind(h, ns, info.name, h.decodeBody(req, { ...def, kind: 'Binding' }, warnings) as Binding);
    case 'eviction':
      if (info.verb !== 'create') throw E.methodNotAllowed(info.verb, 'pods/eviction');
      return evict(h, def, ns, info.name, h.decodeBody(req, { ...def, kind: 'Eviction', group: 'policy', version: 'v1' }, warnings));
    case 'log': {
      if (info.verb !== 'get') throw E.methodNotAllowed(info.verb, 'pods/log');
      const pod = h.store.get(def, ns, info.name);
      const containers = ((pod.spec as { containers?: { name: string }[] })?.containers ?? []).map((c) => c.name);
      const c = req.query.get('container') ?? containers[0];
      if (!containers.includes(c)) throw E.badRequest(`container ${c} is not valid for pod ${info.name}`);
      return { kind: 'response', status: 200, body: `simulated container ${c} of pod ${ns}/${info.name}: no real process runs on a simulated node\n`, contentType: 'text/plain', warnings };
    }
    case 'exec':
    case 'attach':
    case 'portforward':
      // Connect verbs: kubectl asks with GET (WebSocket) and falls back to POST (SPDY).
      if (info.verb !== 'get' && info.verb !== 'create') throw E.methodNotAllowed(info.verb, `pods/${info.subresource}`);
      throw noContainerRuntime(h, def, ns, info.name, info.subresource, req.query);
    default:
      throw E.pathNotFound();
  }
}

/**
 * What a real API server answers when it cannot reach the kubelet behind a connect request:
 * a 500 whose message is the dial error (ErrorToAPIStatus of a plain error), after the same
 * checks of the pod and container it makes first (streamLocation).
 */
function noContainerRuntime(h: SubresourceHost, def: ResourceDef, ns: string, name: string, sub: string, query: URLSearchParams): E.ApiError {
  const pod = h.store.get(def, ns, name);
  const spec = (pod.spec ?? {}) as { nodeName?: string; containers?: { name: string }[]; initContainers?: { name: string }[]; ephemeralContainers?: { name: string }[] };
  if (sub !== 'portforward') {
    const names = [...(spec.containers ?? []), ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])].map((c) => c.name);
    const c = query.get('container') ?? (spec.containers?.length === 1 ? spec.containers[0].name : undefined);
    if (c === undefined) throw E.badRequest(`a container name must be specified for pod ${name}, choose one of: [${(spec.containers ?? []).map((x) => x.name).join(' ')}]`);
    if (!names.includes(c)) throw E.badRequest(`container ${c} is not valid for pod ${name}`);
  }
  if (!spec.nodeName) throw E.badRequest(`pod ${name} does not have a host assigned`);
  const what = sub === 'portforward' ? 'port-forward' : sub;
  return new E.ApiError(500, '', `error dialing backend: simulated node ${spec.nodeName} has no container runtime: everynode runs no containers, so ${what} to pod ${ns}/${name} is not possible`);
}

interface Binding extends KObject { target?: { kind?: string; name?: string } }

function bind(h: SubresourceHost, ns: string, name: string, b: Binding): ApiResponse {
  const def = h.catalog.lookup('', 'v1', 'pods')!;
  if (b.metadata?.name && b.metadata.name !== name) throw E.badRequest(`the name of the object (${b.metadata.name}) does not match the name on the URL (${name})`);
  const target = b.target?.name;
  if (!target) throw E.invalid('Binding', '', name, [{ type: 'FieldValueRequired', field: 'target.name', detail: '', showValue: false }]);
  const kv = h.store.getKV(def, ns, name);
  if (!kv) throw E.notFound('pods', '', name);
  const pod = h.store.decode(def, kv);
  const spec = (pod.spec ?? {}) as { nodeName?: string };
  if (pod.metadata?.deletionTimestamp) throw E.conflict('pods/binding', '', name, `pod ${name} is being deleted, cannot be assigned to a host`);
  if (spec.nodeName) throw E.conflict('pods/binding', '', name, `pod ${name} is already assigned to node "${spec.nodeName}"`);
  spec.nodeName = target;
  pod.spec = spec;
  const ann = b.metadata?.annotations;
  if (ann) pod.metadata!.annotations = { ...pod.metadata!.annotations, ...ann };
  const status = (pod.status ?? {}) as { conditions?: { type: string; status: string; lastTransitionTime?: string }[] };
  const conds = (status.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
  conds.push({ type: 'PodScheduled', status: 'True', lastTransitionTime: rfc3339(Date.now()) });
  status.conditions = conds;
  pod.status = status;
  h.store.commit(def, kv, pod);
  return success(201);
}

/** Eviction: refuse with 429 when a matching PodDisruptionBudget has no disruptions left, else delete. */
function evict(h: SubresourceHost, def: ResourceDef, ns: string, name: string, body: KObject): ApiResponse {
  const pod = h.store.get(def, ns, name);
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  if (!terminal && !pod.metadata?.deletionTimestamp) {
    const pdbDef = h.catalog.lookup('policy', 'v1', 'poddisruptionbudgets');
    const pdbs = pdbDef ? (h.store.list(pdbDef, ns, () => true).items as PodDisruptionBudget[]) : [];
    const matching = pdbs.filter((p) => labelSelectorMatches(p.spec?.selector, pod.metadata?.labels));
    if (matching.length > 1) throw new E.ApiError(500, 'InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
    const pdb = matching[0];
    if (pdb) {
      const allowed = pdb.status?.disruptionsAllowed ?? 0;
      const seen = pdb.status?.observedGeneration ?? 0;
      if (allowed <= 0 || seen < (pdb.metadata?.generation ?? 0)) {
        throw new E.ApiError(429, 'TooManyRequests', 'Cannot evict pod as it would violate the pod\'s disruption budget.', {
          causes: [{ reason: 'DisruptionBudget', message: `The disruption budget ${pdb.metadata?.name} needs ${pdb.status?.desiredHealthy ?? 0} healthy pods and has ${pdb.status?.currentHealthy ?? 0} currently` }],
        });
      }
      // Spend one disruption, as the eviction REST does, so concurrent evictions cannot overshoot.
      const pdbKv = h.store.getKV(pdbDef!, ns, pdb.metadata!.name!)!;
      const next = h.store.decode(pdbDef!, pdbKv) as PodDisruptionBudget;
      next.status = { ...next.status!, disruptionsAllowed: allowed - 1 };
      h.store.commit(pdbDef!, pdbKv, next as KObject);
    }
  }
  const opts = (body as { deleteOptions?: object }).deleteOptions ?? {};
  h.store.delete(def, ns, name, opts, 'v1');
  return success(201);
}

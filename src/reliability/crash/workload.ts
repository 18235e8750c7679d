// The write storm as data (pure): which request a client sends next, and what state it leaves if
// the server applies it. The shell (run.ts) only sends these requests and records the answers.
import type { Content, ObjectModel, Outcome } from './model.js';

export const NAMESPACE = 'crash-storm';
/** Every write stamps its id here, so the checker can tell which write an object came from. */
export const WRITE_ANNOTATION = 'crash.everynode.dev/write';

export type Kind = 'configmaps' | 'secrets' | 'pods';
export const KINDS: readonly Kind[] = ['configmaps', 'secrets', 'pods'];

/** A small seeded PRNG (mulberry32): a run is reproducible from its --seed, up to timing. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

export function objectKey(kind: Kind, name: string): string { return `${kind}/${name}`; }
export function parseKey(key: string): { kind: Kind; name: string } {
  const [kind, name] = key.split('/') as [Kind, string];
  return { kind, name };
}

export interface Request {
  key: string;
  method: 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  contentType?: string;
  body?: unknown;
  /** The state this request leaves behind if the server applies it. */
  outcome: Outcome;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const mapValues = (o: Record<string, string>, f: (v: string) => string) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));

function collection(kind: Kind): string { return `/api/v1/namespaces/${NAMESPACE}/${kind}`; }

/** The full object for a create or an update; the payload sits where each kind keeps free-form strings. */
function fullObject(kind: Kind, name: string, content: Content, resourceVersion?: number): Record<string, unknown> {
  const metadata: Record<string, unknown> = { name, namespace: NAMESPACE, annotations: { [WRITE_ANNOTATION]: content.w } };
  if (resourceVersion !== undefined) metadata.resourceVersion = String(resourceVersion);
  switch (kind) {
    case 'configmaps': return { apiVersion: 'v1', kind: 'ConfigMap', metadata, data: content.fields };
    case 'secrets': return { apiVersion: 'v1', kind: 'Secret', metadata, type: 'Opaque', data: mapValues(content.fields, b64) };
    case 'pods': return {
      apiVersion: 'v1', kind: 'Pod', metadata: { ...metadata, labels: content.fields },
      spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9' }] },
    };
  }
}

/** Reads back what fullObject wrote: the write id and the payload. */
export function contentOf(kind: Kind, obj: Record<string, any>): Content {
  const w = String(obj.metadata?.annotations?.[WRITE_ANNOTATION] ?? '');
  const fields: Record<string, string> = kind === 'pods' ? obj.metadata?.labels ?? {}
    : kind === 'secrets' ? mapValues(obj.data ?? {}, (v) => Buffer.from(v, 'base64').toString('utf8'))
      : obj.data ?? {};
  return { w, fields };
}

/** Label values are short; ConfigMaps and Secrets get a padding of random size, so commits span pages. */
function payload(random: () => number, kind: Kind, w: string): Record<string, string> {
  const fields: Record<string, string> = { v: w };
  if (kind !== 'pods') fields.pad = 'x'.repeat(Math.floor(random() * 3000));
  return fields;
}

/** The next request for an object whose state is known (nothing in flight), with write id `w`. */
export function nextRequest(random: () => number, key: string, m: ObjectModel, w: string): Request {
  const { kind, name } = parseKey(key);
  const item = `${collection(kind)}/${name}`;
  if (m.acked === null) {
    const content = { w, fields: payload(random, kind, w) };
    return { key, method: 'POST', path: collection(kind), body: fullObject(kind, name, content), outcome: { exists: true, content } };
  }
  const r = random();
  if (r < 0.2) {
    // Pods are deleted at once when not bound to a node (there is none), as upstream.
    return { key, method: 'DELETE', path: item, body: { gracePeriodSeconds: 0 }, outcome: { exists: false } };
  }
  if (r < 0.45 && kind !== 'pods') {
    // A full update conditioned on the acknowledged resourceVersion (optimistic concurrency).
    const content = { w, fields: payload(random, kind, w) };
    return { key, method: 'PUT', path: item, body: fullObject(kind, name, content, m.acked.rv), outcome: { exists: true, content } };
  }
  // A JSON merge patch of the write id and one field; the rest of the payload stays.
  const fields = { ...m.acked.content.fields, v: w };
  const patch = kind === 'pods' ? { metadata: { annotations: { [WRITE_ANNOTATION]: w }, labels: { v: w } } }
    : { metadata: { annotations: { [WRITE_ANNOTATION]: w } }, data: { v: kind === 'secrets' ? b64(w) : w } };
  return {
    key, method: 'PATCH', path: item, contentType: 'application/merge-patch+json', body: patch,
    outcome: { exists: true, content: { w, fields } },
  };
}

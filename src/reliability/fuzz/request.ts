// What a generator produces: one request to send, in one of three shapes. `http` goes through
// node:https; `raw` writes bytes on a TLS socket for what node:https refuses to send (broken
// request lines and headers); `slow` trickles a body and may abandon it half-way.
import type { ResourceDef } from '../../apiserver/resources/catalog.js';
import type { FieldPath } from './schema.js';

interface Common {
  generator: string;
  /** What the generator did, for the report (e.g. the mutations applied). */
  note?: string;
  /** Smaller variants to try when this request finds a defect, smallest first. */
  shrink?: () => FuzzRequest[];
}

export interface HttpRequest extends Common {
  kind: 'http';
  method: string;
  /** Path and query string, already percent-encoded as they go on the wire. */
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

export interface RawRequest extends Common {
  kind: 'raw';
  /** The request line and any extra header lines; Host, Authorization and Connection: close are added. */
  head: string[];
  body?: string;
}

export interface SlowRequest extends Common {
  kind: 'slow';
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  /** Pause between chunks. */
  intervalMs: number;
  /** Send the whole body (then an answer is due) or abandon the connection after `chunks` chunks. */
  complete: boolean;
  chunks: number;
}

export type FuzzRequest = HttpRequest | RawRequest | SlowRequest;

/** Everything generators read; `namespaces` may be replaced when a fuzz namespace is lost. */
export interface FuzzContext {
  kinds: Array<{ def: ResourceDef; paths: FieldPath[] }>;
  namespaces: string[];
  /** Object names the fuzzer creates and then updates, patches and deletes. */
  names: string[];
}

export function collectionPath(d: ResourceDef, namespace: string): string {
  const base = d.group ? `/apis/${d.group}/${d.version}` : `/api/${d.version}`;
  return d.namespaced ? `${base}/namespaces/${encodeURIComponent(namespace)}/${d.resource}` : `${base}/${d.resource}`;
}

export function itemPath(d: ResourceDef, namespace: string, name: string, subresource = ''): string {
  return `${collectionPath(d, namespace)}/${encodeURIComponent(name)}${subresource ? `/${subresource}` : ''}`;
}

export function describeRequest(r: FuzzRequest, maxBody = 240): string {
  const body = (b: string | Buffer | undefined) => {
    if (b === undefined || b.length === 0) return '';
    const text = Buffer.isBuffer(b) ? (b.subarray(0, 4).toString('latin1') === 'k8s\0' || b.some((x) => x < 9) ? `<${b.length} bytes: ${b.subarray(0, 48).toString('hex')}>` : b.toString('utf8')) : b;
    return ` body(${b.length}): ${text.length > maxBody ? `${text.slice(0, maxBody)}…` : text}`;
  };
  const ct = (h: Record<string, string>) => (h['Content-Type'] !== undefined ? ` [${h['Content-Type']}]` : '');
  switch (r.kind) {
    case 'http': return `${r.method} ${r.path}${ct(r.headers)}${body(r.body)}`;
    case 'raw': return `raw ${JSON.stringify(r.head.join('\r\n'))}${body(r.body)}`;
    case 'slow': return `slow ${r.method} ${r.path}${ct(r.headers)} ${r.complete ? 'complete' : `abandoned after ${r.chunks} chunks`}${body(r.body)}`;
  }
}

/** Percent-encodes only what cannot go on the wire (controls, spaces, non-ASCII), leaving %, &, = as they are. */
export function wireEscape(s: string): string {
  return s.replace(/[^\x21-\x7e]+/gu, (c) => [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''));
}

/** encodeURIComponent that survives lone surrogates (they go as the UTF-8 of U+FFFD, as a browser sends them). */
export function encode(s: string): string {
  try { return encodeURIComponent(s); } catch { return wireEscape(s); }
}

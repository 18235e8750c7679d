// What a request and its answer are to the REST machinery, apart from the handler that makes one
// from the other, so that the modules it delegates to (pod and scale subresources, the auth gate)
// need not import the handler: they see only the narrow SubresourceHost.
import type { KObject } from '../api/types.js';
import type { ResourceDef, Catalog } from './resources/catalog.js';
import type { Store } from './store.js';
import type { ApiWatchEvent } from './watch.js';

export interface ApiRequest {
  method: string;
  /** The path as sent, still percent-encoded (route() decodes it segment by segment). */
  path: string;
  query: URLSearchParams;
  accept: string;
  contentType: string;
  body: Buffer;
  /** The User-Agent header: the field manager of a write that names none. */
  userAgent?: string;
}

export interface ApiResponse {
  kind: 'response';
  status: number;
  body: unknown;
  /** Defaults to application/json. */
  contentType?: string;
  warnings: string[];
  /** The body already encoded as JSON (it must say exactly what `body` says). */
  encoded?: string;
}

export interface WatchSink {
  /**
   * Sends an event, or an already encoded JSON line with its newline (shared between
   * watchers). Returns false when the client cannot keep up; the stream is then closed.
   * `initial` marks the synthetic ADDEDs of the starting snapshot, which the server's per-watcher
   * buffer limit admits on top of its allowance for live events.
   */
  send(ev: ApiWatchEvent | Buffer, initial?: boolean): boolean;
  end(): void;
}

export interface WatchResponse {
  kind: 'watch';
  warnings: string[];
  timeoutMs: number;
  bookmarks: boolean;
  /** Starts streaming into the sink; returns a function that stops it. */
  start(sink: WatchSink): () => void;
  /** Wraps an object for the wire (Table rows for kubectl get -w). */
  bookmark(): ApiWatchEvent;
}

export type ApiResult = ApiResponse | WatchResponse;

/** What a subresource needs of the handler: the store, the catalog and its body decoding. */
export interface SubresourceHost {
  readonly store: Store;
  readonly catalog: Catalog;
  decodeBody(req: ApiRequest, def: ResourceDef, warnings: string[]): KObject;
}

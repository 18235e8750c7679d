// A thin JSON client over a KubeConfig, for the generic (any-kind) requests that the typed
// client-node APIs make awkward: lists of arbitrary resources, raw patches, deletes with options.
// Authentication and TLS come from client-node's KubeConfig, so it works against any cluster.
import https from 'node:https';
import http from 'node:http';
import { setMaxListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';
import type { KObject } from '../api/types.js';

export class ApiStatusError extends Error {
  constructor(readonly code: number, readonly reason: string, message: string, readonly body: unknown) { super(message); }
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
}

export interface ListResponse<T = KObject> { metadata: { resourceVersion: string; continue?: string }; items: T[] }

/** Why a request gave up before an answer: its deadline passed or its caller aborted it. */
export class RequestAbortedError extends Error {
  constructor(readonly method: string, readonly path: string, readonly why: 'timeout' | 'aborted', timeoutMs?: number) {
    super(why === 'timeout' ? `${method} ${path}: no answer within ${timeoutMs} ms (request timeout)` : `${method} ${path}: aborted`);
  }
}

/** Per-request limits, on top of the client's own. */
export interface CallOptions {
  /** Abandon the request when this aborts (with the client's signal, whichever comes first). */
  signal?: AbortSignal;
  /** Overrides the client's timeout for this request; 0 = none. */
  timeoutMs?: number;
}

/**
 * Observes every request's outcome, as client-go's metrics.RequestResult adapter does for
 * rest_client_requests_total: `code` is the HTTP status, or "<error>" when none came back.
 */
export type RequestResultHook = (r: { code: string; method: string; host: string }) => void;

let requestResultHook: RequestResultHook | undefined;
/** Installs the process-wide hook (client-go's metrics.Register); every RawClient reports to it. */
export function setRequestResultHook(h: RequestResultHook | undefined): void { requestResultHook = h; }
/** Reports one request outcome to the hook (the watch stream reports its connects here too). */
export function reportRequestResult(method: string, host: string, code: number | undefined): void {
  requestResultHook?.({ code: code === undefined ? '<error>' : String(code), method, host });
}

/**
 * client-go leaves rest.Config.Timeout at 0 (no deadline) but controller-runtime users set one so
 * that a wedged connection cannot stall a worker for ever; 30 s is long enough for a page of 500
 * objects from a busy server and short enough that a stuck reconcile gets retried.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** From package.json, two levels up from both src/kube/ and dist/kube/. */
function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch { return 'unknown'; }
}

/** Go's names for the platforms client-go reports (GOOS/GOARCH), where Node's differ. */
const goArch: Record<string, string> = { x64: 'amd64', ia32: '386' };

/**
 * A User-Agent in client-go's form (DefaultUserAgent, then rest.AddUserAgent's suffix):
 * `<binary>/<version> (<os>/<arch>) everynode/<version>[/<component>]`. The API server takes
 * the part before the first "/" as the field manager of writes that name none, so `binary` is
 * whose fields these are (kube-controller-manager's controllers share one, as upstream's do)
 * and `component` says which part of it wrote, for audit and logs.
 */
export function userAgent(binary: string, component?: string): string {
  const version = packageVersion();
  const platform = `${process.platform}/${goArch[process.arch] ?? process.arch}`;
  return `${binary}/${version} (${platform}) everynode/${version}${component ? `/${component}` : ''}`;
}

/** What a client sends when its owner names no component: the everynode binary itself. */
export const defaultUserAgent = userAgent('everynode');

export interface RawClientOptions {
  /** The User-Agent header of every request (see userAgent()); default defaultUserAgent. */
  userAgent?: string;
  maxSockets?: number;
  /** Deadline of each non-watch request, from send to the last byte of the answer; 0 = none. */
  timeoutMs?: number;
  /** Every request of this client is abandoned when it aborts (the controller's run signal). */
  signal?: AbortSignal;
}

export class RawClient {
  readonly server: string;
  private readonly agent: https.Agent | http.Agent;

  /** TLS and auth options from the kubeconfig, kept when its credentials cannot change (no exec plugin, auth provider or token file). */
  #fixed: https.RequestOptions | undefined;
  readonly #credentialsFixed: boolean;
  readonly #url: URL;
  readonly #host: string;
  readonly #timeoutMs: number;
  readonly #signal: AbortSignal | undefined;
  readonly #userAgent: string;
  /** host[:port] as rest_client_requests_total labels it. */
  readonly hostLabel: string;

  /** The client whose connection pool this one shares (withSignal), which alone closes it. */
  readonly #parent: RawClient | undefined;

  constructor(private readonly kc: KubeConfig, o: RawClientOptions = {}, parent?: RawClient) {
    this.#parent = parent;
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    this.server = cluster.server.replace(/\/+$/, '');
    this.#url = new URL(this.server);
    this.#host = this.#url.hostname.replace(/^\[(.*)\]$/, '$1'); // IPv6 literals without brackets, as http.request wants
    this.hostLabel = this.#url.host;
    this.#timeoutMs = o.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.#signal = o.signal;
    this.#userAgent = o.userAgent ?? (parent ? parent.#userAgent : defaultUserAgent);
    // Every in-flight request listens to it.
    if (o.signal) setMaxListeners(0, o.signal);
    const user = kc.getCurrentUser() as { exec?: unknown; authProvider?: unknown; tokenFile?: unknown } | null;
    this.#credentialsFixed = !user?.exec && !user?.authProvider && !user?.tokenFile;
    if (parent) { this.agent = parent.agent; this.#fixed = parent.#fixed; return; }
    const agentOptions = { keepAlive: true, maxSockets: o.maxSockets ?? 32 };
    this.agent = this.server.startsWith('https:') ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
    // One client talks to one server with one set of TLS options: the pool needs no per-request
    // key (Node builds it by concatenating the CA and client certificate PEMs on every request).
    const poolKey = this.agent.getName({ host: this.#host, port: this.#url.port });
    this.agent.getName = () => poolKey;
  }

  /**
   * The same client (connections, credentials, deadline) with every request also abandoned when
   * `signal` aborts: the composition root builds one client and hands the leader-only
   * controllers this view of it, so that losing the lease cancels their writes and nothing else.
   */
  withSignal(signal: AbortSignal): RawClient {
    return new RawClient(this.kc, { timeoutMs: this.#timeoutMs, signal: this.signalFor(signal), userAgent: this.#userAgent }, this);
  }


  /**
   * The kubeconfig's TLS and auth as request options. client-node's applyToHTTPSOptions also
   * builds a new Agent on each call, so it runs once when the credentials cannot change.
   */
  async #options(): Promise<https.RequestOptions> {
    if (this.#fixed) return this.#fixed;
    const opts: https.RequestOptions = { headers: {} };
    await this.kc.applyToHTTPSOptions(opts);
    delete opts.agent;
    if (this.#credentialsFixed) this.#fixed = opts;
    return opts;
  }

  /**
   * Options for one request to `path` (query string included) on this client's server, with the
   * kubeconfig's TLS and auth and this client's connection pool; `request` and the informers'
   * watch streams (which pass their own agent) both start from here.
   */
  async requestOptions(method: string, path: string): Promise<https.RequestOptions> {
    const base = this.#fixed ?? await this.#options();
    return {
      ...base, method, headers: { ...(base.headers as Record<string, string>), Accept: 'application/json', 'User-Agent': this.#userAgent }, agent: this.agent,
      protocol: this.#url.protocol, hostname: this.#host, port: this.#url.port, path: this.#url.pathname.replace(/\/$/, '') + path,
    };
  }

  /** The http or https module for this client's server. */
  get transport(): typeof https | typeof http { return this.#url.protocol === 'https:' ? https : http; }

  /** The client's signal combined with a caller's, for requests and watch streams. */
  signalFor(signal?: AbortSignal): AbortSignal | undefined {
    if (!signal) return this.#signal;
    if (!this.#signal) return signal;
    return AbortSignal.any([this.#signal, signal]);
  }

  /**
   * One request; resolves with the decoded answer of a 2xx, rejects with ApiStatusError otherwise,
   * and with RequestAbortedError (the socket destroyed, not returned to the pool) when its
   * deadline passes or a signal aborts first.
   */
  async request<T = unknown>(method: string, path: string, body?: unknown, contentType = 'application/json', call: CallOptions = {}): Promise<T> {
    const signal = this.signalFor(call.signal);
    if (signal?.aborted) throw new RequestAbortedError(method, path, 'aborted');
    const opts = await this.requestOptions(method, path);
    const headers = opts.headers as Record<string, string>;
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    if (payload !== undefined) {
      // Node's http client frames DELETE bodies only with an explicit length (no chunking by
      // default for DELETE), so always send Content-Length.
      headers['Content-Type'] = contentType;
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    const timeoutMs = call.timeoutMs ?? this.#timeoutMs;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        fn();
      };
      // Destroying the request destroys its socket, so a wedged connection is not reused.
      const giveUp = (why: 'timeout' | 'aborted') => settle(() => {
        req.destroy();
        reportRequestResult(method, this.hostLabel, undefined);
        reject(new RequestAbortedError(method, path, why, timeoutMs));
      });
      const onAbort = () => giveUp('aborted');
      const timer = timeoutMs > 0 ? setTimeout(() => giveUp('timeout'), timeoutMs) : undefined;
      const req = this.transport.request(opts, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => settle(() => reject(err)));
        res.on('end', () => settle(() => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try { parsed = text ? JSON.parse(text) : undefined; } catch { /* plain text */ }
          const code = res.statusCode ?? 0;
          reportRequestResult(method, this.hostLabel, code);
          if (code >= 200 && code < 300) return resolve(parsed as T);
          const s = parsed as { reason?: string; message?: string } | undefined;
          reject(new ApiStatusError(code, s?.reason ?? '', s?.message ?? `HTTP ${code}`, parsed));
        }));
      });
      req.on('error', (err) => settle(() => { reportRequestResult(method, this.hostLabel, undefined); reject(err); }));
      signal?.addEventListener('abort', onAbort, { once: true });
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** Lists every page of a collection (limit/continue), returning the first page's resourceVersion. */
  async listAll<T = KObject>(path: string, query: Record<string, string> = {}, call: CallOptions = {}): Promise<ListResponse<T>> {
    const items: T[] = [];
    let cont = '';
    let rv = '';
    do {
      const q = new URLSearchParams({ ...query, limit: '500', ...(cont ? { continue: cont } : {}) });
      const page = await this.request<ListResponse<T>>('GET', `${path}?${q}`, undefined, undefined, call);
      items.push(...page.items);
      rv ||= page.metadata.resourceVersion;
      cont = page.metadata.continue ?? '';
    } while (cont);
    return { metadata: { resourceVersion: rv }, items };
  }

  /** DELETE with DeleteOptions (grace period, UID/resourceVersion preconditions, propagation). */
  async delete(path: string, options: DeleteOptions = {}, call: CallOptions = {}): Promise<void> {
    await this.request('DELETE', path, { kind: 'DeleteOptions', apiVersion: 'v1', ...options }, undefined, call);
  }

  /** Closes the connection pool (a withSignal view leaves it to the client it came from). */
  close(): void { if (!this.#parent) this.agent.destroy(); }
}

export const isNotFound = (err: unknown) => err instanceof ApiStatusError && err.code === 404;
export const isConflict = (err: unknown) => err instanceof ApiStatusError && err.code === 409;
export const isAborted = (err: unknown) => err instanceof RequestAbortedError;

// A thin JSON client over a KubeConfig, for the generic (any-kind) requests that the typed
// client-node APIs make awkward: lists of arbitrary resources, raw patches, deletes with options.
// Authentication and TLS come from client-node's KubeConfig, so it works against any cluster.
import https from 'node:https';
import http from 'node:http';
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

export class RawClient {
  readonly server: string;
  private readonly agent: https.Agent | http.Agent;

  /** TLS and auth options from the kubeconfig, kept when its credentials cannot change (no exec plugin, auth provider or token file). */
  #fixed: https.RequestOptions | undefined;
  readonly #credentialsFixed: boolean;
  readonly #url: URL;
  readonly #host: string;

  constructor(private readonly kc: KubeConfig, o: { maxSockets?: number } = {}) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    this.server = cluster.server.replace(/\/+$/, '');
    this.#url = new URL(this.server);
    this.#host = this.#url.hostname.replace(/^\[(.*)\]$/, '$1'); // IPv6 literals without brackets, as http.request wants
    const agentOptions = { keepAlive: true, maxSockets: o.maxSockets ?? 32 };
    this.agent = this.server.startsWith('https:') ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
    // One client talks to one server with one set of TLS options: the pool needs no per-request
    // key (Node builds it by concatenating the CA and client certificate PEMs on every request).
    const poolKey = this.agent.getName({ host: this.#host, port: this.#url.port });
    this.agent.getName = () => poolKey;
    const user = kc.getCurrentUser() as { exec?: unknown; authProvider?: unknown; tokenFile?: unknown } | null;
    this.#credentialsFixed = !user?.exec && !user?.authProvider && !user?.tokenFile;
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
      ...base, method, headers: { ...(base.headers as Record<string, string>), Accept: 'application/json' }, agent: this.agent,
      protocol: this.#url.protocol, hostname: this.#host, port: this.#url.port, path: this.#url.pathname.replace(/\/$/, '') + path,
    };
  }

  /** The http or https module for this client's server. */
  get transport(): typeof https | typeof http { return this.#url.protocol === 'https:' ? https : http; }

  async request<T = unknown>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const opts = await this.requestOptions(method, path);
    const headers = opts.headers as Record<string, string>;
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    if (payload !== undefined) {
      // Node's http client frames DELETE bodies only with an explicit length (no chunking by
      // default for DELETE), so always send Content-Length.
      headers['Content-Type'] = contentType;
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    return new Promise<T>((resolve, reject) => {
      const req = this.transport.request(opts, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try { parsed = text ? JSON.parse(text) : undefined; } catch { /* plain text */ }
          const code = res.statusCode ?? 0;
          if (code >= 200 && code < 300) return resolve(parsed as T);
          const s = parsed as { reason?: string; message?: string } | undefined;
          reject(new ApiStatusError(code, s?.reason ?? '', s?.message ?? `HTTP ${code}`, parsed));
        });
      });
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** Lists every page of a collection (limit/continue), returning the first page's resourceVersion. */
  async listAll<T = KObject>(path: string, query: Record<string, string> = {}): Promise<ListResponse<T>> {
    const items: T[] = [];
    let cont = '';
    let rv = '';
    do {
      const q = new URLSearchParams({ ...query, limit: '500', ...(cont ? { continue: cont } : {}) });
      const page = await this.request<ListResponse<T>>('GET', `${path}?${q}`);
      items.push(...page.items);
      rv ||= page.metadata.resourceVersion;
      cont = page.metadata.continue ?? '';
    } while (cont);
    return { metadata: { resourceVersion: rv }, items };
  }

  /** DELETE with DeleteOptions (grace period, UID/resourceVersion preconditions, propagation). */
  async delete(path: string, options: DeleteOptions = {}): Promise<void> {
    await this.request('DELETE', path, { kind: 'DeleteOptions', apiVersion: 'v1', ...options });
  }

  close(): void { this.agent.destroy(); }
}

export const isNotFound = (err: unknown) => err instanceof ApiStatusError && err.code === 404;
export const isConflict = (err: unknown) => err instanceof ApiStatusError && err.code === 409;

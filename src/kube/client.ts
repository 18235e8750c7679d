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

  constructor(private readonly kc: KubeConfig) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    this.server = cluster.server.replace(/\/+$/, '');
    this.agent = this.server.startsWith('https:') ? new https.Agent({ keepAlive: true, maxSockets: 32 }) : new http.Agent({ keepAlive: true, maxSockets: 32 });
  }

  async request<T = unknown>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const url = new URL(this.server + path);
    const opts: https.RequestOptions = { method, headers: { Accept: 'application/json' } };
    await this.kc.applyToHTTPSOptions(opts);
    opts.agent = this.agent;
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    if (payload !== undefined) {
      // Node's http client frames DELETE bodies only with an explicit length (no chunking by
      // default for DELETE), so always send Content-Length.
      const h = opts.headers as Record<string, string>;
      h['Content-Type'] = contentType;
      h['Content-Length'] = String(Buffer.byteLength(payload));
    }
    const mod = url.protocol === 'https:' ? https : http;
    return new Promise<T>((resolve, reject) => {
      const req = mod.request(url, opts, (res) => {
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

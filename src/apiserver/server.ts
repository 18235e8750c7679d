// The node:https adapter: authentication, body limits, streaming watches. Everything with
// Kubernetes meaning is in handler.ts; this file only moves bytes.
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import * as E from './errors.js';
import type { ApiHandler, ApiResponse, WatchResponse } from './handler.js';
import type { ApiWatchEvent } from './watch.js';

export const maxBodyBytes = 3 * 1024 * 1024;
/** A watcher whose socket holds more than this unsent is too slow; we close it and it re-watches. */
const maxWatchBacklogBytes = 32 * 1024 * 1024;
const heartbeatMs = 15_000;
const bookmarkMs = 60_000;

export interface ServerOptions {
  handler: ApiHandler;
  certPem: string;
  keyPem: string;
  token: string;
  address: string;
  port: number;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Health probes are public, as kube-apiserver's default RBAC makes them; all else needs the token. */
const publicPaths = new Set(['/healthz', '/readyz', '/livez']);

export async function startServer(o: ServerOptions): Promise<RunningServer> {
  const expected = Buffer.from(`Bearer ${o.token}`);
  const watches = new Set<() => void>();
  let closing = false;
  const server = https.createServer({ cert: o.certPem, key: o.keyPem, minVersion: 'TLSv1.2' }, (req, res) => {
    void serve(req, res).catch((err) => {
      if (!res.headersSent) writeJson(res, 500, E.internal(err).toStatus(), []);
      else res.destroy();
    });
  });
  server.requestTimeout = 0; // watches are long-lived
  server.keepAliveTimeout = 65_000;

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://localhost');
    if (!publicPaths.has(url.pathname)) {
      const got = Buffer.from(req.headers.authorization ?? '');
      if (got.length !== expected.length || !timingSafeEqual(got, expected)) {
        req.resume();
        return writeJson(res, 401, E.unauthorized().toStatus(), []);
      }
    }
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (err) {
      const e = err instanceof E.ApiError ? err : E.badRequest(String(err));
      return writeJson(res, e.code, e.toStatus(), [], true);
    }
    const result = o.handler.handle({
      method: req.method ?? 'GET', path: url.pathname, query: url.searchParams,
      accept: req.headers.accept ?? '', contentType: req.headers['content-type'] ?? '', body,
    });
    if (result.kind === 'response') return writeResponse(res, result, req.method === 'HEAD');
    streamWatch(req, res, result);
  }

  function streamWatch(req: IncomingMessage, res: ServerResponse, w: WatchResponse): void {
    // The client may have gone (or the server begun closing) while the body was read: a watch
    // started now would never see its 'close' and keep its timers, and the process, alive.
    if (closing || res.destroyed || !res.socket || res.socket.destroyed) { res.destroy(); return; }
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked', ...warningHeaders(w.warnings) });
    res.flushHeaders(); // client-node's watch() resolves only once headers arrive
    let closed = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = () => {
      if (closed) return;
      closed = true;
      if (corked.delete(res)) res.uncork();
      stop();
      timers.forEach(clearInterval);
      watches.delete(finish);
      res.end();
    };
    const sink = {
      send(ev: ApiWatchEvent | Buffer): boolean {
        if (closed) return false;
        writeCorked(res, Buffer.isBuffer(ev) ? ev : JSON.stringify(ev) + '\n');
        return res.writableLength <= maxWatchBacklogBytes;
      },
      end: () => setImmediate(finish),
    };
    let stop: () => void = () => {};
    watches.add(finish);
    stop = w.start(sink);
    if (closed) { stop(); return; }
    timers.push(setTimeout(finish, w.timeoutMs));
    // A bare newline keeps idle watches visibly alive (client-node 2.x aborts after 30 s of silence).
    timers.push(setInterval(() => { if (!closed) res.write('\n'); }, heartbeatMs));
    if (w.bookmarks) timers.push(setInterval(() => sink.send(w.bookmark()), bookmarkMs));
    // Open watches must not keep a stopping process alive; the server's own handle does that.
    for (const t of timers) t.unref();
    req.on('close', finish);
    res.on('close', finish);
    res.on('error', finish);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.address, () => { server.off('error', reject); resolve(); });
  });
  const port = (server.address() as AddressInfo).port;
  const host = o.address.includes(':') ? `[${o.address}]` : o.address;
  return {
    url: `https://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    port,
    close: () => new Promise<void>((resolve) => {
      closing = true;
      for (const f of [...watches]) f();
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/**
 * Watch events written while the event loop handles one round of requests go out together:
 * a watch socket is corked at its first event and uncorked once that round is over, so a burst
 * of writes becomes one chunked write (one TLS record batch, one syscall) per watcher instead
 * of one per event. The delay is a single turn of the loop.
 */
const corked = new Set<ServerResponse>();
let flushQueued = false;
function writeCorked(res: ServerResponse, data: Buffer | string): void {
  if (!corked.has(res)) {
    res.cork();
    corked.add(res);
    if (!flushQueued) { flushQueued = true; setImmediate(flushCorked); }
  }
  res.write(data);
}
function flushCorked(): void {
  flushQueued = false;
  for (const res of corked) res.uncork();
  corked.clear();
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBodyBytes) {
      req.resume();
      return reject(E.tooLarge());
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBodyBytes) { reject(E.tooLarge()); req.resume(); return; }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function warningHeaders(warnings: string[]): Record<string, string[]> {
  if (!warnings.length) return {};
  return { Warning: [...new Set(warnings)].map((w) => `299 - ${JSON.stringify(w.replace(/[\x00-\x1f]/g, ' '))}`) };
}

function writeResponse(res: ServerResponse, r: ApiResponse, head: boolean): void {
  if (r.contentType === 'text/plain') {
    res.writeHead(r.status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache, private', ...warningHeaders(r.warnings) });
    res.end(head ? undefined : String(r.body));
    return;
  }
  writeJson(res, r.status, r.body, r.warnings, false, head, r.encoded);
}

function writeJson(res: ServerResponse, status: number, body: unknown, warnings: string[], close = false, head = false, encoded?: string): void {
  const text = encoded ?? JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private',
    'Content-Length': Buffer.byteLength(text), ...(close ? { Connection: 'close' } : {}), ...warningHeaders(warnings),
  });
  res.end(head ? undefined : text);
}

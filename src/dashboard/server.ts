// The dashboard's HTTP server: the page and its script for anyone (they hold no data), and the
// data endpoints only for a bearer token the cluster accepts (auth.ts). Read-only: GET (and
// HEAD) only. Errors are kube-apiserver Status objects with its codes and reasons.
//   GET /              the page
//   GET /app.js        the front end
//   GET /api/stream    text/event-stream: a snapshot, then deltas (hub.ts), one JSON per event
//   GET /api/nodes/N   one node's details
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FleetHub } from './hub.js';
import { bearerToken, type TokenGate } from './auth.js';
import { INDEX_HTML, appScript } from './assets.js';
import type { StreamMessage } from './types.js';

/** A browser this far behind (bytes queued on its socket) is dropped; it reconnects and starts from a snapshot. */
export const MAX_QUEUED_BYTES = 16 * 1024 * 1024;
/** A comment on the stream this often, so that idle connections are not cut by proxies. */
export const KEEPALIVE_MS = 20_000;

export interface DashboardServerOptions {
  hub: FleetHub;
  gate: TokenGate;
  log?: (line: string) => void;
}

export interface DashboardServer { url: string; port: number; close(): Promise<void> }

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
};

function status(res: http.ServerResponse, code: number, reason: string, message: string, extra: Record<string, string> = {}): void {
  const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
  res.writeHead(code, { ...SECURITY_HEADERS, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...extra });
  res.end(body);
}

function send(res: http.ServerResponse, head: boolean, contentType: string, body: string): void {
  res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(head ? undefined : body);
}

/** `host` undefined listens on every interface (as the controller's other bind addresses do). */
export async function listenDashboard(addr: { host?: string; port: number }, o: DashboardServerOptions): Promise<DashboardServer> {
  const streams = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      o.log?.(`everynode: dashboard: ${req.method} ${req.url}: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) status(res, 500, 'InternalError', 'Internal error occurred: the dashboard could not answer');
      else res.destroy();
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 0; // the stream is long-lived
  server.on('clientError', (_err, socket) => { if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n'); else socket.destroy(); });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = req.method ?? '';
    let path: string;
    try { path = new URL(req.url ?? '/', 'http://dashboard').pathname; } catch { return status(res, 400, 'BadRequest', 'malformed request path'); }
    if (method !== 'GET' && method !== 'HEAD') return status(res, 405, 'MethodNotAllowed', `the dashboard is read-only: ${method} is not supported`, { Allow: 'GET, HEAD' });
    const head = method === 'HEAD';
    if (path === '/' || path === '/index.html') return send(res, head, 'text/html; charset=utf-8', INDEX_HTML);
    if (path === '/app.js') return send(res, head, 'text/javascript; charset=utf-8', await appScript());
    if (!path.startsWith('/api/')) return status(res, 404, 'NotFound', 'the server could not find the requested resource');
    const token = bearerToken(req.headers.authorization);
    if (!token) return status(res, 401, 'Unauthorized', 'Unauthorized');
    let verdict;
    try { verdict = await o.gate.check(token); } catch (err) {
      return status(res, 503, 'ServiceUnavailable', `cannot check the token with the API server: ${err instanceof Error ? err.message : String(err)}`, { 'Retry-After': '1' });
    }
    if (verdict === 'unauthenticated') return status(res, 401, 'Unauthorized', 'Unauthorized');
    if (verdict === 'forbidden') return status(res, 403, 'Forbidden', 'nodes is forbidden: the token may not list nodes, which the dashboard requires');
    if (path === '/api/stream') return stream(req, res, head);
    const m = /^\/api\/nodes\/([^/]+)$/.exec(path);
    if (m) {
      let name: string;
      try { name = decodeURIComponent(m[1]!); } catch { return status(res, 400, 'BadRequest', 'malformed node name'); }
      const d = o.hub.details(name);
      if (!d) return status(res, 404, 'NotFound', `nodes "${name}" not found`);
      return send(res, head, 'application/json', JSON.stringify(d));
    }
    return status(res, 404, 'NotFound', 'the server could not find the requested resource');
  }

  function stream(req: http.IncomingMessage, res: http.ServerResponse, head: boolean): void {
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', 'X-Accel-Buffering': 'no' });
    if (head) { res.end(); return; }
    const hub = o.hub;
    const write = (m: StreamMessage) => {
      if (res.writableLength > MAX_QUEUED_BYTES) { end(); return; }
      res.write(`data: ${JSON.stringify(m)}\n\n`);
    };
    write(hub.snapshot());
    const unsubscribe = hub.subscribe(write);
    const keepalive = setInterval(() => res.write(': keep-alive\n\n'), KEEPALIVE_MS);
    streams.add(res);
    let ended = false;
    function end() {
      if (ended) return;
      ended = true;
      unsubscribe(); clearInterval(keepalive); streams.delete(res);
      res.end();
    }
    req.on('close', end);
    res.on('close', end);
    res.on('error', end);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(addr.port, addr.host, () => { server.off('error', reject); resolve(); });
  });
  const a = server.address() as AddressInfo;
  const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  return {
    url: `http://${host}:${a.port}`, port: a.port,
    close: () => new Promise<void>((resolve) => {
      for (const s of streams) s.end();
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

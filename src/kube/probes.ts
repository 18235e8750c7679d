// The controller's HTTP endpoints, as controller-runtime's manager serves them: /metrics on the
// metrics address, /healthz and /readyz on the health probe address. Two addresses, as there:
// the kubelet must always reach the probes, while the metrics port is the one a NetworkPolicy or
// an auth proxy restricts. Plain HTTP; every handler answers from memory and never throws.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { whenAborted, type Runnable } from './manager.js';

export interface BindAddress { host: string | undefined; port: number }

/**
 * Parses a bind address: ":8080" (every interface), "127.0.0.1:8080", "[::1]:8080", "0" or
 * "host:0" (a free port, logged once bound). "" means off. Returns an error message for anything else.
 */
export function parseBindAddress(text: string): BindAddress | 'off' | { error: string } {
  const s = text.trim();
  if (s === '') return 'off';
  if (s === '0') return { host: undefined, port: 0 };
  const m = /^(?:\[([0-9a-fA-F:.%\w]+)\]|([\w.-]*)):(\d{1,5})$/.exec(s);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) return { error: `invalid bind address "${text}": want host:port, :port or 0` };
  const host = m[1] ?? m[2];
  return { host: host === '' ? undefined : host, port };
}

export type Check = () => string | undefined;

/** Named checks; each returns undefined when healthy or why not (controller-runtime's healthz.Checker). */
export class Checks {
  readonly #checks: [string, Check][] = [];
  add(name: string, check: Check): this { this.#checks.push([name, check]); return this; }

  /** 200 "ok", or 500 with one line per check, as the API server's and controller-runtime's healthz print them. */
  evaluate(what: string, verbose: boolean): { status: number; body: string } {
    const lines: string[] = [];
    let failed = false;
    for (const [name, check] of this.#checks) {
      let why: string | undefined;
      try { why = check(); } catch (err) { why = err instanceof Error ? err.message : String(err); }
      if (why !== undefined) failed = true;
      lines.push(why === undefined ? `[+]${name} ok` : `[-]${name} failed: ${why}`);
    }
    if (failed) return { status: 500, body: `${lines.join('\n')}\n${what} check failed\n` };
    return { status: 200, body: verbose ? `${lines.join('\n')}\n${what} check passed\n` : 'ok' };
  }
}

export type Routes = Record<string, (query: URLSearchParams) => Promise<{ status: number; body: string; contentType?: string }>>;

/** Serves `routes` (GET/HEAD only) on `addr`; resolves with the bound address once listening. */
export async function serve(addr: BindAddress, routes: Routes): Promise<{ server: http.Server; url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const route = routes[url.pathname.replace(/\/+$/, '') || '/'];
    const reply = (status: number, body: string, contentType = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), 'X-Content-Type-Options': 'nosniff' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (!route) return reply(404, '404 page not found\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'method not allowed\n');
    route(url.searchParams).then((r) => reply(r.status, r.body, r.contentType), (err: unknown) => reply(500, `${err instanceof Error ? err.message : String(err)}\n`));
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(addr.port, addr.host, () => { server.off('error', reject); resolve(); });
  });
  const a = server.address() as AddressInfo;
  const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  return {
    server, url: `http://${host}:${a.port}`,
    close: () => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); }),
  };
}

/** The probe routes for healthz and readyz checks (`?verbose` lists every check). */
export function probeRoutes(healthz: Checks, readyz: Checks): Routes {
  return {
    '/healthz': async (q) => healthz.evaluate('healthz', q.has('verbose')),
    '/readyz': async (q) => readyz.evaluate('readyz', q.has('verbose')),
  };
}

/**
 * An HTTP server as a manager's runnable (the servers group): up once listening, with its URL
 * given to `onListening`; closed when its signal aborts. A failure to bind fails it.
 */
export function serverRunnable(name: string, addr: BindAddress, routes: Routes, onListening: (url: string) => void): Runnable {
  let listening!: () => void;
  let failed!: (err: unknown) => void;
  const up = new Promise<void>((resolve, reject) => { listening = resolve; failed = reject; });
  up.catch(() => {}); // start() reports the failure; ready() only waits
  return {
    name,
    ready: () => up,
    async start(signal) {
      let s: Awaited<ReturnType<typeof serve>>;
      try { s = await serve(addr, routes); } catch (err) { failed(err); throw new Error(`cannot listen on ${addr.host ?? ''}:${addr.port}: ${err instanceof Error ? err.message : String(err)}`); }
      onListening(s.url);
      listening();
      await whenAborted(signal);
      await s.close();
    },
  };
}

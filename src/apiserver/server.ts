// The node:https adapter: authentication, request limits and deadlines, streaming watches with
// bounded buffers. Everything with
// Kubernetes meaning is in handler.ts; this file only moves bytes.
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as E from './errors.js';
import type { ApiHandler, ApiResponse, WatchResponse } from './handler.js';
import type { ApiWatchEvent } from './watch.js';
import { parseRequestTarget } from './routes.js';
import type { RequestAuth } from './auth/gate.js';
import { defaultLimits, isStalled, overBudget, warningHeaderValues, watchAllowance, type ServerLimits } from './limits.js';

/** The default request body limit (ServerLimits.maxBodyBytes). */
export const maxBodyBytes = defaultLimits.maxBodyBytes;
const heartbeatMs = 15_000;
const bookmarkMs = 60_000;

export interface ServerOptions {
  handler: ApiHandler;
  certPem: string;
  keyPem: string;
  /** Authentication and authorization (auth/gate.ts). */
  auth: RequestAuth;
  address: string;
  port: number;
  /** Overrides of defaultLimits (tests use small ones). */
  limits?: Partial<ServerLimits>;
}

export interface WatchStats {
  /** Watch connections still open (ended ones count until their socket closes). */
  watchers: number;
  /** Unsent bytes they hold. */
  backlogBytes: number;
}

export interface RunningServer {
  url: string;
  port: number;
  watchStats(): WatchStats;
  close(): Promise<void>;
}

/** One streaming watch, as the limits see it. */
interface ActiveWatch {
  res: ServerResponse;
  /** Bytes handed to the response so far, and how many of them were the initial snapshot. */
  queued: number;
  snapshot: number;
  /** queued − unsent at the last check, and when it last grew. */
  flushed: number;
  progressAt: number;
  /** Stops the stream and closes the socket at once, dropping what is unsent. */
  kill(): void;
}

export async function startServer(o: ServerOptions): Promise<RunningServer> {
  const limits: ServerLimits = { ...defaultLimits, ...o.limits };
  const watches = new Set<() => void>();
  const active = new Set<ActiveWatch>();
  let closing = false;
  const server = https.createServer({
    cert: o.certPem, key: o.keyPem, minVersion: 'TLSv1.2',
    // Node's own limits cover reading a request only (a watch, once read, is not subject to
    // them): headers within headersTimeout, the whole request a little after our own deadline.
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs + 10_000,
    connectionsCheckingInterval: Math.max(100, Math.min(30_000, Math.floor(limits.headersTimeoutMs / 4))),
  }, (req, res) => {
    void serve(req, res).catch((err) => {
      if (!res.headersSent) writeJson(res, 500, E.internal(err).toStatus(), [], true);
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // A request line Go's server could not parse is its 400, before authentication.
    const target = parseRequestTarget(req.url ?? '/');
    if (target instanceof E.ApiError) return writeJson(res, 400, target.toStatus(), [], true);
    // Authentication, impersonation and authorization come before the body is read. A 401
    // closes the connection (an anonymous client cannot hold the socket); so does a 403 of a
    // request with a body, which is never read either.
    const admitted = o.auth.admit(req.method ?? 'GET', target, req.headers, req.headersDistinct);
    if ('error' in admitted) {
      const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
      return writeJson(res, admitted.error.code, admitted.error.toStatus(), [], admitted.error.code === 401 || hasBody);
    }
    // --request-timeout: reading the request and writing its answer must fit in it (a watch,
    // long-running, leaves it once it starts streaming).
    const deadline = setTimeout(() => {
      if (!res.headersSent) writeJson(res, 504, E.timeout('request did not complete within requested timeout - context deadline exceeded').toStatus(), [], true);
      else res.destroy();
    }, limits.requestTimeoutMs);
    deadline.unref();
    res.once('close', () => clearTimeout(deadline));
    let body: Buffer;
    try {
      body = await readBody(req, limits.maxBodyBytes);
    } catch (err) {
      if (res.headersSent) return;
      const e = err instanceof E.ApiError ? err : E.badRequest(String(err));
      return writeJson(res, e.code, e.toStatus(), [], true);
    }
    if (res.headersSent || res.destroyed) return; // the deadline answered first
    const q = (req.url ?? '').indexOf('?');
    const path = (req.url ?? '/').slice(0, q < 0 ? undefined : q).replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?]*/, '') || '/';
    const apiReq = {
      method: req.method ?? 'GET', path, query: target.query,
      accept: req.headers.accept ?? '', contentType: req.headers['content-type'] ?? '', body,
      userAgent: req.headers['user-agent'],
    };
    const result = o.auth.serve(admitted, apiReq, o.handler) ?? o.handler.handle(apiReq);
    // From here on a write may have been committed: nothing below may turn into a 500.
    if (result.kind === 'response') return writeResponse(res, result, req.method === 'HEAD');
    clearTimeout(deadline);
    streamWatch(req, res, result);
  }

  function streamWatch(req: IncomingMessage, res: ServerResponse, w: WatchResponse): void {
    // The client may have gone (or the server begun closing) while the body was read: a watch
    // started now would never see its 'close' and keep its timers, and the process, alive.
    if (closing || res.destroyed || !res.socket || res.socket.destroyed) { res.destroy(); return; }
    if (!writeHeadSafely(res, 200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' }, w.warnings)) return;
    // client-node's watch() resolves only once headers arrive. Not flushHeaders(): it writes the
    // header block as UTF-8, which would encode the (byte-per-char) Warning values a second time.
    res.write(Buffer.alloc(0));
    let closed = false;
    const timers: NodeJS.Timeout[] = [];
    const entry: ActiveWatch = { res, queued: 0, snapshot: 0, flushed: 0, progressAt: Date.now(), kill: () => { finish(); res.destroy(); } };
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
      send(ev: ApiWatchEvent | Buffer, initial = false): boolean {
        if (closed) return false;
        const data = Buffer.isBuffer(ev) ? ev : JSON.stringify(ev) + '\n';
        const size = Buffer.isBuffer(data) ? data.length : Buffer.byteLength(data);
        entry.queued += size;
        if (initial) entry.snapshot += size;
        writeCorked(res, data);
        const unsent = res.writableLength;
        if (unsent > limits.watchBacklogBytes / 8) scheduleBudgetCheck();
        return unsent <= watchAllowance(limits.watchBacklogBytes, entry.snapshot, entry.queued - unsent);
      },
      end: () => setImmediate(finish),
    };
    let stop: () => void = () => {};
    watches.add(finish);
    active.add(entry);
    // Ended watches stay counted until their socket closes: what they hold is still unsent.
    res.once('close', () => { active.delete(entry); finish(); });
    try {
      stop = w.start(sink);
    } catch (err) {
      // Headers are out: the failure becomes the stream's ERROR event, as upstream ends a broken watch.
      sink.send({ type: 'ERROR', object: E.internal(err).toStatus() as unknown as ApiWatchEvent['object'] });
      finish();
      return;
    }
    if (closed) { stop(); return; }
    timers.push(setTimeout(finish, w.timeoutMs));
    // A bare newline keeps idle watches visibly alive (client-node 2.x aborts after 30 s of silence).
    timers.push(setInterval(() => { if (!closed) { entry.queued += 1; res.write('\n'); } }, heartbeatMs));
    if (w.bookmarks) timers.push(setInterval(() => sink.send(w.bookmark()), bookmarkMs));
    // Open watches must not keep a stopping process alive; the server's own handle does that.
    for (const t of timers) t.unref();
    req.on('close', finish);
    res.on('error', finish);
  }

  /** Stalled watchers are closed; then, past the total budget, the ones holding most. */
  function checkWatches(): void {
    const now = Date.now();
    for (const w of [...active]) {
      const unsent = w.res.writableLength;
      const flushed = w.queued - unsent;
      if (flushed > w.flushed || unsent === 0) { w.flushed = flushed; w.progressAt = now; }
      else if (isStalled(unsent, w.progressAt, now, limits.watchStallMs)) w.kill();
    }
    enforceBudget();
  }
  function enforceBudget(): void {
    const list = [...active];
    for (const i of overBudget(list.map((w) => w.res.writableLength), limits.totalWatchBacklogBytes)) list[i].kill();
  }
  let budgetCheckQueued = false;
  function scheduleBudgetCheck(): void {
    if (budgetCheckQueued) return;
    budgetCheckQueued = true;
    setImmediate(() => { budgetCheckQueued = false; enforceBudget(); });
  }
  const checker = setInterval(checkWatches, limits.watchCheckMs);
  checker.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.address, () => { server.off('error', reject); resolve(); });
  });
  const port = (server.address() as AddressInfo).port;
  const host = o.address.includes(':') ? `[${o.address}]` : o.address;
  return {
    url: `https://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    port,
    watchStats: () => ({ watchers: active.size, backlogBytes: [...active].reduce((n, w) => n + w.res.writableLength, 0) }),
    close: () => new Promise<void>((resolve) => {
      closing = true;
      clearInterval(checker);
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

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) return reject(E.tooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) { chunks.length = 0; reject(E.tooLarge()); req.pause(); return; }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
    // A client gone mid-body: settle, so nothing waits on a request that will never end.
    req.on('close', () => { if (!req.complete) reject(E.badRequest('the client closed the connection before the request body was complete')); });
  });
}

/**
 * writeHead with Warning headers that cannot be invalid (limits.ts); should node still refuse a
 * header, the response goes out without warnings rather than as a 500 after a committed write.
 */
function writeHeadSafely(res: ServerResponse, status: number, headers: Record<string, string | number>, warnings: string[]): boolean {
  try {
    res.writeHead(status, warnings.length ? { ...headers, Warning: warningHeaderValues(warnings) } : headers);
    return true;
  } catch {
    try { res.writeHead(status, headers); return true; } catch { res.destroy(); return false; }
  }
}

function writeResponse(res: ServerResponse, r: ApiResponse, head: boolean): void {
  // Bytes in their own media type (the protobuf /openapi/v2 document).
  if (Buffer.isBuffer(r.body)) {
    if (writeHeadSafely(res, r.status, { 'Content-Type': r.contentType ?? 'application/octet-stream', 'Content-Length': r.body.length, 'Cache-Control': 'no-cache, private' }, r.warnings)) res.end(head ? undefined : r.body);
    return;
  }
  if (r.contentType === 'text/plain') {
    if (writeHeadSafely(res, r.status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache, private' }, r.warnings)) res.end(head ? undefined : Buffer.from(String(r.body)));
    return;
  }
  writeJson(res, r.status, r.body, r.warnings, false, head, r.encoded);
}

function writeJson(res: ServerResponse, status: number, body: unknown, warnings: string[], close = false, head = false, encoded?: string): void {
  let text = encoded;
  if (text === undefined) {
    try { text = JSON.stringify(body); } catch (err) {
      // Only a programming error gets here; for a 2xx the write already happened, so say so plainly.
      text = JSON.stringify(status < 300 ? { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: status } : E.internal(err).toStatus());
    }
  }
  const headers = {
    'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private',
    'Content-Length': Buffer.byteLength(text), ...(close ? { Connection: 'close' } : {}),
  };
  // A Buffer body, because with a string node writes the header block in the body's encoding
  // (UTF-8) and would encode the byte-per-char Warning values a second time.
  if (writeHeadSafely(res, status, headers, warnings)) res.end(head ? undefined : Buffer.from(text));
}

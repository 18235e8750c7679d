// Sends a FuzzRequest with a client-side deadline and says what came back. Nothing here throws:
// a refused connection, a reset or a missed deadline are outcomes, like a status code.
import https from 'node:https';
import tls from 'node:tls';
import type { FuzzRequest, HttpRequest, RawRequest, SlowRequest } from './request.js';

export interface Target {
  host: string;
  port: number;
  /** Path prefix of the server URL ('' for the embedded server). */
  prefix: string;
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Authorization header value, e.g. "Bearer …". */
  authorization?: string;
  /** The process-liveness check of the target (in-process: the server thread is alive). */
  alive(): string | undefined;
  /** Called once if the target dies during the run (in-process only). */
  onDeath?(f: () => void): void;
  /** Replaces a dead or stuck server with a fresh one (in-process only); the fields above then name the new one. */
  restart?(): Promise<void>;
  close(): Promise<void>;
}

export interface Outcome {
  /** HTTP status; 0 when no status line came back. */
  status: number;
  /** No answer (or an unfinished body) by the deadline. */
  hang?: boolean;
  /** Network error code when the connection failed (ECONNRESET, ECONNREFUSED, HPE_…). */
  error?: string;
  /** metav1.Status message or the start of the body, for 5xx reports. */
  message?: string;
  /** The answer was a stream (a watch) that the client closed itself. */
  streamed?: boolean;
}

export interface TransportOptions {
  deadlineMs: number;
  /** How long a streamed answer (a watch) is read before the client closes it. */
  streamMs: number;
}

/** The most of a 5xx answer kept: a request body is at most 3 MiB, and an error echoes at most that. */
const MAX_ERROR_BODY = 4 << 20;

function messageOf(text: string): string {
  try {
    const j = JSON.parse(text) as { message?: unknown };
    if (typeof j.message === 'string') return j.message;
  } catch { /* not JSON: the body itself */ }
  return text.slice(0, 300);
}

export class Transport {
  #agent!: https.Agent;

  constructor(private readonly t: Target, private readonly o: TransportOptions, private readonly maxSockets: number) { this.reset(); }

  /** A new connection pool for the target as it is now (after a restart: a new port and CA). */
  reset(): void {
    this.#agent?.destroy();
    this.#agent = new https.Agent({ keepAlive: true, maxSockets: this.maxSockets, ca: this.t.ca, cert: this.t.cert, key: this.t.key });
  }

  send(r: FuzzRequest): Promise<Outcome> {
    switch (r.kind) {
      case 'http': return this.#http(r);
      case 'raw': return this.#raw(r);
      case 'slow': return this.#slow(r);
    }
  }

  close(): void { this.#agent.destroy(); }

  #http(r: HttpRequest): Promise<Outcome> {
    return new Promise((resolve) => {
      let done = false;
      const finish = (o: Outcome) => { if (!done) { done = true; clearTimeout(timer); resolve(o); } };
      const headers: Record<string, string> = { Accept: 'application/json', ...r.headers };
      if (this.t.authorization) headers.Authorization = this.t.authorization;
      if (r.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(r.body));
      // A HEAD or a watch may leave a connection in a state the next request should not inherit.
      const fresh = r.method === 'HEAD' || r.generator === 'watch' || r.generator === 'methods';
      const req = https.request({
        host: this.t.host, port: this.t.port, method: r.method, path: this.t.prefix + r.path, headers,
        agent: fresh ? false : this.#agent, ca: this.t.ca, cert: this.t.cert, key: this.t.key,
      }, (res) => {
        const status = res.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let size = 0;
        const stream = res.headers['content-length'] === undefined && res.headers['transfer-encoding'] === 'chunked';
        if (stream) setTimeout(() => { req.destroy(); finish({ status, streamed: true, message: status >= 500 ? messageOf(Buffer.concat(chunks).toString('utf8')) : undefined }); }, this.o.streamMs).unref();
        // A 5xx is classified by its message, which may follow a long echo of the request (the
        // merge-key error quotes the whole list entry): keep all of it, bounded by what a body can be.
        const keep = status >= 500 ? MAX_ERROR_BODY : 4096;
        res.on('data', (c: Buffer) => { if (size < keep) chunks.push(c); size += c.length; });
        res.on('end', () => finish({ status, streamed: stream || undefined, message: status >= 500 ? messageOf(Buffer.concat(chunks).toString('utf8')) : undefined }));
        res.on('error', (err: NodeJS.ErrnoException) => finish({ status, error: err.code ?? err.message }));
      });
      const timer = setTimeout(() => { req.destroy(); finish({ status: 0, hang: true }); }, this.o.deadlineMs);
      req.on('error', (err: NodeJS.ErrnoException) => finish({ status: 0, error: err.code ?? err.message }));
      req.end(r.body);
    });
  }

  #socket(): tls.TLSSocket {
    return tls.connect({ host: this.t.host, port: this.t.port, ca: this.t.ca, cert: this.t.cert, key: this.t.key, servername: /^[\d.:]+$/.test(this.t.host) ? undefined : this.t.host });
  }

  /** Writes bytes as given; reads until the server closes or the deadline passes. */
  #raw(r: RawRequest): Promise<Outcome> {
    const [line, ...extra] = r.head;
    const auth = this.t.authorization ? [`Authorization: ${this.t.authorization}`] : [];
    const text = [line.replace(' /', ` ${this.t.prefix}/`), `Host: ${this.t.host}:${this.t.port}`, ...auth, ...extra, 'Connection: close', '', r.body ?? ''].join('\r\n');
    return this.#exchange((s) => s.end(Buffer.from(text, 'latin1')), this.o.deadlineMs);
  }

  /** Headers, then the body in `chunks` pieces `intervalMs` apart; an abandoned body half-closes the socket. */
  #slow(r: SlowRequest): Promise<Outcome> {
    const headers = { ...r.headers, Host: `${this.t.host}:${this.t.port}`, ...(this.t.authorization ? { Authorization: this.t.authorization } : {}), Connection: 'close' };
    const head = `${r.method} ${this.t.prefix}${r.path} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`;
    const pieces = r.complete ? 5 : r.chunks;
    const size = Math.ceil(r.body.length / (r.complete ? pieces : pieces + 1));
    return this.#exchange((s) => {
      s.write(head);
      let i = 0;
      const tick = setInterval(() => {
        if (s.destroyed) { clearInterval(tick); return; }
        const piece = r.body.subarray(i * size, (i + 1) * size);
        i++;
        if (i >= pieces) { clearInterval(tick); if (r.complete) s.end(r.body.subarray((i - 1) * size)); else s.end(); }
        else s.write(piece);
      }, r.intervalMs);
      tick.unref();
    }, this.o.deadlineMs + pieces * r.intervalMs, !r.complete);
  }

  /** Runs `write` on a fresh TLS socket and reads the answer's status line; `abandoned` means none is owed. */
  #exchange(write: (s: tls.TLSSocket) => void, deadlineMs: number, abandoned = false): Promise<Outcome> {
    return new Promise((resolve) => {
      const s = this.#socket();
      let got = '';
      let done = false;
      const finish = (o: Outcome) => { if (!done) { done = true; clearTimeout(timer); s.destroy(); resolve(o); } };
      const status = () => {
        // Skip interim answers (100 Continue); the final status line is the one that counts.
        for (const m of got.matchAll(/^HTTP\/\d\.\d (\d{3})/gm)) if (!m[1].startsWith('1')) return Number(m[1]);
        return 0;
      };
      const timer = setTimeout(() => finish(abandoned ? { status: status() } : { status: status(), hang: status() === 0 }), deadlineMs);
      s.once('secureConnect', () => write(s));
      s.on('data', (c: Buffer) => { if (got.length < 8192) got += c.toString('latin1'); });
      s.on('end', () => {
        const code = status();
        const body = got.slice(got.indexOf('\r\n\r\n') + 4);
        finish({ status: code, message: code >= 500 ? messageOf(body) : undefined });
      });
      s.on('error', (err: NodeJS.ErrnoException) => finish({ status: status(), error: status() ? undefined : err.code ?? err.message }));
    });
  }
}

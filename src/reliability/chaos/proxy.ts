// The chaos proxy: an HTTPS server on loopback that sits between a client (the DaemonSet
// controller) and the real API server, forwarding every request and, by a seeded draw per
// request, failing, delaying or cutting it (faults.ts decides, this shell carries it out).
// It terminates TLS with a CA and serving certificate of its own (ensurePki, in memory), so the
// client's kubeconfig names the proxy's CA and the cluster's own bearer token, which is
// forwarded unchanged; upstream it verifies the real server against the cluster's CA.
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ensurePki } from '../../apiserver/pki.js';
import { kubeconfigYaml } from '../../cluster/kubeconfig.js';
import { decide, faultOf, isWatchRequest, statusBody, NO_FAULTS, type Decision, type FaultKind, type FaultRates } from './faults.js';
import { rng, type Rng } from './rng.js';

export interface ChaosProxyOptions {
  /** The real API server, e.g. https://127.0.0.1:6443. */
  upstream: string;
  upstreamCaPem: string;
  seed: number;
  rates?: FaultRates;
  /**
   * Decides a request before the seeded draw, for tests that need one exact fault on one exact
   * request (and may act on the server first, e.g. a concurrent writer): a decision, or
   * undefined to draw as usual.
   */
  intercept?: (method: string, path: string) => Decision | undefined | Promise<Decision | undefined>;
}

export class ChaosProxy {
  readonly counts = new Map<FaultKind, number>();
  #rates: FaultRates;
  readonly #rng: Rng;
  readonly #upstream: URL;
  readonly #agent: https.Agent;
  #server?: https.Server;
  readonly #sockets = new Set<Socket>();
  readonly #timers = new Set<NodeJS.Timeout>();
  /** How to end each open watch stream. */
  readonly #watches = new Set<() => void>();
  #caPem = '';
  url = '';

  constructor(private readonly o: ChaosProxyOptions) {
    this.#rates = o.rates ?? NO_FAULTS;
    this.#rng = rng(o.seed);
    this.#upstream = new URL(o.upstream);
    if (!['127.0.0.1', '[::1]', 'localhost'].includes(this.#upstream.hostname)) throw new Error(`the chaos proxy forwards to loopback only, not ${this.#upstream.hostname}`);
    this.#agent = new https.Agent({ keepAlive: true, maxSockets: 64, ca: o.upstreamCaPem });
  }

  /** Switch fault injection on (rates) or off (NO_FAULTS) at any moment; streams already bent keep their fate. */
  setRates(rates: FaultRates): void { this.#rates = rates; }

  /** Watch streams being forwarded right now. */
  get openWatches(): number { return this.#watches.size; }

  /** Ends every open watch stream at once, as an API server restart does; each counts as a cut. */
  cutWatches(): void {
    for (const cut of this.#watches) { cut(); this.counts.set('watchCut', (this.counts.get('watchCut') ?? 0) + 1); }
    this.#watches.clear();
  }

  async start(): Promise<void> {
    const pki = await ensurePki(null);
    this.#caPem = pki.caCertPem;
    this.#server = https.createServer({ cert: pki.certPem, key: pki.keyPem }, (req, res) => this.#handle(req, res));
    this.#server.on('connection', (s: Socket) => { this.#sockets.add(s); s.once('close', () => this.#sockets.delete(s)); });
    // A client that hangs up mid-handshake must not take the proxy down.
    this.#server.on('tlsClientError', () => {});
    await new Promise<void>((resolve, reject) => {
      this.#server!.once('error', reject);
      this.#server!.listen(0, '127.0.0.1', () => resolve());
    });
    this.url = `https://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** A kubeconfig that reaches the cluster through this proxy. */
  kubeconfig(token: string): string {
    return kubeconfigYaml({ server: this.url, caCertPem: this.#caPem, token });
  }

  async close(): Promise<void> {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    for (const s of this.#sockets) s.destroy();
    this.#agent.destroy();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }

  #count(d: Decision): void {
    const f = faultOf(d);
    if (f) this.counts.set(f, (this.counts.get(f) ?? 0) + 1);
  }

  #later(ms: number, fn: () => void): void {
    const t = setTimeout(() => { this.#timers.delete(t); fn(); }, ms);
    this.#timers.add(t);
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const method = req.method ?? 'GET', path = req.url ?? '/';
    const chosen = this.o.intercept?.(method, path);
    if (chosen instanceof Promise) {
      req.pause();
      chosen.then((d) => this.#carryOut(req, res, d ?? decide(method, path, this.#rates, this.#rng)), () => req.socket.destroy());
    } else {
      this.#carryOut(req, res, chosen ?? decide(method, path, this.#rates, this.#rng));
    }
  }

  #carryOut(req: IncomingMessage, res: ServerResponse, d: Decision): void {
    this.#count(d);
    switch (d.kind) {
      case 'status': {
        req.resume();
        const body = JSON.stringify(statusBody(d));
        res.writeHead(d.code, {
          'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body),
          ...(d.retryAfterSeconds !== undefined ? { 'Retry-After': String(d.retryAfterSeconds) } : {}),
        });
        res.end(body);
        return;
      }
      case 'resetBefore':
      case 'watchDrop':
        req.socket.destroy();
        return;
      case 'latency':
        this.#later(d.ms, () => this.#forward(req, res, d));
        return;
      default:
        this.#forward(req, res, d);
    }
  }

  #forward(req: IncomingMessage, res: ServerResponse, d: Decision): void {
    if (req.socket.destroyed) return;
    const headers = { ...req.headers, host: this.#upstream.host };
    let done = false;
    const up = https.request({
      protocol: 'https:', hostname: this.#upstream.hostname.replace(/^\[(.*)\]$/, '$1'), port: this.#upstream.port,
      method: req.method, path: req.url, headers, agent: this.#agent,
    }, (upRes) => {
      if (d.kind === 'resetAfter') {
        upRes.resume();
        upRes.once('end', () => req.socket.destroy());
        return;
      }
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      let stalled = false;
      upRes.on('data', (chunk: Buffer) => { if (!stalled) res.write(chunk); });
      upRes.once('end', () => { done = true; res.end(); });
      upRes.once('error', () => res.destroy());
      if (!isWatchRequest(req.url ?? '')) return;
      const untrack = () => { this.#watches.delete(cut); };
      const cut = () => { untrack(); up.destroy(); res.end(); };
      this.#watches.add(cut);
      res.once('close', untrack);
      upRes.once('close', untrack);
      if (d.kind === 'watchCut') {
        this.#later(d.afterMs, cut);
      } else if (d.kind === 'watchStall') {
        this.#later(d.afterMs, () => {
          stalled = true;
          this.#later(d.stallMs, () => { untrack(); up.destroy(); req.socket.destroy(); });
        });
      }
    });
    up.once('error', () => { if (!res.headersSent) req.socket.destroy(); else res.destroy(); });
    // The client went away (or a fault ended the stream): stop the upstream request too.
    res.once('close', () => { if (!done) up.destroy(); });
    req.pipe(up);
  }
}

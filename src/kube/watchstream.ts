// One watch request: streams a collection's events as they arrive, one JSON object per line.
// Our own instead of client-node 1.4.0's Watch, which we used before, for two reasons:
// - cost: its path (node-fetch, a PassThrough, readline with a regular expression per chunk)
//   was most of the watch-side CPU of every component; here a line is found with indexOf on the
//   bytes and parsed once;
// - liveness: it has no idle timeout, so a connection that dies silently stalls an informer for
//   ever (client-node #364/#958). The API server writes a heartbeat newline every 15 s on an
//   idle watch; a stream silent for `idleTimeoutMs` is abandoned and the informer re-watches.
// Authentication and TLS come from the RawClient (client-node's KubeConfig), so it works against
// any cluster.
import { DEFAULT_REQUEST_TIMEOUT_MS, RequestAbortedError, reportRequestResult, type RawClient } from './client.js';

export interface RawWatchEvent { type: string; object: unknown }

export type WatchEnd =
  | { kind: 'closed' } // the server ended the stream (its timeout) or we stopped it
  | { kind: 'idle' } // nothing, not even a heartbeat, for idleTimeoutMs
  | { kind: 'status'; code: number; body: unknown }; // the request was refused (410, 403, ...)

export interface WatchStreamOptions {
  /** Abandon a stream that sends nothing for this long. Default 60 s (four missed heartbeats of the embedded server). */
  idleTimeoutMs?: number;
  /**
   * Give up when the server has not answered the request (its status line) within this long; the
   * stream itself has no deadline. Default: DEFAULT_REQUEST_TIMEOUT_MS. 0 = none.
   */
  connectTimeoutMs?: number;
  /** Ends the stream (as closed); with the client's own signal, whichever aborts first. */
  signal: AbortSignal;
}

/** Splits a byte stream into lines without decoding the bytes that are only carried over. */
export class LineSplitter {
  #pending: Buffer | undefined;

  /** Calls `line` for each complete non-empty line in `chunk` (a bare newline is a heartbeat). */
  push(chunk: Buffer, line: (text: string) => void): void {
    let start = 0;
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, nl);
      const whole = this.#pending ? Buffer.concat([this.#pending, piece]) : piece;
      this.#pending = undefined;
      if (whole.length > 0) line(whole.toString('utf8'));
      start = nl + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      // Copy: the chunk's memory may be reused by the stream once we return.
      this.#pending = this.#pending ? Buffer.concat([this.#pending, rest]) : Buffer.from(rest);
    }
  }
}

/**
 * Runs one watch of `path` with `params` until the server closes it, it goes idle, or `signal`
 * aborts; `onEvent` gets each decoded event in order. Rejects on network errors, and with
 * RequestAbortedError when the server does not answer within `connectTimeoutMs`.
 */
export async function watchStream(
  client: RawClient, path: string, params: Record<string, string>,
  onEvent: (ev: RawWatchEvent) => void, o: WatchStreamOptions,
): Promise<WatchEnd> {
  const opts = await client.requestOptions('GET', `${path}?${new URLSearchParams({ ...params, watch: 'true' })}`);
  const signal = client.signalFor(o.signal) ?? o.signal;
  if (signal.aborted) return { kind: 'closed' };
  const idleMs = o.idleTimeoutMs ?? 60_000;
  const connectMs = o.connectTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  return new Promise<WatchEnd>((resolve, reject) => {
    let settled = false;
    const finish = (end: WatchEnd | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(idle);
      if (connect) clearTimeout(connect);
      signal.removeEventListener('abort', onAbort);
      req.destroy();
      if (end instanceof Error) reject(end); else resolve(end);
    };
    const onAbort = () => finish({ kind: 'closed' });
    let idle = setTimeout(() => finish({ kind: 'idle' }), idleMs);
    const connect = connectMs > 0 ? setTimeout(() => {
      reportRequestResult('GET', client.hostLabel, undefined);
      finish(new RequestAbortedError('GET', path, 'timeout', connectMs));
    }, connectMs) : undefined;
    const alive = () => { clearTimeout(idle); idle = setTimeout(() => finish({ kind: 'idle' }), idleMs); };
    // A connection of its own (agent: false): a watch holds it for minutes, and must not take
    // one of the request pool's sockets or be reused after we destroy it.
    const req = client.transport.request({ ...opts, agent: false }, (res) => {
      if (connect) clearTimeout(connect);
      reportRequestResult('GET', client.hostLabel, res.statusCode);
      if (res.statusCode !== 200) {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let body: unknown;
          try { body = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { body = undefined; }
          finish({ kind: 'status', code: res.statusCode ?? 0, body });
        });
        res.on('error', (err) => finish(err));
        return;
      }
      const lines = new LineSplitter();
      res.on('data', (chunk: Buffer) => {
        alive();
        lines.push(chunk, (text) => {
          if (settled) return;
          let ev: RawWatchEvent;
          try { ev = JSON.parse(text) as RawWatchEvent; } catch { return finish(new Error(`watch ${path}: undecodable line`)); }
          onEvent(ev);
        });
      });
      res.on('end', () => finish({ kind: 'closed' }));
      res.on('error', (err) => finish(err));
      res.on('close', () => finish({ kind: 'closed' }));
    });
    req.on('error', (err) => { if (!settled) reportRequestResult('GET', client.hostLabel, undefined); finish(err); });
    signal.addEventListener('abort', onAbort, { once: true });
    req.end();
  });
}

// The browser's side of /api/stream: a fetch (EventSource cannot send an Authorization header)
// read as text/event-stream, reconnecting with back-off when the connection drops. Each
// reconnection starts from the server's snapshot, so nothing missed while away is lost.
import type { StreamMessage } from '../types.js';

export const TOKEN_KEY = 'everynode.dashboard.token';

/**
 * The token: from the URL fragment `#token=…` (never sent to the server; removed from the address
 * bar once kept), else the one kept in this tab's sessionStorage.
 */
export function takeToken(): string | undefined {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (m) {
    const token = decodeURIComponent(m[1]!);
    sessionStorage.setItem(TOKEN_KEY, token);
    history.replaceState(null, '', location.pathname + location.search);
    return token;
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

/** Splits event-stream text into complete events' data; returns them and the unfinished rest. */
export function parseEvents(buffer: string): { data: string[]; rest: string } {
  const data: string[] = [];
  let start = 0;
  for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n', start)) {
    const lines = buffer.slice(start, end).split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).replace(/^ /, ''));
    if (lines.length) data.push(lines.join('\n'));
    start = end + 2;
  }
  return { data, rest: buffer.slice(start) };
}

export interface StreamHandlers {
  onMessage(m: StreamMessage): void;
  onStatus(s: { connected: boolean; error?: string; fatal?: boolean }): void;
}

export function connect(token: string, h: StreamHandlers): () => void {
  let stopped = false;
  let backoff = 500;
  let ctrl: AbortController | undefined;
  const run = async () => {
    while (!stopped) {
      ctrl = new AbortController();
      try {
        const res = await fetch('/api/stream', { headers: { Authorization: `Bearer ${token}` }, signal: ctrl.signal, cache: 'no-store' });
        if (res.status === 401 || res.status === 403) {
          const s = await res.json().catch(() => ({})) as { message?: string };
          h.onStatus({ connected: false, fatal: true, error: res.status === 401 ? 'The token was not accepted by the cluster (401 Unauthorized).' : `Forbidden: ${s.message ?? ''}` });
          return;
        }
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        h.onStatus({ connected: true });
        backoff = 500;
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          const { data, rest } = parseEvents(buf + value);
          buf = rest;
          for (const d of data) h.onMessage(JSON.parse(d) as StreamMessage);
        }
        throw new Error('the stream ended');
      } catch (err) {
        if (stopped) return;
        h.onStatus({ connected: false, error: `disconnected (${err instanceof Error ? err.message : String(err)}); reconnecting…` });
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
  };
  void run();
  return () => { stopped = true; ctrl?.abort(); };
}

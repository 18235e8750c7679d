// The API server's resource limits and the pure decisions behind them: how much unsent data a
// watcher may hold, when a watcher counts as stalled, which watchers go when all of them together
// hold too much, and how Authorization and Warning headers are read and written safely.
// server.ts applies them to sockets; everything here is a function of its arguments.

export interface ServerLimits {
  /** Largest request body accepted (413 past it). */
  maxBodyBytes: number;
  /**
   * Unsent live-event bytes one watcher may hold before it is ended (it re-watches from its last
   * resourceVersion). Its initial snapshot (resourceVersion ""/"0") comes on top, while unsent.
   */
  watchBacklogBytes: number;
  /** Unsent bytes all watchers together may hold; past it the ones holding most are closed. */
  totalWatchBacklogBytes: number;
  /** A watcher with unsent data that the client has not taken any of for this long is closed. */
  watchStallMs: number;
  /** How often watchers are checked for stalls and the total budget. */
  watchCheckMs: number;
  /** --request-timeout: a non-watch request must be read, and its answer taken, within this. */
  requestTimeoutMs: number;
  /** Time to receive the request headers (kube-apiserver's ReadHeaderTimeout). */
  headersTimeoutMs: number;
}

export const defaultLimits: ServerLimits = {
  maxBodyBytes: 3 * 1024 * 1024,
  watchBacklogBytes: 8 * 1024 * 1024,
  totalWatchBacklogBytes: 128 * 1024 * 1024,
  watchStallMs: 60_000,
  watchCheckMs: 5_000,
  requestTimeoutMs: 60_000,
  headersTimeoutMs: 32_000,
};

/**
 * Bytes a watcher may have unsent: the live allowance plus whatever of its initial snapshot the
 * client has not taken yet (the snapshot is written first, so flushed bytes pay for it first).
 */
export function watchAllowance(backlogLimit: number, snapshotBytes: number, flushedBytes: number): number {
  return backlogLimit + Math.max(0, snapshotBytes - flushedBytes);
}

/** Stalled: data is waiting and the client has taken none of it for stallMs. */
export function isStalled(pendingBytes: number, lastProgressAt: number, now: number, stallMs: number): boolean {
  return pendingBytes > 0 && now - lastProgressAt >= stallMs;
}

/**
 * Which watchers to close so that the rest hold at most `budget` unsent bytes: the ones holding
 * most (the slowest readers) first. Returns indexes into `backlogs`.
 */
export function overBudget(backlogs: readonly number[], budget: number): number[] {
  let total = backlogs.reduce((a, b) => a + b, 0);
  if (total <= budget) return [];
  const order = backlogs.map((b, i) => [b, i] as const).sort((x, y) => y[0] - x[0] || x[1] - y[1]);
  const victims: number[] = [];
  for (const [b, i] of order) {
    if (total <= budget) break;
    victims.push(i);
    total -= b;
  }
  return victims;
}

/**
 * The token of an Authorization header, read as the bearer-token authenticator does: surrounding
 * whitespace ignored, the scheme case-insensitive, the token the second space-separated field.
 */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const parts = header.trim().split(' ');
  if (parts.length < 2 || parts[0].toLowerCase() !== 'bearer' || parts[1] === '') return undefined;
  return parts[1];
}

/** Upstream caps what warnings may add to a response: 4 Ki characters in all, 256 each once over. */
const maxWarningTotal = 4096;
const maxWarningItem = 256;

/**
 * Warning header values ("299 - \"text\"") that are always valid header values: characters that are
 * not printable become spaces (as the warning recorder does), the text is sent as UTF-8 bytes
 * (node writes a header string as latin1, so it is handed over byte for byte), and the total is
 * capped so that no client's header limit is reached. Duplicates are dropped.
 */
export function warningHeaderValues(warnings: readonly string[]): string[] {
  let texts = [...new Set(warnings.map((w) => w.replace(/[^\p{L}\p{M}\p{N}\p{P}\p{S} ]/gu, ' ')))];
  const size = (ts: string[]) => ts.reduce((n, t) => n + [...t].length, 0);
  if (size(texts) > maxWarningTotal) {
    texts = texts.map((t) => ([...t].length > maxWarningItem ? `${[...t].slice(0, maxWarningItem - 3).join('')}...` : t));
    const kept: string[] = [];
    let total = 0;
    for (const t of texts) {
      const n = [...t].length;
      if (total + n > maxWarningTotal) break;
      kept.push(t);
      total += n;
    }
    texts = kept;
  }
  return texts.map((t) => Buffer.from(`299 - ${JSON.stringify(t)}`, 'utf8').toString('latin1'));
}

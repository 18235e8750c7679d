// What the chaos proxy does to one request (pure): pass it, fail it the way an overloaded or
// restarting kube-apiserver (or the network in front of it) fails, delay it, or bend its watch
// stream. The proxy shell draws from a seeded Rng and only carries the decision out.
import type { Rng } from './rng.js';

/** Per-request probabilities; each is checked in turn, so they should add up to well under 1. */
export interface FaultRates {
  /** 500 InternalError without forwarding. */
  error500: number;
  /** 503 ServiceUnavailable without forwarding. */
  error503: number;
  /** 429 TooManyRequests with Retry-After, without forwarding (API priority and fairness). */
  throttle429: number;
  /** Connection reset before the request reaches the server. */
  resetBefore: number;
  /** Connection reset after the server has applied the request: the write happened, the answer is lost. */
  resetAfter: number;
  /** Extra latency before forwarding. */
  latency: number;
  /**
   * Watch: the stream is closed cleanly after a while, as an apiserver's watch timeout or restart
   * does. With the defaults nearly every watch ends within seconds, so a controller's informers
   * re-watch (and meet the other faults) many times per run.
   */
  watchCut: number;
  /** Watch: the stream stops delivering (a half-open connection), then is reset. */
  watchStall: number;
  /** Watch: refused outright (the socket is reset before any byte). */
  watchDrop: number;
}

export const NO_FAULTS: FaultRates = {
  error500: 0, error503: 0, throttle429: 0, resetBefore: 0, resetAfter: 0, latency: 0, watchCut: 0, watchStall: 0, watchDrop: 0,
};

export const DEFAULT_RATES: FaultRates = {
  error500: 0.03, error503: 0.03, throttle429: 0.03, resetBefore: 0.02, resetAfter: 0.02, latency: 0.1,
  watchCut: 0.6, watchStall: 0.25, watchDrop: 0.1,
};

export type FaultKind = 'error500' | 'error503' | 'throttle429' | 'resetBefore' | 'resetAfter' | 'latency' | 'watchCut' | 'watchStall' | 'watchDrop';
export const FAULT_KINDS: readonly FaultKind[] = ['error500', 'error503', 'throttle429', 'resetBefore', 'resetAfter', 'latency', 'watchCut', 'watchStall', 'watchDrop'];

export type Decision =
  | { kind: 'pass' }
  | { kind: 'status'; fault: 'error500' | 'error503' | 'throttle429'; code: number; reason: string; retryAfterSeconds?: number }
  | { kind: 'resetBefore' }
  | { kind: 'resetAfter' }
  | { kind: 'latency'; ms: number }
  | { kind: 'watchCut'; afterMs: number }
  | { kind: 'watchStall'; afterMs: number; stallMs: number }
  | { kind: 'watchDrop' };

/** The fault a decision counts as, for the per-run report (undefined for pass). */
export function faultOf(d: Decision): FaultKind | undefined {
  return d.kind === 'pass' ? undefined : d.kind === 'status' ? d.fault : d.kind;
}

/** A watch request: `?watch=true|1` or the legacy /watch/ path prefix (apiserver-wire-protocol.md). */
export function isWatchRequest(path: string): boolean {
  const [p, q = ''] = path.split('?', 2);
  if (/^\/(api\/v1|apis\/[^/]+\/[^/]+)\/watch\//.test(p)) return true;
  const w = new URLSearchParams(q).get('watch');
  return w === 'true' || w === '1';
}

/**
 * The decision for one request. Version and discovery probes are spared so a fault cannot be
 * mistaken for a permanently broken server by a preflight check; everything the controller
 * lists, watches and writes is fair game.
 */
export function decide(method: string, path: string, rates: FaultRates, r: Rng): Decision {
  if (path === '/version' || path.startsWith('/version?')) return { kind: 'pass' };
  if (isWatchRequest(path)) {
    const x = r.next();
    if (x < rates.watchDrop) return { kind: 'watchDrop' };
    if (x < rates.watchDrop + rates.watchCut) return { kind: 'watchCut', afterMs: r.int(200, 6_000) };
    if (x < rates.watchDrop + rates.watchCut + rates.watchStall) return { kind: 'watchStall', afterMs: r.int(100, 3_000), stallMs: r.int(1_000, 6_000) };
    return { kind: 'pass' };
  }
  let x = r.next();
  const take = (p: number) => { if (x < p) return true; x -= p; return false; };
  if (take(rates.error500)) return { kind: 'status', fault: 'error500', code: 500, reason: 'InternalError' };
  if (take(rates.error503)) return { kind: 'status', fault: 'error503', code: 503, reason: 'ServiceUnavailable' };
  if (take(rates.throttle429)) return { kind: 'status', fault: 'throttle429', code: 429, reason: 'TooManyRequests', retryAfterSeconds: r.int(1, 2) };
  if (take(rates.resetBefore)) return { kind: 'resetBefore' };
  // Only writes lose their answer after the fact: that is the case a client must reconcile.
  if (method !== 'GET' && take(rates.resetAfter)) return { kind: 'resetAfter' };
  if (take(rates.latency)) return { kind: 'latency', ms: r.int(20, 400) };
  return { kind: 'pass' };
}

/** The Status body kube-apiserver sends with such a code (metav1.Status). */
export function statusBody(d: Extract<Decision, { kind: 'status' }>): Record<string, unknown> {
  const message = d.code === 429
    ? 'Too many requests, please try again later.'
    : d.code === 503 ? 'the server is currently unable to handle the request' : 'Internal error occurred: injected by the chaos proxy';
  return {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: d.reason, code: d.code,
    ...(d.retryAfterSeconds !== undefined ? { details: { retryAfterSeconds: d.retryAfterSeconds } } : {}),
  };
}

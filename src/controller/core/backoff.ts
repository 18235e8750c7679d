// Failed-pod back-off as plain data (§5.5): client-go's flowcontrol.Backoff with 1 s initial,
// 15 min max, no jitter. The shell keeps the record between syncs; losing it is safe.
import type { DaemonSet } from '../../api/types.js';

export const BACKOFF_INITIAL_MS = 1_000;
export const BACKOFF_MAX_MS = 15 * 60_000;

export interface BackoffEntry { delayMs: number; lastUpdateMs: number }
export type BackoffState = Readonly<Record<string, BackoffEntry>>;

/** `<uid>/<observedGeneration>/<node>`: a new observed generation starts a fresh back-off. */
export function failedPodBackoffKey(ds: DaemonSet, nodeName: string): string {
  return `${ds.metadata?.uid ?? ''}/${ds.status?.observedGeneration ?? 0}/${nodeName}`;
}

const expired = (e: BackoffEntry, nowMs: number) => nowMs - e.lastUpdateMs > 2 * BACKOFF_MAX_MS;

/** IsInBackOffSinceUpdate. */
export function inBackoff(state: BackoffState, key: string, nowMs: number): boolean {
  const e = state[key];
  return e !== undefined && !expired(e, nowMs) && nowMs - e.lastUpdateMs < e.delayMs;
}

/** Next: start at the initial delay (missing or expired entry) or double up to the cap. */
export function advanceBackoff(state: BackoffState, key: string, nowMs: number): BackoffState {
  const e = state[key];
  const delayMs = !e || expired(e, nowMs) ? BACKOFF_INITIAL_MS : Math.min(e.delayMs * 2, BACKOFF_MAX_MS);
  return { ...state, [key]: { delayMs, lastUpdateMs: nowMs } };
}

/** The periodic GC: drop entries not updated for more than twice the max delay. */
export function gcBackoff(state: BackoffState, nowMs: number): BackoffState {
  return Object.fromEntries(Object.entries(state).filter(([, e]) => !expired(e, nowMs)));
}

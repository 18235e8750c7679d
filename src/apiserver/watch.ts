// Turns storage events into Kubernetes watch events for one request: selector transitions
// (ADDED/MODIFIED/DELETED), synthetic ADDEDs for resourceVersion ""/"0", 410 for compacted
// history. Pure translation; the socket side is in server.ts.
import type { KObject } from '../api/types.js';
import type { WatchEvent } from '../storage/backend.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
export interface ApiWatchEvent { type: WatchEventType; object: KObject }

/**
 * Maps one storage event to at most one API watch event for a watcher whose filter is `matches`.
 * `decode` parses a stored value and stamps the given resourceVersion.
 */
export function translate(
  ev: WatchEvent,
  matches: (o: KObject) => boolean,
  decode: (value: string, rev: number) => KObject,
): ApiWatchEvent | undefined {
  if (ev.type === 'delete') {
    const last = decode(ev.value, ev.rev); // DELETED carries the deletion's revision
    return matches(last) ? { type: 'DELETED', object: last } : undefined;
  }
  const cur = decode(ev.value, ev.rev);
  const nowMatches = matches(cur);
  if (ev.prevValue === undefined) return nowMatches ? { type: 'ADDED', object: cur } : undefined;
  const before = matches(decode(ev.prevValue, ev.rev));
  if (nowMatches && before) return { type: 'MODIFIED', object: cur };
  if (nowMatches) return { type: 'ADDED', object: cur };
  if (before) return { type: 'DELETED', object: cur };
  return undefined;
}

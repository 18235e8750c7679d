// Turns storage events into Kubernetes watch events for one request: selector transitions
// (ADDED/MODIFIED/DELETED), synthetic ADDEDs for resourceVersion ""/"0", 410 for compacted
// history. Every watcher of a collection receives the same committed event objects, so the
// parse and the encoded line are computed once per event and shared between watchers: with a
// controller, a scheduler, a simulator and a garbage collector all watching pods, this is most
// of the API server's work.
import type { KObject } from '../api/types.js';
import type { WatchEvent } from '../storage/backend.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
export interface ApiWatchEvent { type: WatchEventType; object: KObject }

/** An event ready for the wire: one JSON line, newline included, as bytes shared by every watcher. */
export interface EncodedWatchEvent { type: WatchEventType; line: Buffer }

interface Shared { cur?: KObject; prev?: KObject; lines?: Partial<Record<WatchEventType, Buffer>> }
const shared = new WeakMap<WatchEvent, Shared>();
const entry = (ev: WatchEvent): Shared => { let s = shared.get(ev); if (!s) shared.set(ev, (s = {})); return s; };

/**
 * Stored values are written as {"apiVersion":…,"kind":…,"metadata":{…},…} without a
 * resourceVersion (it is the revision); stamping it in as text avoids a parse and a stringify.
 */
export function stampResourceVersion(value: string, rev: number): string {
  const at = value.indexOf('"metadata":{');
  if (at < 0) {
    const o = JSON.parse(value) as KObject;
    o.metadata = { ...o.metadata, resourceVersion: String(rev) };
    return JSON.stringify(o);
  }
  const cut = at + '"metadata":{'.length;
  const sep = value[cut] === '}' ? '' : ',';
  return `${value.slice(0, cut)}"resourceVersion":"${rev}"${sep}${value.slice(cut)}`;
}

// Bytes, not text: each watcher's socket would otherwise re-encode the same UTF-8.
function line(ev: WatchEvent, type: WatchEventType, value: string): Buffer {
  const s = entry(ev);
  const lines = (s.lines ??= {});
  return (lines[type] ??= Buffer.from(`{"type":"${type}","object":${stampResourceVersion(value, ev.rev)}}\n`));
}

/** Read-only parses shared by every watcher of this event (filters must not mutate them). */
function parsed(ev: WatchEvent, which: 'cur' | 'prev'): KObject {
  const s = entry(ev);
  if (which === 'cur') return (s.cur ??= JSON.parse(ev.value) as KObject);
  return (s.prev ??= JSON.parse(ev.prevValue!) as KObject);
}

/**
 * Which event, if any, a watcher whose filter is `matches` sees for one storage event
 * (undefined filter: everything matches, so nothing needs parsing). An object that stops
 * matching is DELETED at its new revision; one that starts matching is ADDED.
 */
export function eventType(ev: WatchEvent, matches: ((o: KObject) => boolean) | undefined): WatchEventType | undefined {
  if (ev.type === 'delete') return !matches || matches(parsed(ev, 'cur')) ? 'DELETED' : undefined;
  if (!matches) return ev.prevValue === undefined ? 'ADDED' : 'MODIFIED';
  const now = matches(parsed(ev, 'cur'));
  if (ev.prevValue === undefined) return now ? 'ADDED' : undefined;
  const before = matches(parsed(ev, 'prev'));
  if (now && before) return 'MODIFIED';
  if (now) return 'ADDED';
  return before ? 'DELETED' : undefined;
}

/** The event as a wire line, shared between watchers. */
export function translateEncoded(ev: WatchEvent, matches: ((o: KObject) => boolean) | undefined): EncodedWatchEvent | undefined {
  const type = eventType(ev, matches);
  return type ? { type, line: line(ev, type, ev.value) } : undefined;
}

/**
 * The same decision with a decoded object, for watchers that need the object itself (tables,
 * legacy group-versions). `decode` parses a stored value and stamps the given resourceVersion.
 */
export function translate(
  ev: WatchEvent,
  matches: ((o: KObject) => boolean) | undefined,
  decode: (value: string, rev: number) => KObject,
): ApiWatchEvent | undefined {
  const type = eventType(ev, matches);
  return type ? { type, object: decode(ev.value, ev.rev) } : undefined;
}

// Small pure helpers on object metadata shared by every module.
import type { KObject, OwnerReference } from './types.js';

/** "namespace/name" for namespaced objects, "name" for cluster-scoped ones (client-go's MetaNamespaceKeyFunc). */
export function keyOf(obj: { metadata?: { namespace?: string; name?: string } }): string {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? '';
  return ns ? `${ns}/${name}` : name;
}

export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/**
 * The ownerReference with controller=true, if any (metav1.GetControllerOf). Stored objects may be
 * malformed (ownerReferences a string, entries null or missing a uid): only a list entry that is
 * an object with a string uid counts, so a caller comparing uids never meets a non-string.
 */
export function controllerRefOf(obj: KObject): OwnerReference | undefined {
  const meta: unknown = (obj as { metadata?: unknown } | null | undefined)?.metadata;
  if (typeof meta !== 'object' || meta === null) return undefined;
  const refs: unknown = (meta as { ownerReferences?: unknown }).ownerReferences;
  if (!Array.isArray(refs)) return undefined;
  for (const r of refs as unknown[]) {
    if (typeof r !== 'object' || r === null || Array.isArray(r)) continue;
    const ref = r as Partial<Record<keyof OwnerReference, unknown>>;
    if (ref.controller === true && typeof ref.uid === 'string') return r as OwnerReference;
  }
  return undefined;
}

export function isControlledBy(obj: KObject, ownerUid: string): boolean {
  return controllerRefOf(obj)?.uid === ownerUid;
}

/** RFC 3339 with seconds precision, as metav1.Time serialises. */
let lastSecond = NaN;
let lastText = '';
/** RFC 3339 to the second, as metav1.Time serialises. Memoised per second: every write stamps one. */
export function rfc3339(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastText = new Date(second * 1000).toISOString().replace('.000Z', 'Z');
    lastSecond = second;
  }
  return lastText;
}

/** RFC 3339 with microseconds, as metav1.MicroTime serialises. */
export function rfc3339Micro(ms: number): string {
  const iso = new Date(ms).toISOString(); // ...T12:00:00.123Z
  return iso.replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function parseTime(t: string | Date | undefined): number | undefined {
  if (t === undefined) return undefined;
  const ms = t instanceof Date ? t.getTime() : Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

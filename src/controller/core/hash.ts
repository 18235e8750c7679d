// Template hashing and Go-compatible canonical JSON for the DaemonSet controller.
//
// Upstream hashes a Go-specific deep dump of the template with 32-bit FNV-1a; byte parity with
// that printer is impractical, so we hash our canonical JSON of the template instead (same
// algorithm, same collision-count suffix, same output alphabet). Hash values therefore differ
// from a real cluster's, but are deterministic and have the same observable format.
// FNV-1a is ~5 lines, so it is written here rather than pulled in as a dependency.
import type { PodTemplateSpec } from '../../api/types.js';

/** Recursively sorts object keys (Go's map marshalling order). Arrays keep their order. */
export function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeysDeep(v);
    }
    return out;
  }
  return value;
}

/**
 * Compact JSON with keys sorted at every level, as Go produces when marshalling a generic map.
 * Written by hand because JSON.stringify puts integer-like keys first whatever the insertion order.
 */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const parts = Object.keys(obj).sort().filter((k) => obj[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`);
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** 32-bit FNV-1a over bytes. */
export function fnv1a32(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

// apimachinery's rand.SafeEncodeString alphabet (no vowels, no confusable characters).
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** rand.SafeEncodeString: maps each byte of s through the alphabet (byte mod 27). */
export function safeEncodeString(s: string): string {
  let out = '';
  for (const b of new TextEncoder().encode(s)) out += SAFE_ALPHABET[b % SAFE_ALPHABET.length];
  return out;
}

/**
 * controller.ComputeHash: FNV-1a of the canonical template JSON, then (only when collisionCount
 * is set) the count as little-endian uint32 plus 4 zero bytes; the decimal uint32 is safe-encoded.
 */
export function computeTemplateHash(template: PodTemplateSpec | undefined, collisionCount?: number | null): string {
  let h = fnv1a32(new TextEncoder().encode(canonicalJson(template ?? {})));
  if (collisionCount !== undefined && collisionCount !== null) {
    const extra = new Uint8Array(8);
    new DataView(extra.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv1a32(extra, h);
  }
  return safeEncodeString(String(h));
}

// JSON text with the hostile bits JSON.stringify cannot produce: duplicate keys, and the deep /
// huge placeholders of values.ts expanded by string building (no recursion).
import { DEEP, HUGE } from './values.js';
import type { Rng } from './prng.js';

const placeholder = /"\\u0000fuzz-(deep|huge):([ao]?)(\d+)"/g;

function expand(text: string): string {
  return text.replace(placeholder, (_m, what: string, shape: string, n: string) => {
    const count = Number(n);
    if (what === 'huge') return JSON.stringify('x'.repeat(count));
    return shape === 'o' ? '{"a":'.repeat(count) + '{}' + '}'.repeat(count) : '['.repeat(count) + ']'.repeat(count);
  });
}

/** Whether a value carries an expansion placeholder (then YAML must not be used for it). */
export function hasPlaceholder(text: string): boolean { return text.includes(JSON.stringify(DEEP).slice(1, -1)) || text.includes(JSON.stringify(HUGE).slice(1, -1)); }

/**
 * Encodes `value` as JSON; with `duplicateKey`, the first key of one object (picked at random)
 * appears twice, the second time with another value, as a hand-written manifest might.
 */
export function encodeJson(value: unknown, rng?: Rng, duplicateKey = false): string {
  let text = JSON.stringify(value) ?? 'null';
  if (duplicateKey && rng) {
    const starts: number[] = [];
    for (let i = text.indexOf('{"'); i >= 0; i = text.indexOf('{"', i + 1)) starts.push(i);
    if (starts.length) {
      const at = rng.pick(starts);
      const keyEnd = text.indexOf('":', at + 2);
      if (keyEnd > 0) {
        const key = text.slice(at + 1, keyEnd + 1);
        const dup = `${key}:${rng.pick(['null', '5', '"dup"', '{}', '[]', 'true'])},`;
        text = text.slice(0, at + 1) + dup + text.slice(at + 1);
      }
    }
  }
  return expand(text);
}

/** A YAML document whose aliases expand exponentially (the "billion laughs" shape), bounded by `levels`. */
export function yamlAliasBomb(levels: number): string {
  const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i <= levels; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(',')}]`);
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\n${lines.map((l) => `x${l.slice(1)}`).join('\n')}\n`;
}

/** YAML whose alias refers to its own anchor (a recursive structure). */
export const yamlRecursiveAlias = 'apiVersion: v1\nkind: ConfigMap\nmetadata: &m\n  name: rec\n  labels: *m\n';

// Guards the architecture: no import cycle anywhere under src/ (type-only imports included, as
// madge counts them: a type cycle is still two modules that cannot be understood apart). Also
// checks that nothing outside src/cli/ imports the CLI. Parses import specifiers with a regex,
// which is enough for this code base's one-import-per-statement ESM style.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const src = resolve(new URL('../../src', import.meta.url).pathname);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return sources(p);
    return p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

const SPECIFIER = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The module graph: file → the src/ files it imports. */
export function importGraph(files: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const deps: string[] = [];
    for (const m of text.matchAll(SPECIFIER)) {
      const spec = m[1] ?? m[2];
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(f), spec.replace(/\.js$/, '.ts'));
      if (existsSync(target)) deps.push(target);
    }
    graph.set(f, deps);
  }
  return graph;
}

/** Strongly connected components with more than one module, or a module importing itself (Tarjan). */
export function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>(), low = new Map<string, number>(), on = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index); low.set(v, index); index++;
    stack.push(v); on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do { w = stack.pop()!; on.delete(w); scc.push(w); } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

test('the cycle finder finds a cycle and ignores a diamond', () => {
  assert.deepEqual(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]])), [['a', 'b', 'c']]);
  assert.deepEqual(cycles(new Map([['a', ['b', 'c']], ['b', ['d']], ['c', ['d']], ['d', []]])), []);
  assert.deepEqual(cycles(new Map([['a', ['a']]])), [['a']]);
});

/**
 * Cycles that predate this test, in other areas, to be broken by their owners: the list may only
 * shrink (an entry that no longer exists fails too, so that it is taken off).
 */
const KNOWN = new Set<string>([]);

test('no import cycle under src/', () => {
  const found = cycles(importGraph(sources(src))).map((c) => c.map((f) => relative(src, f)).join(' ↔ '));
  assert.deepEqual(found.filter((c) => !KNOWN.has(c)), [], 'new import cycles');
  assert.deepEqual([...KNOWN].filter((c) => !found.includes(c)), [], 'cycles broken since: take them off KNOWN');
});

test('nothing outside src/cli/ imports the CLI (but the entry point, src/main.ts)', () => {
  const cli = join(src, 'cli') + '/';
  const main = join(src, 'main.ts');
  const offenders = [...importGraph(sources(src))].flatMap(([f, deps]) => (f.startsWith(cli) || f === main ? [] : deps.filter((d) => d.startsWith(cli)).map((d) => `${relative(src, f)} → ${relative(src, d)}`)));
  assert.deepEqual(offenders, []);
});

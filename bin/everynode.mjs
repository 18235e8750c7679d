#!/usr/bin/env node
// The `everynode` command (package.json "bin"), so that `npx everynode …` works right after
// `npm ci`. In a checkout (src/ present, tsx installed as a devDependency) it runs the TypeScript
// source, never a dist/ left over from an older `npm run build` that would silently run stale
// code; a published package ships dist/ without src/, so there it runs the build.
import { existsSync } from 'node:fs';

const source = new URL('../src/main.ts', import.meta.url);
const built = new URL('../dist/main.js', import.meta.url);
let register;
if (existsSync(source)) {
  try { ({ register } = await import('tsx/esm/api')); } catch { /* no devDependencies: use the build */ }
}
if (register) {
  register();
  await import(source.href);
} else if (existsSync(built)) {
  await import(built.href);
} else {
  console.error('everynode: no build (dist/main.js) and no tsx to run the source; run `npm ci` or `npm run build` first');
  process.exit(1);
}

#!/usr/bin/env node
// The `everynode` command (package.json "bin"), so that `npx everynode …` works right after
// `npm ci`: it runs the build (dist/main.js) when there is one, and otherwise the TypeScript
// source through tsx (a devDependency, so present in a checkout after `npm ci`). A published
// package ships dist/ only, so there it is always the build.
import { existsSync } from 'node:fs';

const built = new URL('../dist/main.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const source = new URL('../src/main.ts', import.meta.url);
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    console.error('everynode: no build (dist/main.js) and no tsx to run the source; run `npm ci` or `npm run build` first');
    process.exit(1);
  }
  register();
  await import(source.href);
}

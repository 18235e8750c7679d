// The page and its script. The script is the front end (ui/) bundled by esbuild: `npm run build`
// writes it to dist/dashboard/app.js (scripts/build-dashboard.ts); run from the source (tests,
// `npx everynode` in a checkout) it is bundled in memory on first request and kept. Nothing is
// fetched from anywhere else: the page works on a machine without internet.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';

/** The esbuild options of the bundle, shared by the build step and the in-memory bundle. */
export function bundleOptions(entry: string): BuildOptions {
  return {
    entryPoints: [entry], bundle: true, format: 'esm', platform: 'browser', target: ['es2022'],
    minify: true, sourcemap: false, legalComments: 'none', logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  };
}

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/** The front end's entry point beside this module: the TypeScript source, or tsc's output of it in dist/. */
export function entryPoint(): string | undefined {
  return ['./ui/main.ts', './ui/main.js'].map(here).find((p) => existsSync(p));
}

let script: Promise<string> | undefined;

/** The bundled script: the build's, else bundled once in memory with esbuild (a devDependency). */
export function appScript(): Promise<string> {
  return (script ??= loadScript().catch((err: unknown) => { script = undefined; throw err; }));
}

async function loadScript(): Promise<string> {
  const built = here('./app.js');
  if (existsSync(built)) return readFileSync(built, 'utf8');
  const entry = entryPoint();
  if (!entry) throw new Error('no dashboard bundle (dist/dashboard/app.js) and no front-end source to bundle');
  let esbuild: typeof import('esbuild');
  try { esbuild = await import('esbuild'); } catch { throw new Error('no dashboard bundle (dist/dashboard/app.js; run npm run build) and esbuild is not installed to bundle it'); }
  const r = await esbuild.build({ ...bundleOptions(entry), write: false });
  return r.outputFiles[0]!.text;
}

export const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>everynode dashboard</title>
<link rel="icon" href="data:,">
<style>
  :root { color-scheme: light dark; --bg: #0f1419; --fg: #e6e6e6; --mute: #8b949e; --line: #30363d; --panel: #161b22; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 13px/1.4 system-ui, sans-serif; background: var(--bg); color: var(--fg); }
  header { display: flex; gap: 16px; align-items: baseline; padding: 10px 16px; border-bottom: 1px solid var(--line); flex-wrap: wrap; }
  header h1 { font-size: 16px; margin: 0 8px 0 0; }
  .count { display: inline-flex; gap: 6px; align-items: center; }
  .swatch { width: 10px; height: 10px; border-radius: 2px; display: inline-block; }
  main { display: grid; grid-template-columns: minmax(0, 1fr) 360px; gap: 12px; padding: 12px 16px; }
  section { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 10px; margin-bottom: 12px; }
  h2 { font-size: 13px; margin: 0 0 8px; color: var(--mute); text-transform: uppercase; letter-spacing: .04em; }
  canvas { display: block; width: 100%; cursor: pointer; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 3px 6px; border-bottom: 1px solid var(--line); vertical-align: top; }
  th { color: var(--mute); font-weight: 600; }
  tr.clickable { cursor: pointer; }
  tr.clickable:hover { background: #1f2630; }
  .mute { color: var(--mute); }
  .error { color: #f87171; padding: 12px 16px; }
  .bar { position: relative; height: 16px; background: #21262d; border-radius: 3px; margin: 2px 0 6px; overflow: hidden; }
  .bar span { position: absolute; top: 0; bottom: 0; border-radius: 3px; }
  code { font-size: 12px; }
  #details table { table-layout: fixed; }
  #details td, #details th { overflow-wrap: anywhere; }
</style>
</head>
<body>
<div id="app"><p class="mute" style="padding:12px 16px">Loading…</p></div>
<script type="module" src="/app.js"></script>
</body>
</html>
`;

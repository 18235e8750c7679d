// `npm run build`, after tsc: bundles the dashboard's front end (src/dashboard/ui/) into
// dist/dashboard/app.js, which the dashboard serves (src/dashboard/assets.ts); from the source
// the same bundle is made in memory instead.
import { build } from 'esbuild';
import { bundleOptions } from '../src/dashboard/assets.js';

await build({ ...bundleOptions('src/dashboard/ui/main.ts'), outfile: 'dist/dashboard/app.js', logLevel: 'warning' });
console.log('dashboard bundle written to dist/dashboard/app.js');

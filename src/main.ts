#!/usr/bin/env node
// The everynode binary. The only place that calls process.exit.
import { run } from './cli/index.js';

run(process.argv).then(
  (code) => { if (code !== undefined) process.exitCode = code; },
  (err: unknown) => {
    console.error(`everynode: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);

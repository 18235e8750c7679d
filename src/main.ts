#!/usr/bin/env node
// The everynode binary. The only place that calls process.exit.
import { run } from './cli/index.js';

run(process.argv).then(
  // Long-running commands return once they have stopped cleanly; idle keep-alive sockets and
  // timers of API clients must not keep the process alive after that.
  (code) => process.exit(code ?? 0),
  (err: unknown) => {
    console.error(`everynode: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);

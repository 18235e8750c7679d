#!/usr/bin/env node
// The everynode binary. The only place that calls process.exit.
import { run } from './cli/index.js';

// The process-wide exit rule: a command that is rejected, or anything thrown that nothing caught,
// ends the process with status 1, so that a supervisor (systemd, a Deployment's restartPolicy)
// restarts a component that failed. Explicit rather than Node's default, which a
// --unhandled-rejections=warn in NODE_OPTIONS would turn into a broken process that lives on
// and later exits 0.
const fatal = (err: unknown) => {
  console.error(`everynode: fatal: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  process.exit(1);
};
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);

run(process.argv).then(
  // Long-running commands return once they have stopped cleanly; idle keep-alive sockets and
  // timers of API clients must not keep the process alive after that.
  (code) => process.exit(code ?? 0),
  (err: unknown) => {
    console.error(`everynode: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);

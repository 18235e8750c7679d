// A stand-in for the chaos runner, for cleanup.test.ts: it starts one long-lived child process,
// registers its kill as a termination task, installs the runner's handlers, prints the child's
// pid and waits (bounded: it ends by itself after a minute).
import { spawn } from 'node:child_process';
import { atTermination, installTerminationHandlers } from './cleanup.js';

const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
atTermination(() => { child.kill('SIGKILL'); });
installTerminationHandlers((l) => console.error(l));
console.log(`child ${child.pid}`);
setTimeout(() => process.exit(0), 60_000);

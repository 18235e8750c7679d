// What a chaos batch must undo however it ends: the DaemonSet controller runs as an OS process of
// its own, and a runner stopped by SIGTERM or Ctrl-C would otherwise leave it running, orphaned,
// retrying against a proxy that is gone. A signal's default action ends the process without
// running any JavaScript, so the runner catches the signals that stop it, runs these tasks (each
// synchronous: killing a process and removing a directory need no event loop) and exits with
// the signal's conventional status, 128 + its number.
import { constants } from 'node:os';

const tasks = new Set<() => void>();

/** Registers a task to run when the runner ends; the returned function unregisters it. */
export function atTermination(task: () => void): () => void {
  tasks.add(task);
  return () => { tasks.delete(task); };
}

/** Runs every registered task once; one that throws does not keep the others from running. */
export function runTerminationTasks(): void {
  for (const task of [...tasks]) {
    tasks.delete(task);
    try { task(); } catch { /* the process is going away: the other tasks still matter */ }
  }
}

export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP: what a shell reports for a process they ended. */
export const exitCodeFor = (signal: (typeof STOP_SIGNALS)[number]) => 128 + constants.signals[signal];

/** How often the runner looks whether its parent is still there. */
const PARENT_CHECK_MS = 500;

/**
 * Catches the signals that stop the runner and the process's own exit (a normal end, an uncaught
 * exception, process.exit), and runs the tasks on each. It also ends when its parent does:
 * `npm run chaos` runs it under `sh -c`, and a SIGTERM to npm reaches that shell, which dies
 * without passing it on, leaving the runner orphaned (re-parented, so its ppid changes); that
 * counts as a hangup. Only a SIGKILL of the runner itself escapes, as it escapes every process.
 */
export function installTerminationHandlers(log: (line: string) => void): void {
  const stop = (why: string, code: number) => {
    log(`chaos: ${why}: stopping the controller process and removing the run's files`);
    runTerminationTasks();
    process.exit(code);
  };
  for (const signal of STOP_SIGNALS) process.once(signal, () => stop(signal, exitCodeFor(signal)));
  process.once('exit', runTerminationTasks);
  const parent = process.ppid;
  setInterval(() => { if (process.ppid !== parent) stop(`the parent process ${parent} is gone`, exitCodeFor('SIGHUP')); }, PARENT_CHECK_MS).unref();
}

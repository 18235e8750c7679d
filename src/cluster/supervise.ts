// What happens when a component of the embedded cluster fails. kube-controller-manager and
// kube-scheduler are separate processes that their supervisor (the kubelet, systemd) restarts
// while kube-apiserver keeps serving; everynode up is all of them in one process, so it plays the
// supervisor itself: a failed component is logged and restarted with back-off, the API server
// never goes down with it, and the process exits non-zero when it stops, so that its own
// supervisor (and the user) learn that something failed during the run.
import type { Runnable } from '../kube/manager.js';
import { sleep } from '../kube/informer.js';

export interface SuperviseOptions {
  /** First restart delay. Default 1 s. */
  initialBackoffMs?: number;
  /** Restart delay cap (the kubelet's CrashLoopBackOff caps at 5 minutes; a local cluster wants less). Default 60 s. */
  maxBackoffMs?: number;
  /** A run this long resets the back-off, as the kubelet forgets a container's crashes after 10 minutes. Default 10 min. */
  resetAfterMs?: number;
  now?: () => number;
}

/**
 * Runs `part` until `signal` aborts, restarting it with exponential back-off whenever it fails
 * (rejects, or stops by itself). Resolves with how many times it failed.
 */
export async function supervise(part: Runnable, signal: AbortSignal, log: (line: string) => void, o: SuperviseOptions = {}): Promise<number> {
  const initial = o.initialBackoffMs ?? 1_000, max = o.maxBackoffMs ?? 60_000, reset = o.resetAfterMs ?? 600_000;
  const now = o.now ?? Date.now;
  let failures = 0;
  let delay = 0;
  while (!signal.aborted) {
    const started = now();
    let why: unknown;
    try {
      await part.start(signal);
      if (signal.aborted) break;
      why = new Error('stopped by itself');
    } catch (err) {
      if (signal.aborted) break;
      why = err;
    }
    failures++;
    delay = now() - started >= reset || delay === 0 ? initial : Math.min(delay * 2, max);
    log(`everynode: ${part.name} failed: ${why instanceof Error ? why.stack ?? why.message : String(why)}`);
    log(`everynode: restarting ${part.name} in ${delay} ms (failure ${failures}; the API server keeps serving)`);
    await sleep(delay, signal);
  }
  return failures;
}

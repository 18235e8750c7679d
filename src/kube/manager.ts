import { setMaxListeners } from 'node:events';

// Long-lived parts of a process (API server, GC, simulator, scheduler, controller) share one
// lifecycle: start(signal) runs until the signal aborts (controller-runtime's Runnable).

export interface Runnable {
  readonly name: string;
  /** Resolves once the part has stopped after `signal` aborted. Rejecting stops the whole process. */
  start(signal: AbortSignal): Promise<void>;
}

/** Starts every runnable; when one fails or `signal` aborts, stops them all and resolves. */
export async function runAll(parts: Runnable[], signal: AbortSignal, onError: (name: string, err: unknown) => void): Promise<void> {
  const inner = new AbortController();
  setMaxListeners(0, inner.signal); // every informer and queue listens to it
  const stop = () => inner.abort();
  signal.addEventListener('abort', stop, { once: true });
  await Promise.all(parts.map(async (p) => {
    try {
      await p.start(inner.signal);
    } catch (err) {
      if (!inner.signal.aborted) onError(p.name, err);
      inner.abort();
    }
  }));
  signal.removeEventListener('abort', stop);
}

// One controller loop for every controller of the process (controller-runtime's controller.Controller):
// a keyed work queue, a fixed number of workers, and one mapping from a reconcile's outcome to
// what the queue does next. The DaemonSet controller, scheduler, garbage collector, namespace,
// node lifecycle and node IPAM controllers all run on it, so retries, back-off, exception
// recovery, failure reporting and the controller_runtime_* metrics are written once.
//
// A controller is its caches, event handlers that add keys, and a reconciler:
//   const loop = new ControllerLoop({ name: 'daemonsetrollout', workers: 2, log, reconciler,
//     report: (f) => recorder.warn(f.key, 'FailedSync', f.message) });
//   informer.addHandler({ onAdd: (o) => loop.queue.add(keyOf(o)), ... });
//   manager.add('caches', informer).add('leaderOnly', loop);
import { ApiStatusError, isAborted } from './client.js';
import { realClock, type Clock } from './clock.js';
import type { Runnable } from './manager.js';
import { WorkQueue } from './workqueue.js';

/** What a reconcile asks for when it succeeded (controller-runtime's reconcile.Result). */
export interface ReconcileOutcome {
  /** Look at the key again after this long (its failure history is forgotten). 0 or absent: no. */
  requeueAfterMs?: number;
  /** Look again with the key's rate-limited back-off, without it being an error (a pod that does not fit yet). */
  requeue?: boolean;
}

/**
 * Brings the object behind one key to its desired state. `signal` aborts when the loop stops
 * (shutdown, or a leader-only loop losing its lease): a reconcile passes it to its requests.
 * Throw to retry with back-off; throw a TerminalError when retrying cannot help.
 */
export interface Reconciler {
  reconcile(key: string, signal: AbortSignal): Promise<ReconcileOutcome | void>;
}

/**
 * An error that retrying cannot fix (an invalid spec): logged, reported on the object, counted in
 * controller_runtime_terminal_reconcile_errors_total and not retried until the key is added again
 * (by the object's next change). controller-runtime's reconcile.TerminalError.
 */
export class TerminalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) { super(message, options); this.name = 'TerminalError'; }
}

/** controller-runtime's reconcile_total results. */
export type ReconcileResult = 'success' | 'error' | 'requeue' | 'requeue_after';

/** What the loop does with a key after one reconcile: pure, so every outcome is tested in isolation. */
export interface Disposition {
  result: ReconcileResult;
  /** forget: clear the back-off; after: forget, then add after `afterMs`; backoff: add rate-limited; drop: forget, add nothing. */
  queue: 'forget' | 'after' | 'backoff' | 'drop';
  afterMs?: number;
  /** A line for the log, when the reconcile failed. */
  log?: string;
  /** Set when the failure is the object's (not the API's, not our stopping): worth an Event on it. */
  report?: { message: string; terminal: boolean };
  terminal?: boolean;
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * The outcome mapping. API errors and aborted requests are the cluster's weather: logged and
 * retried quietly, as upstream controllers do. Any other exception means this controller could
 * not handle the object (malformed, or a bug): logged, reported where `kubectl describe` shows it,
 * and retried. A failure while the loop is stopping is neither logged nor reported.
 */
export function disposition(name: string, key: string, r: { ok: true; value: unknown } | { ok: false; error: unknown }, stopping: boolean): Disposition {
  if (r.ok) {
    const v = (r.value ?? {}) as ReconcileOutcome;
    const after = v.requeueAfterMs;
    if (after !== undefined && (typeof after !== 'number' || !Number.isFinite(after) || after < 0)) {
      const message = `reconcile returned an invalid requeueAfterMs (${String(after)})`;
      return { result: 'error', queue: 'backoff', log: `${name}: sync ${key} failed: ${message}`, report: { message, terminal: false } };
    }
    if (after !== undefined && after > 0) return { result: 'requeue_after', queue: 'after', afterMs: after };
    if (v.requeue === true) return { result: 'requeue', queue: 'backoff' };
    return { result: 'success', queue: 'forget' };
  }
  const message = messageOf(r.error);
  if (r.error instanceof TerminalError) {
    return { result: 'error', queue: 'drop', terminal: true, log: `${name}: sync ${key} failed, not retrying: ${message}`, report: { message, terminal: true } };
  }
  if (stopping) return { result: 'error', queue: 'backoff' };
  const quiet = r.error instanceof ApiStatusError || isAborted(r.error);
  return { result: 'error', queue: 'backoff', log: `${name}: sync ${key} failed: ${message}`, ...(quiet ? {} : { report: { message, terminal: false } }) };
}

/** What a named loop reports (controller-runtime's controller metrics). */
export interface ReconcileMetrics {
  /** controller_runtime_max_concurrent_reconciles. */
  workers(n: number): void;
  /** One reconcile and how it ended (reconcile_total, reconcile_errors_total, reconcile_time_seconds). */
  reconciled(result: ReconcileResult, seconds: number): void;
  /** terminal_reconcile_errors_total. */
  terminal(): void;
  /** A worker started (+1) or finished (-1) a reconcile (active_workers). */
  active(delta: 1 | -1): void;
}

let metricsProvider: ((name: string) => ReconcileMetrics) | undefined;
/** Loops constructed afterwards report to it (metrics.ts installs it with the queue's). */
export function setReconcileMetricsProvider(p: ((name: string) => ReconcileMetrics) | undefined): void { metricsProvider = p; }

export interface ControllerLoopOptions {
  /** The controller's name: its queue's and metrics' name, and the prefix of its log lines. */
  name: string;
  reconciler: Reconciler;
  /** Concurrent reconciles (controller-runtime's MaxConcurrentReconciles). Default 1. */
  workers?: number;
  /** Per-key back-off of failed keys: first delay and cap (client-go: 5 ms, 1000 s), and an optional overall token bucket. */
  backoff?: { baseDelayMs?: number; maxDelayMs?: number; bucket?: { qps: number; burst: number } };
  clock?: Clock;
  log?: (line: string) => void;
  /** Reports a failure that is the object's own (see disposition), e.g. as a Warning Event on it. */
  report?: (failure: { key: string; message: string; terminal: boolean }) => void;
}

export class ControllerLoop implements Runnable {
  readonly name: string;
  /** Event handlers add keys here; the loop takes them. */
  readonly queue: WorkQueue<string>;
  readonly #o: ControllerLoopOptions;
  readonly #workers: number;
  readonly #clock: Clock;
  readonly #metrics: ReconcileMetrics | undefined;

  constructor(o: ControllerLoopOptions) {
    const workers = o.workers ?? 1;
    if (!Number.isInteger(workers) || workers < 1) throw new Error(`${o.name}: workers must be a positive integer, got ${workers}`);
    this.name = o.name;
    this.#o = o;
    this.#workers = workers;
    this.#clock = o.clock ?? realClock;
    this.queue = new WorkQueue<string>({ name: o.name, clock: this.#clock, ...o.backoff });
    this.#metrics = metricsProvider?.(o.name);
    this.#metrics?.workers(workers);
  }

  /** Runs the workers until `signal` aborts; resolves once each has finished its current reconcile. */
  async start(signal: AbortSignal): Promise<void> {
    const stop = () => this.queue.shutDown();
    if (signal.aborted) stop(); else signal.addEventListener('abort', stop, { once: true });
    await Promise.all(Array.from({ length: this.#workers }, () => this.#worker(signal)));
    signal.removeEventListener('abort', stop);
  }

  async #worker(signal: AbortSignal): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      await this.#processOne(key, signal);
    }
  }

  async #processOne(key: string, signal: AbortSignal): Promise<void> {
    const m = this.#metrics;
    const started = this.#clock.now();
    m?.active(1);
    let r: { ok: true; value: unknown } | { ok: false; error: unknown };
    try {
      // Through a promise, so that a reconcile that throws before its first await is caught too.
      r = { ok: true, value: await Promise.resolve().then(() => this.#o.reconciler.reconcile(key, signal)) };
    } catch (error) {
      r = { ok: false, error };
    }
    const d = disposition(this.name, key, r, signal.aborted);
    try {
      if (d.queue === 'forget' || d.queue === 'drop') this.queue.forget(key);
      else if (d.queue === 'after') { this.queue.forget(key); this.queue.addAfter(key, d.afterMs!); } else this.queue.addRateLimited(key);
      if (d.log) this.#o.log?.(d.log);
      if (d.report) this.#o.report?.({ key, ...d.report });
    } catch (err) {
      // A throwing log or report callback must not end the worker (and with it the controller).
      this.#o.log?.(`${this.name}: reporting the sync of ${key} failed: ${messageOf(err)}`);
    } finally {
      if (m) {
        m.active(-1);
        m.reconciled(d.result, (this.#clock.now() - started) / 1000);
        if (d.terminal) m.terminal();
      }
      this.queue.done(key);
    }
  }
}

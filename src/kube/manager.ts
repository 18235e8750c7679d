// The manager of a process's long-lived parts (controller-runtime's manager with its runnable
// groups). Runnables are registered in four groups, started in this order, each group once the
// one before is up:
//   servers   (metrics, health probes)  — up once listening, so the kubelet can probe a standby
//   caches    (informers)               — up once every cache has synced (/readyz waits for it)
//   workers   (loops every replica runs)
//   leaderOnly (the controllers)        — started only while this process leads, under a signal
//                                         that aborts when leadership is lost
// and stopped in reverse order, each group within what is left of one grace period
// (controller-runtime's GracefulShutdownTimeout, 30 s). The result names what failed.
import { setMaxListeners } from 'node:events';

export interface Runnable {
  readonly name: string;
  /** Runs until `signal` aborts, then resolves once stopped. Rejecting (or resolving early) is a failure. */
  start(signal: AbortSignal): Promise<void>;
  /** Resolves once the runnable is up (a server listens, a cache has synced): the next group waits for it. */
  ready?(signal: AbortSignal): Promise<void>;
}

/** A cache: its group is up once each has synced. */
export interface CacheRunnable extends Runnable {
  waitForSync(signal?: AbortSignal): Promise<unknown>;
  hasSynced(): boolean;
}

export type RunnableGroup = 'servers' | 'caches' | 'workers' | 'leaderOnly';
export const GROUP_ORDER: readonly RunnableGroup[] = ['servers', 'caches', 'workers', 'leaderOnly'];

/** controller-runtime's default GracefulShutdownTimeout. */
export const DEFAULT_GRACEFUL_SHUTDOWN_MS = 30_000;

/**
 * Leadership, as the manager needs it: wait to acquire, then hold. `hold` resolves 'lost' when
 * the lease could not be renewed, 'stopped' once `signal` aborts; `release` gives it up at shutdown.
 */
export interface Leadership {
  acquire(signal: AbortSignal): Promise<boolean>;
  hold(signal: AbortSignal): Promise<'lost' | 'stopped'>;
  release(): Promise<void>;
}

export interface ManagerOptions {
  log?: (line: string) => void;
  /** How long stopping may take in all; runnables still running then are named in the result. Default 30 s. */
  gracefulShutdownMs?: number;
  /** Without it, this process always leads (leaderOnly runnables start right after the workers). */
  leadership?: Leadership;
}

export interface ManagerResult {
  /** The first runnable that failed (and made the manager stop), with its error. */
  failed?: { name: string; error: unknown };
  /** Leadership was lost: the leader-only runnables were stopped and the manager with them. */
  leadershipLost: boolean;
  /** Runnables that had not stopped when the grace period ran out. */
  timedOut: string[];
}

interface Running { r: Runnable; done: Promise<void>; stopped: boolean }

export class Manager {
  readonly #groups = new Map<RunnableGroup, Runnable[]>(GROUP_ORDER.map((g) => [g, []]));
  readonly #o: ManagerOptions;
  /** Aborts when the leader-only runnables are to stop: lost leadership or shutdown. */
  readonly #leaderOnly = new AbortController();
  #started = false;

  constructor(o: ManagerOptions = {}) {
    this.#o = o;
    setMaxListeners(0, this.#leaderOnly.signal); // every request of the controllers listens to it
  }

  /**
   * Aborts when the leader-only runnables stop (leadership lost, or shutdown). Give it to the API
   * client of the controllers' writes, so that a deposed leader's in-flight writes are cancelled.
   */
  get leaderOnlySignal(): AbortSignal { return this.#leaderOnly.signal; }

  add(group: 'caches', r: CacheRunnable): this;
  add(group: Exclude<RunnableGroup, 'caches'>, r: Runnable): this;
  add(group: RunnableGroup, r: Runnable): this {
    if (this.#started) throw new Error(`manager: ${r.name} added after start`);
    this.#groups.get(group)!.push(r);
    return this;
  }

  /** Caches not yet synced, by name (the readyz check: undefined when all have). */
  unsyncedCaches(): string[] {
    return (this.#groups.get('caches') as CacheRunnable[]).filter((c) => !c.hasSynced()).map((c) => c.name);
  }

  /** A /readyz check: fails until every cache has synced. */
  readonly cachesSynced = (): string | undefined => {
    const unsynced = this.unsyncedCaches();
    return unsynced.length ? `caches not synced: ${unsynced.join(', ')}` : undefined;
  };

  /**
   * Starts the groups in order and runs until `signal` aborts, a runnable fails, or leadership is
   * lost; then stops the groups in reverse order within the grace period.
   */
  async start(signal: AbortSignal): Promise<ManagerResult> {
    if (this.#started) throw new Error('manager: started twice');
    this.#started = true;
    const log = this.#o.log ?? (() => {});
    const stopping = new AbortController();
    setMaxListeners(0, stopping.signal); // each group's wait and the elector listen to it
    const stop = () => stopping.abort();
    if (signal.aborted) stop(); else signal.addEventListener('abort', stop, { once: true });
    const result: ManagerResult = { leadershipLost: false, timedOut: [] };
    const fail = (name: string, error: unknown) => {
      if (stopping.signal.aborted) return;
      result.failed ??= { name, error };
      log(`manager: ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
      stop();
    };
    // Each group runs under its own signal, so that stopping goes group by group, in reverse.
    const groups = GROUP_ORDER.map((g) => ({ group: g, ctl: g === 'leaderOnly' ? this.#leaderOnly : new AbortController(), running: [] as Running[] }));
    for (const g of groups) setMaxListeners(0, g.ctl.signal);
    const launch = (g: (typeof groups)[number], r: Runnable) => {
      const entry: Running = { r, stopped: false, done: Promise.resolve() };
      entry.done = Promise.resolve()
        .then(() => r.start(g.ctl.signal))
        .then(() => { if (!g.ctl.signal.aborted) fail(r.name, new Error('stopped by itself')); }, (err) => fail(r.name, err))
        .finally(() => { entry.stopped = true; });
      g.running.push(entry);
      return entry;
    };
    const until = <T>(p: Promise<T>): Promise<T | undefined> => (stopping.signal.aborted ? Promise.resolve(undefined)
      : Promise.race([p, new Promise<undefined>((r) => stopping.signal.addEventListener('abort', () => r(undefined), { once: true }))]));

    let holding: Promise<unknown> = Promise.resolve();
    for (const g of groups) {
      if (stopping.signal.aborted) break;
      if (g.group === 'leaderOnly' && this.#o.leadership) {
        const l = this.#o.leadership;
        if (!(await until(l.acquire(stopping.signal).catch((err) => { fail('leader election', err); return false; })))) break;
        holding = l.hold(stopping.signal).then((r) => {
          if (r === 'lost' && !stopping.signal.aborted) { result.leadershipLost = true; log('manager: leadership lost; stopping'); this.#leaderOnly.abort(); stop(); }
        }, (err) => fail('leader election', err));
      }
      const list = this.#groups.get(g.group)!;
      for (const r of list) launch(g, r);
      await until(Promise.all(list.map((r) => Promise.resolve()
        .then(() => (g.group === 'caches' ? (r as CacheRunnable).waitForSync(stopping.signal) : r.ready?.(stopping.signal)))
        .catch((err) => fail(r.name, err)))));
    }
    await new Promise<void>((r) => { if (stopping.signal.aborted) r(); else stopping.signal.addEventListener('abort', () => r(), { once: true }); });
    signal.removeEventListener('abort', stop);

    // Reverse order, each group within what is left of the grace period.
    const deadline = Date.now() + (this.#o.gracefulShutdownMs ?? DEFAULT_GRACEFUL_SHUTDOWN_MS);
    for (const g of [...groups].reverse()) {
      g.ctl.abort();
      if (g.group === 'leaderOnly') {
        await waitAtMost(Promise.all(g.running.map((e) => e.done)), deadline - Date.now());
        await waitAtMost(holding, deadline - Date.now());
        // Given up only once the controllers have stopped, so that no two leaders act at once.
        if (this.#o.leadership && !result.leadershipLost) await waitAtMost(this.#o.leadership.release(), deadline - Date.now());
      } else {
        await waitAtMost(Promise.all(g.running.map((e) => e.done)), deadline - Date.now());
      }
      for (const e of g.running) if (!e.stopped) result.timedOut.push(e.r.name);
    }
    if (result.timedOut.length) log(`manager: not stopped within the grace period: ${result.timedOut.join(', ')}`);
    return result;
  }
}

/** Resolves once `signal` aborts (at once when it has). */
export function whenAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((r) => signal.addEventListener('abort', () => r(), { once: true }));
}

async function waitAtMost(p: Promise<unknown>, ms: number): Promise<void> {
  let t: NodeJS.Timeout | undefined;
  await Promise.race([p.catch(() => {}), new Promise<void>((r) => { t = setTimeout(r, Math.max(0, ms)); })]);
  clearTimeout(t);
}

/**
 * Runs one controller on a manager of its own (a process with nothing else to run, or a test):
 * its caches, then its loop, stopped in reverse; rejects with the first failure.
 */
export async function runAlone(parts: { caches: readonly CacheRunnable[]; loop: Runnable }, signal: AbortSignal, log?: (line: string) => void): Promise<void> {
  const m = new Manager({ log });
  for (const c of parts.caches) m.add('caches', c);
  m.add('leaderOnly', parts.loop);
  const r = await m.start(signal);
  if (r.failed) throw r.failed.error;
}

// An informer that runs only while it is wanted: the rollout controller's pod (and node and
// PodDisruptionBudget) caches cost a list and a watch of every pod of the cluster, which a
// cluster without a DaemonSetRollout should not pay (at 5,000 nodes, a tenth of the embedded
// cluster's converge time). Wanted from the first rollout on, stopped with its cache dropped
// when the last one goes; each start builds a fresh Informer (a fresh list, no stale cache).
import type { KObject } from '../api/types.js';
import type { Informer } from '../kube/informer.js';
import type { CacheRunnable } from '../kube/manager.js';

interface Run<T extends KObject> { inf: Informer<T>; ctl: AbortController; done: Promise<void> }

export class OnDemandInformer<T extends KObject = KObject> implements CacheRunnable {
  #want = false;
  #run: Run<T> | undefined;
  #wake: (() => void) | undefined;
  /** Something changed since the loop last looked (it may have been awaiting a stop). */
  #dirty = false;
  #decided = false;
  #decidedWaiters: (() => void)[] = [];
  /** How many times an informer was started (a test counts them). */
  starts = 0;

  /**
   * @param make builds the informer (path, transform, indexes, handlers) for one run
   * @param decided resolves once `want` can be trusted (the rollouts' cache has synced)
   * @param onSynced called when a run's first list is in (the controller requeues its rollouts)
   */
  constructor(readonly name: string, private readonly make: () => Informer<T>, private readonly decided: (signal: AbortSignal) => Promise<void>, private readonly onSynced: () => void = () => {}) {}

  /** Whether it should run; takes effect at once in start()'s loop. */
  want(on: boolean): void {
    if (this.#want === on) return;
    this.#want = on;
    this.#poke();
  }

  get wanted(): boolean { return this.#want; }
  /** Running with its first list in: its contents are the cluster's. */
  get listed(): boolean { return this.#run?.inf.hasSynced() === true; }
  get running(): boolean { return this.#run !== undefined; }

  get(key: string): T | undefined { return this.#run?.inf.get(key); }
  list(): T[] { return this.#run?.inf.list() ?? []; }
  byIndex(name: string, value: string): T[] { return this.#run?.inf.byIndex(name, value) ?? []; }

  /**
   * For the manager's caches group and /readyz: synced once the start-up decision is made and,
   * when wanted then, the first list is in. Later starts do not make a running process unready
   * (the controller waits for `listed` itself).
   */
  hasSynced(): boolean { return this.#decided; }
  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.#decided || signal?.aborted) return Promise.resolve();
    return new Promise((r) => {
      this.#decidedWaiters.push(r);
      signal?.addEventListener('abort', () => r(), { once: true });
    });
  }

  async start(signal: AbortSignal): Promise<void> {
    try {
      await this.decided(signal);
      while (!signal.aborted) {
        this.#dirty = false;
        if (this.#want && !this.#run) this.#launch(signal);
        else if (!this.#want && this.#run) await this.#stop();
        if (!this.#decided && (!this.#want || this.listed)) this.#markDecided();
        if (this.#dirty) continue;
        await new Promise<void>((r) => {
          const done = () => { signal.removeEventListener('abort', done); this.#wake = undefined; r(); };
          this.#wake = done;
          signal.addEventListener('abort', done, { once: true });
        });
      }
    } finally {
      await this.#stop();
      this.#markDecided();
    }
  }

  #launch(signal: AbortSignal): void {
    const inf = this.make();
    const ctl = new AbortController();
    const stop = () => ctl.abort();
    signal.addEventListener('abort', stop, { once: true });
    this.starts++;
    const run: Run<T> = { inf, ctl, done: Promise.resolve() };
    run.done = inf.start(ctl.signal).catch(() => {}).finally(() => signal.removeEventListener('abort', stop));
    this.#run = run;
    void inf.waitForSync(ctl.signal).then(() => {
      if (this.#run !== run || ctl.signal.aborted) return;
      this.onSynced();
      this.#poke();
    });
  }

  #poke(): void {
    this.#dirty = true;
    this.#wake?.();
  }

  async #stop(): Promise<void> {
    const run = this.#run;
    if (!run) return;
    this.#run = undefined;
    run.ctl.abort();
    await run.done.catch(() => {});
  }

  #markDecided(): void {
    if (this.#decided) return;
    this.#decided = true;
    for (const w of this.#decidedWaiters.splice(0)) w();
  }
}

// One informer per collection for every component of a process, as client-go's
// SharedInformerFactory gives kube-controller-manager: the garbage collector, the node
// lifecycle controller, the scheduler and the simulated kubelets all watch pods and nodes, and
// each private watch costs the API server one more encoded write per event and this process one
// more JSON parse. Components take the factory as an option and make their own when none is given.
import type { KubeConfig } from '@kubernetes/client-node';
import type { KObject } from '../api/types.js';
import { RawClient } from './client.js';
import { Informer, type InformerProblem } from './informer.js';
import { EventSink, coreEvent } from './eventsink.js';
import { whenAborted } from './manager.js';

export interface SharedInformersOptions {
  /** Reports objects the informers had to repair or skip: logged here, and a Warning Event about each. */
  log?: (line: string) => void;
  /** The Events' reporting component. Default "everynode-components". */
  component?: string;
}

export class SharedInformers {
  readonly name = 'shared informers';
  readonly #informers = new Map<string, Informer>();
  readonly #running: Promise<void>[] = [];
  #client: RawClient | undefined;
  #signal: AbortSignal | undefined;
  #done: Promise<void> | undefined;

  #events: EventSink | undefined;
  #stopped = false;

  constructor(private readonly kc: KubeConfig, private readonly o: SharedInformersOptions = {}) {}

  /**
   * A component's sync of one key failed in a way that is the object's, not the API's (the
   * controller loop's report callback, see controllerloop.ts): a FailedSync Warning about the
   * object, once per version of it. The loop has logged it already.
   */
  failedSync(component: string, inf: Pick<Informer, 'regardingOf'> & { get(key: string): unknown } | undefined, key: string, message: string): void {
    const obj = inf?.get(key);
    if (!obj) return;
    const regarding = inf!.regardingOf(obj);
    const once = `${component}|${key}@${regarding.resourceVersion ?? ''}`;
    if (this.#failedOnce.has(once)) return;
    if (this.#failedOnce.size >= 10_000) this.#failedOnce.clear();
    this.#failedOnce.add(once);
    this.#post({ reason: 'FailedSync', regarding, message }, component);
  }

  readonly #failedOnce = new Set<string>();

  /** Every component reading this informer skips or repairs the object alike: say so once, for all of them. */
  #report(p: InformerProblem): void {
    const component = this.o.component ?? 'everynode-components';
    this.o.log?.(`${component}: ${p.regarding.kind} ${p.regarding.namespace ? `${p.regarding.namespace}/` : ''}${p.regarding.name}: ${p.message}`);
    this.#post(p, component);
  }

  #post(p: { reason: string; regarding: InformerProblem['regarding']; message: string }, component: string): void {
    if (this.#stopped) return;
    const ev = coreEvent(p.regarding, { type: 'Warning', reason: p.reason, message: p.message }, component, Date.now());
    (this.#events ??= new EventSink(this.kc)).post(ev.namespace, ev.body);
  }

  /** The informer for this collection and selectors; started at once when the factory already runs. */
  informer<T extends KObject>(path: string, query: { labelSelector?: string; fieldSelector?: string } = {}): Informer<T> {
    const key = `${path}?l=${query.labelSelector ?? ''}&f=${query.fieldSelector ?? ''}`;
    let inf = this.#informers.get(key);
    if (!inf) {
      inf = new Informer((this.#client ??= new RawClient(this.kc)), path, query);
      inf.onProblem((p) => this.#report(p));
      this.#informers.set(key, inf);
      if (this.#signal) this.#running.push(inf.start(this.#signal));
    }
    return inf as unknown as Informer<T>;
  }

  /** Whether every informer made so far has listed (the manager's cache check, /readyz). */
  hasSynced(): boolean {
    for (const inf of this.#informers.values()) if (!inf.hasSynced()) return false;
    return true;
  }

  /** Resolves once every informer made so far has listed, or when `signal` aborts. */
  async waitForSync(signal?: AbortSignal): Promise<void> {
    await Promise.all([...this.#informers.values()].map((i) => i.waitForSync(signal)));
  }

  /** Informers not yet synced, by path (for /readyz?verbose). */
  unsynced(): string[] { return [...this.#informers.values()].filter((i) => !i.hasSynced()).map((i) => i.path); }

  /**
   * Starts every informer (idempotent: each component sharing the factory calls it). The call
   * that started them resolves once all have stopped after its `signal` aborted; a later call
   * (a component, when a manager started the factory as a cache) once its own `signal` has.
   */
  start(signal: AbortSignal): Promise<void> {
    if (this.#done) return signal === this.#signal ? this.#done : Promise.race([this.#done, whenAborted(signal)]);
    this.#done = this.#run(signal);
    return this.#done;
  }

  async #run(signal: AbortSignal): Promise<void> {
    this.#signal = signal;
    for (const inf of this.#informers.values()) this.#running.push(inf.start(signal));
    // Informers added while running (the GC's, after discovery) join the list.
    for (let seen = -1; seen !== this.#running.length;) {
      seen = this.#running.length;
      await Promise.all(this.#running);
    }
    this.#client?.close();
    this.#stopped = true;
    this.#events?.close();
  }
}

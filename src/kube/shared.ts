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

export interface SharedInformersOptions {
  /** Reports objects the informers had to repair or skip: logged here, and a Warning Event about each. */
  log?: (line: string) => void;
  /** The Events' reporting component. Default "everynode-components". */
  component?: string;
}

export class SharedInformers {
  readonly #informers = new Map<string, Informer>();
  readonly #running: Promise<void>[] = [];
  #client: RawClient | undefined;
  #signal: AbortSignal | undefined;
  #done: Promise<void> | undefined;

  #events: EventSink | undefined;

  constructor(private readonly kc: KubeConfig, private readonly o: SharedInformersOptions = {}) {}

  /** Every component reading this informer skips or repairs the object alike: say so once, for all of them. */
  #report(p: InformerProblem): void {
    const component = this.o.component ?? 'everynode-components';
    const who = `${p.regarding.kind} ${p.regarding.namespace ? `${p.regarding.namespace}/` : ''}${p.regarding.name}`;
    this.o.log?.(`${component}: ${who}: ${p.message}`);
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

  /**
   * Starts every informer (idempotent: each component sharing the factory calls it) and resolves
   * once all have stopped after `signal` aborted.
   */
  start(signal: AbortSignal): Promise<void> {
    this.#done ??= this.#run(signal);
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
    this.#events?.close();
  }
}

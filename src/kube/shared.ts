// One informer per collection for every component of a process, as client-go's
// SharedInformerFactory gives kube-controller-manager: the garbage collector, the node
// lifecycle controller, the scheduler and the simulated kubelets all watch pods and nodes, and
// each private watch costs the API server one more encoded write per event and this process one
// more JSON parse. Components take the factory as an option and make their own when none is given.
import type { KubeConfig } from '@kubernetes/client-node';
import type { KObject } from '../api/types.js';
import { RawClient } from './client.js';
import { Informer } from './informer.js';

export class SharedInformers {
  readonly #informers = new Map<string, Informer>();
  readonly #running: Promise<void>[] = [];
  #client: RawClient | undefined;
  #signal: AbortSignal | undefined;
  #done: Promise<void> | undefined;

  constructor(private readonly kc: KubeConfig) {}

  /** The informer for this collection and selectors; started at once when the factory already runs. */
  informer<T extends KObject>(path: string, query: { labelSelector?: string; fieldSelector?: string } = {}): Informer<T> {
    const key = `${path}?l=${query.labelSelector ?? ''}&f=${query.fieldSelector ?? ''}`;
    let inf = this.#informers.get(key);
    if (!inf) {
      inf = new Informer((this.#client ??= new RawClient(this.kc)), path, query);
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
  }
}

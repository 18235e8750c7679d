// Keeps a controller that works on every kind (the garbage collector) in step with what the
// server serves: discovery again every 30 s, as upstream's GC resyncs its monitors, and soon
// after any CustomResourceDefinition changes, so the resources of a CRD created after start
// are watched within moments. New resources are handed to `onNew`; resources that disappear
// stay known (their informers retry, and resume if the CRD comes back).
import type { KObject } from '../api/types.js';
import type { RawClient } from '../kube/client.js';
import { discoverResources, type ServedResource } from '../kube/discovery.js';
import type { SharedInformers } from '../kube/shared.js';

export interface ResourceMonitorOptions {
  /** Which discovered resources the controller wants. */
  filter: (r: ServedResource) => boolean;
  /** Called once per resource (by collection path) the first time discovery shows it. */
  onNew: (r: ServedResource) => void;
  periodMs?: number;
  /** Delay between a CRD change and the rediscovery it causes (changes come in bursts). */
  debounceMs?: number;
  log?: (line: string) => void;
}

const crdPath = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

export class ResourceMonitor {
  readonly #known = new Map<string, ServedResource>();
  #syncing: Promise<void> | undefined;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(private readonly client: RawClient, private readonly shared: SharedInformers, private readonly o: ResourceMonitorOptions) {}

  /** Every resource seen so far. */
  resources(): ServedResource[] { return [...this.#known.values()]; }

  /** The resource serving this kind (apiVersion "group/version" or "v1"), if discovery has shown one. */
  resolve(apiVersion: string, kind: string): ServedResource | undefined {
    // By group and kind, as a RESTMapper maps an owner reference: any served version will do.
    const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
    return this.resources().find((x) => x.kind === kind && x.group === group);
  }

  /** Discovers now (joining a discovery already running, then running once more). */
  async sync(): Promise<void> {
    if (this.#syncing) { this.#again = true; return this.#syncing; }
    this.#syncing = (async () => {
      try {
        do {
          this.#again = false;
          for (const r of await discoverResources(this.client)) {
            if (this.#known.has(r.path) || !this.o.filter(r)) continue;
            this.#known.set(r.path, r);
            this.o.onNew(r);
          }
        } while (this.#again && !this.#stopped);
      } finally { this.#syncing = undefined; }
    })();
    return this.#syncing;
  }

  /** The first discovery (errors propagate: a controller that cannot discover cannot start), then the follow-ups. */
  async start(signal: AbortSignal): Promise<void> {
    await this.sync();
    const soon = () => this.schedule(this.o.debounceMs ?? 200);
    const crds = this.shared.informer<KObject>(crdPath);
    crds.addHandler({ onAdd: soon, onUpdate: soon, onDelete: soon });
    this.schedule(this.o.periodMs ?? 30_000);
    const stop = () => { this.#stopped = true; clearTimeout(this.#timer); };
    if (signal.aborted) stop(); else signal.addEventListener('abort', stop, { once: true });
  }

  private schedule(ms: number): void {
    if (this.#stopped) return;
    const periodic = ms === (this.o.periodMs ?? 30_000);
    if (this.#timer && periodic) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.sync().catch((err) => this.o.log?.(`resource discovery failed: ${(err as Error).message}`))
        .finally(() => this.schedule(this.o.periodMs ?? 30_000));
    }, ms);
    this.#timer.unref();
  }
}

// The independent checker (shell): its own list+watch of nodes, pods and DaemonSets straight on
// the API server (never through the chaos proxy), a snapshot kept up to date from the events,
// and invariants.ts evaluated on every event it sees. Violations are recorded, never thrown: a
// run reports all of them.
import type { KubeConfig } from '@kubernetes/client-node';
import type { DaemonSet, KObject, Node, Pod } from '../../api/types.js';
import { RawClient } from '../../kube/client.js';
import { watchStream, type RawWatchEvent } from '../../kube/watchstream.js';
import { convergenceGaps, evaluate, INITIAL_STATE, type CheckerState, type Snapshot, type Violation } from './invariants.js';

export interface RecordedViolation extends Violation { atMs: number; count: number }

type Kind = 'nodes' | 'pods' | 'daemonSets';

export class Checker {
  readonly #client: RawClient;
  readonly #objects: Record<Kind, Map<string, KObject>> = { nodes: new Map(), pods: new Map(), daemonSets: new Map() };
  #state: CheckerState = INITIAL_STATE;
  readonly #disturbed = new Set<string>();
  /** Distinct violations (kind, DaemonSet, node, detail) with how often each was seen. */
  readonly violations: RecordedViolation[] = [];
  readonly #seen = new Map<string, RecordedViolation>();
  events = 0;
  readonly #synced = new Set<Kind>();
  readonly #listeners = new Set<() => void>();
  #stop = new AbortController();
  #running: Promise<void>[] = [];

  constructor(kc: KubeConfig, private readonly namespace: string, private readonly t0 = Date.now()) {
    this.#client = new RawClient(kc);
  }

  start(): void {
    const ns = encodeURIComponent(this.namespace);
    this.#running = [
      this.#loop('nodes', '/api/v1/nodes'),
      this.#loop('pods', `/api/v1/namespaces/${ns}/pods`),
      this.#loop('daemonSets', `/apis/apps/v1/namespaces/${ns}/daemonsets`),
    ];
  }

  /** Resolves once every collection has been listed. */
  async synced(timeoutMs = 30_000): Promise<void> {
    await this.waitFor(() => this.#synced.size === 3, timeoutMs);
  }

  /** The runner declares a node it is about to disturb, before acting, so no consequence is judged before its cause. */
  disturb(node: string): void {
    this.#disturbed.add(node);
    this.#check();
  }

  /** Per DaemonSet: the most nodes down at once within the budget count, with the budget then. */
  get peakDown(): ReadonlyMap<string, { down: number; budget: number }> { return this.#state.peakDown; }

  snapshot(): Snapshot {
    return {
      nodes: [...this.#objects.nodes.values()] as Node[],
      pods: [...this.#objects.pods.values()] as Pod[],
      daemonSets: [...this.#objects.daemonSets.values()] as DaemonSet[],
    };
  }

  /** Per DaemonSet, why it has not converged (all empty once everything has). */
  gaps(nowMs = Date.now()): Map<string, string[]> {
    const s = this.snapshot();
    return new Map(s.daemonSets.map((ds) => [ds.metadata!.name!, convergenceGaps(ds, s, nowMs)]));
  }

  /** Waits until `cond` holds on an event (or a 250 ms tick); false on timeout. */
  waitFor(cond: () => boolean, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (v: boolean) => { clearTimeout(timer); clearInterval(tick); this.#listeners.delete(check); resolve(v); };
      const check = () => { if (cond()) done(true); };
      const timer = setTimeout(() => done(false), timeoutMs);
      const tick = setInterval(check, 250);
      this.#listeners.add(check);
      check();
    });
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await Promise.all(this.#running);
    this.#client.close();
  }

  #check(): void {
    const { state, violations } = evaluate(this.#state, this.snapshot(), this.#disturbed, Date.now());
    this.#state = state;
    for (const v of violations) {
      const key = `${v.kind}|${v.daemonSet}|${v.node ?? ''}|${v.detail}`;
      const had = this.#seen.get(key);
      if (had) { had.count++; continue; }
      const rec = { ...v, atMs: Date.now() - this.t0, count: 1 };
      this.#seen.set(key, rec);
      this.violations.push(rec);
    }
  }

  #apply(kind: Kind, ev: RawWatchEvent): void {
    const o = ev.object as KObject;
    const key = `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
    if (ev.type === 'ADDED' || ev.type === 'MODIFIED') this.#objects[kind].set(key, o);
    else if (ev.type === 'DELETED') this.#objects[kind].delete(key);
    else return;
    this.events++;
    this.#check();
    for (const l of [...this.#listeners]) l();
  }

  /** List, then watch from the list's resourceVersion; any end or error lists again (a relist is a consistent snapshot). */
  async #loop(kind: Kind, path: string): Promise<void> {
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      try {
        const list = await this.#client.listAll<KObject>(path);
        this.#objects[kind] = new Map(list.items.map((o) => [`${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`, o]));
        this.#synced.add(kind);
        this.#check();
        let rv = list.metadata.resourceVersion;
        for (;;) {
          const end = await watchStream(this.#client, path, { resourceVersion: rv, allowWatchBookmarks: 'true' }, (ev) => {
            const o = ev.object as KObject;
            if (o?.metadata?.resourceVersion) rv = o.metadata.resourceVersion;
            this.#apply(kind, ev);
          }, { signal, idleTimeoutMs: 30_000 });
          if (signal.aborted || end.kind === 'status') break;
        }
      } catch {
        if (signal.aborted) break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

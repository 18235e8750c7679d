// The pod garbage collector (kube-controller-manager's PodGC): every check period, one pass of
// podGCPlan over the shared caches, then the writes it asks for. Orphans are only deleted once a
// live GET confirms their node is gone, so a stale cache can never wipe a live node's pods.
import type { KubeConfig } from '@kubernetes/client-node';
import type { KObject, Node, Pod } from '../api/types.js';
import { RawClient, userAgent, isConflict, isNotFound } from '../kube/client.js';
import type { Informer } from '../kube/informer.js';
import { SharedInformers } from '../kube/shared.js';
import { Limiter } from '../kube/limiter.js';
import type { Runnable } from '../kube/manager.js';
import {
  DEFAULT_TERMINATED_POD_GC_THRESHOLD, GC_CHECK_PERIOD_MS, ORPHAN_QUARANTINE_MS, failedStatusFor, orphanDeletions, podGCPlan,
  type PodDeletion,
} from './podgc-core.js';

export interface PodGCOptions {
  informers?: SharedInformers;
  /** --terminated-pod-gc-threshold (default 12,500; 0 disables collecting finished pods). */
  terminatedPodThreshold?: number;
  /** How long a node must be missing before its pods are orphans (default 40 s, upstream's constant). */
  quarantineMs?: number;
  /** Time between passes (default 20 s, upstream's gcCheckPeriod). */
  periodMs?: number;
  now?: () => number;
  log?: (line: string) => void;
}

type KPod = Pod & KObject;
type KNode = Node & KObject;

const STRATEGIC = 'application/strategic-merge-patch+json';

export class PodGC implements Runnable {
  readonly name = 'pod-garbage-collector';
  readonly #client: RawClient;
  readonly #shared: SharedInformers;
  readonly #pods: Informer<KPod>;
  readonly #nodes: Informer<KNode>;
  readonly #writes = new Limiter(8);
  readonly #threshold: number;
  readonly #quarantine: number;
  readonly #period: number;
  readonly #now: () => number;
  readonly #log: (line: string) => void;
  #absentSince = new Map<string, number>();

  constructor(kc: KubeConfig, o: PodGCOptions = {}) {
    this.#client = new RawClient(kc, { userAgent: userAgent('kube-controller-manager', 'pod-garbage-collector') });
    const shared = (this.#shared = o.informers ?? new SharedInformers(kc));
    this.#pods = shared.informer<KPod>('/api/v1/pods');
    this.#nodes = shared.informer<KNode>('/api/v1/nodes');
    this.#threshold = o.terminatedPodThreshold ?? DEFAULT_TERMINATED_POD_GC_THRESHOLD;
    this.#quarantine = o.quarantineMs ?? ORPHAN_QUARANTINE_MS;
    this.#period = o.periodMs ?? GC_CHECK_PERIOD_MS;
    this.#now = o.now ?? Date.now;
    this.#log = o.log ?? (() => {});
  }

  async start(signal: AbortSignal): Promise<void> {
    const running = this.#shared.start(signal);
    await Promise.all([this.#pods.waitForSync(signal), this.#nodes.waitForSync(signal)]);
    // Passes run one after another: a slow pass (a thousand deletions) delays the next, never overlaps it.
    while (!signal.aborted) {
      try { await this.#pass(signal); } catch (err) { this.#log(`${this.name}: ${err instanceof Error ? err.message : String(err)}`); }
      await sleep(this.#period, signal);
    }
    await running;
    this.#client.close();
  }

  async #pass(signal: AbortSignal): Promise<void> {
    const pods = this.#pods.list();
    const plan = podGCPlan({
      pods, nodes: this.#nodes.list(), nowMs: this.#now(), absentSince: this.#absentSince,
      terminatedThreshold: this.#threshold, quarantineMs: this.#quarantine,
    });
    this.#absentSince = plan.absentSince;
    const deleted = new Set(plan.deletions.map((d) => d.pod.metadata?.uid));
    const gone = new Set<string>();
    await Promise.all(plan.nodesToConfirm.map((n) => this.#writes.run(async () => { if (await this.#nodeIsGone(n)) gone.add(n); })));
    const orphans = gone.size ? orphanDeletions(pods, gone, this.#now()).filter((d) => !deleted.has(d.pod.metadata?.uid)) : [];
    await Promise.all([...plan.deletions, ...orphans].map((d) => this.#writes.run(() => (signal.aborted ? Promise.resolve() : this.#delete(d)))));
  }

  /** checkIfNodeExists: only NotFound counts as gone; any other answer waits for the next pass. */
  async #nodeIsGone(name: string): Promise<boolean> {
    try {
      await this.#client.request('GET', `/api/v1/nodes/${encodeURIComponent(name)}`);
      return false;
    } catch (err) {
      return isNotFound(err);
    }
  }

  /** markFailedAndDeletePodWithCondition: phase Failed (and DisruptionTarget), then a forced delete. */
  async #delete(d: PodDeletion): Promise<void> {
    const { namespace, name, uid } = d.pod.metadata ?? {};
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace ?? '')}/pods/${encodeURIComponent(name ?? '')}`;
    try {
      const status = failedStatusFor(d);
      if (status) await this.#client.request('PATCH', `${path}/status`, { metadata: { uid }, status }, STRATEGIC);
      await this.#client.delete(path, { gracePeriodSeconds: 0, preconditions: { uid } });
    } catch (err) {
      // Gone already, or replaced by a namesake (the uid precondition): nothing of ours to delete.
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() { clearTimeout(t); signal.removeEventListener('abort', done); resolve(); }
    signal.addEventListener('abort', done, { once: true });
  });
}

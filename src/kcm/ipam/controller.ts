// The node IPAM controller (kube-controller-manager's nodeipam with the RangeAllocator): gives
// every Node without one a pod CIDR from the cluster CIDR, after the Node exists, by patching
// spec.podCIDR(s). It is a controller rather than part of the simulated kubelet's registration
// because that is where upstream puts it: the kubelet only reads spec.podCIDR, a real cluster's
// nodes get theirs the same way, and restarts, deletions and exhaustion are handled once for the
// whole fleet instead of in every kubelet. The decisions are NodeCidrAllocator's (allocator.ts);
// this file is the I/O around them.
import type { KubeConfig } from '@kubernetes/client-node';
import type { KObject, Node } from '../../api/types.js';
import { rfc3339 } from '../../api/meta.js';
import { ApiStatusError, RawClient, userAgent, isNotFound } from '../../kube/client.js';
import type { Informer } from '../../kube/informer.js';
import { SharedInformers } from '../../kube/shared.js';
import { ControllerLoop } from '../../kube/controllerloop.js';
import { EventSink } from '../../kube/eventsink.js';
import type { Runnable } from '../../kube/manager.js';
import { CidrSet } from './cidrset.js';
import { NodeCidrAllocator, podCIDRsOf } from './allocator.js';

export interface NodeIpamOptions {
  clusterCIDR: string;
  nodeCIDRMaskSize: number;
  /** Informers shared with the process's other components (one is made when absent). */
  informers?: SharedInformers;
  /** Patches in flight at once (default 8): a fleet registering at once is assigned in parallel. */
  workers?: number;
  now?: () => number;
  log?: (line: string) => void;
}

type KNode = Node & KObject;

/** Upstream's event source for the range allocator. */
const COMPONENT = 'cidrAllocator';
const STRATEGIC = 'application/strategic-merge-patch+json';

export class NodeIpamController implements Runnable {
  readonly name = 'node-ipam-controller';
  readonly #client: RawClient;
  readonly #events: EventSink;
  readonly #nodes: Informer<KNode>;
  readonly #shared: SharedInformers;
  readonly #loop: ControllerLoop;
  get #queue() { return this.#loop.queue; }
  readonly #alloc: NodeCidrAllocator;
  readonly #now: () => number;
  readonly #log: (line: string) => void;
  #eventSeq = 0;

  /** Throws a one-line error for a range the cluster file's schema would already have refused. */
  constructor(kc: KubeConfig, private readonly o: NodeIpamOptions) {
    const set = CidrSet.create(o.clusterCIDR, o.nodeCIDRMaskSize);
    if ('error' in set) throw new Error(`node-ipam-controller: ${set.error}`);
    this.#alloc = new NodeCidrAllocator(set);
    this.#client = new RawClient(kc, { userAgent: userAgent('kube-controller-manager', 'node-ipam-controller') });
    this.#events = new EventSink(kc, { userAgent: userAgent('kube-controller-manager', 'node-ipam-controller') });
    const shared = (this.#shared = o.informers ?? new SharedInformers(kc));
    this.#nodes = shared.informer<KNode>('/api/v1/nodes');
    this.#now = o.now ?? Date.now;
    this.#log = o.log ?? (() => {});
    this.#loop = new ControllerLoop({
      name: 'nodeipam', workers: o.workers ?? 8, backoff: { baseDelayMs: 100, maxDelayMs: 30_000 }, log: this.#log,
      reconciler: { reconcile: (name) => this.#sync(name) },
      report: (f) => this.#shared.failedSync(this.name, this.#nodes, f.key, f.message),
    });
  }

  async start(signal: AbortSignal): Promise<void> {
    // Nodes that carry CIDRs are occupied at once, in the handler, so that by the time the cache
    // has synced every stored CIDR is marked and none can be handed out twice after a restart.
    // Nodes without one are queued; no worker runs before the sync.
    const seen = (n: KNode) => {
      const name = n.metadata!.name!;
      const cidrs = podCIDRsOf(n.spec);
      if (cidrs.length) this.#alloc.observe(name, cidrs); else this.#queue.add(name);
      this.#retryWaiting();
    };
    this.#nodes.addHandler({
      onAdd: seen,
      onUpdate: (_o, n) => seen(n),
      onDelete: (n) => { this.#alloc.removed(n.metadata!.name!); this.#retryWaiting(); },
    });
    const running = [this.#shared.start(signal)];
    await this.#nodes.waitForSync(signal);
    await Promise.all([...running, this.#loop.start(signal)]);
    this.#client.close();
    this.#events.close();
  }

  async #sync(name: string): Promise<void> {
    const node = this.#nodes.get(name);
    if (!node) return;
    const action = this.#alloc.observe(name, podCIDRsOf(node.spec));
    if (action.kind === 'unavailable') {
      if (action.firstExhaustion) {
        const set = this.#alloc.set;
        this.#log(`everynode: node-ipam: CIDRNotAvailable: clusterCIDR ${this.o.clusterCIDR} has no free /${this.o.nodeCIDRMaskSize} left (${set.used} of ${set.capacity} in use); node ${name} and any further node get no podCIDR (see their CIDRNotAvailable events). Widen clusterCIDR or raise nodeCIDRMaskSize in the cluster file.`);
      }
      if (action.newlyWaiting) this.#recordStatusChange(node, 'CIDRNotAvailable');
      return;
    }
    if (action.kind !== 'assign') return;
    try {
      await this.#client.request('PATCH', `/api/v1/nodes/${encodeURIComponent(name)}`, { spec: { podCIDR: action.cidr, podCIDRs: [action.cidr] } }, STRATEGIC);
    } catch (err) {
      if (isNotFound(err)) { this.#alloc.removed(name); this.#retryWaiting(); return; }
      this.#alloc.assignFailed(name, action.cidr);
      this.#retryWaiting();
      // 422: someone set another CIDR first; the watch brings it and it is occupied then.
      if (err instanceof ApiStatusError && err.code === 422) return;
      this.#recordStatusChange(node, 'CIDRAssignmentFailed');
      throw err; // retried with back-off by the queue
    }
  }

  /** A CIDR came free (a node went, a write failed, someone set their own): the refused try again. */
  #retryWaiting(): void {
    for (const w of this.#alloc.retryable()) this.#queue.add(w);
  }

  /** RecordNodeStatusChange: a Normal event "Node X status is now: REASON" in the default namespace. */
  #recordStatusChange(node: KNode, reason: string): void {
    const name = node.metadata!.name!;
    const now = this.#now();
    const at = rfc3339(now);
    this.#events.post('default', {
      apiVersion: 'v1', kind: 'Event',
      metadata: { name: `${name}.${now.toString(16)}${(this.#eventSeq++).toString(16)}`, namespace: 'default' },
      involvedObject: { apiVersion: 'v1', kind: 'Node', name, uid: node.metadata!.uid },
      type: 'Normal', reason, message: `Node ${name} status is now: ${reason}`,
      count: 1, firstTimestamp: at, lastTimestamp: at,
      source: { component: COMPONENT }, reportingComponent: COMPONENT, reportingInstance: '',
    });
  }
}

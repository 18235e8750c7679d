// The dashboard as a part of a process (`everynode up`, `everynode controller
// --dashboard-bind-address`): its own informers on nodes, pods and DaemonSetRollouts, cut down
// by transforms (slim.ts), feeding the fleet model (hub.ts), served by server.ts. Listening is
// separate from running: the process binds the port (and can refuse a busy one, and print the
// URL) before it announces itself; the informers run as a supervised part, and a restart of
// them starts the model afresh while browsers stay connected.
import type { KubeConfig } from '@kubernetes/client-node';
import type { KObject, Node, Pod } from '../api/types.js';
import type { DaemonSetRollout } from '../rollout/api/types.js';
import { RawClient } from '../kube/client.js';
import { Informer } from '../kube/informer.js';
import { whenAborted, type Runnable } from '../kube/manager.js';
import { rolloutsPath } from '../rollout/controller.js';
import { FleetHub } from './hub.js';
import { TokenGate, clusterReviewer, type Reviewer } from './auth.js';
import { listenDashboard, type DashboardServer } from './server.js';
import { nodeEntry, podEntry, rolloutEntry, slimNode, slimPod, slimRollout } from './slim.js';
import type { FleetEvent } from './model.js';

export interface DashboardOptions {
  /** Undefined: every interface. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  /** Only this namespace's pods and rollouts (nodes are cluster-wide). */
  namespace?: string;
  log?: (line: string) => void;
  /** How presented tokens are checked; default: a SelfSubjectAccessReview against the cluster. */
  reviewer?: Reviewer;
}

export class Dashboard implements Runnable {
  readonly name = 'dashboard';
  readonly hub = new FleetHub();
  #server: DashboardServer | undefined;
  #listening: Promise<DashboardServer> | undefined;

  constructor(private readonly kc: KubeConfig, private readonly o: DashboardOptions) {}

  /** Binds the port; resolves with the base URL (http://127.0.0.1:PORT). */
  async listen(): Promise<string> {
    this.#listening ??= listenDashboard({ host: this.o.host, port: this.o.port }, {
      hub: this.hub, gate: new TokenGate(this.o.reviewer ?? clusterReviewer(this.kc)), log: this.o.log,
    }).catch((err: unknown) => { this.#listening = undefined; throw err; });
    this.#server = await this.#listening;
    return this.#server.url;
  }

  get url(): string | undefined { return this.#server?.url; }

  /** Runs the informers until `signal` aborts (listening first if not yet). */
  async start(signal: AbortSignal): Promise<void> {
    await this.listen();
    const client = new RawClient(this.kc);
    const ns = this.o.namespace ? `/namespaces/${encodeURIComponent(this.o.namespace)}` : '';
    const apply = (ev: FleetEvent) => this.hub.apply(ev);
    apply({ kind: 'reset' });
    const nodes = new Informer<Node & KObject>(client, '/api/v1/nodes');
    nodes.setTransform(slimNode);
    nodes.addHandler({
      onAdd: (n) => apply({ kind: 'node', op: 'upsert', node: nodeEntry(n) }),
      onUpdate: (_o, n) => apply({ kind: 'node', op: 'upsert', node: nodeEntry(n) }),
      onDelete: (n) => apply({ kind: 'node', op: 'delete', name: n.metadata?.name ?? '' }),
    });
    const pods = new Informer<Pod & KObject>(client, `/api/v1${ns}/pods`);
    pods.setTransform(slimPod);
    pods.addHandler({
      onAdd: (p) => apply({ kind: 'pod', op: 'upsert', pod: podEntry(p) }),
      onUpdate: (_o, p) => apply({ kind: 'pod', op: 'upsert', pod: podEntry(p) }),
      onDelete: (p) => apply({ kind: 'pod', op: 'delete', key: podEntry(p).key }),
    });
    const rollouts = new Informer<DaemonSetRollout & KObject>(client, rolloutsPath(this.o.namespace));
    rollouts.setTransform(slimRollout);
    rollouts.addHandler({
      onAdd: (r) => apply({ kind: 'rollout', op: 'upsert', rollout: rolloutEntry(r) }),
      onUpdate: (_o, r) => apply({ kind: 'rollout', op: 'upsert', rollout: rolloutEntry(r) }),
      onDelete: (r) => apply({ kind: 'rollout', op: 'delete', key: rolloutEntry(r).key }),
    });
    for (const inf of [nodes, pods, rollouts] as Informer[]) {
      inf.onProblem((p) => this.o.log?.(`everynode: dashboard: ${p.regarding.kind} ${p.regarding.namespace ? `${p.regarding.namespace}/` : ''}${p.regarding.name}: ${p.message}`));
    }
    try {
      await Promise.all([nodes.start(signal), pods.start(signal), rollouts.start(signal), whenAborted(signal)]);
    } finally {
      client.close();
    }
  }

  async close(): Promise<void> {
    this.hub.close();
    const s = await this.#listening?.catch(() => undefined);
    this.#listening = undefined; this.#server = undefined;
    await s?.close();
  }
}

// The bench's imperative shell: an in-process embedded cluster with N instant-ready simulated
// nodes, the DaemonSet controller (in-process, or as a child process when its own footprint is
// measured), and watches that feed FleetTrackers. Every wait is bounded and every wait's end is
// taken at the watch event that satisfied it, not at the next poll.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { DaemonSet, DaemonSetUpdateStrategy, KObject, Node, Pod } from '../api/types.js';
import { controllerRefOf, keyOf } from '../api/meta.js';
import { startCluster, type Cluster } from '../cluster/cluster.js';
import { RawClient } from '../kube/client.js';
import { Informer } from '../kube/informer.js';
import { cpuSeconds } from './proc.js';
import { FleetTracker } from './fleet.js';
import { ipamProblems } from './checks.js';
import { benchClusterConfig, parsedBenchConfig, plannedNodeNames, type PodDelays } from './fleet-config.js';
import type { ClusterConfig } from '../nodes/cluster-config.js';
import { restRequestsByMethod } from './requests.js';

export const NS = 'bench';

export interface BenchClusterOptions {
  nodes: number;
  onDisk: boolean;
  /** Run the DaemonSet controller as a separate process (so its RSS/CPU can be read apart). */
  externalController?: boolean;
  /** Split the fleet into this many zone pools (topology.kubernetes.io/zone = zone-a, …); default one pool `node`. */
  zones?: number;
  /** How pods start; default instant (the bench measures the control plane, not container start-up). */
  pods?: PodDelays;
  log: (line: string) => void;
}

/** What the node IPAM controller did for the fleet: checked once the nodes are Ready. */
export interface IpamOutcome {
  /** From the cluster's start until every node carried a pod CIDR. */
  allAssignedMs: number;
  /** Nodes without a CIDR, or CIDRs held by two nodes: a correctness failure of the run. */
  problems: string[];
}

/** Wakes waiters whenever a watched thing changes; predicates are re-checked then and every 100 ms. */
class Changes {
  #waiters = new Set<() => void>();
  notify(): void { for (const w of this.#waiters) w(); }
  waitFor(pred: () => boolean, timeoutMs: number, what: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!pred()) return;
        done();
        resolve(performance.now());
      };
      const timer = setTimeout(() => { done(); reject(new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`)); }, timeoutMs);
      const poll = setInterval(check, 100);
      const done = () => { clearTimeout(timer); clearInterval(poll); this.#waiters.delete(check); };
      this.#waiters.add(check);
      check();
    });
  }
}

export class BenchCluster {
  readonly client: RawClient;
  readonly pods: Informer<Pod & KObject>;
  readonly daemonSets: Informer<DaemonSet & KObject>;
  readonly changes = new Changes();
  /** DaemonSet uid → tracker of its pods. */
  readonly #trackers = new Map<string, FleetTracker>();
  readonly #stop = new AbortController();
  readonly #running: Promise<unknown>[] = [];
  #child: ChildProcess | undefined;
  #metricsUrl: string | undefined;
  ipam: IpamOutcome = { allAssignedMs: NaN, problems: ['not checked'] };

  /** The node names the fleet's config plans, in plan order (node-i, or zone-a-i, … with zones). */
  readonly nodeList: readonly string[];
  readonly nodeNames: ReadonlySet<string>;

  private constructor(readonly cluster: Cluster, readonly dir: string, readonly o: BenchClusterOptions, readonly config: ClusterConfig) {
    this.nodeList = plannedNodeNames(config);
    this.nodeNames = new Set(this.nodeList);
    const kc = cluster.kubeConfig();
    this.client = new RawClient(kc);
    this.pods = new Informer(this.client, `/api/v1/namespaces/${NS}/pods`);
    this.daemonSets = new Informer(this.client, `/apis/apps/v1/namespaces/${NS}/daemonsets`);
    const feed = (type: 'ADDED' | 'MODIFIED' | 'DELETED', p: Pod & KObject) => {
      const uid = controllerRefOf(p)?.uid;
      const t = uid ? this.#trackers.get(uid) : undefined;
      t?.apply(type, keyOf(p), p);
      this.changes.notify();
    };
    this.pods.addHandler({ onAdd: (p) => feed('ADDED', p), onUpdate: (_o, p) => feed('MODIFIED', p), onDelete: (p) => feed('DELETED', p) });
    this.daemonSets.addHandler({ onAdd: () => this.changes.notify(), onUpdate: () => this.changes.notify() });
  }

  /** Starts the cluster and waits (bounded) until all N nodes are registered and Ready. */
  static async start(o: BenchClusterOptions): Promise<BenchCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'everynode-bench-'));
    // Instant readiness unless asked: the bench measures the control plane, not simulated container start-up.
    const shape = { nodes: o.nodes, zones: o.zones, pods: o.pods };
    const config = parsedBenchConfig(shape);
    const configFile = join(dir, 'cluster.yaml');
    writeFileSync(configFile, JSON.stringify(benchClusterConfig(shape)));
    const dataDir = o.onDisk ? join(dir, 'data') : null;
    if (dataDir) mkdirSync(dataDir);
    // The controller runs as `everynode up` runs it (a worker thread of its own), or as its own
    // process when its footprint is measured apart.
    const cluster = await startCluster({ dataDir, port: 0, configFile, controller: !o.externalController, controllerNamespace: NS, scheduler: true, log: o.log });
    const b = new BenchCluster(cluster, dir, o, config);
    const signal = b.#stop.signal;
    b.#running.push(cluster.run(signal));
    if (o.externalController) b.#startChildController();
    b.#running.push(b.pods.start(signal), b.daemonSets.start(signal));
    try {
      const t0 = performance.now();
      await b.#waitNodesReady(o.nodes, t0);
      o.log(`bench: ${o.nodes} nodes Ready after ${((performance.now() - t0) / 1000).toFixed(1)} s; all with a pod CIDR after ${(b.ipam.allAssignedMs / 1000).toFixed(1)} s${b.ipam.problems.length ? ` — ${b.ipam.problems.join('; ')}` : ''}`);
      await b.client.request('POST', '/api/v1/namespaces', { metadata: { name: NS } });
      await Promise.all([b.pods.waitForSync(), b.daemonSets.waitForSync()]);
      const settledMs = await settle();
      o.log(`bench: cluster settled after ${(settledMs / 1000).toFixed(1)} s more`);
    } catch (err) {
      await b.stop();
      throw err;
    }
    return b;
  }

  /** The controller as `everynode controller` in its own process, against this cluster. */
  #startChildController(): void {
    const kubeconfig = join(this.dir, 'kubeconfig');
    writeFileSync(kubeconfig, this.cluster.kubeconfig);
    // Run whichever form of the CLI we are: compiled dist/main.js, or src/main.ts under tsx.
    const fromTs = import.meta.url.endsWith('.ts');
    const main = fileURLToPath(new URL(fromTs ? '../main.ts' : '../main.js', import.meta.url));
    // Its own /metrics, on a free loopback port, counts its API requests (rest_client_requests_total).
    const args = [...(fromTs ? ['--import', 'tsx'] : []), main, 'controller', '--kubeconfig', kubeconfig, '--namespace', NS, '--metrics-bind-address', '127.0.0.1:0'];
    this.#child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.#child.stderr?.on('data', (d: Buffer) => {
      for (const l of d.toString().split('\n')) {
        const metrics = /serving metrics on (http:\/\/\S+\/metrics)/.exec(l);
        if (metrics) this.#metricsUrl = metrics[1];
        else if (l.trim() && !l.includes('running against')) this.o.log(`controller: ${l}`);
      }
    });
    this.#running.push(new Promise((r) => this.#child!.once('exit', r)));
  }

  get controllerPid(): number | undefined { return this.#child?.pid; }

  /** The controller process's /metrics URL, once it announced it (for the scrape cost row). */
  get controllerMetricsUrl(): string {
    if (!this.#metricsUrl) throw new Error('the controller process has not announced its metrics endpoint');
    return this.#metricsUrl;
  }

  /** The controller process's /metrics exposition as it stands. */
  async controllerMetrics(): Promise<string> {
    if (!this.#metricsUrl) throw new Error('the controller process has not announced its metrics endpoint');
    const res = await fetch(this.#metricsUrl, { signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${this.#metricsUrl}: HTTP ${res.status}`);
    return text;
  }

  /** The controller process's API requests so far (all of its clients) per method, from its /metrics. */
  async controllerRequests(): Promise<Map<string, number>> {
    const byMethod = restRequestsByMethod(await this.controllerMetrics());
    if (!byMethod.size) throw new Error(`no rest_client_requests_total at ${this.#metricsUrl}`);
    return byMethod;
  }

  /** Waits for N Ready nodes, then (bounded) for each to carry a pod CIDR, and checks those are distinct. */
  async #waitNodesReady(n: number, t0: number): Promise<void> {
    const nodes = new Informer<Node & KObject>(this.client, '/api/v1/nodes');
    const ready = new Set<string>();
    const cidrs = new Map<string, string>();
    const changes = new Changes();
    const seen = (node: Node) => {
      const name = node.metadata!.name!;
      const ok = node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      if (ok) ready.add(name); else ready.delete(name);
      const cidr = node.spec?.podCIDRs?.[0];
      if (cidr) cidrs.set(name, cidr);
      changes.notify();
    };
    nodes.addHandler({ onAdd: seen, onUpdate: (_o, x) => seen(x), onDelete: (x) => { ready.delete(x.metadata!.name!); cidrs.delete(x.metadata!.name!); changes.notify(); } });
    const stop = new AbortController();
    const run = nodes.start(stop.signal);
    try {
      await changes.waitFor(() => ready.size >= n, 60_000 + n * 20, `${n} Ready nodes`);
      const problems: string[] = [];
      const tAll = await changes.waitFor(() => cidrs.size >= n, 30_000 + n, `${n} nodes with a pod CIDR`).catch((e: Error) => { problems.push(e.message); return NaN; });
      problems.push(...ipamProblems(cidrs, n));
      this.ipam = { allAssignedMs: tAll - t0, problems };
    } finally {
      stop.abort();
      await run;
    }
  }

  /** Tracks the pods of the DaemonSet with this uid from now on (existing ones included). */
  track(uid: string, nodes: number): FleetTracker {
    const t = new FleetTracker(nodes);
    this.#trackers.set(uid, t);
    for (const p of this.pods.list()) if (controllerRefOf(p)?.uid === uid) t.apply('ADDED', keyOf(p), p);
    return t;
  }

  ds(name: string): DaemonSet | undefined { return this.daemonSets.get(`${NS}/${name}`); }
  podsOf(uid: string): Pod[] { return this.pods.list().filter((p) => controllerRefOf(p)?.uid === uid); }

  waitFor(pred: () => boolean, timeoutMs: number, what: string): Promise<number> {
    return this.changes.waitFor(pred, timeoutMs, what);
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    this.#child?.kill('SIGTERM');
    await Promise.allSettled(this.#running);
    this.client.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Waits (at most 30 s) until the process is quiet: below a quarter of a core over half a second.
 * A fleet reported Ready still has seconds of work in flight (every component digesting the
 * thousands of node events, the first lease renewals); a DaemonSet applied then would be timed
 * against that start-up, and users apply DaemonSets to clusters that are already running.
 */
export async function settle(): Promise<number> {
  const t0 = performance.now();
  let before = process.cpuUsage();
  while (performance.now() - t0 < 30_000) {
    await new Promise((r) => setTimeout(r, 500));
    const used = process.cpuUsage(before);
    before = process.cpuUsage();
    if ((used.user + used.system) / 1000 / 500 < 0.25) break;
  }
  return performance.now() - t0;
}

/**
 * Waits until this process (server, simulator) and the controller's together use under
 * `quietCores`, and the controller alone under `controllerQuietCores`, in 5 one-second samples
 * in a row (one quiet second is often a lull in the tail), or `maxMs` passed; returns the wait.
 * What follows the last pod becoming ready (the kubelets' Event backlog draining, the
 * controller's last syncs and status writes, its one collection once quiet) is still
 * convergence: an idle window begun at once measured that tail (at 50,000 nodes, "idle" 1.5
 * cores). A steady cost is not hidden: after `maxMs` the window is measured anyway. (settle()
 * above is the one-process, one-sample form the scenarios use before they start.)
 */
export async function settleWith(controllerPid: number, quietCores = 0.3, controllerQuietCores = 0.02, maxMs = 60_000): Promise<number> {
  const t0 = performance.now();
  let quietInARow = 0;
  let before = process.cpuUsage();
  let child = cpuSeconds(controllerPid) ?? 0;
  while (performance.now() - t0 < maxMs) {
    const s0 = performance.now();
    await new Promise((r) => setTimeout(r, 1000));
    const used = process.cpuUsage(before);
    const childNow = cpuSeconds(controllerPid) ?? child;
    const wallS = (performance.now() - s0) / 1000;
    const childCores = (childNow - child) / wallS;
    const cores = (used.user + used.system) / 1e6 / wallS + childCores;
    before = process.cpuUsage();
    child = childNow;
    quietInARow = cores < quietCores && childCores < controllerQuietCores ? quietInARow + 1 : 0;
    if (quietInARow >= 5) break;
  }
  return performance.now() - t0;
}

/** A DaemonSet whose pods go away at once when deleted (grace 0), for instant-readiness runs. */
export function benchDaemonSet(name: string, image: string, extra: { nodeSelector?: Record<string, string>; strategy?: DaemonSetUpdateStrategy } = {}): DaemonSet {
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet',
    metadata: { name, namespace: NS },
    spec: {
      selector: { matchLabels: { app: name } },
      ...(extra.strategy ? { updateStrategy: extra.strategy } : {}),
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: 0,
          ...(extra.nodeSelector ? { nodeSelector: extra.nodeSelector } : {}),
          containers: [{ name: 'agent', image, resources: { requests: { cpu: '10m', memory: '16Mi' } } }],
        },
      },
    },
  };
}

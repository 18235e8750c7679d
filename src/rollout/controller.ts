// The DaemonSetRollout controller's shell (issue #12): informers for the rollouts, their target
// DaemonSets, ControllerRevisions, pods and nodes feed a queue keyed by rollout; each reconcile
// reads the caches into a RolloutInput, asks planRollout what to do, carries the actions out
// through the API, records the events and writes the status through the status subresource.
// Built on the shared ControllerLoop, like the DaemonSet controller; works against any cluster
// where the DaemonSet controller is another process (it only deletes and patches pods).
import { isDeepStrictEqual } from 'node:util';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ControllerRevision, DaemonSet, KObject, Node, Pod } from '../api/types.js';
import { controllerRefOf, keyOf, splitKey } from '../api/meta.js';
import { RawClient, isConflict, isNotFound, type RawClientOptions } from '../kube/client.js';
import { Informer } from '../kube/informer.js';
import { runAlone, type Runnable } from '../kube/manager.js';
import { ControllerLoop, TerminalError, type ReconcileOutcome } from '../kube/controllerloop.js';
import { realClock, type Clock } from '../kube/clock.js';
import { EventSink, type EventRegarding } from '../kube/eventsink.js';
import { EventRecorder } from '../controller/events.js';
import { API_VERSION, GROUP, KIND, VERSION, type DaemonSetRollout, type DaemonSetRolloutStatus } from './api/types.js';
import { validateRollout } from './api/validate.js';
import { withDefaults } from './api/defaults.js';
import { planRollout } from './core/plan.js';
import { PlanMemo } from './core/memo.js';
import { selectTargets } from './core/targets.js';
import { condition } from './core/conditions.js';
import { nextWakeMs } from './core/wake.js';
import type { RolloutPlan } from './core/types.js';
import { applyAction, releaseNode, restoreStrategy } from './controller-actions.js';
import { PendingWrites } from './controller-expectations.js';
import { nodeChangeMatters, rolloutKeysForPod } from './controller-triggers.js';

/** Put on every rollout so that deleting it restores strategies and releases nodes first. */
export const ROLLOUT_FINALIZER = 'everynode.dev/rollout-cleanup';
/** At most one status write per rollout per this long (about 5 a second). */
export const STATUS_WRITE_INTERVAL_MS = 200;
/** Pod status changes (ready, restarts) of one rollout within this long share one sync. */
export const POD_STATUS_SYNC_DELAY_MS = 100;

export type RolloutObject = DaemonSetRollout & KObject;

/** What the controller reports (everynode_rollout_* gauges, see kube/metrics.ts). */
export interface RolloutMetrics {
  observe(namespace: string, name: string, status: DaemonSetRolloutStatus | undefined): void;
  forget(namespace: string, name: string): void;
}

export interface RolloutControllerOptions {
  /** Only this namespace's rollouts (and their DaemonSets and pods); all namespaces when empty. */
  namespace?: string;
  workers?: number;
  log?: (line: string) => void;
  /** The process's API client (the informers read through it); without one it builds its own. */
  apiClient?: RawClient;
  /** Limits of its writes: a signal that cancels them (leadership lost), their deadline. */
  client?: RawClientOptions;
  metrics?: RolloutMetrics;
  clock?: Clock;
}

export interface RolloutCaches {
  rollouts: Informer<RolloutObject>;
  daemonSets: Informer<DaemonSet & KObject>;
  revisions: Informer<ControllerRevision & KObject>;
  pods: Informer<Pod & KObject>;
  nodes: Informer<Node & KObject>;
}

export const rolloutsPath = (ns?: string) => `/apis/${GROUP}/${VERSION}${ns ? `/namespaces/${encodeURIComponent(ns)}` : ''}/daemonsetrollouts`;

export class RolloutController implements Runnable {
  readonly name = 'daemonsetrollout-controller';
  readonly client: RawClient;
  readonly caches: RolloutCaches;
  readonly loop: ControllerLoop;
  readonly pending: PendingWrites;
  readonly #ownClient: RawClient | undefined;
  readonly #events: EventRecorder;
  readonly #sink: EventSink;
  readonly #clock: Clock;
  readonly #lastStatusWrite = new Map<string, number>();
  /** Per rollout, what its last sync's plan can reuse (the core's PlanMemo). */
  readonly #memos = new Map<string, PlanMemo>();

  constructor(kc: KubeConfig, readonly opts: RolloutControllerOptions = {}) {
    this.#clock = opts.clock ?? realClock;
    this.#ownClient = opts.apiClient ? undefined : new RawClient(kc, { timeoutMs: opts.client?.timeoutMs, maxSockets: opts.client?.maxSockets });
    const reads = opts.apiClient ?? this.#ownClient!;
    this.client = opts.client?.signal ? reads.withSignal(opts.client.signal) : reads;
    const ns = opts.namespace ? `/namespaces/${encodeURIComponent(opts.namespace)}` : '';
    // The rollouts' collection has no built-in schema: the informer checks their metadata only
    // (sanitize.ts); the spec is validateRollout's to judge, with an event on the object.
    this.caches = {
      rollouts: new Informer(reads, rolloutsPath(opts.namespace)),
      daemonSets: new Informer(reads, `/apis/apps/v1${ns}/daemonsets`),
      revisions: new Informer(reads, `/apis/apps/v1${ns}/controllerrevisions`),
      pods: new Informer(reads, `/api/v1${ns}/pods`),
      nodes: new Informer(reads, '/api/v1/nodes'),
    };
    const byNs = (o: KObject) => [o.metadata?.namespace ?? ''];
    this.caches.rollouts.addIndex('namespace', byNs);
    this.caches.daemonSets.addIndex('namespace', byNs);
    this.caches.revisions.addIndex('namespace', byNs);
    this.caches.pods.addIndex('namespace', byNs);
    this.caches.pods.addIndex('node', (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []));
    this.pending = new PendingWrites(() => this.#clock.now());
    this.#sink = new EventSink(kc);
    this.#events = new EventRecorder(this.#sink, 'daemonsetrollout-controller', () => this.#clock.now());
    this.loop = new ControllerLoop({
      name: 'daemonsetrollout', workers: opts.workers ?? 2, clock: this.#clock, log: opts.log,
      backoff: { baseDelayMs: 5, maxDelayMs: 60_000 },
      reconciler: { reconcile: (key, signal) => this.reconcile(key, signal) },
      report: (f) => {
        const r = this.caches.rollouts.get(f.key);
        if (r) this.#event(r, { type: 'Warning', reason: f.terminal ? 'InvalidSpec' : 'FailedSync', message: f.message });
      },
    });
    for (const inf of Object.values(this.caches) as Informer[]) {
      inf.onProblem((p) => {
        opts.log?.(`${this.name}: ${p.regarding.kind} ${p.regarding.namespace ? `${p.regarding.namespace}/` : ''}${p.regarding.name}: ${p.message}`);
        this.#events.recordAbout(p.regarding, { type: 'Warning', reason: p.reason, message: p.message });
      });
    }
    this.#wire();
  }

  get queue() { return this.loop.queue; }

  #wire(): void {
    const { rollouts, daemonSets, revisions, pods, nodes } = this.caches;
    const add = (keys: Iterable<string>, afterMs = 0) => { for (const k of keys) if (afterMs) this.queue.addAfter(k, afterMs); else this.queue.add(k); };
    const inNamespace = (ns: string | undefined) => rollouts.byIndex('namespace', ns ?? '').map(keyOf);
    rollouts.addHandler({
      onAdd: (r) => add([keyOf(r)]),
      // Our own status writes come back here too: a sync of them finds nothing to do.
      onUpdate: (_o, r) => add([keyOf(r)]),
      onDelete: (r) => { this.pending.forget(keyOf(r)); this.#lastStatusWrite.delete(keyOf(r)); this.#memos.delete(keyOf(r)); this.opts.metrics?.forget(r.metadata?.namespace ?? '', r.metadata?.name ?? ''); },
    });
    // A DaemonSet or revision concerns the rollouts of its namespace (few; selectTargets decides).
    const byObject = { onAdd: (o: KObject) => add(inNamespace(o.metadata?.namespace)), onUpdate: (_o: KObject, o: KObject) => add(inNamespace(o.metadata?.namespace)), onDelete: (o: KObject) => add(inNamespace(o.metadata?.namespace)) };
    daemonSets.addHandler(byObject);
    revisions.addHandler(byObject);
    pods.addHandler({
      onAdd: (p) => add(rolloutKeysForPod(undefined, p, inNamespace)),
      onUpdate: (old, p) => {
        const keys = rolloutKeysForPod(old, p, inNamespace);
        // Status-only changes of one rollout's pods share one sync.
        add(keys, old.metadata?.deletionTimestamp === p.metadata?.deletionTimestamp && old.metadata?.labels?.['controller-revision-hash'] === p.metadata?.labels?.['controller-revision-hash'] ? POD_STATUS_SYNC_DELAY_MS : 0);
      },
      onDelete: (p) => add(rolloutKeysForPod(p, undefined, inNamespace)),
    });
    // A node's change concerns the rollouts whose daemon pods run there (pods by node, then by
    // namespace); a new node has none yet, and its pods' creation requeues them.
    const forNode = (n: Node) => {
      const namespaces = new Set(pods.byIndex('node', n.metadata?.name ?? '').filter((p) => controllerRefOf(p)?.kind === 'DaemonSet').map((p) => p.metadata?.namespace ?? ''));
      for (const ns of namespaces) add(inNamespace(ns));
    };
    nodes.addHandler({ onUpdate: (old, n) => { if (nodeChangeMatters(old, n)) forNode(n); }, onDelete: forNode });
  }

  async reconcile(key: string, signal: AbortSignal): Promise<ReconcileOutcome | void> {
    const r = this.caches.rollouts.get(key);
    if (!r) return;
    if (r.metadata?.deletionTimestamp) return this.#finalize(r, signal);
    if (!r.metadata?.finalizers?.includes(ROLLOUT_FINALIZER)) {
      // The cache sees the new version soon, and that event syncs again.
      await this.#setFinalizers(r, [...(r.metadata?.finalizers ?? []), ROLLOUT_FINALIZER], signal);
      return;
    }
    const errs = validateRollout(r);
    if (errs.length) {
      const message = errs.slice(0, 5).map((e) => `${e.field}: ${e.detail ?? e.type}`).join('; ');
      const status: DaemonSetRolloutStatus = {
        ...r.status, observedGeneration: r.metadata?.generation,
        conditions: [condition(r.status?.conditions, 'Progressing', 'False', 'InvalidSpec', message, this.#clock.now()), ...(r.status?.conditions ?? []).filter((c) => c?.type !== 'Progressing')],
      };
      await this.#writeStatus(r, status, signal);
      throw new TerminalError(`invalid spec: ${message}`);
    }
    // Our last writes not yet seen by the caches: planning now would count the same budget twice.
    const wait = this.pending.unobserved(key, (podKey) => this.caches.pods.get(podKey));
    if (wait) return { requeueAfterMs: 1_000 };
    // At most one status write per STATUS_WRITE_INTERVAL_MS: a sync that could not write its
    // status would repeat its transitions' events on the next one, so wait before planning.
    const since = this.#clock.now() - (this.#lastStatusWrite.get(key) ?? -Infinity);
    if (since < STATUS_WRITE_INTERVAL_MS) return { requeueAfterMs: STATUS_WRITE_INTERVAL_MS - since };
    const ns = r.metadata?.namespace ?? 'default';
    const inNs = <T extends KObject>(inf: Informer<T>) => inf.byIndex('namespace', ns);
    const now = this.#clock.now();
    let plan: RolloutPlan;
    try {
      plan = planRollout({ rollout: r, daemonSets: inNs(this.caches.daemonSets), revisions: inNs(this.caches.revisions), pods: inNs(this.caches.pods), nodes: this.caches.nodes.list() }, now, this.#memoFor(key));
    } catch (err) {
      // A stored object the core cannot read: retrying with the same objects cannot help.
      throw new TerminalError(`planning failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    for (const a of plan.actions) {
      const result = await applyAction(this.client, ns, a, signal);
      if (result === 'done' && a.type === 'DeletePod') this.pending.expectDeletion(key, `${a.namespace}/${a.name}`, a.uid);
      if (result === 'done' && a.type === 'PatchPodImages') this.pending.expectHash(key, `${a.namespace}/${a.name}`, a.uid, a.revisionHash);
    }
    // The events tell of the transitions the status records: said once the status holds them
    // (a conflict means a newer rollout, whose sync plans again and says them then).
    if (!(await this.#writeStatus(r, plan.status, signal))) return;
    for (const e of plan.events) this.#event(r, e);
    this.opts.metrics?.observe(ns, r.metadata?.name ?? '', plan.status);
    const wake = nextWakeMs(plan.status, r.spec, now);
    return wake === undefined ? undefined : { requeueAfterMs: Math.max(1, wake - now) };
  }

  /** PUT through the status subresource when it changed; false when a newer version of the rollout exists. */
  #memoFor(key: string): PlanMemo {
    let m = this.#memos.get(key);
    if (!m) this.#memos.set(key, (m = new PlanMemo()));
    return m;
  }

  async #writeStatus(r: RolloutObject, status: DaemonSetRolloutStatus, signal: AbortSignal): Promise<boolean> {
    const clean = JSON.parse(JSON.stringify(status)) as DaemonSetRolloutStatus;
    if (isDeepStrictEqual(clean, r.status ?? {})) return true;
    const key = keyOf(r);
    const { namespace, name } = splitKey(key);
    try {
      await this.client.request('PUT', `${rolloutsPath(namespace)}/${encodeURIComponent(name)}/status`, { ...r, apiVersion: API_VERSION, kind: KIND, status: clean }, undefined, { signal });
    } catch (err) {
      // A newer version is on its way to the cache; its event syncs again.
      if (isConflict(err) || isNotFound(err)) return false;
      throw err;
    }
    this.#lastStatusWrite.set(key, this.#clock.now());
    return true;
  }

  /** The rollout is being deleted: give back what it changed, then let it go. */
  async #finalize(r: RolloutObject, signal: AbortSignal): Promise<void> {
    if (!r.metadata?.finalizers?.includes(ROLLOUT_FINALIZER)) return;
    const ns = r.metadata?.namespace ?? 'default';
    const owner = `${ns}/${r.metadata?.name ?? ''}`;
    if (r.spec?.manageStrategy === true && !validateRollout(r).length) {
      for (const ds of selectTargets(withDefaults(r.spec), this.caches.daemonSets.byIndex('namespace', ns))) {
        if (await restoreStrategy(this.client, ds as DaemonSet & KObject, signal)) this.#event(r, { type: 'Normal', reason: 'StrategyRestored', message: `restored the update strategy of DaemonSet ${ds.metadata?.name}` });
      }
    }
    for (const n of this.caches.nodes.list()) await releaseNode(this.client, n, owner, signal);
    await this.#setFinalizers(r, (r.metadata?.finalizers ?? []).filter((f) => f !== ROLLOUT_FINALIZER), signal);
    this.pending.forget(keyOf(r));
  }

  async #setFinalizers(r: RolloutObject, finalizers: string[], signal: AbortSignal): Promise<void> {
    const { namespace, name } = splitKey(keyOf(r));
    try {
      // resourceVersion makes it a compare-and-swap: another writer's finalizer is never lost.
      await this.client.request('PATCH', `${rolloutsPath(namespace)}/${encodeURIComponent(name)}`,
        { metadata: { resourceVersion: r.metadata?.resourceVersion, finalizers } }, 'application/merge-patch+json', { signal });
    } catch (err) {
      if (isConflict(err) || isNotFound(err)) return;
      throw err;
    }
  }

  #event(r: RolloutObject, e: { type: 'Normal' | 'Warning'; reason: string; message: string }): void {
    const m = r.metadata ?? {};
    const regarding: EventRegarding = { apiVersion: API_VERSION, kind: KIND, namespace: m.namespace ?? 'default', name: m.name ?? '', uid: m.uid ?? '', resourceVersion: m.resourceVersion };
    this.#events.recordAbout(regarding, e);
  }

  /** Its five caches and its loop (leader-only in `everynode controller`). Call close() once stopped. */
  runnables(): { caches: Informer[]; loop: ControllerLoop } {
    return { caches: Object.values(this.caches) as Informer[], loop: this.loop };
  }

  close(): void {
    this.#ownClient?.close();
    this.#sink.close();
  }

  /** The controller alone (`everynode up`, tests): caches, then once synced the loop. */
  async start(signal: AbortSignal): Promise<void> {
    try {
      await runAlone(this.runnables(), signal, this.opts.log);
    } finally {
      this.close();
    }
  }
}

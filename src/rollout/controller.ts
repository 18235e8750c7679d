// The DaemonSetRollout controller's shell (issue #12): informers for the rollouts, their target
// DaemonSets, ControllerRevisions, pods and nodes feed a queue keyed by rollout; each reconcile
// reads the caches into a RolloutInput, asks planRollout what to do, carries the actions out
// through the API (and, with spec.makeRoom, evicts what keeps a new daemon pod from fitting),
// records the events and writes the status through the status subresource. The pod and node
// caches (and the PodDisruptionBudgets', for make-room) run only while a rollout exists.
// Built on the shared ControllerLoop, like the DaemonSet controller; works against any cluster
// where the DaemonSet controller is another process (it only deletes and patches pods).
import { isDeepStrictEqual } from 'node:util';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ControllerRevision, DaemonSet, KObject, Node, Pod, PodDisruptionBudget } from '../api/types.js';
import { controllerRefOf, keyOf, splitKey } from '../api/meta.js';
import { RawClient, isConflict, isNotFound, type RawClientOptions } from '../kube/client.js';
import { Informer, type EventHandler } from '../kube/informer.js';
import { runAlone, type CacheRunnable, type Runnable } from '../kube/manager.js';
import { ControllerLoop, TerminalError, type ReconcileOutcome } from '../kube/controllerloop.js';
import { realClock, type Clock } from '../kube/clock.js';
import { Limiter } from '../kube/limiter.js';
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
import type { RolloutAction, RolloutPlan } from './core/types.js';
import { applyAction, releaseNode, restoreStrategy } from './controller-actions.js';
import { PendingWrites } from './controller-expectations.js';
import { nodeChangeMatters, rolloutKeysForPod } from './controller-triggers.js';
import { OnDemandInformer } from './controller-ondemand.js';
import { slimPod } from './controller-slim.js';
import { makeRoom } from './controller-makeroom.js';
import { withRoomBlockers } from './makeroom-status.js';
import { EVICTION_BLOCKED } from './makeroom-round.js';

/** Put on every rollout so that deleting it restores strategies and releases nodes first. */
export const ROLLOUT_FINALIZER = 'everynode.dev/rollout-cleanup';
/** At most one status write per rollout per this long (about 5 a second), counted from when each is sent. */
export const STATUS_WRITE_INTERVAL_MS = 200;
/** Pod status changes (ready, restarts) of one rollout within this long share one sync. */
export const POD_STATUS_SYNC_DELAY_MS = 100;
/**
 * Pod deletions and image patches of one sync in flight at once: the API client's sockets, as the
 * DaemonSet controller deletes its pods in parallel (upstream's syncNodes issues them from goroutines).
 */
export const POD_ACTION_CONCURRENCY = 32;
/** A sync that finds the on-demand caches still listing waits this long (their first list also requeues it). */
const CACHE_WAIT_MS = 1_000;

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
  /** While a rollout exists. */
  pods: OnDemandInformer<Pod & KObject>;
  /** While a rollout exists. */
  nodes: OnDemandInformer<Node & KObject>;
  /** While a rollout with spec.makeRoom exists. */
  pdbs: OnDemandInformer<PodDisruptionBudget & KObject>;
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
  /** Per rollout, its last status write: when it was sent, and the resourceVersion it was written over. */
  readonly #lastStatusWrite = new Map<string, { sentAt: number; over: string | undefined }>();
  /** Per rollout, what its last sync's plan can reuse (the core's PlanMemo). */
  readonly #memos = new Map<string, PlanMemo>();

  constructor(kc: KubeConfig, readonly opts: RolloutControllerOptions = {}) {
    this.#clock = opts.clock ?? realClock;
    this.#ownClient = opts.apiClient ? undefined : new RawClient(kc, { timeoutMs: opts.client?.timeoutMs, maxSockets: opts.client?.maxSockets });
    const reads = opts.apiClient ?? this.#ownClient!;
    this.client = opts.client?.signal ? reads.withSignal(opts.client.signal) : reads;
    const ns = opts.namespace ? `/namespaces/${encodeURIComponent(opts.namespace)}` : '';
    const byNs = (o: KObject) => [o.metadata?.namespace ?? ''];
    const rollouts = new Informer<RolloutObject>(reads, rolloutsPath(opts.namespace));
    // Started once the rollouts' first list says whether any exists; each run relists from scratch.
    const onDemand = <T extends KObject>(name: string, build: () => Informer<T>) => new OnDemandInformer<T>(name, () => {
      const inf = build();
      this.#reportProblems(inf as unknown as Informer);
      return inf;
    }, (signal) => rollouts.waitForSync(signal), () => { for (const r of rollouts.list()) this.queue.add(keyOf(r)); });
    // The rollouts' collection has no built-in schema: the informer checks their metadata only
    // (sanitize.ts); the spec is validateRollout's to judge, with an event on the object.
    this.caches = {
      rollouts,
      daemonSets: new Informer(reads, `/apis/apps/v1${ns}/daemonsets`),
      revisions: new Informer(reads, `/apis/apps/v1${ns}/controllerrevisions`),
      pods: onDemand(`informer /api/v1${ns}/pods (while a DaemonSetRollout exists)`, () => {
        const inf = new Informer<Pod & KObject>(reads, `/api/v1${ns}/pods`);
        inf.setTransform(slimPod);
        inf.addIndex('namespace', byNs);
        inf.addIndex('node', (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []));
        inf.addHandler(this.#podHandler());
        return inf;
      }),
      nodes: onDemand('informer /api/v1/nodes (while a DaemonSetRollout exists)', () => {
        const inf = new Informer<Node & KObject>(reads, '/api/v1/nodes');
        inf.addHandler(this.#nodeHandler());
        return inf;
      }),
      pdbs: onDemand(`informer /apis/policy/v1${ns}/poddisruptionbudgets (while a DaemonSetRollout with makeRoom exists)`, () => new Informer<PodDisruptionBudget & KObject>(reads, `/apis/policy/v1${ns}/poddisruptionbudgets`)),
    };
    this.caches.rollouts.addIndex('namespace', byNs);
    this.caches.daemonSets.addIndex('namespace', byNs);
    this.caches.revisions.addIndex('namespace', byNs);
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
    for (const inf of [this.caches.rollouts, this.caches.daemonSets, this.caches.revisions] as Informer[]) this.#reportProblems(inf);
    this.#wire();
  }

  get queue() { return this.loop.queue; }

  #reportProblems(inf: Informer): void {
    inf.onProblem((p) => {
      this.opts.log?.(`${this.name}: ${p.regarding.kind} ${p.regarding.namespace ? `${p.regarding.namespace}/` : ''}${p.regarding.name}: ${p.message}`);
      this.#events.recordAbout(p.regarding, { type: 'Warning', reason: p.reason, message: p.message });
    });
  }

  #add(keys: Iterable<string>, afterMs = 0): void { for (const k of keys) if (afterMs) this.queue.addAfter(k, afterMs); else this.queue.add(k); }
  #inNamespace = (ns: string | undefined) => this.caches.rollouts.byIndex('namespace', ns ?? '').map(keyOf);

  /** The on-demand caches follow the rollouts: pods and nodes while any exists, budgets while one makes room. */
  #follow(): void {
    const all = this.caches.rollouts.list();
    this.caches.pods.want(all.length > 0);
    this.caches.nodes.want(all.length > 0);
    this.caches.pdbs.want(all.some((r) => r.spec?.makeRoom === true));
  }

  #wire(): void {
    const { rollouts, daemonSets, revisions } = this.caches;
    rollouts.addHandler({
      onAdd: (r) => { this.#follow(); this.#add([keyOf(r)]); },
      // Our own status writes come back here too: a sync of them finds nothing to do.
      onUpdate: (_o, r) => { this.#follow(); this.#add([keyOf(r)]); },
      onDelete: (r) => { this.#follow(); this.pending.forget(keyOf(r)); this.#lastStatusWrite.delete(keyOf(r)); this.#memos.delete(keyOf(r)); this.opts.metrics?.forget(r.metadata?.namespace ?? '', r.metadata?.name ?? ''); },
    });
    // A DaemonSet or revision concerns the rollouts of its namespace (few; selectTargets decides).
    const byObject = { onAdd: (o: KObject) => this.#add(this.#inNamespace(o.metadata?.namespace)), onUpdate: (_o: KObject, o: KObject) => this.#add(this.#inNamespace(o.metadata?.namespace)), onDelete: (o: KObject) => this.#add(this.#inNamespace(o.metadata?.namespace)) };
    daemonSets.addHandler(byObject);
    revisions.addHandler(byObject);
  }

  #podHandler(): EventHandler<Pod & KObject> {
    const inNamespace = this.#inNamespace;
    return {
      onAdd: (p) => this.#add(rolloutKeysForPod(undefined, p, inNamespace)),
      onUpdate: (old, p) => {
        const keys = rolloutKeysForPod(old, p, inNamespace);
        // Status-only changes of one rollout's pods share one sync.
        this.#add(keys, old.metadata?.deletionTimestamp === p.metadata?.deletionTimestamp && old.metadata?.labels?.['controller-revision-hash'] === p.metadata?.labels?.['controller-revision-hash'] ? POD_STATUS_SYNC_DELAY_MS : 0);
      },
      onDelete: (p) => this.#add(rolloutKeysForPod(p, undefined, inNamespace)),
    };
  }

  /**
   * A node's change concerns the rollouts whose daemon pods run there (pods by node, then by
   * namespace); a new node has none yet, and its pods' creation requeues them.
   */
  #nodeHandler(): EventHandler<Node & KObject> {
    const forNode = (n: Node) => {
      const namespaces = new Set(this.caches.pods.byIndex('node', n.metadata?.name ?? '').filter((p) => controllerRefOf(p)?.kind === 'DaemonSet').map((p) => p.metadata?.namespace ?? ''));
      for (const ns of namespaces) this.#add(this.#inNamespace(ns));
    };
    return { onUpdate: (old, n) => { if (nodeChangeMatters(old, n)) forNode(n); }, onDelete: forNode };
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
    // The pod and node caches start with the first rollout: plan once their first lists are in
    // (which requeues every rollout), never on an empty cache.
    const makesRoom = r.spec?.makeRoom === true;
    if (!this.caches.pods.listed || !this.caches.nodes.listed || (makesRoom && !this.caches.pdbs.listed)) return { requeueAfterMs: CACHE_WAIT_MS };
    // Our last writes not yet seen by the caches: planning now would count the same budget twice.
    const wait = this.pending.unobserved(key, (podKey) => this.caches.pods.get(podKey));
    if (wait) return { requeueAfterMs: 1_000 };
    // The cache still holds the version our last status write replaced: a plan from it would
    // start from the status before that write (and its write would conflict). Its watch event,
    // due any moment, syncs again.
    const last = this.#lastStatusWrite.get(key);
    if (last?.over !== undefined && r.metadata?.resourceVersion === last.over) return { requeueAfterMs: 1_000 };
    // At most one status write per STATUS_WRITE_INTERVAL_MS, counted from when the last was sent
    // (from its answer, a sync that takes longer than the interval would add the interval to every
    // cycle): a sync that could not write its status would repeat its transitions' events on the
    // next one, so wait before planning.
    const since = this.#clock.now() - (last?.sentAt ?? -Infinity);
    if (since < STATUS_WRITE_INTERVAL_MS) return { requeueAfterMs: STATUS_WRITE_INTERVAL_MS - since };
    const ns = r.metadata?.namespace ?? 'default';
    const inNs = <T extends KObject>(inf: Informer<T>) => inf.byIndex('namespace', ns);
    const now = this.#clock.now();
    let plan: RolloutPlan;
    try {
      plan = planRollout({ rollout: r, daemonSets: inNs(this.caches.daemonSets), revisions: inNs(this.caches.revisions), pods: this.caches.pods.byIndex('namespace', ns), nodes: this.caches.nodes.list() }, now, this.#memoFor(key));
    } catch (err) {
      // A stored object the core cannot read: retrying with the same objects cannot help.
      throw new TerminalError(`planning failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    await this.#apply(key, ns, plan.actions, signal);
    const { status, events } = makesRoom ? await this.#makeRoom(r, plan, signal) : { status: plan.status, events: plan.events };
    // The events tell of the transitions the status records: said once the status holds them
    // (a conflict means a newer rollout, whose sync plans again and says them then).
    if (!(await this.#writeStatus(r, status, signal))) return;
    for (const e of events) this.#event(r, e);
    this.opts.metrics?.observe(ns, r.metadata?.name ?? '', status);
    const wake = nextWakeMs(status, r.spec, now);
    return wake === undefined ? undefined : { requeueAfterMs: Math.max(1, wake - now) };
  }

  /**
   * The plan's actions in their order, except that a run of pod actions (deletions, image patches)
   * goes out concurrently: each is for another node and carries its pod's UID precondition, and one
   * after another they cost a round trip each (a 10,000-node wave at 10 % starts with 1,000
   * deletions). Every write that was done is expected (PendingWrites), whatever else failed; the
   * first failure is thrown once the run has settled, and no later action is tried.
   */
  async #apply(key: string, ns: string, actions: readonly RolloutAction[], signal: AbortSignal): Promise<void> {
    const limit = new Limiter(POD_ACTION_CONCURRENCY);
    const one = async (a: RolloutAction) => {
      const result = await applyAction(this.client, ns, a, signal);
      if (result === 'done' && a.type === 'DeletePod') this.pending.expectDeletion(key, `${a.namespace}/${a.name}`, a.uid);
      if (result === 'done' && a.type === 'PatchPodImages') this.pending.expectHash(key, `${a.namespace}/${a.name}`, a.uid, a.revisionHash);
    };
    let run: Promise<void>[] = [];
    const settle = async () => {
      const failed = (await Promise.allSettled(run)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
      run = [];
      if (failed) throw failed.reason;
    };
    for (const a of actions) {
      if (a.type === 'DeletePod' || a.type === 'PatchPodImages') { run.push(limit.run(() => one(a))); continue; }
      await settle();
      await one(a);
    }
    await settle();
  }

  /**
   * spec.makeRoom: one eviction round for the nodes where a new daemon pod of a target lacks room,
   * unless the rollout is stopped (paused, or its gate tripped without a rollback): a stopped
   * rollout disrupts nothing. Returns the status with make-room's blockers and the events to add.
   */
  async #makeRoom(r: RolloutObject, plan: RolloutPlan, signal: AbortSignal): Promise<{ status: DaemonSetRolloutStatus; events: RolloutPlan['events'] }> {
    if (plan.status.phase === 'Paused' || plan.status.phase === 'Failed') return { status: plan.status, events: plan.events };
    const ns = r.metadata?.namespace ?? 'default';
    const key = keyOf(r);
    const targets = (plan.status.targets ?? []).flatMap((t) => {
      const uid = this.caches.daemonSets.get(`${ns}/${t.name}`)?.metadata?.uid;
      return uid ? [{ uid, toRevision: t.toRevision }] : [];
    });
    const done = await makeRoom({
      client: this.client, daemonPods: this.caches.pods.byIndex('namespace', ns), targets, signal,
      node: (n) => this.caches.nodes.get(n), podsOn: (n) => this.caches.pods.byIndex('node', n), pdbs: this.caches.pdbs.list(),
      evicted: (p) => this.pending.expectDeletion(key, keyOf(p), p.metadata?.uid),
    });
    const waves = new Map((plan.status.blockedNodes ?? []).map((b) => [b.node, b.wave]));
    const status = withRoomBlockers(plan.status, done.blockers, r.status, this.#clock.now(), (n) => waves.get(n));
    // Said once per node and spell of blocking, not on every sync that finds it still blocked.
    const before = new Set((r.status?.blockedNodes ?? []).filter((b) => b?.reason === EVICTION_BLOCKED).map((b) => b.node));
    const blocked = done.blockers.filter((b) => b.reason === EVICTION_BLOCKED && !before.has(b.node)).map((b) => ({ type: 'Warning' as const, reason: EVICTION_BLOCKED, message: `node ${b.node}: ${b.message}` }));
    return { status, events: [...plan.events, ...done.events, ...blocked] };
  }

  /** The core's memo of this rollout's per-node views, carried between syncs (dropped with the rollout). */
  #memoFor(key: string): PlanMemo {
    let m = this.#memos.get(key);
    if (!m) this.#memos.set(key, (m = new PlanMemo()));
    return m;
  }

  /** PUT through the status subresource when it changed; false when a newer version of the rollout exists. */
  async #writeStatus(r: RolloutObject, status: DaemonSetRolloutStatus, signal: AbortSignal): Promise<boolean> {
    const clean = JSON.parse(JSON.stringify(status)) as DaemonSetRolloutStatus;
    if (isDeepStrictEqual(clean, r.status ?? {})) return true;
    const key = keyOf(r);
    const { namespace, name } = splitKey(key);
    const sentAt = this.#clock.now();
    let written: RolloutObject | undefined;
    try {
      written = await this.client.request<RolloutObject>('PUT', `${rolloutsPath(namespace)}/${encodeURIComponent(name)}/status`, { ...r, apiVersion: API_VERSION, kind: KIND, status: clean }, undefined, { signal });
    } catch (err) {
      // A newer version is on its way to the cache; its event syncs again.
      if (isConflict(err) || isNotFound(err)) return false;
      throw err;
    }
    // A write the server found to change nothing (its answer keeps the version) brings no watch event to wait for.
    const before = r.metadata?.resourceVersion;
    const changed = written?.metadata?.resourceVersion !== undefined && written.metadata.resourceVersion !== before;
    this.#lastStatusWrite.set(key, { sentAt, over: changed ? before : undefined });
    return true;
  }

  /** The rollout is being deleted: give back what it changed, then let it go. */
  async #finalize(r: RolloutObject, signal: AbortSignal): Promise<ReconcileOutcome | void> {
    if (!r.metadata?.finalizers?.includes(ROLLOUT_FINALIZER)) return;
    // The quarantined nodes to release are in the node cache (running: the rollout still exists).
    if (!this.caches.nodes.listed) return { requeueAfterMs: CACHE_WAIT_MS };
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

  /** Its caches (three always, three on demand) and its loop (leader-only in `everynode controller`). Call close() once stopped. */
  runnables(): { caches: CacheRunnable[]; loop: ControllerLoop } {
    return { caches: Object.values(this.caches) as CacheRunnable[], loop: this.loop };
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

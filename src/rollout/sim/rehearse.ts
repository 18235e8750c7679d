// A rehearsal (`everynode rehearse`): the real rollout core (planRollout) against a fleet built
// from a cluster config's node pools, in virtual time. Event-driven: after each sync the clock
// jumps to the next moment anything can change — a pod starting, turning Ready or crashing (see
// kubelet-model.ts), an injected node failure, a bake, timeout, quarantine or progress deadline
// ending — but never by less than `syncQuantumMs`, the controller's reaction time, so a wave of
// thousands of pods costs a handful of syncs. Pure: no I/O, no real time, no Math.random; the
// same config and seed give the same rehearsal.
import type { ControllerRevision, DaemonSet, Node, Pod } from '../../api/types.js';
import { parseTime, rfc3339 } from '../../api/meta.js';
import { nodeShouldRunDaemonPod } from '../../controller/core/eligibility.js';
import { newRevision, templateHash } from '../../controller/core/history.js';
import { controllerRefTo, REVISION_HASH_LABEL } from '../../controller/core/pods.js';
import { plannedNodes, type ClusterConfig, type Pool } from '../../nodes/cluster-config.js';
import { rng, streamSeed } from '../../reliability/chaos/rng.js';
import { withDefaults } from '../api/defaults.js';
import { scaleIntOrPercent } from '../api/intorpercent.js';
import { APPROVE_ANNOTATION, type BlockedNode, type DaemonSetRollout, type IntOrPercent, type WaveStatus } from '../api/types.js';
import { planRollout } from '../core/plan.js';
import { PlanMemo } from '../core/memo.js';
import { selectTargets } from '../core/targets.js';
import type { RolloutAction } from '../core/types.js';
import { withPatchedImages, withQuarantine, withTemplate } from './objects.js';
import { nextChangeAt, podLife, podStatusAt, type PodLife } from './kubelet-model.js';

export const REHEARSAL_T0 = Date.parse('2026-01-01T00:00:00Z');

export interface RehearsalConfig {
  cluster: ClusterConfig;
  /** A validated DaemonSetRollout (its namespace is the DaemonSets'). */
  rollout: DaemonSetRollout;
  /** The DaemonSets as they run before the change. */
  daemonSets: DaemonSet[];
  /** The change that starts the rollout: every targeted DaemonSet's containers (or the named one) get this image at t=0. */
  image: { container?: string; image: string };
  seed: number;
  /** Nodes that turn NotReady (int or % of the fleet, rounded down), chosen by the seed. */
  failNodes?: IntOrPercent;
  /** When, after the start, the failing nodes turn NotReady. Default 0. */
  failAfterMs?: number;
  /** The shortest step between two syncs. Default 1 s. */
  syncQuantumMs?: number;
  /** Give up (outcome Stuck) after this much virtual time. Default 7 days. */
  maxVirtualMs?: number;
  /** Give up after this many syncs. Default 50,000. */
  maxSyncs?: number;
}

export interface WaveTimeline { name: string; nodes: number; startMs?: number; doneMs?: number; bakedMs?: number }

export interface GateTrip {
  atMs: number;
  wave?: string;
  reason: string;
  message: string;
  /** The nodes that made it trip (cause Revision) or stuck ones (quarantine, deadline), capped as the status is. */
  nodes: Pick<BlockedNode, 'node' | 'wave' | 'reason' | 'cause'>[];
}

export interface Rehearsal {
  seed: number;
  nodes: number;
  /** Complete; Failed (gate tripped, paused); RolledBack (tripped and rolled back); Stuck (no end in sight). */
  outcome: 'Complete' | 'Failed' | 'RolledBack' | 'Stuck';
  /** Virtual time from the change to the outcome. */
  durationMs: number;
  waves: WaveTimeline[];
  trip?: GateTrip;
  /** Injected node failures, each with how the core attributed it (when it was listed). */
  failedNodes: { node: string; atMs: number; reason?: string; cause?: string }[];
  /** Nodes blocked by their own state at the end (cause Node or Revision), capped as the status is. */
  blocked: BlockedNode[];
  stuckReason?: string;
  syncs: number;
}

interface SimPod { pod: Pod; life: PodLife; nextAt: number | undefined; node: string; ds: number }

const HOUR = 3_600_000;

export function rehearse(cfg: RehearsalConfig): Rehearsal {
  const w = new Fleet(cfg);
  return w.run();
}

class Fleet {
  readonly ns: string;
  nodes: Node[] = [];
  readonly poolOf = new Map<string, Pool>();
  dss: DaemonSet[];
  revisions: ControllerRevision[] = [];
  readonly pods = new Map<string, SimPod>();
  readonly eligible = new Map<string, Set<string>>();
  readonly failAt = new Map<string, number>();
  readonly failed = new Set<string>();
  rollout: DaemonSetRollout;
  now = REHEARSAL_T0;
  seq = 0;
  /**
   * Carried between syncs as the controller carries it: every change here replaces the pod or
   * node object (never mutates it), so a sync re-observes only the nodes whose objects changed.
   */
  readonly memo = new PlanMemo();

  constructor(readonly cfg: RehearsalConfig) {
    this.ns = cfg.rollout.metadata?.namespace ?? 'default';
    for (const p of plannedNodes(cfg.cluster)) {
      this.poolOf.set(p.name, p.pool);
      this.nodes.push({
        apiVersion: 'v1', kind: 'Node',
        metadata: { name: p.name, labels: { 'kubernetes.io/hostname': p.name, 'kubernetes.io/os': p.pool.os, 'kubernetes.io/arch': p.pool.arch, ...p.pool.labels }, annotations: {} },
        spec: p.pool.taints.length ? { taints: p.pool.taints.map((t) => ({ ...t })) } : {},
        status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: rfc3339(REHEARSAL_T0 - HOUR) }] },
      });
    }
    this.nodes.sort((a, b) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1));
    this.dss = cfg.daemonSets.map((d, i) => {
      const ds = structuredClone(d);
      ds.metadata = { ...ds.metadata, namespace: this.ns, uid: ds.metadata?.uid ?? `uid-${ds.metadata?.name ?? i}`, generation: ds.metadata?.generation ?? 1 };
      return ds;
    });
    this.rollout = { ...structuredClone(cfg.rollout), metadata: { name: 'rehearsal', generation: 1, ...cfg.rollout.metadata, namespace: this.ns } };
    delete this.rollout.status;
    this.chooseFailures();
  }

  private chooseFailures(): void {
    const n = scaleIntOrPercent(this.cfg.failNodes ?? 0, this.nodes.length, false) ?? 0;
    if (n <= 0) return;
    const r = rng(streamSeed(this.cfg.seed, 'fail-nodes'));
    const names = this.nodes.map((x) => x.metadata!.name!);
    // A partial Fisher–Yates shuffle: the first n of a seeded permutation.
    for (let i = 0; i < Math.min(n, names.length); i++) {
      const j = i + Math.floor(r.next() * (names.length - i));
      [names[i], names[j]] = [names[j], names[i]];
      this.failAt.set(names[i], REHEARSAL_T0 + (this.cfg.failAfterMs ?? 0));
    }
  }

  run(): Rehearsal {
    const cfg = this.cfg;
    const spec = withDefaults(this.rollout.spec);
    const quantum = Math.max(1, cfg.syncQuantumMs ?? 1000);
    const maxT = REHEARSAL_T0 + (cfg.maxVirtualMs ?? 7 * 24 * HOUR);
    const maxSyncs = cfg.maxSyncs ?? 50_000;
    // Before the change: every eligible node runs the old revision, Ready for an hour.
    this.ensureRevisions();
    this.syncDaemonSets(REHEARSAL_T0 - 2 * HOUR, true);
    this.rollout.status = this.plan().status;
    this.change();
    let syncs = 0, trip: GateTrip | undefined, waves: WaveStatus[] = [], idle = 0;
    let outcome: Rehearsal['outcome'] = 'Stuck', stuckReason: string | undefined;
    let lastStatus = this.rollout.status;
    let prevPhase: string | undefined;
    for (;;) {
      this.failNodes();
      this.syncDaemonSets(this.now, false);
      this.runKubelets();
      const p = this.plan();
      syncs++;
      this.apply(p.actions);
      this.syncDaemonSets(this.now, false);
      this.runKubelets();
      const s = p.status;
      this.rollout = { ...this.rollout, status: s };
      lastStatus = s;
      if (!s.rolledBackFrom) waves = s.waves ?? waves;
      if (s.failure && !trip) {
        trip = {
          atMs: parseTime(s.failure.at)! - REHEARSAL_T0, wave: s.currentWave, reason: s.failure.reason, message: s.failure.message,
          nodes: (s.blockedNodes ?? []).filter((b) => b.cause !== 'Budget').map(({ node, wave, reason, cause }) => ({ node, wave, reason, cause })),
        };
      }
      if (s.phase === 'Complete') { outcome = 'Complete'; break; }
      // With Rollback the trip's own sync is already Failed; the rollback is over once a Failed
      // sync follows RollingBack, or follows Failed with nothing left to do.
      if (s.phase === 'Failed' && (!s.rolledBackFrom || prevPhase === 'RollingBack' || (prevPhase === 'Failed' && p.actions.length === 0))) { outcome = s.rolledBackFrom ? 'RolledBack' : 'Failed'; break; }
      prevPhase = s.phase;
      if (s.phase === 'Paused') { stuckReason = 'spec.paused is true'; break; }
      if (s.phase === 'Idle' && !p.actions.some((a) => a.type === 'SetOnDelete')) { stuckReason = s.conditions?.find((c) => c.type === 'Progressing')?.message ?? 'nothing to roll'; break; }
      if (s.phase === 'WaitingApproval' && s.currentWave) {
        // A rehearsal approves each manual wave as soon as it waits (the wait is a person's).
        const a = this.rollout.metadata?.annotations?.[APPROVE_ANNOTATION];
        this.rollout.metadata = { ...this.rollout.metadata, annotations: { ...this.rollout.metadata?.annotations, [APPROVE_ANNOTATION]: `${a ? `${a},` : ''}${s.currentWave}@${s.toRevision}` } };
        continue;
      }
      // Switched to OnDelete: the next sync starts the rollout at once.
      if (p.actions.some((a) => a.type === 'SetOnDelete')) continue;
      if (syncs >= maxSyncs) { stuckReason = `no end after ${syncs} syncs`; break; }
      const next = this.nextEvent(spec.health.podReadyTimeoutSeconds * 1000, spec.health.minReadySeconds * 1000);
      idle = next === undefined ? idle + 1 : 0;
      if (idle > 10) {
        // A rollback that cannot finish (nodes that stay broken) has still rolled back.
        if (s.phase === 'RollingBack') outcome = 'RolledBack';
        stuckReason = `nothing changes any more (${s.phase}; ${s.blockedNodesTotal ?? 0} node(s) blocked)`;
        break;
      }
      this.now = Math.max(this.now + quantum, next ?? this.now + 60_000);
      if (this.now > maxT) { stuckReason = `no end within ${Math.round((maxT - REHEARSAL_T0) / HOUR)}h of virtual time`; break; }
    }
    const blocked = (lastStatus?.blockedNodes ?? []).filter((b) => b.cause !== 'Budget');
    const seen = new Map([...(lastStatus?.blockedNodes ?? []), ...(trip?.nodes ?? [])].map((b) => [b.node, b]));
    return {
      seed: cfg.seed, nodes: this.nodes.length, outcome, durationMs: this.now - REHEARSAL_T0,
      waves: waves.map((x) => ({ name: x.name, nodes: x.nodes, startMs: rel(x.startedAt), doneMs: rel(x.completedAt), bakedMs: rel(x.bakedAt) })),
      ...(trip ? { trip } : {}),
      failedNodes: [...this.failAt].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([node, at]) => ({ node, atMs: at - REHEARSAL_T0, reason: seen.get(node)?.reason, cause: seen.get(node)?.cause })),
      blocked, ...(stuckReason ? { stuckReason } : {}), syncs,
    };
  }

  private plan() {
    const pods: Pod[] = [];
    for (const p of this.pods.values()) pods.push(p.pod);
    return planRollout({ rollout: this.rollout, daemonSets: this.dss, revisions: this.revisions, pods, nodes: this.nodes }, this.now, this.memo);
  }

  /** The change under rehearsal: the new image in every targeted DaemonSet's template. */
  private change(): void {
    const targets = new Set(selectTargets(withDefaults(this.rollout.spec), this.dss).map((d) => d.metadata!.name!));
    this.dss = this.dss.map((d) => {
      if (!targets.has(d.metadata!.name!)) return d;
      const ds = structuredClone(d);
      for (const c of ds.spec!.template.spec!.containers) if (!this.cfg.image.container || c.name === this.cfg.image.container) c.image = this.cfg.image.image;
      return { ...ds, metadata: { ...ds.metadata, generation: (ds.metadata!.generation ?? 1) + 1 } };
    });
    this.ensureRevisions();
  }

  private ensureRevisions(): void {
    for (const ds of this.dss) {
      const hash = templateHash(ds);
      const mine = this.revisions.filter((r) => r.metadata?.ownerReferences?.[0]?.uid === ds.metadata?.uid);
      if (mine.some((r) => r.metadata?.labels?.[REVISION_HASH_LABEL] === hash)) continue;
      const rev = newRevision(ds, hash, mine.reduce((n, r) => Math.max(n, r.revision ?? 0), 0) + 1);
      this.revisions.push({ ...rev, metadata: { ...rev.metadata, uid: `rev-${++this.seq}` } });
      this.eligible.set(`${ds.metadata!.uid}/${hash}`, new Set(this.nodes.filter((n) => nodeShouldRunDaemonPod(n, ds).shouldRun).map((n) => n.metadata!.name!)));
    }
  }

  /** OnDelete: a node that should run a pod and has none gets one from the current template. */
  private syncDaemonSets(at: number, settled: boolean): void {
    this.dss.forEach((ds, i) => {
      const hash = templateHash(ds);
      const nodes = this.eligible.get(`${ds.metadata!.uid}/${hash}`);
      if (!nodes) return;
      const tmpl = ds.spec!.template;
      for (const node of nodes) {
        const key = `${i}/${node}`;
        if (this.pods.has(key)) continue;
        const name = `${ds.metadata!.name}-${String(++this.seq).padStart(6, '0')}`;
        const image = tmpl.spec!.containers[0].image ?? '';
        const pool = this.poolOf.get(node)!;
        const life: PodLife = settled
          ? { startMs: at, image, kind: 'ok', runningMs: at, readyMs: at + HOUR, crashAfterMs: 0 }
          : podLife(pool.pods, image, at, this.cfg.seed, name);
        const pod: Pod = {
          apiVersion: 'v1', kind: 'Pod',
          metadata: { name, namespace: this.ns, uid: `pod-uid-${this.seq}`, labels: { ...(tmpl.metadata?.labels ?? {}), [REVISION_HASH_LABEL]: hash }, ownerReferences: [controllerRefTo(ds)], creationTimestamp: rfc3339(at) },
          spec: { ...tmpl.spec!, nodeName: node, containers: tmpl.spec!.containers.map((c) => ({ ...c })) },
        };
        const sp: SimPod = { pod, life, nextAt: at, node, ds: i };
        this.pods.set(key, sp);
      }
    });
  }

  private keyOf(daemonSet: string, node: string): string { return `${this.dss.findIndex((d) => d.metadata?.name === daemonSet)}/${node}`; }

  private failNodes(): void {
    for (const [name, at] of this.failAt) {
      if (at > this.now || this.failed.has(name)) continue;
      this.failed.add(name);
      const i = this.nodes.findIndex((n) => n.metadata!.name === name);
      const n = this.nodes[i];
      if (n.status?.conditions?.[0]?.status !== 'True') continue;
      this.nodes[i] = { ...n, status: { conditions: [{ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', lastTransitionTime: rfc3339(at) }] } };
      // The node lifecycle controller marks its pods NotReady.
      for (const sp of this.pods.values()) {
        if (sp.node !== name) continue;
        sp.pod = { ...sp.pod, status: { ...(sp.pod.status ?? {}), conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: rfc3339(at) }] } };
        sp.nextAt = undefined;
      }
    }
  }

  private isDown(node: string): boolean { const at = this.failAt.get(node); return at !== undefined && at <= this.now; }

  private runKubelets(): void {
    for (const sp of this.pods.values()) {
      if (sp.nextAt === undefined || sp.nextAt > this.now) continue;
      if (this.isDown(sp.node)) {
        // A pod created on a node that is down never starts.
        if (!sp.pod.status) sp.pod = { ...sp.pod, status: { phase: 'Pending', conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: rfc3339(this.now) }] } };
        sp.nextAt = undefined;
        continue;
      }
      sp.pod = { ...sp.pod, status: podStatusAt(sp.life, sp.pod.spec!.containers[0].name, this.now) };
      sp.nextAt = nextChangeAt(sp.life, this.now);
    }
  }

  private apply(actions: readonly RolloutAction[]): void {
    for (const a of actions) {
      switch (a.type) {
        case 'DeletePod': {
          const k = this.keyOf(a.daemonSet, a.node);
          const sp = this.pods.get(k);
          if (sp && sp.pod.metadata?.name === a.name && (!a.uid || sp.pod.metadata?.uid === a.uid)) this.pods.delete(k);
          break;
        }
        case 'PatchPodImages': {
          const sp = this.pods.get(this.keyOf(a.daemonSet, a.node));
          if (!sp || sp.pod.metadata?.uid !== a.uid) break;
          sp.pod = withPatchedImages(sp.pod, a);
          if (!this.isDown(sp.node)) sp.life = podLife(this.poolOf.get(sp.node)!.pods, sp.pod.spec!.containers[0].image ?? '', this.now, this.cfg.seed, `${sp.pod.metadata!.name}@${this.now}`);
          sp.nextAt = this.now;
          break;
        }
        case 'RollbackTemplate': {
          const i = this.dss.findIndex((d) => d.metadata?.name === a.daemonSet);
          if (i < 0) break;
          const ds = withTemplate(this.dss[i], a);
          this.dss[i] = { ...ds, metadata: { ...ds.metadata, generation: (ds.metadata!.generation ?? 1) + 1 } };
          this.ensureRevisions();
          break;
        }
        case 'SetOnDelete': {
          const i = this.dss.findIndex((d) => d.metadata?.name === a.daemonSet);
          if (i >= 0) this.dss[i] = { ...this.dss[i], spec: { ...this.dss[i].spec!, updateStrategy: { type: 'OnDelete' } } };
          break;
        }
        case 'QuarantineNode': case 'ReleaseNode': {
          const i = this.nodes.findIndex((n) => n.metadata?.name === a.node);
          if (i < 0) break;
          this.nodes[i] = withQuarantine(this.nodes[i], a);
          break;
        }
      }
    }
  }

  /** The next moment after now at which something the core looks at can change. */
  private nextEvent(podReadyTimeoutMs: number, minReadyMs: number): number | undefined {
    let next = Infinity;
    const at = (t: number | undefined) => { if (t !== undefined && t > this.now && t < next) next = t; };
    for (const t of this.failAt.values()) at(t);
    for (const sp of this.pods.values()) {
      at(sp.nextAt);
      if (this.isDown(sp.node)) continue;
      // Timers only for pods they can still change: not yet Ready (timeout), Ready but not yet available.
      const readyAt = sp.life.kind === 'ok' ? sp.life.readyMs : Infinity;
      if (readyAt > this.now) at(sp.life.startMs + podReadyTimeoutMs + 1);
      else if (minReadyMs && readyAt + minReadyMs > this.now) at(readyAt + minReadyMs);
    }
    const s = this.rollout.status;
    const spec = withDefaults(this.rollout.spec);
    for (const w of s?.waves ?? []) {
      if (w.state !== 'Baking') continue;
      const bake = spec.waves.find((x) => w.name === x.name || (x.splitBy && w.name.startsWith(`${x.name}-`)))?.bakeSeconds ?? 0;
      at((parseTime(w.completedAt) ?? this.now) + bake * 1000);
    }
    if (s?.phase === 'Progressing' && s.lastProgressAt) at((parseTime(s.lastProgressAt) ?? this.now) + spec.progressDeadlineSeconds * 1000 + 1);
    if (spec.quarantine) for (const b of s?.blockedNodes ?? []) if (b.cause === 'Node') at((parseTime(b.since) ?? this.now) + spec.quarantine.afterSeconds * 1000);
    return next === Infinity ? undefined : next;
  }
}

const rel = (t: string | undefined) => { const ms = parseTime(t); return ms === undefined ? undefined : ms - REHEARSAL_T0; };

// A time-compressed rehearsal of a DaemonSetRollout (the seed of issue #13's `rehearse`): a
// modelled fleet — nodes in zones, the real DaemonSet controller core (OnDelete recreates deleted
// pods from the current template), a kubelet model (pods Ready after a delay, images that
// crash-loop, nodes that go NotReady at chosen times) — and planRollout, all on a virtual clock.
// Pure: no I/O, no real time; the same config gives the same trace.
import type { ControllerRevision, DaemonSet, Node, Pod } from '../../api/types.js';
import { rfc3339 } from '../../api/meta.js';
import { plan } from '../../controller/core/plan.js';
import { TEMPLATE_GENERATION_ANNOTATION } from '../../controller/core/pods.js';
import { API_VERSION, KIND, UPDATED_AT_ANNOTATION, type DaemonSetRollout, type DaemonSetRolloutSpec } from '../api/types.js';
import { planRollout } from '../core/plan.js';
import { withPatchedImages, withQuarantine, withTemplate } from './objects.js';
import type { RolloutAction, RolloutEvent } from '../core/types.js';

export const SIM_T0 = Date.parse('2026-01-01T00:00:00Z');

export interface SimNode {
  name: string;
  labels?: Record<string, string>;
  /** Virtual ms after the start when the node turns NotReady (and stays so). */
  notReadyAtMs?: number;
}

export interface SimDaemonSet { name: string; image: string; minReadySeconds?: number }

export interface SimConfig {
  nodes: SimNode[];
  daemonSets: SimDaemonSet[];
  rollout: DaemonSetRolloutSpec;
  /** A started container becomes Ready after this long. */
  readyAfterMs: number;
  /** Images whose containers crash-loop (a restart every crashEveryMs). */
  crashImages?: string[];
  crashEveryMs?: number;
  stepMs: number;
  maxSteps: number;
  /** Scripted changes: at a virtual time, set a DaemonSet's image (a new template revision). */
  script?: { atMs: number; daemonSet: string; image: string }[];
}

export interface SimStep {
  atMs: number;
  phase: string;
  currentWave?: string;
  actions: RolloutAction[];
  events: RolloutEvent[];
  /** Nodes without an available pod of some DaemonSet, after this step's actions and kubelet. */
  unavailableNodes: string[];
  /** Per node, the daemon pods not Ready on it. */
  unavailablePerNode: Record<string, number>;
}

export interface SimResult { steps: SimStep[]; rollout: DaemonSetRollout; pods: Pod[]; nodes: Node[]; daemonSets: DaemonSet[] }

/** Everything the simulated cluster holds. */
class World {
  nodes: Node[];
  dss: DaemonSet[];
  pods: Pod[] = [];
  revisions: ControllerRevision[] = [];
  rollout: DaemonSetRollout;
  seq = 0;
  constructor(readonly cfg: SimConfig, public nowMs: number) {
    this.nodes = cfg.nodes.map((n) => ({
      apiVersion: 'v1', kind: 'Node', metadata: { name: n.name, labels: { 'kubernetes.io/hostname': n.name, ...(n.labels ?? {}) }, annotations: {} },
      spec: {}, status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: rfc3339(nowMs) }] },
    }));
    this.dss = cfg.daemonSets.map((d) => ({
      apiVersion: 'apps/v1', kind: 'DaemonSet',
      metadata: { name: d.name, namespace: 'default', uid: `uid-${d.name}`, generation: 1, labels: { app: d.name }, annotations: { [TEMPLATE_GENERATION_ANNOTATION]: '1' } },
      spec: {
        selector: { matchLabels: { app: d.name } }, updateStrategy: { type: 'OnDelete' }, minReadySeconds: d.minReadySeconds ?? 0,
        template: { metadata: { labels: { app: d.name } }, spec: { containers: [{ name: d.name, image: d.image }] } },
      },
    }));
    this.rollout = { apiVersion: API_VERSION, kind: KIND, metadata: { name: 'rehearsal', namespace: 'default', generation: 1 }, spec: cfg.rollout };
  }

  /** The DaemonSet controller: the project's own core, applied as a successful shell would. */
  syncDaemonSets(): void {
    for (let i = 0; i < this.dss.length; i++) {
      const ds = this.dss[i];
      const uid = ds.metadata!.uid!;
      const own = <T extends { metadata?: { ownerReferences?: { uid?: string }[] } }>(x: T) => x.metadata?.ownerReferences?.some((o) => o.uid === uid);
      const p = plan({ ds, nodes: this.nodes, pods: this.pods.filter(own), revisions: this.revisions.filter(own), nowMs: this.nowMs, backoff: {}, bindDirectly: true });
      if (p.createRevision) this.revisions.push({ ...structuredClone(p.createRevision), metadata: { ...p.createRevision.metadata, uid: `rev-${++this.seq}` } });
      for (const u of p.updateRevisions) this.revisions = this.revisions.map((r) => (r.metadata?.name === u.metadata?.name ? structuredClone(u) : r));
      this.revisions = this.revisions.filter((r) => !(own(r) && p.deleteRevisions.includes(r.metadata?.name ?? '')));
      for (const c of p.createPods) {
        const pod = structuredClone(c.pod);
        pod.metadata = { ...pod.metadata, name: `${pod.metadata?.generateName ?? 'pod-'}${String(++this.seq).padStart(6, '0')}`, uid: `pod-uid-${this.seq}`, creationTimestamp: rfc3339(this.nowMs) };
        pod.spec = { ...pod.spec!, nodeName: c.nodeName };
        (pod as { status: Pod['status'] }).status = { phase: 'Pending' };
        this.pods.push(pod);
      }
      const gone = new Set(p.deletePods.map((d) => d.name));
      this.pods = this.pods.filter((x) => !gone.has(x.metadata?.name ?? ''));
      if (p.writeStatus) this.dss[i] = { ...ds, status: p.status };
    }
  }

  /** The kubelet model: NotReady nodes take their pods NotReady; crash images loop; others get Ready. */
  runKubelets(): void {
    const cfg = this.cfg, now = this.nowMs, elapsed = now - SIM_T0;
    const down = new Set(cfg.nodes.filter((n) => n.notReadyAtMs !== undefined && elapsed >= n.notReadyAtMs).map((n) => n.name));
    for (const node of this.nodes) {
      const ready = node.status!.conditions![0];
      if (down.has(node.metadata!.name!) && ready.status === 'True') (node.status as { conditions: unknown[] }).conditions = [{ type: 'Ready', status: 'False', reason: 'NodeStatusUnknown', lastTransitionTime: rfc3339(now) }];
    }
    for (const pod of this.pods) {
      const c = pod.spec!.containers[0];
      const started = Date.parse(pod.metadata?.annotations?.[UPDATED_AT_ANNOTATION] ?? pod.metadata!.creationTimestamp!);
      const wasReady = pod.status?.conditions?.find((x) => x.type === 'Ready');
      const setReady = (v: boolean) => {
        const status = v ? 'True' : 'False';
        if (wasReady?.status === status) return wasReady.lastTransitionTime!;
        return rfc3339(now);
      };
      if (down.has(pod.spec!.nodeName!)) {
        if (wasReady?.status === 'True') (pod as { status: Pod['status'] }).status = { ...pod.status, conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: rfc3339(now) }] };
        continue;
      }
      if (now - started < cfg.readyAfterMs) continue;
      if ((cfg.crashImages ?? []).includes(c.image!)) {
        const restarts = Math.floor((now - started) / (cfg.crashEveryMs ?? 10_000));
        (pod as { status: Pod['status'] }).status = {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: setReady(false) }],
          containerStatuses: [{ name: c.name, image: c.image!, imageID: '', ready: false, restartCount: restarts, state: { waiting: { reason: 'CrashLoopBackOff' } } }],
        };
      } else {
        (pod as { status: Pod['status'] }).status = {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: setReady(true) }],
          containerStatuses: [{ name: c.name, image: c.image!, imageID: '', ready: true, restartCount: 0, state: { running: {} } }],
        };
      }
    }
  }

  setImage(name: string, image: string): void {
    const i = this.dss.findIndex((d) => d.metadata?.name === name);
    if (i < 0) return;
    const ds = structuredClone(this.dss[i]);
    ds.spec!.template.spec!.containers[0].image = image;
    this.bumpTemplate(i, ds);
  }

  private bumpTemplate(i: number, ds: DaemonSet): void {
    const gen = Number(ds.metadata!.annotations![TEMPLATE_GENERATION_ANNOTATION]) + 1;
    ds.metadata!.annotations![TEMPLATE_GENERATION_ANNOTATION] = String(gen);
    (ds.metadata as { generation?: number }).generation = (ds.metadata!.generation ?? 1) + 1;
    this.dss[i] = ds;
  }

  apply(actions: readonly RolloutAction[]): void {
    for (const a of actions) {
      switch (a.type) {
        case 'DeletePod': this.pods = this.pods.filter((p) => !(p.metadata?.name === a.name && (!a.uid || p.metadata?.uid === a.uid))); break;
        case 'PatchPodImages': {
          const i = this.pods.findIndex((p) => p.metadata?.name === a.name && p.metadata?.uid === a.uid);
          if (i >= 0) this.pods[i] = withPatchedImages(this.pods[i], a);
          break;
        }
        case 'RollbackTemplate': {
          const i = this.dss.findIndex((d) => d.metadata?.name === a.daemonSet);
          if (i < 0) break;
          this.bumpTemplate(i, withTemplate(this.dss[i], a));
          break;
        }
        case 'SetOnDelete': break;
        case 'QuarantineNode': case 'ReleaseNode': {
          const i = this.nodes.findIndex((n) => n.metadata?.name === a.node);
          if (i >= 0) this.nodes[i] = withQuarantine(this.nodes[i], a);
          break;
        }
      }
    }
  }

  unavailability(): { nodes: string[]; perNode: Record<string, number> } {
    const perNode: Record<string, number> = {};
    for (const n of this.nodes) {
      const name = n.metadata!.name!;
      let missing = 0;
      for (const ds of this.dss) {
        const pod = this.pods.find((p) => p.spec?.nodeName === name && p.metadata?.ownerReferences?.[0]?.uid === ds.metadata?.uid);
        if (!pod || pod.status?.conditions?.find((c) => c.type === 'Ready')?.status !== 'True') missing++;
      }
      if (missing) perNode[name] = missing;
    }
    return { nodes: Object.keys(perNode).sort(), perNode };
  }
}

/** Runs the rehearsal: first the fleet settles on the initial images, then the script and the rollout run. */
export function simulate(cfg: SimConfig): SimResult {
  const w = new World(cfg, SIM_T0);
  // Settle: every node gets its pods, Ready, before anything changes.
  for (let i = 0; i < 3; i++) { w.syncDaemonSets(); w.nowMs += cfg.readyAfterMs; w.runKubelets(); }
  const start = w.nowMs;
  w.rollout.status = planRollout({ rollout: w.rollout, daemonSets: w.dss, revisions: w.revisions, pods: w.pods, nodes: w.nodes }, w.nowMs).status;
  const steps: SimStep[] = [];
  const script = [...(cfg.script ?? [])];
  for (let s = 0; s < cfg.maxSteps; s++) {
    w.nowMs += cfg.stepMs;
    for (const change of script.filter((c) => start + c.atMs <= w.nowMs)) {
      w.setImage(change.daemonSet, change.image);
      script.splice(script.indexOf(change), 1);
    }
    w.syncDaemonSets();
    w.runKubelets();
    const p = planRollout({ rollout: w.rollout, daemonSets: w.dss, revisions: w.revisions, pods: w.pods, nodes: w.nodes }, w.nowMs);
    w.apply(p.actions);
    w.rollout = { ...w.rollout, status: p.status };
    const u = w.unavailability();
    steps.push({ atMs: w.nowMs - start, phase: p.status.phase ?? '', currentWave: p.status.currentWave, actions: p.actions, events: p.events, unavailableNodes: u.nodes, unavailablePerNode: u.perNode });
    if (script.length === 0 && (p.status.phase === 'Complete' || (p.status.phase === 'Failed' && steps.length > 1 && steps[steps.length - 2].phase === 'Failed'))) break;
  }
  return { steps, rollout: w.rollout, pods: w.pods, nodes: w.nodes, daemonSets: w.dss };
}

/** A fleet of `perZone` nodes in each zone, the first `canaries` of zone-a labelled as canaries. */
export function zonedFleet(zones: readonly string[], perZone: number, canaries = 0): SimNode[] {
  const out: SimNode[] = [];
  for (const z of zones) for (let i = 0; i < perZone; i++) {
    const labels: Record<string, string> = { 'topology.kubernetes.io/zone': z };
    if (z === zones[0] && i < canaries) labels['everynode.dev/canary'] = 'true';
    out.push({ name: `${z}-node-${String(i).padStart(3, '0')}`, labels });
  }
  return out;
}

// The DaemonSetRollout scenarios (issues #12 and #13), on a bench cluster whose fleet is split
// into zone pools:
// - zone waves vs RollingUpdate: the same DaemonSet rolled by its own RollingUpdate, then by a
//   DaemonSetRollout of one wave per zone at the same budget; the ratio of the two durations and
//   the rollout's status writes per second;
// - rehearsal vs real: one rollout on a fleet whose pods take seconds to start and turn Ready,
//   timed for real, then rehearsed (src/rollout/sim/rehearse.ts) from the same cluster config,
//   DaemonSet, rollout and image; the two durations compared.
import { performance } from 'node:perf_hooks';
import type { DaemonSet, KObject } from '../api/types.js';
import { parseTime } from '../api/meta.js';
import { Informer } from '../kube/informer.js';
import { API_VERSION, KIND, type DaemonSetRollout, type IntOrPercent } from '../rollout/api/types.js';
import { scaleIntOrPercent } from '../rollout/api/intorpercent.js';
import { rolloutsPath } from '../rollout/controller.js';
import { rehearse, type Rehearsal } from '../rollout/sim/rehearse.js';
import { percentile } from '../rollout/report/rehearsal.js';
import { NS, benchDaemonSet, settle, type BenchCluster } from './harness.js';
import { statusClaimsConverged, statusWritten, withinTolerance } from './checks.js';
import { ZONE_LABEL, type PodDelays } from './fleet-config.js';
import { seconds, verdict, type Row } from './report.js';
import { boundFor, dsPath, finalChecks, tenPercent } from './scenarios.js';

type RolloutObject = DaemonSetRollout & KObject;

/**
 * The bench namespace's DaemonSetRollouts, watched: every change wakes the bench's waits, and
 * while a window is open every status write (a new resourceVersion whose status differs) is
 * counted, as the server saw it, whichever client made it.
 */
class RolloutWatch {
  readonly #informer: Informer<RolloutObject>;
  readonly #stop = new AbortController();
  #running: Promise<void> | undefined;
  #counting = false;
  #writes = 0;
  #events = 0;

  constructor(readonly b: BenchCluster) {
    this.#informer = new Informer<RolloutObject>(b.client, rolloutsPath(NS));
    this.#informer.addHandler({
      onAdd: () => b.changes.notify(),
      onUpdate: (old, cur) => {
        if (this.#counting) {
          this.#events++;
          if (statusWritten(old, cur)) this.#writes++;
        }
        b.changes.notify();
      },
      onDelete: () => b.changes.notify(),
    });
  }

  async start(): Promise<void> {
    this.#running = this.#informer.start(this.#stop.signal);
    await this.#informer.waitForSync(this.#stop.signal);
  }

  get(name: string): RolloutObject | undefined { return this.#informer.get(`${NS}/${name}`); }

  /** Starts counting status writes (and every update event) from now. */
  count(): void { this.#counting = true; this.#writes = 0; this.#events = 0; }
  /** Stops counting; what was counted since count(). */
  counted(): { writes: number; events: number } { this.#counting = false; return { writes: this.#writes, events: this.#events }; }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#running;
  }
}

function rolloutObject(name: string, target: string, spec: Omit<DaemonSetRollout['spec'], 'targetRef' | 'waves'> & { maxUnavailable: IntOrPercent }): DaemonSetRollout {
  const { maxUnavailable, ...rest } = spec;
  return {
    apiVersion: API_VERSION, kind: KIND, metadata: { name, namespace: NS },
    // One wave per zone (splitBy), in zone order, no bake: the fleet rolls zone after zone.
    spec: { targetRef: { name: target }, ...rest, waves: [{ name: 'wave', splitBy: ZONE_LABEL, maxUnavailable, bakeSeconds: 0 }] },
  };
}

/** Waits (bounded) until the rollout has taken its target over and found nothing to roll. */
async function waitIdle(b: BenchCluster, w: RolloutWatch, name: string, target: string, n: number): Promise<void> {
  await b.waitFor(() => {
    const r = w.get(name);
    return r?.status?.phase === 'Idle' && r.status.targets?.[0]?.strategy === 'OnDelete' && b.ds(target)?.spec?.updateStrategy?.type === 'OnDelete';
  }, boundFor(n), `DaemonSetRollout ${name} Idle with its target on OnDelete`);
}

interface TimedRollout {
  /** Image change → rollout status Complete (updatedNodes = readyNodes = N), as the watch saw it. */
  completeMs: number;
  /** Image change → the DaemonSet's status says every pod is updated and available. */
  availableMs: number;
  /** When the image was changed, wall clock (to read the status's RFC 3339 times against). */
  startedAt: number;
  writes: { writes: number; events: number };
  rollout: RolloutObject;
  problems: string[];
}

/** Changes the target's image and waits (bounded) for the DaemonSet converged and the rollout Complete. */
async function timedRollout(b: BenchCluster, w: RolloutWatch, name: string, target: string, n: number, image: string): Promise<TimedRollout> {
  const before = w.get(name)?.status?.toRevision;
  w.count();
  const startedAt = Date.now();
  const t0 = performance.now();
  const patched = await b.client.request<DaemonSet>('PATCH', dsPath(target), { spec: { template: { spec: { containers: [{ name: 'agent', image }] } } } }, 'application/strategic-merge-patch+json');
  const gen = patched.metadata!.generation!;
  const current = () => { const d = b.ds(target); return d && (d.status?.observedGeneration ?? 0) >= gen ? d : undefined; };
  // Slow (seconds per pod) fleets take a wave's worth of pod lifetimes per wave: bound generously.
  const bound = boundFor(n) + 30 * 60_000;
  const tAvailable = await b.waitFor(() => statusClaimsConverged(current(), n), bound, `${target}: every pod updated and available`);
  const tComplete = await b.waitFor(() => {
    const s = w.get(name)?.status;
    return s?.phase === 'Complete' && s.toRevision !== before && s.updatedNodes === n && s.readyNodes === n;
  }, bound, `DaemonSetRollout ${name} Complete`);
  const writes = w.counted();
  const rollout = w.get(name)!;
  const problems: string[] = [];
  if (rollout.status?.failure) problems.push(`the rollout failed: ${rollout.status.failure.reason}: ${rollout.status.failure.message}`);
  return { completeMs: tComplete - t0, availableMs: tAvailable - t0, startedAt, writes, rollout, problems };
}

/** Per wave, seconds from the change until it was seen complete: "12/25/37/50 s". */
function waveTimes(ms: readonly (number | undefined)[]): string {
  return `${ms.map((t) => (t === undefined ? '—' : (t / 1000).toFixed(t < 10_000 ? 1 : 0))).join('/')} s`;
}

/**
 * Issue #12: at the same budget, a DaemonSetRollout of one wave per zone (bake 0, instant
 * readiness) completes in ≤ 1.5 × the DaemonSet's own RollingUpdate, writing its status ≤ 5 times
 * a second. Runs on the DaemonSet `agent` (uid) after the RollingUpdate rows have rolled it:
 * `rollingUpdateMs` is their maxUnavailable 10 % figure (image change → every pod available) on
 * the same cluster, the same DaemonSet and pod count.
 *
 * "Same total budget": the RollingUpdate may have 10 % of the fleet unavailable at once. The
 * waves roll one after another (bake 0: the next starts in the sync that sees the previous
 * complete), so the fleet-wide unavailability is the current wave's; giving every wave
 * maxUnavailable = the same absolute ceil(N/10) nodes (40 % of a quarter of the fleet) keeps the
 * fleet's peak at the RollingUpdate's. (10 % of each wave would be a quarter of that budget, and
 * measure the budget rather than the controller.) The tracker checks the peak at every watch event.
 */
export async function rolloutWaves(b: BenchCluster, n: number, storage: Row['storage'], uid: string, rollingUpdateMs: number, image: string, zones = 4): Promise<Row[]> {
  const budget = tenPercent(n);
  const w = new RolloutWatch(b);
  await w.start();
  try {
    const name = 'agent-waves';
    // manageStrategy: the rollout switches the RollingUpdate DaemonSet to OnDelete itself (SetOnDelete).
    await b.client.request('POST', rolloutsPath(NS), rolloutObject(name, 'agent', { manageStrategy: true, maxUnavailable: budget }));
    await waitIdle(b, w, name, 'agent', n);
    // The rollout controller has just listed every pod and node (its caches start with the first rollout).
    await settle();
    const t = b.track(uid, n);
    t.resetPeaks();
    const r = await timedRollout(b, w, name, 'agent', n, image);
    const problems = [...r.problems, ...(await finalChecks(b, 'agent', uid, b.nodeNames, image, t))];
    const { maxUnavailable, maxDoubled } = t.peaks();
    if (maxUnavailable > budget) problems.push(`unavailable reached ${maxUnavailable} > budget ${budget}`);
    if (maxDoubled > 0) problems.push(`${maxDoubled} nodes had two live pods at once`);
    const waves = r.rollout.status?.waves ?? [];
    if (waves.length !== zones) problems.push(`${waves.length} waves, want one per zone (${zones})`);
    const ratio = r.completeMs / rollingUpdateMs;
    const rate = r.writes.writes / (r.completeMs / 1000);
    const done = waves.map((x) => { const at = parseTime(x.completedAt); return at === undefined ? undefined : at - r.startedAt; });
    return [{
      scenario: `DaemonSetRollout, ${zones} zone waves vs RollingUpdate`, nodes: n, storage, result: `${ratio.toFixed(2)} ×`,
      detail: `rollout Complete ${seconds(r.completeMs)} (every pod available ${seconds(r.availableMs)}; waves of ${waves.map((x) => x.nodes).join('/')} nodes done at ${waveTimes(done)}), `
        + `RollingUpdate maxUnavailable 10 % ${seconds(rollingUpdateMs)} (same DaemonSet, same cluster); maxUnavailable ${budget} per wave (10 % of the fleet, one wave at a time), bake 0, instant readiness; `
        + `peak unavailable ${maxUnavailable}/${budget}, peak nodes with 2 pods ${maxDoubled}`,
      target: verdict(ratio <= 1.5, '≤ 1.5 ×'), problems,
    }, {
      scenario: 'DaemonSetRollout status writes', nodes: n, storage, result: `${rate.toFixed(1)}/s`,
      detail: `${r.writes.writes} status writes over ${seconds(r.completeMs)} (the ${zones}-wave rollout above; ${r.writes.events} watch events of the rollout)`,
      target: verdict(rate <= 5, '≤ 5/s per rollout'), problems: [],
    }];
  } finally {
    await w.stop();
  }
}

/** examples/rehearse/fleet-small.yaml's pods: start 1–5 s after the sandbox, Ready 8 ± 3 s after. */
export const REHEARSAL_PODS: PodDelays = { startupDelay: { uniform: { min: 1000, max: 5000 } }, readinessDelay: { normal: { mean: 8000, stddev: 3000 } } };

export interface RehearsalScenario {
  /** maxUnavailable of each zone wave. Default 25 %: four generations of pods per wave. */
  maxUnavailable?: IntOrPercent;
  /** Rehearsals (seeds 1…k) to compare with the one real run: their median is the figure. Default 5. */
  seeds?: number;
}

/**
 * Issue #13: the rehearsed duration of a rollout matches the real run's within 15 %. The bench
 * cluster was started from a zoned fleet whose pods take seconds to start and turn Ready (b.o.pods);
 * an OnDelete DaemonSet converges on it, a DaemonSetRollout of one wave per zone rolls a new image
 * (image change → status Complete, timed by the watch), then `rehearse()` runs the same cluster
 * config, DaemonSet, rollout and image in virtual time with its default sync interval, over
 * several seeds (the real kubelets draw their delays from Math.random: one real run is one sample).
 */
export async function rehearsalVsReal(b: BenchCluster, n: number, storage: Row['storage'], o: RehearsalScenario = {}): Promise<Row> {
  const maxUnavailable = o.maxUnavailable ?? '25%';
  const seeds = o.seeds ?? 5;
  const target = 'paced';
  const ds = benchDaemonSet(target, 'bench/paced:v1', { strategy: { type: 'OnDelete' } });
  const created = await b.client.request<DaemonSet>('POST', `/apis/apps/v1/namespaces/${NS}/daemonsets`, ds);
  const uid = created.metadata!.uid!;
  const t = b.track(uid, n);
  await b.waitFor(() => statusClaimsConverged(b.ds(target), n), boundFor(n) + 5 * 60_000, `${target}: numberReady = ${n}`);
  const w = new RolloutWatch(b);
  await w.start();
  try {
    const rollout = rolloutObject(target, target, { maxUnavailable });
    await b.client.request('POST', rolloutsPath(NS), rollout);
    await waitIdle(b, w, target, target, n);
    await settle();
    t.resetPeaks();
    const image = 'bench/paced:v2';
    const real = await timedRollout(b, w, target, target, n, image);
    const problems = [...real.problems, ...(await finalChecks(b, target, uid, b.nodeNames, image, t))];
    const waves = real.rollout.status?.waves ?? [];
    // Waves roll one at a time: the fleet's peak is at most the largest wave's budget.
    const budget = Math.max(0, ...waves.map((x) => scaleIntOrPercent(maxUnavailable, x.nodes, true) ?? 0));
    const { maxUnavailable: peak, maxDoubled } = t.peaks();
    if (peak > budget) problems.push(`unavailable reached ${peak} > the largest wave's budget ${budget}`);
    if (maxDoubled > 0) problems.push(`${maxDoubled} nodes had two live pods at once`);

    // The same rollout rehearsed: the DaemonSet as it ran before the change, the fleet's own config.
    const runs: Rehearsal[] = [];
    for (let seed = 1; seed <= seeds; seed++) runs.push(rehearse({ cluster: b.config, rollout, daemonSets: [ds], image: { image }, seed }));
    for (const x of runs) if (x.outcome !== 'Complete') problems.push(`rehearsal seed ${x.seed}: ${x.outcome}${x.stuckReason ? ` (${x.stuckReason})` : ''}`);
    const durations = runs.map((x) => x.durationMs);
    const rehearsed = percentile(durations, 50);
    const ratio = rehearsed / real.completeMs;
    const realDone = waves.map((x) => { const at = parseTime(x.completedAt); return at === undefined ? undefined : at - real.startedAt; });
    const median = runs.find((x) => x.durationMs === rehearsed);
    const pods = b.o.pods ? `pods start ${delayText(b.o.pods.startupDelay)} after the sandbox, Ready ${delayText(b.o.pods.readinessDelay)} after` : 'instant pods';
    return {
      scenario: `rehearsal vs real (DaemonSetRollout, ${waves.length} zone waves)`, nodes: n, storage, result: `ratio ${ratio.toFixed(2)}`,
      detail: `real ${seconds(real.completeMs)} (image change → Complete; waves done at ${waveTimes(realDone)}, status times to the second); `
        + `rehearsed ${seconds(rehearsed)} (median of ${seeds} seeds, ${seconds(Math.min(...durations))}–${seconds(Math.max(...durations))}; waves done at ${waveTimes(median?.waves.map((x) => x.doneMs) ?? [])}, ${median?.syncs ?? 0} syncs); `
        + `${pods}; maxUnavailable ${String(maxUnavailable)} per wave, bake 0; peak unavailable ${peak}/${budget}`,
      target: verdict(withinTolerance(rehearsed, real.completeMs, 0.15), 'within 15 %'), problems,
    };
  } finally {
    await w.stop();
  }
}

function delayText(d: PodDelays['startupDelay']): string {
  const s = (ms: number) => `${+(ms / 1000).toFixed(2)}`;
  if ('constant' in d) return `${s(d.constant)} s`;
  if ('uniform' in d) return `${s(d.uniform.min)}–${s(d.uniform.max)} s`;
  return `${s(d.normal.mean)} ± ${s(d.normal.stddev)} s`;
}

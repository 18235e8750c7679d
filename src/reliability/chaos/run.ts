// One chaos run (shell): an embedded cluster, the chaos proxy in front of it, the DaemonSet
// controller in its own process talking only through the proxy, and the independent checker
// watching the API server directly. The plan's actions are carried out at their times; then the
// chaos stops (faults off, nodes healed, no more kills) and the run waits, bounded, for every
// DaemonSet to converge with an exact status.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from '../../api/types.js';
import { startCluster } from '../../cluster/cluster.js';
import { RawClient, isNotFound } from '../../kube/client.js';
import { FAULT_ANNOTATIONS } from '../../nodes/node.js';
import { Checker, type RecordedViolation } from './checker.js';
import { SupervisedController, type ControllerExit } from './controllerproc.js';
import { NO_FAULTS } from './faults.js';
import { nodeHealthy } from './invariants.js';
import { ChaosProxy } from './proxy.js';
import { clusterYaml, daemonSetObject, describePlan, planRun, type Action, type RunPlan } from './scenario.js';
import { streamSeed } from './rng.js';
import { atTermination } from './cleanup.js';

export const NAMESPACE = 'chaos';

export interface RunOptions {
  chaosMs?: number;
  convergeTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface RunReport {
  seed: number;
  plan: string;
  faults: Record<string, number>;
  kills: number;
  controllerStarts: number;
  preflightRefusals: number;
  /** Exits after a lost Lease (expected under API faults, as upstream); restarted like a kill. */
  leadershipLosses: number;
  crashes: ControllerExit[];
  violations: RecordedViolation[];
  checkerEvents: number;
  /** Per DaemonSet: most nodes down at once (budget count) / the budget then. */
  peakDown: Record<string, string>;
  /** ms from the end of the chaos to convergence; undefined when it did not converge in time. */
  convergeMs?: number;
  /** What was still wrong at the deadline, when it did not converge. */
  gaps: string[];
  /** A failure of the run itself (cluster did not start, initial rollout never converged, …). */
  error?: string;
  totalMs: number;
}

export const runFailed = (r: RunReport) => r.violations.length > 0 || r.crashes.length > 0 || r.convergeMs === undefined || r.error !== undefined;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

export async function runOnce(seed: number, o: RunOptions = {}): Promise<RunReport> {
  const t0 = Date.now();
  const plan = planRun(seed, { chaosMs: o.chaosMs });
  const log = o.log ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'everynode-chaos-'));
  const forgetDir = atTermination(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'cluster.yaml'), clusterYaml(plan));
  const report: RunReport = {
    seed, plan: describePlan(plan), faults: {}, kills: 0, controllerStarts: 0, preflightRefusals: 0, leadershipLosses: 0, crashes: [],
    violations: [], checkerEvents: 0, peakDown: {}, gaps: [], totalMs: 0,
  };
  const cluster = await startCluster({ dataDir: null, port: 0, configFile: join(dir, 'cluster.yaml'), controller: false, scheduler: true, nodeGraceMs: 2_000 });
  const stopCluster = new AbortController();
  const clusterRunning = cluster.run(stopCluster.signal);
  const api = new RawClient(cluster.kubeConfig());
  const proxy = new ChaosProxy({ upstream: cluster.url, upstreamCaPem: cluster.caCertPem, seed: streamSeed(seed, 'proxy') });
  const checker = new Checker(cluster.kubeConfig(), NAMESPACE, t0);
  let controller: SupervisedController | undefined;
  try {
    await proxy.start();
    const kubeconfigPath = join(dir, 'proxy-kubeconfig');
    writeFileSync(kubeconfigPath, proxy.kubeconfig(cluster.token), { mode: 0o600 });
    await api.request('POST', '/api/v1/namespaces', { metadata: { name: NAMESPACE } });
    checker.start();
    await checker.synced();
    // The controller process (tsx, preflight, informers) starts while the nodes come up: it has
    // nothing to do before the DaemonSets exist, and its start-up is the slowest part of a run.
    controller = new SupervisedController(kubeconfigPath, NAMESPACE, (l) => log(`seed ${seed}: ${l}`));
    controller.start();
    const nodes = plan.pools.general + plan.pools.edge;
    // Bounded like the rollouts: on a saturated machine 60 s was not always enough (seed 86 once).
    const readyWithinMs = Math.max(60_000, o.convergeTimeoutMs ?? 60_000);
    if (!await checker.waitFor(() => checker.snapshot().nodes.filter(nodeHealthy).length >= nodes, readyWithinMs)) throw new Error(`${nodes} nodes never became Ready within ${readyWithinMs / 1000} s`);

    log(`seed ${seed}: ${nodes} nodes Ready after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    for (const d of plan.daemonSets) await api.request('POST', `/apis/apps/v1/namespaces/${NAMESPACE}/daemonsets`, daemonSetObject(d, NAMESPACE));
    // The controller process starts (tsx, preflight, informers) inside this bound too; on a
    // saturated machine that alone can take a minute, so it follows --converge-ms.
    if (!await checker.waitFor(() => allConverged(checker), o.convergeTimeoutMs ?? 60_000)) throw new Error(`initial rollout never converged: ${gapLines(checker).join('; ')}`);
    log(`seed ${seed}: ${report.plan}; initial rollout converged after ${((Date.now() - t0) / 1000).toFixed(1)} s, chaos starts`);

    // Faults start with the chaos: the first rollout is the set-up, not the test.
    proxy.setRates(plan.rates);
    proxy.cutWatches();
    const chaosStart = Date.now();
    const open = new Map<string, Action & { kind: 'fault' }>();
    for (const a of plan.actions) {
      await sleep(chaosStart + a.atMs - Date.now());
      await act(a, api, checker, controller, open);
    }
    await sleep(chaosStart + plan.chaosMs - Date.now());

    // The chaos stops: faults off, every node healed, the controller left running.
    proxy.setRates(NO_FAULTS);
    for (const f of open.values()) await act({ ...f, kind: 'heal' }, api, checker, controller, open);
    const stoppedAt = Date.now();
    log(`seed ${seed}: chaos stopped after ${((stoppedAt - chaosStart) / 1000).toFixed(1)} s; waiting for convergence`);
    const converged = await checker.waitFor(() => allConverged(checker) && checker.snapshot().nodes.every(nodeHealthy), o.convergeTimeoutMs ?? 60_000);
    if (converged) report.convergeMs = Date.now() - stoppedAt;
    else report.gaps = [...gapLines(checker), ...checker.snapshot().nodes.filter((n) => !nodeHealthy(n)).map((n) => `node ${n.metadata?.name} not healthy`)];
  } catch (err) {
    report.error = err instanceof Error ? err.message : String(err);
  } finally {
    await controller?.stop();
    await checker.stop();
    await proxy.close();
    api.close();
    stopCluster.abort();
    await clusterRunning;
    rmSync(dir, { recursive: true, force: true });
    forgetDir();
  }
  report.faults = { ...Object.fromEntries(proxy.counts), ...countNodeFaults(plan) };
  report.kills = controller?.kills ?? 0;
  report.controllerStarts = controller?.starts ?? 0;
  report.preflightRefusals = controller?.preflightRefusals ?? 0;
  report.leadershipLosses = controller?.leadershipLosses ?? 0;
  report.crashes = controller?.crashes ?? [];
  report.violations = checker.violations;
  report.checkerEvents = checker.events;
  report.peakDown = Object.fromEntries([...checker.peakDown].map(([ds, p]) => [ds, `${p.down}/${p.budget}`]));
  report.totalMs = Date.now() - t0;
  return report;
}

function allConverged(c: Checker): boolean {
  const gaps = c.gaps();
  return gaps.size > 0 && [...gaps.values()].every((g) => g.length === 0);
}

function gapLines(c: Checker): string[] {
  return [...c.gaps()].flatMap(([ds, g]) => g.slice(0, 5).map((x) => `${ds}: ${x}`));
}

function countNodeFaults(p: RunPlan): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of p.actions) {
    const k = a.kind === 'fault' ? `node-${a.fault}` : a.kind === 'deleteNode' ? 'node-delete' : a.kind === 'addNode' ? 'node-add' : a.kind === 'setImage' ? 'rollout' : undefined;
    if (k) out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

async function act(a: Action, api: RawClient, checker: Checker, controller: SupervisedController, open: Map<string, Action & { kind: 'fault' }>): Promise<void> {
  const node = (n: string) => `/api/v1/nodes/${encodeURIComponent(n)}`;
  const annotate = (n: string, annotations: Record<string, string | null>) =>
    api.request('PATCH', node(n), { metadata: { annotations } }, 'application/merge-patch+json');
  const key = (fault: string) => fault === 'stop' ? FAULT_ANNOTATIONS.heartbeat : FAULT_ANNOTATIONS.ready;
  try {
    switch (a.kind) {
      case 'setImage':
        await api.request('PATCH', `/apis/apps/v1/namespaces/${NAMESPACE}/daemonsets/${a.ds}`,
          { spec: { template: { spec: { containers: [{ name: 'agent', image: a.image }] } } } }, 'application/strategic-merge-patch+json');
        return;
      case 'fault':
        checker.disturb(a.node);
        open.set(a.node, a);
        await annotate(a.node, { [key(a.fault)]: a.fault === 'stop' ? 'stopped' : 'false' });
        return;
      case 'heal':
        if (!open.delete(a.node)) return;
        await annotate(a.node, { [key(a.fault)]: null });
        return;
      case 'deleteNode': {
        checker.disturb(a.node);
        await api.request('DELETE', node(a.node));
        // The embedded cluster has no PodGC: do what its gcOrphaned does for pods bound to a
        // Node that no longer exists (force-delete them), or they would stay for ever.
        const q = new URLSearchParams({ fieldSelector: `spec.nodeName=${a.node}` });
        const pods = await api.request<{ items: Pod[] }>('GET', `/api/v1/namespaces/${NAMESPACE}/pods?${q}`);
        for (const p of pods.items) await api.delete(`/api/v1/namespaces/${NAMESPACE}/pods/${encodeURIComponent(p.metadata!.name!)}`, { gracePeriodSeconds: 0 }).catch(() => {});
        return;
      }
      case 'addNode':
        await api.request('POST', '/api/v1/nodes', {
          metadata: { name: a.node, labels: { tier: a.pool }, annotations: { 'everynode.dev/pool': a.pool } },
        });
        return;
      case 'kill':
        await controller.kill();
        return;
    }
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

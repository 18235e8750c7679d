// The measured scenarios. Each runs against a started BenchCluster, checks correctness while it
// measures, and returns table rows (a failed check or a timed-out wait becomes a problem in the row).
import { performance } from 'node:perf_hooks';
import type { DaemonSet, Pod } from '../api/types.js';
import { RawClient } from '../kube/client.js';
import { BenchCluster, NS, benchDaemonSet, settleWith } from './harness.js';
import { convergedStatusProblems, podPlacementProblems, statusClaimsConverged } from './checks.js';
import type { FleetTracker } from './fleet.js';
import { mib, pct, percentile, perSecond, seconds, verdict, type Row } from './report.js';
import { cpuSeconds, rssBytes } from './proc.js';
import { methodDelta, reconcileTime, requestsPerChange, restRequestsBy, restRequestsByMethod, type RequestWindow } from './requests.js';
import { scrape, type ScrapeResult } from './scrape.js';

const sum = (m: ReadonlyMap<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

const MERGE = 'application/merge-patch+json';
export const dsPath = (name: string) => `/apis/apps/v1/namespaces/${NS}/daemonsets/${name}`;
/** Generous bound for waits that scale with the fleet (2 cores, noisy neighbours). */
export const boundFor = (n: number) => 60_000 + n * 40;

/** The pods must match the status: waits (bounded) for the watch to show them, then checks. */
export async function finalChecks(b: BenchCluster, name: string, uid: string, nodes: ReadonlySet<string>, image: string, t: FleetTracker): Promise<string[]> {
  const ok = () => podPlacementProblems(b.podsOf(uid), nodes, image).length === 0;
  await b.waitFor(() => t.pods() === nodes.size && ok(), 15_000, 'pods to match the status').catch(() => undefined);
  const ds = b.ds(name);
  return [...(ds ? convergedStatusProblems(ds, nodes.size) : ['DaemonSet missing']), ...podPlacementProblems(b.podsOf(uid), nodes, image)];
}

export interface ConvergeResult { row: Row; uid: string; createMs: number; convergeMs: number; cpuFraction: number; rss: number }

/** Apply a DaemonSet to N Ready nodes; time to all pods created, and to numberReady = N with exact status. */
export async function converge(b: BenchCluster, n: number, storage: Row['storage'], label = 'converge'): Promise<ConvergeResult> {
  const image = 'bench/agent:v1';
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const ds = await b.client.request<DaemonSet>('POST', `/apis/apps/v1/namespaces/${NS}/daemonsets`, benchDaemonSet('agent', image));
  const uid = ds.metadata!.uid!;
  const t = b.track(uid, n);
  const tCreated = await b.waitFor(() => t.created() >= n, boundFor(n), `${n} pods created`);
  const tReady = await b.waitFor(() => statusClaimsConverged(b.ds('agent'), n), boundFor(n), `numberReady = ${n}`);
  const cpu = process.cpuUsage(cpu0);
  const convergeMs = tReady - t0;
  const createMs = tCreated - t0;
  const problems = await finalChecks(b, 'agent', uid, b.nodeNames, image, t);
  if (t.peaks().maxDoubled) problems.push(`${t.peaks().maxDoubled} nodes had two pods at once`);
  problems.push(...b.ipam.problems.map((p) => `node IPAM: ${p}`));
  const cpuFraction = (cpu.user + cpu.system) / 1000 / convergeMs;
  const rss = rssBytes(process.pid) ?? process.memoryUsage().rss;
  const peak = rssBytes(process.pid, 'VmHWM');
  const target = n === 50_000 ? verdict(convergeMs <= 60_000, '≤ 60 s') : n === 10_000 ? verdict(convergeMs <= 20_000, '≤ 20 s') : n === 5_000 ? verdict(convergeMs <= 8_000, '≤ 8 s') : '';
  return {
    uid, createMs, convergeMs, cpuFraction, rss,
    row: {
      scenario: label, nodes: n, storage, result: seconds(convergeMs),
      detail: `all created ${seconds(createMs)} (${perSecond(n, createMs)}); process CPU ${pct(cpuFraction)} of a core, RSS ${mib(rss)}${peak ? ` (peak ${mib(peak)})` : ''}; every node's pod CIDR ${seconds(b.ipam.allAssignedMs)} after start`,
      target, problems,
    },
  };
}

/**
 * The raw create baseline: a bare client creating N pods as fast as the server takes them, with
 * the controller's concurrency budget (RawClient's 32 sockets), in two forms:
 * - with the same downstream work: the pods the controller would create (each pinned to its node by
 *   affinity), in the DaemonSet's namespace (so the same watchers decode them: the bench's own,
 *   the controller's, the components'), which the scheduler binds and the kubelets start as they
 *   do the controller's pods. The ratio against this one is the target's verdict: it compares
 *   like with like, and what it measures is the controller's own overhead (sync cycles,
 *   expectations, slow start, its share of the CPU);
 * - idle: pods bound to a node that does not exist, so nothing else acts on them: the server's
 *   create ceiling with a third of the load, shown for comparison.
 * Their namespaces are deleted afterwards, before the next scenario.
 */
export async function rawCreates(b: BenchCluster, n: number, storage: Row['storage'], controllerCreateMs: number): Promise<Row> {
  const client = new RawClient(b.cluster.kubeConfig());
  const template = benchDaemonSet('raw', 'bench/agent:v1').spec!.template;
  const pinned = (i: number): Pod['spec'] => ({
    ...template.spec!,
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [b.nodeList[i]] }] }] } } },
  });
  const timedCreates = async (ns: string, spec: (i: number) => Pod['spec']): Promise<number> => {
    if (ns !== NS) await client.request('POST', '/api/v1/namespaces', { metadata: { name: ns } });
    let next = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 32 }, async () => {
      while (next < n) {
        const i = next++;
        await client.request('POST', `/api/v1/namespaces/${ns}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: `raw-${i}`, namespace: ns, labels: template.metadata?.labels }, spec: spec(i) });
      }
    }));
    return performance.now() - t0;
  };
  const cleanUp = async (ns: string) => {
    await client.request('DELETE', `/api/v1/namespaces/${ns}`);
    const gone = async () => client.request('GET', `/api/v1/namespaces/${ns}`).then(() => false, () => true);
    const deadline = Date.now() + boundFor(n);
    while (!(await gone()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  };
  try {
    const idleMs = await timedCreates('bench-raw-idle', () => ({ ...template.spec!, nodeName: 'bench-nowhere' }));
    await cleanUp('bench-raw-idle');
    const pipelineMs = await timedCreates(NS, pinned);
    // Labelled app=raw: the DaemonSet (app=agent) neither adopts nor counts them.
    await client.request('DELETE', `/api/v1/namespaces/${NS}/pods?labelSelector=app%3Draw`);
    const deadline = Date.now() + boundFor(n);
    while (b.pods.list().some((p) => p.metadata?.labels?.app === 'raw') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    // Same N each time, so rate ratios are time ratios.
    const ratio = pipelineMs / controllerCreateMs;
    const idleRatio = idleMs / controllerCreateMs;
    return {
      scenario: 'raw create baseline', nodes: n, storage, result: `ratio ${ratio.toFixed(2)}`,
      detail: `controller ${perSecond(n, controllerCreateMs)} (${seconds(controllerCreateMs)}); bare client, same scheduling and kubelet work: ${perSecond(n, pipelineMs)} (${seconds(pipelineMs)}); bare client, pods nobody acts on: ${perSecond(n, idleMs)} (ratio ${idleRatio.toFixed(2)})`,
      target: verdict(ratio >= 0.8, 'controller ≥ 0.8 × raw with the same work'), problems: [],
    };
  } finally {
    client.close();
  }
}

/** Upstream rounds DaemonSet percentages up (intstr scaled value with roundUp). */
export const tenPercent = (n: number) => Math.ceil(n / 10);

export interface RollingUpdateResult { row: Row; /** From the image change until every pod is updated and available. */ availableMs: number }

/** Image change under a rolling-update strategy; the budget is checked at every watch event. */
export async function rollingUpdate(b: BenchCluster, n: number, storage: Row['storage'], uid: string, mode: 'maxUnavailable' | 'maxSurge', image: string): Promise<RollingUpdateResult> {
  const t = b.track(uid, n);
  const budget = tenPercent(n);
  const rollingUpdate = mode === 'maxUnavailable' ? { maxUnavailable: '10%', maxSurge: 0 } : { maxUnavailable: 0, maxSurge: '10%' };
  t.resetPeaks();
  const t0 = performance.now();
  const patched = await b.client.request<DaemonSet>('PATCH', dsPath('agent'), {
    spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate }, template: { spec: { containers: [{ name: 'agent', image }] } } },
  }, 'application/strategic-merge-patch+json');
  const gen = patched.metadata!.generation!;
  const current = () => { const d = b.ds('agent'); return d && (d.status?.observedGeneration ?? 0) >= gen ? d : undefined; };
  const tUpdated = await b.waitFor(() => current()?.status?.updatedNumberScheduled === n, boundFor(n), `updatedNumberScheduled = ${n}`);
  const tDone = await b.waitFor(() => statusClaimsConverged(current(), n), boundFor(n), 'rollout complete');
  const problems = await finalChecks(b, 'agent', uid, b.nodeNames, image, t);
  const { maxUnavailable, maxDoubled, maxTripled, maxSurging } = t.peaks();
  const allowedUnavailable = mode === 'maxUnavailable' ? budget : 0;
  const allowedSurge = mode === 'maxSurge' ? budget : 0;
  if (maxUnavailable > allowedUnavailable) problems.push(`unavailable reached ${maxUnavailable} > budget ${allowedUnavailable}`);
  // Without surge no node may ever carry two live pods; with it, only `budget` nodes may be surging.
  if (mode === 'maxUnavailable' && maxDoubled > 0) problems.push(`${maxDoubled} nodes had two live pods at once`);
  if (maxSurging > allowedSurge) problems.push(`${maxSurging} nodes surging at once > maxSurge ${allowedSurge}`);
  if (maxTripled > 0) problems.push(`${maxTripled} nodes had three or more live pods`);
  const ms = tUpdated - t0;
  return {
    availableMs: tDone - t0,
    row: {
      scenario: `rolling update, ${mode} 10 %`, nodes: n, storage, result: seconds(ms),
      detail: `all available ${seconds(tDone - t0)}; peak unavailable ${maxUnavailable}/${allowedUnavailable}, peak surging ${maxSurging}/${allowedSurge}, peak nodes with 2 pods ${maxDoubled}`,
      target: n === 5_000 ? verdict(ms <= 20_000, '≤ 20 s, budget kept') : '', problems,
    },
  };
}

/** Label nodes one at a time; latency from the label write to the daemon pod's creation on that node. */
/** Called around the label changes of `reaction` (from the first patch to the DaemonSet's numberReady). */
export interface ChangeWindow { start(): Promise<void>; end(): Promise<void> }

export async function reaction(b: BenchCluster, n: number, storage: Row['storage'], count = 200, window?: ChangeWindow): Promise<Row> {
  const key = 'bench.everynode.dev/react';
  const image = 'bench/react:v1';
  const ds = await b.client.request<DaemonSet>('POST', `/apis/apps/v1/namespaces/${NS}/daemonsets`, benchDaemonSet('react', image, { nodeSelector: { [key]: 'on' } }));
  const uid = ds.metadata!.uid!;
  const k = Math.min(count, n);
  const t = b.track(uid, k);
  await b.waitFor(() => (b.ds('react')?.status?.observedGeneration ?? 0) >= 1, 30_000, 'react DaemonSet observed');
  const picked = Array.from({ length: k }, (_, i) => b.nodeList[Math.floor((i * n) / k)]);
  const latencies: number[] = [];
  const problems: string[] = [];
  await window?.start();
  for (const node of picked) {
    const t0 = performance.now();
    await b.client.request('PATCH', `/api/v1/nodes/${node}`, { metadata: { labels: { [key]: 'on' } } }, MERGE);
    try {
      latencies.push((await b.waitFor(() => t.hasPodOn(node), 10_000, `a react pod on ${node}`)) - t0);
    } catch (err) {
      problems.push((err as Error).message);
      break;
    }
  }
  await b.waitFor(() => statusClaimsConverged(b.ds('react'), k), boundFor(k), `react numberReady = ${k}`).catch((e: Error) => problems.push(e.message));
  await window?.end();
  problems.push(...(await finalChecks(b, 'react', uid, new Set(picked), image, t)));
  const p50 = percentile(latencies, 50), p99 = percentile(latencies, 99);
  return {
    scenario: `reaction (label → pod), ${k} nodes`, nodes: n, storage, result: `p99 ${p99.toFixed(0)} ms`,
    detail: `p50 ${p50.toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms`,
    target: n === 5_000 ? verdict(p99 <= 200, 'p99 ≤ 200 ms') : '', problems,
  };
}

/**
 * Footprint with the controller in its own process: its RSS and CPU while converging N nodes,
 * then everyone's idle CPU over `idleMs` (the server process also runs the simulated kubelets'
 * lease renewals, so its idle CPU is not the controller's).
 */
export async function footprint(b: BenchCluster, n: number, storage: Row['storage'], idleMs: number, reactionCount = 200): Promise<Row[]> {
  const pid = b.controllerPid;
  if (!pid) throw new Error('footprint needs the controller in a child process');
  const c0 = cpuSeconds(pid) ?? 0;
  const syncs0 = reconcileTime(await b.controllerMetrics(), 'daemonset');
  const conv = await converge(b, n, storage, 'converge (controller in own process)');
  const c1 = cpuSeconds(pid) ?? 0;
  const syncs1 = reconcileTime(await b.controllerMetrics(), 'daemonset');
  const convergedRss = rssBytes(pid) ?? NaN;
  const settledMs = await settleWith(pid);
  const c1settled = cpuSeconds(pid) ?? 0;
  const s0 = process.cpuUsage();
  const i0 = performance.now();
  const idleRequests0 = await b.controllerRequests();
  await new Promise((r) => setTimeout(r, idleMs));
  const wall = performance.now() - i0;
  const c2 = cpuSeconds(pid) ?? 0;
  const idle: RequestWindow = { before: sum(idleRequests0), after: sum(await b.controllerRequests()), ms: performance.now() - i0 };
  // After the idle CPU is read, so the scrapes are not counted as idle work.
  const scraped = await scrape(b.controllerMetricsUrl, 10);
  // Steady state: after the idle window, with 10,000 nodes and pods still cached (the controller
  // gives back the garbage of the rollout once quiet, kube/memory.ts); the peak is reported too.
  const controllerRss = rssBytes(pid) ?? NaN;
  const controllerPeak = rssBytes(pid, 'VmHWM') ?? NaN;
  const s = process.cpuUsage(s0);
  const idleController = ((c2 - c1settled) * 1000) / wall;
  const idleServer = (s.user + s.system) / 1000 / wall;
  const atTen = n === 10_000, atFifty = n === 50_000;
  const serverRss = rssBytes(process.pid) ?? process.memoryUsage().rss;
  const serverPeak = rssBytes(process.pid, 'VmHWM');
  const perChange = await requestsPerNodeChange(b, n, storage, reactionCount, idle, b.controllerMetricsUrl);
  return [conv.row, {
    scenario: 'footprint: controller', nodes: n, storage, result: `RSS ${mib(controllerRss)}`,
    detail: `after the idle window; ${mib(convergedRss)} as convergence ended, peak ${mib(controllerPeak)}; CPU converging ${pct(((c1 - c0) * 1000) / conv.convergeMs)} of a core${syncsText(syncs0, syncs1)}; idle CPU ${pct(idleController)} over ${Math.round(wall / 1000)} s, from ${seconds(settledMs)} after convergence (once the cluster and the controller were quiet, ≤ 60 s)`,
    target: atTen ? verdict(controllerRss <= 300e6 && idleController <= 0.02, 'RSS ≤ 300 MB, idle ≤ 2 %')
      : atFifty ? verdict(controllerRss <= 800e6, 'RSS ≤ 800 MB') : `idle ${verdict(idleController <= 0.02, '≤ 2 %')}`,
    problems: [],
  }, {
    scenario: 'footprint: server + simulator', nodes: n, storage, result: `RSS ${mib(serverRss)}`,
    detail: `${serverPeak ? `peak ${mib(serverPeak)}; ` : ''}CPU converging ${pct(conv.cpuFraction)} of a core; idle CPU ${pct(idleServer)} over the same window (includes ${n} simulated kubelets' lease renewals)`,
    target: atFifty ? verdict(Math.max(serverRss, serverPeak ?? 0) <= 4e9, 'RSS ≤ 4 GB, peak included') : '', problems: [],
  }, scrapeRow(n, storage, scraped), perChange];
}

/** "; 212 DaemonSet syncs while converging, 480 ms each": the mean includes each sync's pod creates (slow-start batches). */
function syncsText(before: { count: number; seconds: number } | undefined, after: { count: number; seconds: number } | undefined): string {
  // No series before the first DaemonSet exists: nothing had been reconciled.
  const from = before ?? { count: 0, seconds: 0 };
  if (!after || after.count <= from.count) return '';
  const count = after.count - from.count;
  return `; ${count} DaemonSet syncs while converging, ${seconds((after.seconds - from.seconds) * 1000 / count)} each (their pod creates included)`;
}

/**
 * The controller's /metrics as Prometheus scrapes it (issue #10), ten times in a row once the
 * fleet has converged: its time, size and series. Nothing in it is per node or per pod, so none
 * of these may grow with the fleet; the target is a fraction of a 15 s scrape interval.
 */
function scrapeRow(n: number, storage: Row['storage'], s: ScrapeResult): Row {
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  return {
    scenario: 'controller /metrics scrape', nodes: n, storage, result: `p50 ${s.p50Ms.toFixed(1)} ms`,
    detail: `max ${s.maxMs.toFixed(1)} ms over ${s.timesMs.length} scrapes after convergence; ${kib(s.bytes)}, ${s.series} series in ${s.families} families (most: ${s.largest.map((f) => `${f.name} ${f.series}`).join(', ')})`,
    target: verdict(s.p50Ms <= 100 && s.bytes <= 2 ** 20, 'p50 ≤ 100 ms, ≤ 1 MiB'), problems: [],
  };
}

/** The controller's rest_client_requests_total by method and by code, read from its /metrics text. */
async function requestCounts(metricsUrl: string): Promise<{ byMethod: Map<string, number>; byCode: Map<string, number> }> {
  const res = await fetch(metricsUrl, { signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  const byMethod = restRequestsByMethod(text);
  if (!res.ok || !byMethod.size) throw new Error(`no rest_client_requests_total at ${metricsUrl} (HTTP ${res.status})`);
  return { byMethod, byCode: restRequestsBy(text, 'code') };
}

/**
 * The controller's API requests per node change: the label reaction (each label change puts one
 * node under a DaemonSet's selector) with the controller in its own process, its requests counted
 * on its own /metrics from the first label patch until the DaemonSet reports every pod ready,
 * less the idle background (leader election) over that time. O(1) means a small constant: the
 * pod create, its event, a share of the DaemonSet status writes.
 */
async function requestsPerNodeChange(b: BenchCluster, n: number, storage: Row['storage'], count: number, idle: RequestWindow, metricsUrl: string): Promise<Row> {
  let before = { byMethod: new Map<string, number>(), byCode: new Map<string, number>() }, t0 = 0, methods = '';
  let changes: (RequestWindow & { count: number }) | undefined;
  const k = Math.min(count, n);
  const row = await reaction(b, n, storage, k, {
    start: async () => { before = await requestCounts(metricsUrl); t0 = performance.now(); },
    end: async () => {
      const after = await requestCounts(metricsUrl);
      changes = { before: sum(before.byMethod), after: sum(after.byMethod), ms: performance.now() - t0, count: k };
      const codes = methodDelta(before.byCode, after.byCode);
      methods = `${methodDelta(before.byMethod, after.byMethod)}; by code ${codes}`;
    },
  });
  const r = changes ? requestsPerChange(changes, idle) : undefined;
  return {
    scenario: 'controller API requests per node change', nodes: n, storage,
    result: r ? `${r.perChange.toFixed(2)} / change` : '—',
    detail: r ? `${Math.round(r.attributed)} requests for ${k} label changes (${changes!.after - changes!.before} counted: ${methods}; idle background ${r.backgroundPerSecond.toFixed(2)}/s over ${seconds(changes!.ms)} taken out); reaction p99 ${row.result.replace(/^p99 /, '')} with the controller in its own process` : '',
    target: r ? verdict(r.perChange <= 3, '≤ 3 per node change') : '', problems: row.problems,
  };
}

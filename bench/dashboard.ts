// Dashboard performance (not a test): first paint of a 10,000-node fleet, and the frame rate
// while every push changes cells. The server is the real one (server.ts, hub.ts) fed with
// synthetic informer events, so the figures are the page's and the stream's, not the cluster's.
// Run: node --import tsx bench/dashboard.ts [--nodes 10000] [--seconds 5]
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { FleetHub } from '../src/dashboard/hub.js';
import { TokenGate } from '../src/dashboard/auth.js';
import { listenDashboard } from '../src/dashboard/server.js';
import type { FleetEvent } from '../src/dashboard/model.js';
import type { PodEntry } from '../src/dashboard/types.js';

const arg = (name: string, d: number) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : d; };
const NODES = arg('--nodes', 10_000), SECONDS = arg('--seconds', 5);
const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) { console.error(`${CHROMIUM} is not installed`); process.exit(1); }

const hub = new FleetHub();
const apply = (e: FleetEvent) => hub.apply(e);
const pod = (i: number, revision: string, ready: boolean): PodEntry => ({ key: `default/agent-${i}`, namespace: 'default', name: `agent-${i}`, node: `node-${i}`, phase: 'Running', ready, terminating: false, owner: 'default/agent', revision, restarts: 0, reason: '' });
for (let i = 0; i < NODES; i++) {
  apply({ kind: 'node', op: 'upsert', node: { name: `node-${i}`, zone: `zone-${i % 4}`, pool: `pool-${i % 5}`, ready: 'True', unschedulable: false, quarantinedBy: '', conditions: [{ type: 'Ready', status: 'True' }] } });
  apply({ kind: 'pod', op: 'upsert', pod: pod(i, 'old', true) });
}
apply({ kind: 'rollout', op: 'upsert', rollout: { key: 'default/agent', namespace: 'default', name: 'agent', phase: 'Progressing', currentWave: 'all', fromRevision: 'old', toRevision: 'new', targets: [{ daemonSet: 'default/agent', toRevision: 'new' }], waves: [{ name: 'all', nodes: NODES, updated: 0, ready: 0, failed: 0, quarantined: 0, state: 'Progressing', startedAt: new Date().toISOString() }], blockers: [], blockedTotal: 0, quarantinedNodes: [], updatedNodes: 0, readyNodes: 0, failure: '' } });

const server = await listenDashboard({ host: '127.0.0.1', port: 0 }, { hub, gate: new TokenGate(async () => 'allowed') });
const { chromium } = await import('playwright-core');
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  // Bundled before timing: the first request of a source run bundles with esbuild.
  await fetch(`${server.url}/app.js`);
  await page.goto(`${server.url}/#token=bench`);
  await page.waitForFunction(() => (window as unknown as { __everynode?: { stats: { firstPaintMs?: number } } }).__everynode?.stats.firstPaintMs !== undefined, undefined, { timeout: 30_000 });
  const firstPaintMs = await page.evaluate(() => (window as unknown as { __everynode: { stats: { firstPaintMs: number } } }).__everynode.stats.firstPaintMs);
  const stats = () => page.evaluate(() => ({ ...(window as unknown as { __everynode: { stats: { frames: number; draws: number } } }).__everynode.stats, t: performance.now() }));

  // Updates: every 20 ms a tenth of the fleet moves on (old → new not Ready → new Ready), so
  // each push (at most 5 a second) changes thousands of cells; bounded by SECONDS.
  let step = 0;
  const phase = new Array<number>(NODES).fill(0);
  const timer = setInterval(() => {
    for (let k = 0; k < NODES / 10; k++) {
      const i = (step * 7919 + k * 104729) % NODES;
      phase[i] = (phase[i]! + 1) % 3;
      apply({ kind: 'pod', op: 'upsert', pod: pod(i, phase[i] === 0 ? 'old' : 'new', phase[i] !== 1) });
    }
    step++;
  }, 20);
  const a = await stats();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const b = await stats();
  clearInterval(timer);
  const fps = ((b.frames - a.frames) * 1000) / (b.t - a.t);
  const redraws = ((b.draws - a.draws) * 1000) / (b.t - a.t);
  console.log(JSON.stringify({ nodes: NODES, firstPaintMs: Math.round(firstPaintMs), fps: Math.round(fps * 10) / 10, redrawsPerSecond: Math.round(redraws * 10) / 10, eventsPerSecond: Math.round((step * NODES / 10) / SECONDS), cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, date: new Date().toISOString() }));
} finally {
  await browser.close();
  hub.close();
  await server.close();
}

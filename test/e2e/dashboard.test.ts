// The dashboard over real HTTP against an embedded cluster: the page without a token, the data
// endpoints only with one the cluster accepts, a snapshot of every node on connect, and deltas
// as a rollout advances and its canary fails.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../helpers/cluster.js';
import { FLEET_NODES, StreamReader, daemonSet, get, rollout, setImage, startDashFleet, type DashFleet } from './dashboard-fleet.js';
import type { DeltaMessage, NodeDetails, SnapshotMessage } from '../../src/dashboard/types.js';
import { runController } from '../../src/operator/run.js';
import { runConfig } from '../../src/operator/config.js';

describe('dashboard over HTTP', () => {
  let f: DashFleet;
  let url: string;
  before(async () => { f = await startDashFleet(); url = f.c.dashboardUrl!; });
  after(async () => { await f?.stop(); });

  it('serves the page and its script without a token, nothing else without one', async () => {
    const page = await get(`${url}/`);
    assert.equal(page.status, 200);
    assert.match(page.body, /<script type="module" src="\/app.js">/);
    const js = await get(`${url}/app.js`);
    assert.equal(js.status, 200);
    assert.match(String(js.headers['content-type']), /javascript/);
    assert.ok(js.body.length > 1000);
    for (const path of ['/api/stream', '/api/nodes/canary-0']) {
      const r = await get(`${url}${path}`);
      assert.equal(r.status, 401, path);
      assert.equal(JSON.parse(r.body).reason, 'Unauthorized');
      const bad = await get(`${url}${path}`, { Authorization: 'Bearer not-a-token-the-cluster-knows' });
      assert.equal(bad.status, 401, `${path} with a bad token`);
    }
    assert.equal((await get(`${url}/api/stream`, { Authorization: 'Basic Zm9vOmJhcg==' })).status, 401);
    const post = await get(`${url}/api/stream`, { Authorization: `Bearer ${f.c.token}` }, 'POST');
    assert.equal(post.status, 405);
    assert.equal(JSON.parse(post.body).reason, 'MethodNotAllowed');
    assert.equal((await get(`${url}/nothing-here`)).status, 404);
  });

  it('sends every node on connect, then deltas as a rollout advances and its canary fails', async () => {
    const s = new StreamReader(url, f.c.token);
    await s.open();
    try {
      const first = s.messages[0] as SnapshotMessage;
      assert.equal(first.type, 'snapshot');
      await eventually(() => s.nodes.length === FLEET_NODES, 20_000, 'every node in the stream');
      const zones = new Set(s.nodes.map((n) => `${n.zone}/${n.pool}`));
      assert.deepEqual([...zones], ['z1/canary', 'z1/za', 'z2/zb']);

      await f.api.request('POST', '/apis/apps/v1/namespaces/default/daemonsets', daemonSet('agent:v1'));
      await f.api.request('POST', '/apis/everynode.dev/v1alpha1/namespaces/default/daemonsetrollouts', rollout);
      await eventually(() => s.last?.counts.done === FLEET_NODES && s.last.type === 'delta' && (s.last.rollouts ?? []).length <= 1 && s.nodes.every((n) => n.state === 'done'), 30_000, 'the fleet running agent:v1');
      await eventually(async () => (await f.api.request<{ status?: { phase?: string } }>('GET', '/apis/everynode.dev/v1alpha1/namespaces/default/daemonsetrollouts/agent')).status?.phase === 'Complete', 30_000, 'the rollout Complete');

      const seen = s.messages.length;
      await setImage(f.api, 'agent:v2-crash');
      await eventually(() => s.nodes.some((n) => n.state === 'blocked'), 60_000, 'a blocked node');
      const deltas = s.messages.slice(seen).filter((m): m is DeltaMessage => m.type === 'delta');
      assert.ok(deltas.some((d) => d.counts.waiting > 0), 'old-revision nodes shown waiting');
      const blocked = s.nodes.filter((n) => n.state === 'blocked');
      assert.equal(blocked.length, 1);
      assert.equal(blocked[0]!.pool, 'canary');
      // Counts always add up to the fleet.
      for (const m of s.messages) assert.equal(Object.values(m.counts).reduce((a, b) => a + b, 0), m.total);

      const d = await get(`${url}/api/nodes/${blocked[0]!.name}`, { Authorization: `Bearer ${f.c.token}` });
      assert.equal(d.status, 200);
      const details = JSON.parse(d.body) as NodeDetails;
      assert.equal(details.state, 'blocked');
      assert.equal(details.blockers[0]?.cause, 'Revision');
      assert.equal(details.blockers[0]?.reason, 'CrashLoop');
      assert.ok(details.pods.some((p) => p.owner === 'default/agent'));
      assert.equal((await get(`${url}/api/nodes/no-such-node`, { Authorization: `Bearer ${f.c.token}` })).status, 404);
    } finally {
      s.close();
    }
  });

  it('is served by everynode controller --dashboard-bind-address, with the same token check', async () => {
    const cfg = runConfig({ leaderElect: false, leaderElectId: 'x', leaderElectLeaseDuration: '15s', leaderElectRenewDeadline: '10s', leaderElectRetryPeriod: '2s', workers: '1', daemonsets: 'true', rollouts: 'false', dashboardBindAddress: '127.0.0.1:0' }, { inCluster: false, serviceAccountNamespace: undefined });
    // Only the dashboard matters here: the DaemonSet controller is confined to an empty namespace.
    const lines: string[] = [];
    const ac = new AbortController();
    const running = runController(f.c.kubeConfig(), cfg, { namespace: 'dashboard-test-empty', bindDirectly: false, log: (l) => lines.push(l) }, ac.signal);
    try {
      const at = await eventually(() => lines.map((l) => /serving the dashboard on (http:\/\/[^/ ]+)\//.exec(l)?.[1]).find(Boolean), 30_000, 'the dashboard line');
      assert.equal((await get(`${at}/api/stream`)).status, 401);
      const s = new StreamReader(at, f.c.token);
      await s.open();
      await eventually(() => s.nodes.length === FLEET_NODES, 20_000, 'every node in the controller\'s dashboard');
      s.close();
    } finally {
      ac.abort();
      await running;
    }
  });

  // The same fleet in Debian's chromium, as a user sees it: the failed canary, its details on a
  // click, then the rollback advancing until every cell is green again.
  const CHROMIUM = '/usr/bin/chromium';
  it('shows the fleet in a browser: a blocked node, its details, the rollback advancing', { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (apt-get install chromium)` }, async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const count = async (state: string) => Number(await page.locator(`[data-count="${state}"]`).textContent());
      await page.goto(`${url}/#token=${encodeURIComponent(f.c.token)}`);
      // The token left the address bar for sessionStorage.
      await page.waitForFunction(() => !location.hash && !!sessionStorage.getItem('everynode.dashboard.token'));
      await page.waitForFunction(() => document.querySelector('[data-count="blocked"]')?.textContent === '1', undefined, { timeout: 30_000 });
      assert.equal(await count('total'), FLEET_NODES);
      assert.equal(await count('done') + await count('waiting') + await count('blocked') + await count('updating') + await count('quarantined') + await count('not-ready'), FLEET_NODES);
      await page.locator('[data-rollout="default/agent"] [data-phase="Failed"]').waitFor();

      // Click the blocked node's cell on the heat-map.
      const blocked = await page.locator('#blockers tr[data-node]').first().getAttribute('data-node');
      assert.ok(blocked?.startsWith('canary-'));
      const cell = await page.evaluate((n) => (window as unknown as { __everynode: { cellOf(n: string): { x: number; y: number } } }).__everynode.cellOf(n), blocked!);
      await page.locator('#heatmap').click({ position: { x: cell.x, y: cell.y } });
      await page.locator(`#details[data-node="${blocked}"] [data-detail-state="blocked"]`).waitFor();
      assert.match(await page.locator('#details .why').first().textContent() ?? '', /CrashLoop \(cause Revision/);
      const shot = join(tmpdir(), 'everynode-dashboard-blocked.png');
      await page.screenshot({ path: shot, fullPage: true });

      // Roll back: the cells turn back to done as the rollout replaces the bad pod.
      await setImage(f.api, 'agent:v1');
      await page.waitForFunction((n) => document.querySelector('[data-count="done"]')?.textContent === String(n), FLEET_NODES, { timeout: 60_000 });
      assert.equal(await count('blocked'), 0);
      await page.screenshot({ path: join(tmpdir(), 'everynode-dashboard-done.png'), fullPage: true });
      const stats = await page.evaluate(() => (window as unknown as { __everynode: { stats: { draws: number } } }).__everynode.stats);
      assert.ok(stats.draws > 1, 'the heat-map was redrawn as cells changed');
    } finally {
      await browser.close();
    }
  });
});

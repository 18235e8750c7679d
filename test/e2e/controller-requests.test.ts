// The DaemonSet controller's API requests per node change, counted at its own client: labelling
// nodes one at a time (each puts one more node under the DaemonSet's selector) costs the pod
// create and the status writes that change something, and nothing else: no 409 on a status write
// made from a DaemonSet its own previous write has already superseded, so no GET and second PUT.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeConfig } from '@kubernetes/client-node';
import type { DaemonSet } from '../../src/api/types.js';
import { ApiStatusError, RawClient } from '../../src/kube/client.js';
import { DaemonSetController } from '../../src/controller/controller.js';
import { eventually, startTestCluster, type TestCluster } from '../helpers/cluster.js';

/** Every request made through it, with its answer's status code. */
class CountingClient extends RawClient {
  readonly log: { method: string; path: string; code: number }[] = [];
  constructor(kc: KubeConfig) { super(kc); }
  override async request<T = unknown>(method: string, path: string, body?: unknown, contentType?: string, call?: object): Promise<T> {
    try {
      const r = await super.request<T>(method, path, body, contentType, call);
      this.log.push({ method, path, code: 200 });
      return r;
    } catch (err) {
      this.log.push({ method, path, code: err instanceof ApiStatusError ? err.code : 0 });
      throw err;
    }
  }
}

const NS = 'requests';
const KEY = 'requests.everynode.dev/on';
const NODES = 6;
let c: TestCluster;
let api: RawClient;
let counting: CountingClient;
const stop = new AbortController();
let running: Promise<void>;

before(async () => {
  c = await startTestCluster({ nodes: NODES, scheduler: true, controller: false });
  api = new RawClient(c.kubeConfig());
  counting = new CountingClient(c.kubeConfig());
  running = new DaemonSetController(c.kubeConfig(), { namespace: NS, apiClient: counting }).start(stop.signal);
});
after(async () => { stop.abort(); await running; counting?.close(); api?.close(); await c?.stop(); });

const dsPath = `/apis/apps/v1/namespaces/${NS}/daemonsets/agent`;
const getDs = () => api.request<DaemonSet>('GET', dsPath);

test('node label changes cost no status conflict: no 409, no GET of the DaemonSet, one PUT per status change', { timeout: 120_000 }, async () => {
  await api.request('POST', '/api/v1/namespaces', { metadata: { name: NS } });
  await api.request('POST', `/apis/apps/v1/namespaces/${NS}/daemonsets`, {
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: NS },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: { metadata: { labels: { app: 'agent' } }, spec: { terminationGracePeriodSeconds: 0, nodeSelector: { [KEY]: 'on' }, containers: [{ name: 'agent', image: 'agent:v1' }] } },
    },
  });
  await eventually(async () => (await getDs()).status?.observedGeneration === 1, 20_000, 'the DaemonSet observed');
  const start = counting.log.length;
  const nodes = (await api.request<{ items: { metadata: { name: string } }[] }>('GET', '/api/v1/nodes')).items.map((n) => n.metadata.name).sort();
  for (const [i, node] of nodes.entries()) {
    await api.request('PATCH', `/api/v1/nodes/${node}`, { metadata: { labels: { [KEY]: 'on' } } }, 'application/merge-patch+json');
    await eventually(async () => { const s = (await getDs()).status; return s?.numberReady === i + 1 && s.numberAvailable === i + 1; }, 20_000, `${i + 1} pods ready`);
  }
  const made = counting.log.slice(start).filter((r) => !r.path.includes('/events'));
  const summary = made.map((r) => `${r.method} ${r.path.split('?')[0]} ${r.code}`).join('\n');
  const status = made.filter((r) => r.path === `${dsPath}/status`);
  assert.deepEqual(made.filter((r) => r.code === 409), [], `no conflict:\n${summary}`);
  assert.deepEqual(made.filter((r) => r.method === 'GET' && r.path.startsWith(dsPath)), [], `no live read of the DaemonSet:\n${summary}`);
  assert.equal(made.filter((r) => r.method === 'POST' && r.path.endsWith('/pods')).length, NODES, 'one pod create per node');
  // Each change moves the counters three times (desired as the create goes out, current and
  // updated once the pod is seen, ready and available once it is ready): a write for each, none
  // for the syncs our own writes' watch events start.
  assert.ok(status.length <= 3 * NODES, `${status.length} status writes for ${NODES} changes:\n${summary}`);
});

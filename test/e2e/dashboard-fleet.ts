// Shared by the dashboard's e2e and browser tests: a small zoned fleet with canaries, a
// DaemonSet (OnDelete) and its DaemonSetRollout, and a reader of the dashboard's stream.
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RawClient } from '../../src/kube/client.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import type { StreamMessage, NodeView } from '../../src/dashboard/types.js';
import { applyDelta } from '../../src/dashboard/derive.js';

export const FLEET_YAML = `
heartbeatIntervalMs: 1000
nodeMonitorGracePeriodMs: 6000
pools:
  - name: canary
    count: 2
    labels: { topology.kubernetes.io/zone: z1, everynode.dev/canary: "true" }
    pods: &pods
      startupDelay: 50
      readinessDelay: 100
      rules:
        - imageRegex: "-crash$"
          crashLoop: { after: 150, exitCode: 1 }
  - name: za
    count: 3
    labels: { topology.kubernetes.io/zone: z1 }
    pods: *pods
  - name: zb
    count: 3
    labels: { topology.kubernetes.io/zone: z2 }
    pods: *pods
`;
export const FLEET_NODES = 8;

export const daemonSet = (image: string) => ({
  apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'default' },
  spec: {
    selector: { matchLabels: { app: 'agent' } }, updateStrategy: { type: 'OnDelete' },
    template: { metadata: { labels: { app: 'agent' } }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'main', image }] } },
  },
});

export const rollout = {
  apiVersion: 'everynode.dev/v1alpha1', kind: 'DaemonSetRollout', metadata: { name: 'agent', namespace: 'default' },
  spec: {
    targetRef: { name: 'agent' },
    waves: [
      { name: 'canary', nodeSelector: { matchLabels: { 'everynode.dev/canary': 'true' } }, maxUnavailable: 1 },
      { name: 'zone', splitBy: 'topology.kubernetes.io/zone', maxUnavailable: '50%' },
    ],
    health: { maxRestarts: 1, podReadyTimeoutSeconds: 60, maxFailedNodes: 0 },
    onFailure: 'Pause',
  },
};

export interface DashFleet { c: TestCluster; api: RawClient; stop(): Promise<void> }

export async function startDashFleet(): Promise<DashFleet> {
  const dir = mkdtempSync(join(tmpdir(), 'everynode-dash-'));
  writeFileSync(join(dir, 'cluster.yaml'), FLEET_YAML);
  const c = await startTestCluster({ configFile: join(dir, 'cluster.yaml'), scheduler: true, controller: true, dashboardPort: 0 });
  const api = new RawClient(c.kubeConfig());
  return { c, api, async stop() { api.close(); await c.stop(); rmSync(dir, { recursive: true, force: true }); } };
}

export function setImage(api: RawClient, image: string): Promise<unknown> {
  return api.request('PATCH', '/apis/apps/v1/namespaces/default/daemonsets/agent', [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: image }], 'application/json-patch+json');
}

export function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/** Follows /api/stream as the browser does, keeping the fleet it describes. */
export class StreamReader {
  readonly messages: StreamMessage[] = [];
  nodes: NodeView[] = [];
  #req: http.ClientRequest | undefined;

  constructor(readonly url: string, readonly token: string) {}

  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#req = http.get(`${this.url}/api/stream`, { headers: { Authorization: `Bearer ${this.token}` } }, (res) => {
        if (res.statusCode !== 200) { reject(new Error(`HTTP ${res.statusCode}`)); return; }
        res.setEncoding('utf8');
        let buf = '';
        res.on('data', (chunk: string) => {
          buf += chunk;
          for (let i = buf.indexOf('\n\n'); i !== -1; i = buf.indexOf('\n\n')) {
            const ev = buf.slice(0, i); buf = buf.slice(i + 2);
            const data = ev.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
            if (!data) continue;
            const m = JSON.parse(data) as StreamMessage;
            this.messages.push(m);
            this.nodes = m.type === 'snapshot' ? m.nodes : applyDelta(this.nodes, m);
            resolve();
          }
        });
        res.on('error', () => {});
      });
      this.#req.on('error', reject);
    });
  }

  get last(): StreamMessage | undefined { return this.messages[this.messages.length - 1]; }
  close(): void { this.#req?.destroy(); }
}

// End to end: the node IPAM controller over a range that holds fewer node CIDRs than the pool has
// nodes — the 50,000-node exhaustion in miniature. 10.0.0.0/28 in /30 blocks is four node CIDRs
// for six nodes: four get one, two get none and a CIDRNotAvailable event, `up`'s log says so
// once; a restart keeps every CIDR where it was, and deleting a node hands its CIDR to a waiting one.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Node } from '../../src/api/types.js';
import { RawClient } from '../../src/kube/client.js';
import { eventually, startTestCluster, type TestCluster } from '../helpers/cluster.js';

const CONFIG = `
clusterCIDR: 10.0.0.0/28
nodeCIDRMaskSize: 30
nodeAddressCIDR: 192.168.50.0/24
pools:
  - name: tiny
    count: 6
`;
const RANGE = ['10.0.0.0/30', '10.0.0.4/30', '10.0.0.8/30', '10.0.0.12/30'].sort(); // as strings

interface CoreEvent { involvedObject: { kind: string; name: string }; reason: string; type: string; message: string; source?: { component?: string } }

let dir: string;
let configFile: string;
const logs: string[] = [];

const start = (): Promise<TestCluster> => startTestCluster({ dataDir: join(dir, 'data'), configFile, log: (l) => logs.push(l) });
const nodes = async (api: RawClient) => (await api.request<{ items: Node[] }>('GET', '/api/v1/nodes')).items;
const cidrsOf = (list: Node[]) => new Map(list.filter((n) => n.spec?.podCIDRs?.length).map((n) => [n.metadata!.name!, n.spec!.podCIDRs![0]]));
const notAvailable = async (api: RawClient) => (await api.request<{ items: CoreEvent[] }>('GET', '/api/v1/namespaces/default/events')).items
  .filter((e) => e.reason === 'CIDRNotAvailable' && e.involvedObject.kind === 'Node');

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'everynode-ipam-'));
  configFile = join(dir, 'cluster.yaml');
  writeFileSync(configFile, CONFIG);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('a range of four node CIDRs for six nodes: four assigned, two refused with an event, one log line', async () => {
  const c = await start();
  const api = new RawClient(c.kubeConfig());
  try {
    const list = await eventually(async () => {
      const l = await nodes(api);
      return cidrsOf(l).size === 4 && (await notAvailable(api)).length === 2 ? l : undefined;
    }, 30_000, '4 nodes with a CIDR and 2 CIDRNotAvailable events');
    const assigned = cidrsOf(list);
    assert.deepEqual([...assigned.values()].sort(), RANGE, 'each CIDR of the range exactly once');
    for (const n of list) {
      assert.equal(n.spec?.podCIDR, n.spec?.podCIDRs?.[0], 'singular field mirrors the list');
      assert.match(n.status!.addresses!.find((a) => a.type === 'InternalIP')!.address, /^192\.168\.50\./);
    }
    const refused = list.filter((n) => !assigned.has(n.metadata!.name!)).map((n) => n.metadata!.name!).sort();
    const events = await notAvailable(api);
    assert.deepEqual(events.map((e) => e.involvedObject.name).sort(), refused);
    for (const e of events) {
      assert.equal(e.type, 'Normal', 'upstream RecordNodeStatusChange records a Normal event');
      assert.equal(e.message, `Node ${e.involvedObject.name} status is now: CIDRNotAvailable`);
      assert.equal(e.source?.component, 'cidrAllocator');
    }
    // Refused nodes still register and report Ready, as on a real cluster whose CNI does not need podCIDR.
    assert.equal(list.length, 6);
    const loud = logs.filter((l) => l.includes('CIDRNotAvailable'));
    assert.equal(loud.length, 1, loud.join('\n'));
    assert.match(loud[0], /clusterCIDR 10\.0\.0\.0\/28 has no free \/30 left \(4 of 4 in use\)/);
  } finally {
    api.close();
    await c.stop();
  }
});

test('after a restart every CIDR stays where it was; a deleted node\'s CIDR goes to a waiting node', async () => {
  logs.length = 0;
  const c = await start();
  const api = new RawClient(c.kubeConfig());
  try {
    const before = cidrsOf(await nodes(api));
    assert.equal(before.size, 4, 'stored CIDRs survive the restart');
    // The restarted allocator refuses the two again (its own log line once more) and assigns nothing twice.
    await eventually(() => logs.some((l) => l.includes('CIDRNotAvailable')), 30_000, 'the restarted allocator to find the range full');
    assert.deepEqual(cidrsOf(await nodes(api)), before);
    const [victim, freed] = [...before.entries()].sort(([a], [b]) => a.localeCompare(b))[0];
    await api.request('DELETE', `/api/v1/nodes/${victim}`);
    const after = await eventually(async () => {
      const m = cidrsOf(await nodes(api));
      return !m.has(victim) && m.size === 4 ? m : undefined;
    }, 30_000, `a waiting node to get ${freed}`);
    const heir = [...after.entries()].find(([, cidr]) => cidr === freed)?.[0];
    assert.ok(heir && !before.has(heir), `${freed} went to a node that had none (got ${heir})`);
    assert.deepEqual([...after.values()].sort(), RANGE);
  } finally {
    api.close();
    await c.stop();
  }
});

// The DaemonSetRollout health gate against the embedded cluster, driven with the real kubectl:
// a crash-looping revision trips the gate in the canary wave and is rolled back without touching
// a node outside the canary; a node that turns NotReady before its update is the node's fault
// (cause Node), does not trip the gate, is quarantined, and the fleet completes without it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, hasKubectl } from '../helpers/cluster.js';
import { FleetRecorder, daemonSetYaml, ok, rolloutStatus, startRolloutCluster, waitFleet, zonesOfNodes, type RolloutCluster } from './rollout-helpers.js';
import type { DaemonSet, Node } from '../../src/api/types.js';

const skip = hasKubectl ? false : 'kubectl is not installed on this machine';
let rc: RolloutCluster;

before(async () => { if (!skip) rc = await startRolloutCluster(); });
after(async () => { if (!skip) await rc.stop(); });

describe('DaemonSetRollout gates', { skip }, () => {
  test('a crash-looping image trips the gate in the canary wave and is rolled back', async () => {
    const { c, api } = rc;
    await ok(c, ['apply', '-f', '-'], daemonSetYaml('crashy', 'crashy:v1'));
    await waitFleet(api, 'crashy', 'crashy:v1', 9);
    await ok(c, ['apply', '-f', '-'], `apiVersion: everynode.dev/v1alpha1
kind: DaemonSetRollout
metadata: { name: crashy, namespace: default }
spec:
  targetRef: { name: crashy }
  onFailure: Rollback
  health: { maxRestarts: 0, podReadyTimeoutSeconds: 3 }
  waves:
    - name: canary
      nodeSelector: { matchLabels: { topology.kubernetes.io/zone: a } }
      maxUnavailable: 1
    - name: rest
      maxUnavailable: 2
`);
    await eventually(async () => (await rolloutStatus(c, 'crashy')).phase === 'Idle', 20_000, 'the rollout Idle');
    const rec = new FleetRecorder(api, 'crashy', await zonesOfNodes(api));
    await rec.start();
    try {
      await ok(c, ['set', 'image', 'daemonset/crashy', 'main=crashy:crash']);
      await eventually(async () => {
        const s = await rolloutStatus(c, 'crashy');
        return s.phase === 'Failed' && s.conditions?.some((x: { type: string; status: string }) => x.type === 'RolledBack' && x.status === 'True');
      }, 60_000, 'the rollout rolled back');
      await waitFleet(api, 'crashy', 'crashy:v1', 9);
    } finally { await rec.stop(); }
    const s = await rolloutStatus(c, 'crashy');
    assert.equal(s.failure.reason, 'HealthGate');
    const ds = await api.request<DaemonSet>('GET', '/apis/apps/v1/namespaces/default/daemonsets/crashy');
    assert.equal(ds.spec?.template.spec?.containers[0].image, 'crashy:v1', 'the template is back on the stable revision');
    const touched = new Set(rec.deletions.map((d) => d.zone));
    assert.deepEqual([...touched], ['a'], `only canary nodes were touched: ${JSON.stringify(rec.deletions)}`);
    const events = await ok(c, ['get', 'events', '--field-selector', 'involvedObject.name=crashy,involvedObject.kind=DaemonSetRollout', '-o', 'jsonpath={.items[*].reason}']);
    for (const r of ['HealthGate', 'RollbackStarted']) assert.match(events, new RegExp(r));
  });

  test('a node NotReady before its update is cause Node, is quarantined, and the fleet completes', async () => {
    const { c, api } = rc;
    await ok(c, ['apply', '-f', '-'], daemonSetYaml('steady', 'steady:v1'));
    await waitFleet(api, 'steady', 'steady:v1', 9);
    await ok(c, ['apply', '-f', '-'], `apiVersion: everynode.dev/v1alpha1
kind: DaemonSetRollout
metadata: { name: steady, namespace: default }
spec:
  targetRef: { name: steady }
  onFailure: Rollback
  quarantine: { afterSeconds: 2, maxNodes: 1 }
  waves:
    - name: all
      maxUnavailable: 2
`);
    await eventually(async () => (await rolloutStatus(c, 'steady')).phase === 'Idle', 20_000, 'the rollout Idle');
    const sick = 'b-1';
    await ok(c, ['annotate', 'node', sick, 'everynode.dev/ready=false', '--overwrite']);
    await eventually(async () => (await api.request<Node>('GET', `/api/v1/nodes/${sick}`)).status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'False'), 20_000, `${sick} NotReady`);
    await ok(c, ['set', 'image', 'daemonset/steady', 'main=steady:v2']);
    const blocked = await eventually(async () => (await rolloutStatus(c, 'steady')).blockedNodes?.find((b: { node: string }) => b.node === sick), 30_000, `${sick} reported blocked`)
      .catch(async (err) => { console.log(JSON.stringify(await rolloutStatus(c, 'steady'))); console.log(await ok(c, ['get', 'pods', '-o', 'wide', '-l', 'app=steady'])); throw err; });
    assert.equal(blocked.cause, 'Node');
    assert.equal(blocked.reason, 'NodeNotReady');
    const done = await eventually(async () => { const s = await rolloutStatus(c, 'steady'); return s.phase === 'Complete' ? s : undefined; }, 60_000, 'the rollout Complete');
    assert.equal(done.failure, undefined, 'the gate did not trip');
    assert.deepEqual(done.quarantinedNodes, [sick]);
    assert.equal(done.updatedNodes, 8);
    const node = await api.request<Node>('GET', `/api/v1/nodes/${sick}`);
    assert.equal(node.metadata?.annotations?.['everynode.dev/quarantined'], 'default/steady');
    // The node recovers: its pod is updated and the quarantine lifted.
    await ok(c, ['annotate', 'node', sick, 'everynode.dev/ready-']);
    await waitFleet(api, 'steady', 'steady:v2', 9);
    await eventually(async () => (await api.request<Node>('GET', `/api/v1/nodes/${sick}`)).metadata?.annotations?.['everynode.dev/quarantined'] === undefined, 30_000, 'the quarantine lifted');
    // Deleting the rollout leaves no annotation behind and is not blocked by its finalizer.
    await ok(c, ['delete', 'daemonsetrollout', 'steady', '--wait=true', '--timeout=20s']);
  });
});

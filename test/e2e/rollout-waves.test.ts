// A zone-by-zone DaemonSetRollout against the embedded cluster, driven with the real kubectl as a
// user would: the waves go in order and each wave's budget holds at every moment, as seen by a
// watch on the pods.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, hasKubectl } from '../helpers/cluster.js';
import type { DaemonSet } from '../../src/api/types.js';
import { FleetRecorder, ZONES, daemonSetYaml, ok, rolloutStatus, startRolloutCluster, waitFleet, zonesOfNodes, type RolloutCluster } from './rollout-helpers.js';

const skip = hasKubectl ? false : 'kubectl is not installed on this machine';
let rc: RolloutCluster;

before(async () => { if (!skip) rc = await startRolloutCluster(); });
after(async () => { if (!skip) await rc.stop(); });

const rolloutYaml = `apiVersion: everynode.dev/v1alpha1
kind: DaemonSetRollout
metadata: { name: agent, namespace: default }
spec:
  targetRef: { name: agent }
  waves:
    - name: zone
      splitBy: topology.kubernetes.io/zone
      order: [${ZONES.join(', ')}]
      maxUnavailable: 1
      bakeSeconds: 1
`;

describe('DaemonSetRollout waves', { skip }, () => {
  test('a zone-by-zone rollout follows the wave order and keeps each budget', async () => {
    const { c, api } = rc;
    await ok(c, ['apply', '-f', '-'], daemonSetYaml('agent', 'agent:v1'));
    await waitFleet(api, 'agent', 'agent:v1', 9);
    await ok(c, ['apply', '-f', '-'], rolloutYaml);
    await eventually(async () => (await rolloutStatus(c, 'agent')).phase === 'Idle', 20_000, 'the rollout Idle');
    const zoneOf = await zonesOfNodes(api);
    const rec = new FleetRecorder(api, 'agent', zoneOf);
    await rec.start();
    try {
      await ok(c, ['set', 'image', 'daemonset/agent', 'main=agent:v2']);
      await eventually(async () => (await rolloutStatus(c, 'agent')).phase === 'Complete', 90_000, 'the rollout Complete');
      await waitFleet(api, 'agent', 'agent:v2', 9);
    } finally { await rec.stop(); }
    const old = rec.deletions.filter((d) => d.image === 'agent:v1');
    assert.equal(old.length, 9, `every old pod deleted once: ${JSON.stringify(rec.deletions)}`);
    const order = old.map((d) => d.zone);
    assert.deepEqual(order, [...order].sort(), `deletions follow the wave order a, b, c: ${order.join(',')}`);
    for (const z of ZONES) assert.ok((rec.maxUnavailable.get(z) ?? 0) <= 1, `zone ${z} had ${rec.maxUnavailable.get(z)} nodes unavailable at once`);
    assert.equal(rec.zonesAtOnce, 1, 'one wave at a time');
    const s = await rolloutStatus(c, 'agent');
    assert.deepEqual(s.waves.map((w: { name: string; state: string }) => [w.name, w.state]), ZONES.map((z) => [`zone-${z}`, 'Complete']));
    assert.equal(s.updatedNodes, 9);
    const events = await ok(c, ['get', 'events', '--field-selector', 'involvedObject.kind=DaemonSetRollout', '-o', 'jsonpath={.items[*].reason}']);
    for (const r of ['RolloutStarted', 'WaveStarted', 'WaveCompleted', 'RolloutComplete']) assert.match(events, new RegExp(r));
  });

  test('a spec the API server accepts but validateRollout refuses: a Warning event and Progressing=False InvalidSpec, no retries', async () => {
    const { c } = rc;
    await ok(c, ['apply', '-f', '-'], `apiVersion: everynode.dev/v1alpha1
kind: DaemonSetRollout
metadata: { name: twice, namespace: default }
spec:
  targetRef: { name: agent }
  waves: [{ name: all }, { name: more }]
`);
    const cond = await eventually(async () => (await rolloutStatus(c, 'twice')).conditions?.find((x: { type: string }) => x.type === 'Progressing'), 20_000, 'the InvalidSpec condition');
    assert.equal(cond.status, 'False');
    assert.equal(cond.reason, 'InvalidSpec');
    assert.match(cond.message, /spec\.waves\[1\].*unreachable/);
    const events = await eventually(async () => { const e = await ok(c, ['get', 'events', '--field-selector', 'involvedObject.name=twice', '-o', 'jsonpath={range .items[*]}{.type} {.reason} {.count}{"\\n"}{end}']); return /Warning InvalidSpec/.test(e) ? e : undefined; }, 20_000, 'the InvalidSpec event');
    assert.match(events, /Warning InvalidSpec 1$/m, 'reported once: a terminal error is not retried');
    await ok(c, ['delete', 'daemonsetrollout', 'twice', '--wait=true', '--timeout=20s']);
  });

  test('manageStrategy switches a RollingUpdate target to OnDelete; deleting the rollout restores it', async () => {
    const { c, api } = rc;
    await ok(c, ['apply', '-f', '-'], daemonSetYaml('managed', 'managed:v1').replace('updateStrategy: { type: OnDelete }', 'updateStrategy: { type: RollingUpdate, rollingUpdate: { maxUnavailable: 2 } }'));
    await waitFleet(api, 'managed', 'managed:v1', 9);
    await ok(c, ['apply', '-f', '-'], `apiVersion: everynode.dev/v1alpha1
kind: DaemonSetRollout
metadata: { name: managed, namespace: default }
spec:
  targetRef: { name: managed }
  manageStrategy: true
  waves: [{ name: all, maxUnavailable: 3 }]
`);
    const strategy = async () => (await api.request<DaemonSet>('GET', '/apis/apps/v1/namespaces/default/daemonsets/managed'));
    const switched = await eventually(async () => { const d = await strategy(); return d.spec?.updateStrategy?.type === 'OnDelete' ? d : undefined; }, 20_000, 'the target switched to OnDelete');
    assert.deepEqual(JSON.parse(switched.metadata!.annotations!['everynode.dev/original-update-strategy']!), { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2, maxSurge: 0 } });
    await ok(c, ['set', 'image', 'daemonset/managed', 'main=managed:v2']);
    await eventually(async () => (await rolloutStatus(c, 'managed')).phase === 'Complete', 60_000, 'the rollout Complete');
    await ok(c, ['delete', 'daemonsetrollout', 'managed', '--wait=true', '--timeout=20s']);
    const restored = await strategy();
    assert.deepEqual(restored.spec?.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2, maxSurge: 0 } });
    assert.equal(restored.metadata?.annotations?.['everynode.dev/original-update-strategy'], undefined);
  });
});

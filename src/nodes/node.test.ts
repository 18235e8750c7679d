import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, NodeCondition } from '../api/types.js';
import { defaultConfig, parseClusterConfig } from './cluster-config.js';
import { initialNode, nodeStatusFor, faultsOf, podCIDRFor, nodeIPFor, internalIPOf } from './node.js';
import { setCondition } from './conditions.js';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const pool = parseClusterConfig(`pools: [{name: rng, count: 2, labels: {feature: hw-rng}, taints: [{key: a, value: b, effect: NoSchedule}], capacity: {cpu: "1.5", memory: 8Gi}}]`).pools[0];
const cond = (n: { status?: { conditions?: NodeCondition[] } }, t: string) => n.status?.conditions?.find((c) => c.type === t);

test('initialNode: labels, taints, capacity, addresses, nodeInfo, Ready', () => {
  const n = initialNode(pool, 1, T0, 7);
  assert.equal(n.metadata!.name, 'rng-1');
  assert.deepEqual(n.metadata!.labels, {
    feature: 'hw-rng', 'kubernetes.io/hostname': 'rng-1', 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux', 'beta.kubernetes.io/arch': 'amd64',
  });
  assert.deepEqual(n.spec!.taints, [{ key: 'a', value: 'b', effect: 'NoSchedule' }]);
  assert.deepEqual(n.status!.capacity, { cpu: '1500m', memory: '8Gi', pods: '110', 'ephemeral-storage': '100Gi' });
  assert.deepEqual(n.status!.allocatable, n.status!.capacity);
  assert.equal(internalIPOf(n), '172.16.0.8');
  assert.equal(n.spec!.podCIDR, '10.64.7.0/24');
  assert.equal(n.status!.nodeInfo!.kubeletVersion, 'v1.32.0');
  assert.equal(cond(n, 'Ready')!.status, 'True');
  assert.equal(cond(n, 'Ready')!.lastTransitionTime, '2025-01-01T12:00:00Z');
  assert.equal(cond(n, 'NetworkUnavailable'), undefined);
  assert.deepEqual(initialNode(pool, 1, T0, 7), n, 'deterministic');
  assert.equal(initialNode(defaultConfig(1).pools[0], 0, T0).spec!.taints, undefined);
});

test('addresses and pod CIDRs are distinct per ordinal', () => {
  const ips = new Set<string>(), cidrs = new Set<string>();
  for (let i = 0; i < 70_000; i += 1) { ips.add(nodeIPFor(i)); if (i < 40_000) cidrs.add(podCIDRFor(i)); }
  assert.equal(ips.size, 70_000);
  assert.equal(cidrs.size, 40_000);
  assert.equal(podCIDRFor(256), '10.65.0.0/24');
});

const annotate = (n: Node, a: Record<string, string>): Node => ({ ...n, metadata: { ...n.metadata, annotations: { ...n.metadata!.annotations, ...a } } });

test('faults bend the reported conditions; transitions are timestamped', () => {
  const n = initialNode(pool, 0, T0);
  const later = T0 + 60_000;
  const faulty = annotate(n, { 'everynode.dev/ready': 'false', 'everynode.dev/pressure': 'memory, pid', 'everynode.dev/network-unavailable': 'true' });
  const s = nodeStatusFor(faulty, faultsOf(faulty), later)!;
  const c = (t: string) => s.conditions!.find((x) => x.type === t)!;
  assert.deepEqual([c('Ready').status, c('Ready').reason], ['False', 'KubeletNotReady']);
  assert.equal(c('Ready').lastTransitionTime, '2025-01-01T12:01:00Z');
  assert.deepEqual([c('MemoryPressure').status, c('MemoryPressure').reason], ['True', 'KubeletHasInsufficientMemory']);
  assert.deepEqual([c('PIDPressure').status, c('PIDPressure').reason], ['True', 'KubeletHasInsufficientPID']);
  assert.equal(c('DiskPressure').status, 'False');
  assert.equal(c('DiskPressure').lastTransitionTime, '2025-01-01T12:00:00Z', 'unchanged status keeps its transition time');
  assert.equal(c('DiskPressure').lastHeartbeatTime, '2025-01-01T12:01:00Z');
  assert.deepEqual([c('NetworkUnavailable').status, c('NetworkUnavailable').reason], ['True', 'NoRouteCreated']);
  // clearing the network fault reports False rather than dropping the condition
  const healed = { ...n, status: { ...n.status, conditions: s.conditions } };
  const s2 = nodeStatusFor(healed, faultsOf(healed), later + 1000)!;
  assert.equal(s2.conditions!.find((x) => x.type === 'NetworkUnavailable')!.status, 'False');
  assert.equal(s2.conditions!.find((x) => x.type === 'Ready')!.status, 'True');
});

test('stopped heartbeats report nothing', () => {
  const n = annotate(initialNode(pool, 0, T0), { 'everynode.dev/heartbeat': 'stopped' });
  assert.equal(faultsOf(n).heartbeatStopped, true);
  assert.equal(nodeStatusFor(n, faultsOf(n), T0), undefined);
});

test('setCondition appends new types and replaces existing ones', () => {
  const a = setCondition([], { type: 'X', status: 'True' }, 't1');
  const b = setCondition(a, { type: 'Y', status: 'False' }, 't2');
  const c = setCondition(b, { type: 'X', status: 'False' }, 't3');
  assert.deepEqual(c, [{ type: 'X', status: 'False', lastTransitionTime: 't3' }, { type: 'Y', status: 'False', lastTransitionTime: 't2' }]);
});

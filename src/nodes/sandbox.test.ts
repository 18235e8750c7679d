// The simulated kubelet's pod sandbox: addresses from the node's pod CIDR at accept time; a full
// (or missing) CIDR leaves the pod Pending in ContainerCreating with FailedCreatePodSandBox, retried
// every backOffPeriod until an address is free.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from '../api/types.js';
import { rfc3339 } from '../api/meta.js';
import { parseClusterConfig } from './cluster-config.js';
import { initialNode } from './node.js';
import { applyTransition, nextPodTransition } from './lifecycle.js';
import { SANDBOX_RETRY_MS, awaitsSandbox } from './stages.js';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const pool = parseClusterConfig('pools: [{name: p, count: 1, pods: {startupDelay: 1000, readinessDelay: 2000}}]').pools[0]!;
const onCIDR = (cidr?: string): Node => {
  const n = initialNode(pool, 0, T0);
  return { ...n, spec: { ...n.spec, podCIDR: cidr, podCIDRs: cidr ? [cidr] : undefined } };
};
const mkPod = (uid: string, extra: Partial<NonNullable<Pod['spec']>> = {}): Pod => ({
  metadata: { name: uid, namespace: 'default', uid },
  spec: { nodeName: 'p-0', containers: [{ name: 'c', image: 'nginx:1' }], ...extra },
  status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] },
});
const cond = (p: Pod, type: string) => p.status?.conditions?.find((c) => c.type === type);
const step = (pod: Pod, node: Node, now: number, inUse: string[]) => nextPodTransition(pod, node, pool.pods, now, () => 0.5, { podIPsInUse: () => inUse });

test('a full pod CIDR: Pending, ContainerCreating, no IP, FailedCreatePodSandBox naming the range', () => {
  const node = onCIDR('10.0.0.4/30'); // one pod address: 10.0.0.6
  const accept = step(mkPod('b'), node, T0, ['10.0.0.6'])!;
  assert.equal(accept.stage, 'pod-accept');
  const pod = applyTransition(mkPod('b'), accept);
  assert.equal(pod.status!.phase, 'Pending');
  assert.equal(pod.status!.startTime, rfc3339(T0));
  assert.equal(pod.status!.podIP, undefined);
  assert.equal(pod.status!.podIPs, undefined);
  assert.equal(pod.status!.hostIP, '172.16.0.1', 'the host IP is known without a sandbox');
  assert.equal(cond(pod, 'PodReadyToStartContainers')!.status, 'False');
  assert.equal(pod.status!.containerStatuses![0]!.state!.waiting!.reason, 'ContainerCreating');
  assert.equal(accept.events!.length, 1, 'no Pulling: images are pulled after the sandbox');
  const e = accept.events![0]!;
  assert.deepEqual([e.type, e.reason, e.container], ['Warning', 'FailedCreatePodSandBox', undefined]);
  assert.match(e.message, /^Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "[0-9a-f]{64}": plugin type="bridge" failed \(add\): failed to allocate for range 0: no IP addresses available in range set: 10\.0\.0\.5-10\.0\.0\.6$/);
  assert.ok(awaitsSandbox(pod));
});

test('retries every backOffPeriod on a grid from the first failure; an address freed is taken at the next retry', () => {
  const node = onCIDR('10.0.0.4/30');
  let pod = applyTransition(mkPod('b'), step(mkPod('b'), node, T0, ['10.0.0.6'])!);
  const retry = step(pod, node, T0 + 50, ['10.0.0.6'])!;
  assert.deepEqual([retry.stage, retry.atMs, retry.statusPatch], ['pod-sandbox-retry', T0 + SANDBOX_RETRY_MS, undefined]);
  assert.equal(retry.events![0]!.reason, 'FailedCreatePodSandBox');
  // Re-planned later (after a failed retry, or when an address is freed) it keeps to the grid.
  assert.equal(step(pod, node, T0 + SANDBOX_RETRY_MS, ['10.0.0.6'])!.atMs, T0 + 2 * SANDBOX_RETRY_MS);
  assert.equal(step(pod, node, T0 + 25_000, [])!.atMs, T0 + 30_000);
  // The other pod went: the retry at 30 s sets the sandbox up.
  const ok = step(pod, node, T0 + 25_000, [])!;
  assert.deepEqual(ok.statusPatch!.podIPs, [{ ip: '10.0.0.6' }]);
  assert.deepEqual(ok.events!.map((x) => x.reason), ['Pulling']);
  pod = applyTransition(pod, ok);
  assert.equal(pod.status!.podIP, '10.0.0.6');
  assert.equal(cond(pod, 'PodReadyToStartContainers')!.lastTransitionTime, rfc3339(T0 + 30_000));
  assert.equal(awaitsSandbox(pod), false);
  // Pulls start with the sandbox: the container starts startupDelay after it, not after accept.
  const start = step(pod, node, T0 + 30_000, ['10.0.0.6'])!;
  assert.deepEqual([start.stage, start.atMs], ['pod-start', T0 + 31_000]);
  assert.match(start.events![0]!.message, / in 1s \(1s including waiting\)/);
  pod = applyTransition(pod, start);
  assert.equal(pod.status!.podIP, '10.0.0.6', 'kept through start');
  assert.equal(pod.status!.phase, 'Running');
});

test('no pod CIDR yet: the sandbox fails ("no IP ranges specified") until the node gets one', () => {
  const pod = applyTransition(mkPod('a'), step(mkPod('a'), onCIDR(undefined), T0, [])!);
  assert.equal(pod.status!.podIP, undefined);
  const later = step(pod, onCIDR(undefined), T0 + 1000, [])!;
  assert.match(later.events![0]!.message, /failed \(add\): no IP ranges specified$/);
  const assigned = step(pod, onCIDR('10.9.0.0/24'), T0 + 1000, [])!;
  assert.match(assigned.statusPatch!.podIP!, /^10\.9\.0\.\d+$/);
});

test('hostNetwork pods need no pod address: they start on a full node with its IP', () => {
  const node = onCIDR('10.0.0.4/30');
  const t = step(mkPod('h', { hostNetwork: true }), node, T0, ['10.0.0.6'])!;
  assert.deepEqual([t.statusPatch!.podIP, t.events!.map((e) => e.reason)], ['172.16.0.1', ['Pulling']]);
});

test('an image patched while the sandbox waits is not a container restart', () => {
  const node = onCIDR('10.0.0.4/30');
  const waiting = applyTransition(mkPod('b'), step(mkPod('b'), node, T0, ['10.0.0.6'])!);
  const patched: Pod = { ...waiting, spec: { ...waiting.spec, containers: [{ name: 'c', image: 'nginx:2' }] } };
  assert.equal(step(patched, node, T0 + 100, ['10.0.0.6'])!.stage, 'pod-sandbox-retry');
});

test('a terminating or finished pod waits for no sandbox', () => {
  const node = onCIDR('10.0.0.4/30');
  const waiting = applyTransition(mkPod('b'), step(mkPod('b'), node, T0, ['10.0.0.6'])!);
  assert.equal(step({ ...waiting, metadata: { ...waiting.metadata, deletionTimestamp: rfc3339(T0 + 10) } }, node, T0 + 100, [])!.stage, 'pod-delete');
  assert.equal(awaitsSandbox({ ...waiting, status: { ...waiting.status, phase: 'Failed' } }), false);
});

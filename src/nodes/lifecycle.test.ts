import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../api/types.js';
import { rfc3339 } from '../api/meta.js';
import { parseClusterConfig } from './cluster-config.js';
import { initialNode } from './node.js';
import { nextPodTransition, applyTransition } from './lifecycle.js';
import { crashLoopBackoffMs, goDuration } from './stages.js';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const config = parseClusterConfig(`
pools:
  - name: p
    count: 1
    pods:
      startupDelay: 1000
      readinessDelay: { constant: 2000 }
      rules:
        - { image: "bad/*", pullError: ErrImagePull }
        - { image: "*:crash", crashLoop: { after: 3000, exitCode: 2 } }
        - { image: "*:job", exit: { after: 5000, exitCode: 0 } }
        - { imageRegex: "never", neverReady: true }
`);
const pool = config.pools[0];
const node = initialNode(pool, 0, T0);
const mkPod = (image: string, restartPolicy?: string): Pod => ({
  metadata: { name: 'web', namespace: 'default', uid: 'uid-1' },
  spec: { nodeName: 'p-0', restartPolicy, containers: [{ name: 'c', image }] },
  status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] },
});

/** Runs transitions in fake time until rest, a step limit, or a time limit; returns the trail. */
function run(pod: Pod, untilMs = T0 + 600_000, opts = {}) {
  let now = T0;
  const trail: { stage: string; atMs: number; pod: Pod; event?: string }[] = [];
  for (let i = 0; i < 30; i++) {
    const t = nextPodTransition(pod, node, pool.pods, now, () => 0.5, opts);
    if (!t || t.atMs > untilMs) break;
    now = Math.max(now, t.atMs);
    if (t.delete) { trail.push({ stage: t.stage, atMs: now, pod }); break; }
    pod = applyTransition(pod, t);
    trail.push({ stage: t.stage, atMs: now, pod, event: t.events?.map((e) => e.reason).join(',') });
  }
  return trail;
}
const cond = (p: Pod, type: string) => p.status!.conditions!.find((c) => c.type === type)!;

test('delays count from the exact moment of the last stage when the shell knows it, else from its whole second', () => {
  // Accepted 700 ms into a second: the status says T0 (RFC 3339 has whole seconds).
  const acceptAt = T0 + 700;
  const accepted = applyTransition(mkPod('nginx:1.27'), nextPodTransition(mkPod('nginx:1.27'), node, pool.pods, acceptAt, () => 0.5)!);
  assert.equal(cond(accepted, 'PodReadyToStartContainers').lastTransitionTime, rfc3339(T0));
  const truncated = nextPodTransition(accepted, node, pool.pods, acceptAt, () => 0.5)!;
  assert.deepEqual([truncated.stage, truncated.atMs - T0], ['pod-start', 1000], 'without the shell: 300 ms short');
  const exactMs = (t: string | undefined) => (t === rfc3339(acceptAt) ? acceptAt : undefined);
  const exact = nextPodTransition(accepted, node, pool.pods, acceptAt, () => 0.5, { exactMs })!;
  assert.deepEqual([exact.stage, exact.atMs - T0, exact.renderedAtMs! - T0], ['pod-start', 1700, 1700], 'startupDelay after the accept itself');
  const started = applyTransition(accepted, exact);
  const ready = nextPodTransition(started, node, pool.pods, T0 + 1700, () => 0.5, { exactMs: (t) => (t === rfc3339(T0 + 1700) ? T0 + 1700 : undefined) })!;
  assert.deepEqual([ready.stage, ready.atMs - T0], ['pod-ready', 3700], 'readinessDelay after the container really started');
});

test('happy path: accept → start → ready, with conditions and container status', () => {
  const trail = run(mkPod('nginx:1.27'));
  assert.deepEqual(trail.map((s) => [s.stage, s.atMs - T0]), [['pod-accept', 0], ['pod-start', 1000], ['pod-ready', 3000]]);
  const accepted = trail[0].pod;
  assert.equal(accepted.status!.hostIP, '172.16.0.1');
  assert.equal(accepted.status!.containerStatuses![0].state!.waiting!.reason, 'ContainerCreating');
  assert.equal(cond(accepted, 'Ready').reason, 'ContainersNotReady');
  const started = trail[1].pod;
  assert.equal(started.status!.phase, 'Running');
  // The address comes with the sandbox, before any pull, and the pod keeps it.
  assert.match(accepted.status!.podIP!, /^10\.64\.0\.(\d+)$/);
  assert.deepEqual(accepted.status!.podIPs, [{ ip: accepted.status!.podIP }]);
  assert.equal(cond(accepted, 'PodReadyToStartContainers').status, 'True');
  assert.equal(started.status!.podIP, accepted.status!.podIP);
  const cs = started.status!.containerStatuses![0];
  assert.equal(cs.state!.running!.startedAt, rfc3339(T0 + 1000));
  assert.deepEqual([cs.ready, cs.started, cs.restartCount], [false, true, 0]);
  assert.match(cs.containerID!, /^containerd:\/\/[0-9a-f]{64}$/);
  assert.match(cs.imageID, /^nginx@sha256:/);
  assert.equal(trail[0].event, 'Pulling');
  assert.equal(trail[1].event, 'Pulled,Created,Started');
  const ready = trail[2].pod;
  assert.equal(cond(ready, 'Ready').status, 'True');
  assert.equal(cond(ready, 'Ready').lastTransitionTime, rfc3339(T0 + 3000));
  assert.equal(cond(ready, 'Initialized').lastTransitionTime, rfc3339(T0), 'unchanged conditions keep their time');
  assert.equal(ready.status!.containerStatuses![0].ready, true);
  assert.equal(nextPodTransition(ready, node, pool.pods, T0 + 5000, () => 0.5), undefined, 'at rest');
});

test('pods bound elsewhere or unbound are ignored', () => {
  assert.equal(nextPodTransition({ ...mkPod('x'), spec: { containers: [] } }, node, pool.pods, T0, Math.random), undefined);
  assert.equal(nextPodTransition({ ...mkPod('x'), spec: { nodeName: 'other', containers: [] } }, node, pool.pods, T0, Math.random), undefined);
});

test('image pull errors cycle ErrImagePull ↔ ImagePullBackOff with growing back-off', () => {
  const trail = run(mkPod('bad/app:1'), T0 + 120_000);
  assert.deepEqual(trail.slice(0, 5).map((s) => s.stage), ['pod-accept', 'pod-pull-error', 'pod-pull-backoff', 'pod-pull-error', 'pod-pull-backoff']);
  assert.equal(trail[1].pod.status!.containerStatuses![0].state!.waiting!.reason, 'ErrImagePull');
  assert.equal(trail[1].event, 'Failed,Failed');
  assert.equal(trail[2].event, 'BackOff,Failed');
  assert.equal(trail[3].event, 'Pulling,Failed,Failed', 'a retry pulls again');
  assert.equal(trail[2].pod.status!.containerStatuses![0].state!.waiting!.reason, 'ImagePullBackOff');
  const retries = trail.filter((s) => s.stage === 'pod-pull-error').map((s) => s.atMs);
  const gaps = retries.slice(1).map((t, i) => t - retries[i]);
  assert.ok(gaps.every((g, i) => i === 0 || g >= gaps[i - 1]), `non-decreasing gaps ${gaps}`);
  assert.ok(trail.every((s) => s.pod.status!.phase === 'Pending'));
});

test('crash loop: restartCount grows, CrashLoopBackOff with 10s→5min back-off', () => {
  assert.deepEqual([1, 2, 3, 6, 10].map(crashLoopBackoffMs), [10_000, 20_000, 40_000, 300_000, 300_000]);
  const trail = run(mkPod('app:crash'), T0 + 200_000);
  const crashes = trail.filter((s) => s.stage === 'pod-exit');
  assert.ok(crashes.length >= 3);
  assert.deepEqual(crashes.map((s) => s.pod.status!.containerStatuses![0].restartCount).slice(0, 3), [1, 2, 3]);
  const cs = crashes[0].pod.status!.containerStatuses![0];
  assert.equal(cs.state!.waiting!.reason, 'CrashLoopBackOff');
  assert.deepEqual([cs.lastState!.terminated!.exitCode, cs.lastState!.terminated!.reason], [2, 'Error']);
  assert.equal(crashes[0].event, 'BackOff');
  const restarts = trail.filter((s) => s.stage === 'pod-restart');
  // restart n happens back-off(n) after the crash
  assert.equal(restarts[0].atMs - crashes[0].atMs, 10_000);
  assert.equal(restarts[1].atMs - crashes[1].atMs, 20_000);
  assert.notEqual(restarts[0].pod.status!.containerStatuses![0].containerID, restarts[1].pod.status!.containerStatuses![0].containerID);
});

test('exit: restartPolicy decides between Succeeded/Failed and a restart', () => {
  const never = run(mkPod('batch:job', 'Never'));
  const last = never.at(-1)!;
  assert.equal(last.stage, 'pod-exit');
  assert.equal(last.pod.status!.phase, 'Succeeded');
  assert.equal(last.pod.status!.containerStatuses![0].state!.terminated!.reason, 'Completed');
  assert.equal(cond(last.pod, 'Ready').reason, 'PodCompleted');
  const onFailure = run(mkPod('batch:job', 'OnFailure'));
  assert.equal(onFailure.at(-1)!.pod.status!.phase, 'Succeeded', 'exit 0 is not restarted under OnFailure');
  const always = run(mkPod('batch:job'), T0 + 30_000);
  assert.ok(always.some((s) => s.stage === 'pod-restart'));
});

test('never-ready pods run but stay unready', () => {
  const trail = run(mkPod('never:1'));
  assert.deepEqual(trail.map((s) => s.stage), ['pod-accept', 'pod-start']);
  assert.equal(trail.at(-1)!.pod.status!.containerStatuses![0].ready, false);
});

test('graceful deletion at the deadline, shortenable; unstarted pods go at once', () => {
  const ready = run(mkPod('nginx:1')).at(-1)!.pod;
  const deleting: Pod = { ...ready, metadata: { ...ready.metadata, deletionTimestamp: rfc3339(T0 + 40_000), deletionGracePeriodSeconds: 30 } };
  const full = nextPodTransition(deleting, node, pool.pods, T0 + 10_000, () => 0.5)!;
  assert.deepEqual([full.stage, full.delete, full.atMs], ['pod-delete', true, T0 + 40_000]);
  const fast = nextPodTransition(deleting, node, pool.pods, T0 + 10_000, () => 0.5, { deletionFactor: 0.1 })!;
  assert.equal(fast.atMs, T0 + 13_000);
  const pending: Pod = { ...mkPod('x'), metadata: { ...mkPod('x').metadata, deletionTimestamp: rfc3339(T0 + 30_000), deletionGracePeriodSeconds: 30 } };
  assert.equal(nextPodTransition(pending, node, pool.pods, T0, () => 0.5)!.atMs, T0);
});

test('kubelet events: upstream reasons and messages, per container', () => {
  const pod: Pod = { ...mkPod('nginx:1.27'), spec: { nodeName: 'p-0', containers: [{ name: 'web', image: 'nginx:1.27' }, { name: 'side', image: 'busybox:1', imagePullPolicy: 'Never' }] } };
  const accept = nextPodTransition(pod, node, pool.pods, T0, () => 0.5)!;
  assert.deepEqual(accept.events, [{ type: 'Normal', reason: 'Pulling', message: 'Pulling image "nginx:1.27"', container: 'web' }]);
  const start = nextPodTransition(applyTransition(pod, accept), node, pool.pods, T0 + 1000, () => 0.5)!;
  assert.deepEqual(start.events!.map((e) => [e.reason, e.container, e.message]), [
    ['Pulled', 'web', `Successfully pulled image "nginx:1.27" in 1s (1s including waiting). Image size: ${/Image size: (\d+)/.exec(start.events![0].message)![1]} bytes.`],
    ['Created', 'web', 'Created container: web'],
    ['Started', 'web', 'Started container web'],
    ['Pulled', 'side', 'Container image "busybox:1" already present on machine'],
    ['Created', 'side', 'Created container: side'],
    ['Started', 'side', 'Started container side'],
  ]);
  const running = applyTransition(pod, start);
  const deleting: Pod = { ...running, metadata: { ...running.metadata, deletionTimestamp: rfc3339(T0 + 40_000), deletionGracePeriodSeconds: 30 } };
  const del = nextPodTransition(deleting, node, pool.pods, T0 + 10_000, () => 0.5)!;
  assert.deepEqual(del.events!.map((e) => [e.reason, e.message]), [['Killing', 'Stopping container web'], ['Killing', 'Stopping container side']]);
  const crash = run(mkPod('app:crash'), T0 + 30_000).find((s) => s.stage === 'pod-restart');
  assert.equal(crash?.event, 'Pulled,Created,Started');
});

test('goDuration reads like Go', () => {
  assert.deepEqual([0, 812, 1000, 1204, 61_500].map(goDuration), ['0ms', '812ms', '1s', '1.204s', '61.5s']);
});

test('Ready taken by MarkPodsNotReady comes back only once the node is Ready', () => {
  const ready = run(mkPod('nginx:1')).at(-1)!.pod;
  const marked: Pod = { ...ready, status: { ...ready.status, conditions: ready.status!.conditions!.map((c) => (c.type === 'Ready' ? { ...c, status: 'False' } : c)) } };
  const notReadyNode = { ...node, status: { ...node.status, conditions: node.status!.conditions!.map((c) => (c.type === 'Ready' ? { ...c, status: 'Unknown' } : c)) } };
  assert.equal(nextPodTransition(marked, notReadyNode, pool.pods, T0 + 9000, () => 0.5), undefined, 'no tug of war while the node is down');
  const back = nextPodTransition(marked, node, pool.pods, T0 + 9000, () => 0.5)!;
  assert.equal(back.stage, 'pod-ready');
  assert.equal(cond(applyTransition(marked, back), 'Ready').status, 'True');
});

test('hostNetwork pods get their node\'s InternalIP as podIP, podIPs and hostIP', () => {
  const hostNet: Pod = { ...mkPod('agent:1'), spec: { ...mkPod('agent:1').spec!, hostNetwork: true } };
  const running = run(hostNet).at(-1)!.pod;
  assert.equal(running.status!.podIP, '172.16.0.1');
  assert.deepEqual(running.status!.podIPs, [{ ip: '172.16.0.1' }]);
  assert.equal(running.status!.hostIP, '172.16.0.1');
  assert.notEqual(run(mkPod('agent:1')).at(-1)!.pod.status!.podIP, '172.16.0.1');
});

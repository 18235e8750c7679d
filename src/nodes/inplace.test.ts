// In-place image updates in the simulated kubelet: a running pod whose container image is
// patched (the rollout controller's inPlace: IfPossible) gets that container killed and started
// from the new image, with the pool's rules for the new image, the same pod, restartCount + 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../api/types.js';
import { parseClusterConfig } from './cluster-config.js';
import { initialNode } from './node.js';
import { applyTransition, nextPodTransition } from './lifecycle.js';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const pool = parseClusterConfig(`
pools:
  - name: p
    count: 1
    pods:
      startupDelay: 1000
      readinessDelay: { constant: 2000 }
      rules:
        - { image: "bad/*", pullError: ErrImagePull }
        - { image: "*:crash", crashLoop: { after: 3000, exitCode: 2 } }
        - { imageRegex: "never", neverReady: true }
`).pools[0];
const node = initialNode(pool, 0, T0);
const mkPod = (images: string[]): Pod => ({
  metadata: { name: 'agent', namespace: 'default', uid: 'uid-1' },
  spec: { nodeName: 'p-0', containers: images.map((image, i) => ({ name: `c${i}`, image })) },
  status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] },
});

interface Step { stage: string; atMs: number; pod: Pod; events: string[] }
/** Runs transitions in fake time from `startMs` until rest, or `forMs` later. */
function run(pod: Pod, startMs: number, forMs = 120_000): Step[] {
  let now = startMs;
  const trail: Step[] = [];
  for (let i = 0; i < 20; i++) {
    const t = nextPodTransition(pod, node, pool.pods, now, () => 0.5);
    if (!t || t.atMs > startMs + forMs) break;
    now = Math.max(now, t.atMs);
    pod = applyTransition(pod, t);
    trail.push({ stage: t.stage, atMs: now, pod, events: (t.events ?? []).map((e) => `${e.reason}${e.container ? `(${e.container})` : ''}: ${e.message}`) });
  }
  return trail;
}
const ready = (p: Pod) => p.status?.conditions?.find((c) => c.type === 'Ready')?.status;
const withImage = (p: Pod, i: number, image: string): Pod => ({ ...p, spec: { ...p.spec!, containers: p.spec!.containers.map((k, j) => (j === i ? { ...k, image } : k)) } });
const last = (t: Step[]) => t[t.length - 1];

const readyPod = (images: string[]) => { const t = run(mkPod(images), T0); assert.equal(ready(last(t).pod), 'True'); return last(t); };

test('a patched image kills and restarts only that container, Killing/Pulling/Pulled/Created/Started, NotReady until Ready again', () => {
  const start = readyPod(['agent:1', 'sidecar:1']);
  const before = start.pod.status!.containerStatuses!;
  const t = run(withImage(start.pod, 0, 'agent:2'), start.atMs + 10_000);
  assert.deepEqual(t.map((s) => [s.stage, s.atMs - start.atMs - 10_000]), [['container-image-change', 0], ['container-image-start', 1000], ['pod-ready', 3000]]);
  assert.deepEqual(t[0].events, ['Killing(c0): Container c0 definition changed, will be restarted', 'Pulling(c0): Pulling image "agent:2"']);
  assert.match(t[1].events[0], /^Pulled\(c0\): Successfully pulled image "agent:2" in 1s/);
  assert.deepEqual(t[1].events.slice(1), ['Created(c0): Created container: c0', 'Started(c0): Started container c0']);
  assert.equal(ready(t[0].pod), 'False');
  assert.equal(ready(t[1].pod), 'False');
  const [c0, c1] = last(t).pod.status!.containerStatuses!;
  assert.equal(ready(last(t).pod), 'True');
  assert.deepEqual([c0.image, c0.restartCount, c0.ready], ['agent:2', 1, true]);
  assert.notEqual(c0.containerID, before[0].containerID);
  assert.notEqual(c0.imageID, before[0].imageID);
  assert.equal(c0.lastState?.terminated?.containerID, before[0].containerID);
  assert.deepEqual(c1, { ...before[1] }, 'the other container is untouched');
  assert.equal(last(t).pod.metadata!.uid, 'uid-1');
});

test('the pool\'s rules for the new image apply: pull failure, crash loop, never ready', () => {
  const start = readyPod(['agent:1']);
  const pull = run(withImage(start.pod, 0, 'bad/agent:2'), start.atMs, 30_000);
  assert.deepEqual(pull.slice(0, 3).map((s) => s.stage), ['container-image-change', 'pod-pull-error', 'pod-pull-backoff']);
  assert.ok(pull.every((s) => ready(s.pod) === 'False'));
  const crash = run(withImage(start.pod, 0, 'agent:crash'), start.atMs, 60_000);
  // A crash-loop rule's pod never turns Ready (as for a first start): it exits, then backs off.
  assert.deepEqual(crash.slice(0, 4).map((s) => s.stage), ['container-image-change', 'container-image-start', 'pod-exit', 'pod-restart']);
  assert.ok(crash.every((s) => ready(s.pod) === 'False'));
  assert.equal(crash[2].pod.status!.containerStatuses![0].state!.waiting!.reason, 'CrashLoopBackOff');
  assert.equal(crash[2].pod.status!.containerStatuses![0].restartCount, 2);
  const never = run(withImage(start.pod, 0, 'never:2'), start.atMs);
  assert.deepEqual(never.map((s) => s.stage), ['container-image-change', 'container-image-start']);
  assert.equal(ready(last(never).pod), 'False');
});

test('rolling a crash-looping or unpullable container back in place makes the pod Ready again', () => {
  const start = readyPod(['agent:1']);
  const crash = run(withImage(start.pod, 0, 'agent:crash'), start.atMs, 60_000);
  const back = run(withImage(last(crash).pod, 0, 'agent:1'), last(crash).atMs + 1000);
  assert.equal(back[0].stage, 'container-image-change');
  assert.deepEqual(back[0].events, ['Pulling(c0): Pulling image "agent:1"'], 'nothing runs in back-off: no Killing');
  assert.equal(ready(last(back).pod), 'True');
  assert.equal(last(back).pod.status!.containerStatuses![0].image, 'agent:1');
  const pull = run(withImage(start.pod, 0, 'bad/agent:2'), start.atMs, 30_000);
  const fixed = run(withImage(last(pull).pod, 0, 'agent:1'), last(pull).atMs + 1000);
  assert.equal(ready(last(fixed).pod), 'True');
  assert.equal(last(fixed).pod.status!.containerStatuses![0].state!.running !== undefined, true);
});

test('an image changed before the first start is simply pulled; an unchanged pod stays at rest', () => {
  const accepted = run(mkPod(['agent:1']), T0, 0);
  assert.deepEqual(accepted.map((s) => s.stage), ['pod-accept']);
  const t = run(withImage(accepted[0].pod, 0, 'agent:2'), T0 + 100);
  assert.deepEqual(t.map((s) => s.stage), ['container-image-change', 'pod-start', 'pod-ready']);
  assert.equal(last(t).pod.status!.containerStatuses![0].restartCount, 0);
  assert.equal(last(t).pod.status!.containerStatuses![0].image, 'agent:2');
  const rest = readyPod(['agent:1']);
  assert.equal(nextPodTransition(rest.pod, node, pool.pods, rest.atMs + 60_000, () => 0.5), undefined);
});

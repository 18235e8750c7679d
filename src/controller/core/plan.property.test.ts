// Property tests: random clusters and random step sequences never break the two core promises.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Node, Pod, Taint } from '../../api/types.js';
import { nodeShouldRunDaemonPod } from './eligibility.js';
import { isPodAvailable, isTerminal, isTerminating, targetNodeName } from './pods.js';
import { allowsSurge, rolloutBudget } from './rollout.js';
import { FakeCluster, makeDs, makeNode, setReady } from './testkit.js';

const taintArb: fc.Arbitrary<Taint[]> = fc.constantFrom<Taint[]>(
  [], [], [], [], [{ key: 'k', effect: 'NoSchedule' }], [{ key: 'k', effect: 'NoExecute' }], [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }]);
const nodeArb = fc.record({ blue: fc.boolean(), taints: taintArb, unschedulable: fc.boolean() });
const strategyArb = fc.oneof(
  fc.constant({ strategy: 'OnDelete' as const }),
  fc.record({ strategy: fc.constant('RollingUpdate' as const), maxUnavailable: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.constantFrom('25%', '50%')) }),
  fc.record({ strategy: fc.constant('RollingUpdate' as const), maxUnavailable: fc.constant(0), maxSurge: fc.oneof(fc.integer({ min: 1, max: 2 }), fc.constant('30%')) }),
);
const stepArb = fc.oneof(
  { weight: 5, arbitrary: fc.constant({ kind: 'sync' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('ready' as const), seed: fc.nat() }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'readyAll' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('unready' as const), seed: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('fail' as const), seed: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'template' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('node' as const), seed: fc.nat(), node: nodeArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 1, max: 20_000 }) }) },
);

const live = (pods: readonly Pod[]) => pods.filter((p) => !isTerminating(p) && !isTerminal(p));
const mkNode = (i: number, n: { blue: boolean; taints: Taint[]; unschedulable: boolean }): Node =>
  makeNode(`node-${i}`, { labels: n.blue ? { color: 'blue' } : {}, taints: n.taints, unschedulable: n.unschedulable });

test('plans never double-book a node (outside surge) and rolling updates respect maxUnavailable', () => {
  fc.assert(fc.property(
    fc.array(nodeArb, { minLength: 2, maxLength: 6 }), strategyArb, fc.boolean(), fc.constantFrom(0, 0, 0, 5),
    fc.array(stepArb, { minLength: 5, maxLength: 40 }),
    (nodeSpecs, strategy, blueOnly, minReadySeconds, steps) => {
      const ds = makeDs(strategy);
      if (blueOnly) ds.spec!.template.spec!.nodeSelector = { color: 'blue' };
      ds.spec!.minReadySeconds = minReadySeconds;
      const c = new FakeCluster(ds, nodeSpecs.map((n, i) => mkNode(i, n)));
      let image = 0;
      for (const step of steps) {
        switch (step.kind) {
          case 'ready': case 'unready': case 'fail': {
            const pods = live(c.pods);
            if (pods.length === 0) break;
            const pod = pods[step.seed % pods.length];
            if (step.kind === 'fail') (pod as { status: Pod['status'] }).status = { phase: 'Failed' };
            else setReady(pod, step.kind === 'ready', c.nowMs);
            break;
          }
          case 'readyAll': c.markAllReady(); break;
          case 'template': c.setImage(`img:${++image}`); break;
          case 'node': { const i = step.seed % c.nodes.length; c.nodes = c.nodes.map((n, j) => (j === i ? mkNode(i, step.node) : n)); break; }
          case 'tick': c.nowMs += step.ms; break;
          case 'sync': {
            const before = c.snapshot();
            const p = c.sync();
            const createNodes = p.createPods.map((x) => x.nodeName);
            assert.equal(new Set(createNodes).size, createNodes.length, 'one create per node per plan');
            const perNode = new Map<string, number>();
            for (const pod of live(c.pods)) perNode.set(targetNodeName(pod)!, (perNode.get(targetNodeName(pod)!) ?? 0) + 1);
            const limit = allowsSurge(c.ds) ? 2 : 1;
            for (const [node, n] of perNode) assert.ok(n <= limit, `${n} live pods on ${node}`);

            const minReady = c.ds.spec?.minReadySeconds ?? 0;
            const removedAvailable = p.deletePods.filter((d) => d.reason === 'rolling-update')
              .map((d) => before.pods.find((x) => x.metadata?.name === d.name)!)
              .filter((pod) => isPodAvailable(pod, minReady, c.nowMs));
            if (c.ds.spec?.updateStrategy?.type !== 'RollingUpdate' || removedAvailable.length === 0) break;
            const desired = c.nodes.filter((n) => nodeShouldRunDaemonPod(n, c.ds).shouldRun);
            const { maxUnavailable, maxSurge } = rolloutBudget(c.ds, desired.length);
            const unavailable = desired.filter((n) => !c.pods.some((pod) => targetNodeName(pod) === n.metadata!.name &&
              !isTerminating(pod) && isPodAvailable(pod, minReady, c.nowMs))).length;
            if (maxSurge === 0) {
              assert.ok(unavailable <= maxUnavailable, `unavailable ${unavailable} > maxUnavailable ${maxUnavailable}`);
            } else {
              // Surge: an available pod on a node that should run one goes only once a replacement is available.
              for (const gone of removedAvailable) {
                const node = targetNodeName(gone)!;
                if (!desired.some((n) => n.metadata!.name === node)) continue;
                assert.ok(c.pods.some((pod) => targetNodeName(pod) === node && !isTerminating(pod) && isPodAvailable(pod, minReady, c.nowMs)),
                  `surge removed the only available pod on ${node}`);
              }
            }
            break;
          }
        }
      }
    }), { numRuns: 300 });
});

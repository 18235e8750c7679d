// The memo only saves work: on random sequences of what informers deliver (pods and nodes
// replaced, added, removed, lists reordered, the clock moving across minReady, readiness-timeout
// and terminating thresholds, a new template), a planRollout that carries one PlanMemo from sync
// to sync decides exactly what a from-scratch planRollout decides on the same input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { DaemonSet, Node, Pod } from '../../api/types.js';
import { rfc3339 } from '../../api/meta.js';
import { PlanMemo } from './memo.js';
import { planRollout } from './plan.js';
import { daemonSet, node, pod, rollout, T0, type PodState } from './testkit.js';
import { assignWaves, assignWavesBy, nodeSelection, waveSelectors } from './waves.js';
import { observeNode, podsByTargetAndNode } from './observe.js';
import { withDefaults } from '../api/defaults.js';

const podState = (nowMs: number) => fc.record({
  isNew: fc.boolean(), ready: fc.boolean(), restarts: fc.integer({ min: 0, max: 5 }),
  waiting: fc.constantFrom(undefined, undefined, 'CrashLoopBackOff', 'ImagePullBackOff'),
  // Recent enough that minReady and the readiness timeout are still ahead for some.
  readySinceMs: fc.integer({ min: nowMs - 45_000, max: nowMs }),
  createdMs: fc.integer({ min: nowMs - 200_000, max: nowMs }),
  deleting: fc.boolean(),
}, { requiredKeys: ['isNew', 'ready'] });

type Ev =
  | { kind: 'pod'; node: number; ds: number; state: PodState }
  | { kind: 'deletePod'; index: number }
  | { kind: 'node'; node: number; zone: string; notReady: boolean; cordon: boolean }
  | { kind: 'removeNode'; index: number }
  | { kind: 'tick'; ms: number }
  | { kind: 'shuffle'; seed: number }
  | { kind: 'template'; ds: number };

const event: fc.Arbitrary<Ev> = fc.oneof(
  fc.record({ kind: fc.constant('pod' as const), node: fc.nat(15), ds: fc.nat(1), state: podState(T0) }),
  fc.record({ kind: fc.constant('deletePod' as const), index: fc.nat(40) }),
  fc.record({ kind: fc.constant('node' as const), node: fc.nat(15), zone: fc.constantFrom('a', 'b', 'c'), notReady: fc.boolean(), cordon: fc.boolean() }),
  fc.record({ kind: fc.constant('removeNode' as const), index: fc.nat(15) }),
  fc.record({ kind: fc.constant('tick' as const), ms: fc.constantFrom(0, 1, 999, 2_000, 5_000, 10_000, 29_999, 30_001, 61_000, 301_000) }),
  fc.record({ kind: fc.constant('shuffle' as const), seed: fc.nat() }),
  fc.record({ kind: fc.constant('template' as const), ds: fc.nat(1) }),
);

function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const out = [...xs];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) { s = (s * 1103515245 + 12345) & 0x7fffffff; const j = s % (i + 1); [out[i], out[j]] = [out[j], out[i]]; }
  return out;
}

function nodeObj(i: number, zone: string, notReadyAt?: number, cordon = false): Node {
  const n = node(`node-${String(i).padStart(2, '0')}`, { labels: { zone, ...(i % 5 === 0 ? { canary: 'true' } : {}) }, ...(notReadyAt !== undefined ? { notReadySinceMs: notReadyAt } : {}) });
  return cordon ? { ...n, spec: { ...n.spec, unschedulable: true } } : n;
}

test('a carried PlanMemo gives exactly the from-scratch plan, sync after sync', () => {
  fc.assert(fc.property(
    fc.integer({ min: 2, max: 12 }), fc.boolean(), fc.constantFrom(0, 30), fc.array(event, { minLength: 1, maxLength: 30 }),
    (count, two, minReady, events) => {
      let dss: DaemonSet[] = two ? [daemonSet('agent'), daemonSet('csi')] : [daemonSet('agent')];
      let nodes: Node[] = Array.from({ length: count }, (_, i) => nodeObj(i, 'abc'[i % 3]));
      let pods: Pod[] = [];
      nodes.forEach((n, i) => dss.forEach((ds) => pods.push(pod(ds, n.metadata!.name!, { isNew: i % 3 === 0 }))));
      let r = rollout({
        ...(two ? { targetRef: undefined, selector: { matchLabels: { tier: 'node' } } } : {}),
        waves: [
          { name: 'canary', nodeSelector: { matchLabels: { canary: 'true' } }, maxNodes: 1, maxUnavailable: 1 },
          { name: 'zones', splitBy: 'zone', maxUnavailable: '50%', bakeSeconds: 30 },
        ],
        health: { minReadySeconds: minReady, podReadyTimeoutSeconds: 60, maxRestarts: 2, maxFailedNodes: 3 },
        quarantine: { afterSeconds: 60, maxNodes: 2 },
      });
      let now = T0;
      const memo = new PlanMemo();
      for (const e of events) {
        switch (e.kind) {
          case 'pod': {
            const ds = dss[e.ds % dss.length];
            const name = `node-${String(e.node).padStart(2, '0')}`;
            const p = pod(ds, name, { ...e.state, readySinceMs: (e.state.readySinceMs ?? T0) - T0 + now, createdMs: (e.state.createdMs ?? T0) - T0 + now });
            const j = pods.findIndex((x) => x.spec?.nodeName === name && x.metadata?.ownerReferences?.[0].uid === ds.metadata?.uid);
            // Half the time a replacement (a status update in place), otherwise one more pod.
            if (j >= 0 && (e.state.restarts ?? 0) % 2 === 0) pods = pods.map((x, k) => (k === j ? p : x)); else pods = [...pods, p];
            break;
          }
          case 'deletePod': if (pods.length) pods = pods.filter((_, k) => k !== e.index % pods.length); break;
          case 'node': {
            const n = nodeObj(e.node, e.zone, e.notReady ? now - 1000 : undefined, e.cordon);
            const j = nodes.findIndex((x) => x.metadata!.name === n.metadata!.name);
            nodes = j >= 0 ? nodes.map((x, k) => (k === j ? n : x)) : [...nodes, n];
            break;
          }
          case 'removeNode': if (nodes.length > 1) nodes = nodes.filter((_, k) => k !== e.index % nodes.length); break;
          case 'tick': now += e.ms; break;
          case 'shuffle': nodes = shuffled(nodes, e.seed); pods = shuffled(pods, e.seed + 1); break;
          case 'template': {
            const k = e.ds % dss.length;
            const d = structuredClone(dss[k]);
            d.spec!.template.spec!.containers[0].image = `${d.metadata!.name}:${now}`;
            dss = dss.map((x, i) => (i === k ? d : x));
            break;
          }
        }
        const inp = { rollout: r, daemonSets: dss, revisions: [], pods, nodes };
        const carried = planRollout(inp, now, memo);
        const fresh = planRollout(inp, now);
        if (process.env.DEBUG_MEMO) try { assert.deepEqual(carried, fresh); } catch (err) { console.log(JSON.stringify(carried, null, 1)); console.log(JSON.stringify(fresh, null, 1)); throw err; }
        assert.deepEqual(carried, fresh);
        r = { ...r, status: carried.status };
      }
    }), { numRuns: 60 });
});

test('assignWavesBy (per-node selections) gives the waves assignWaves gives', () => {
  const spec = fc.record({
    canaryMax: fc.option(fc.constantFrom(1, 2, '50%'), { nil: undefined }),
    zonesMax: fc.option(fc.constantFrom(1, 3), { nil: undefined }),
    order: fc.constantFrom<string[] | undefined>(undefined, ['c'], ['b', 'a']),
    rest: fc.boolean(),
  });
  const n = fc.record({ zone: fc.constantFrom(undefined, 'a', 'b', 'c'), canary: fc.boolean(), isNew: fc.boolean() });
  fc.assert(fc.property(fc.array(n, { minLength: 1, maxLength: 20 }), spec, (ns, s) => {
    const ds = daemonSet('agent');
    const nodes = ns.map((x, i) => node(`n-${i}`, { labels: { ...(x.zone ? { zone: x.zone } : {}), ...(x.canary ? { canary: 'true' } : {}) } }));
    const pods = ns.map((x, i) => pod(ds, `n-${i}`, { isNew: x.isNew }));
    const waves = withDefaults({
      targetRef: { name: 'agent' },
      waves: [
        { name: 'canary', nodeSelector: { matchLabels: { canary: 'true' } }, ...(s.canaryMax !== undefined ? { maxNodes: s.canaryMax } : {}) },
        { name: 'zones', splitBy: 'zone', ...(s.order ? { order: s.order } : {}), ...(s.zonesMax !== undefined ? { maxNodes: s.zonesMax } : {}) },
        ...(s.rest ? [{ name: 'rest' }] : []),
      ],
    }).waves;
    const targets = [{ ds, name: 'agent', to: 'x', minReadySeconds: 0 }];
    const rows = podsByTargetAndNode(targets, pods);
    const views = nodes.map((x) => observeNode(x, targets, rows, { nowMs: T0, maxRestarts: 3, podReadyTimeoutMs: 1, terminatingTooLongMs: 1 })!)
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    const selectors = waveSelectors(waves);
    const fast = assignWavesBy(waves, views, views.map((v) => nodeSelection(waves, selectors, v.node)));
    const slow = assignWaves(waves, views);
    const names = (x: typeof fast) => ({ waves: x.waves.map((w) => [w.name, w.members.map((m) => m.name)]), unselected: x.unselected.map((m) => m.name) });
    assert.deepEqual(names(fast), names(slow));
  }), { numRuns: 500 });
});

test('the memo re-observes only what changed: unchanged objects at a later instant are reused', () => {
  const ds = daemonSet('agent');
  const nodes = Array.from({ length: 50 }, (_, i) => nodeObj(i, 'a'));
  const pods = nodes.map((n) => pod(ds, n.metadata!.name!, {}));
  const r = rollout({ waves: [{ name: 'all', maxUnavailable: 1 }] });
  const memo = new PlanMemo();
  planRollout({ rollout: r, daemonSets: [ds], revisions: [], pods, nodes }, T0, memo);
  assert.deepEqual([memo.reused, memo.observed], [0, 50]);
  const changed = pods.map((p, i) => (i === 7 ? { ...p, status: { ...p.status, conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: rfc3339(T0) }] } } : p));
  planRollout({ rollout: r, daemonSets: [ds], revisions: [], pods: changed, nodes }, T0 + 5000, memo);
  assert.deepEqual([memo.reused, memo.observed], [49, 1]);
});

test('a reused view expires at its thresholds: minReadySeconds passing, the readiness timeout passing', () => {
  const ds = daemonSet('agent');
  const nodes = [nodeObj(0, 'a'), nodeObj(1, 'a')];
  // node-00: new pod Ready since T0 (minReady 30 s); node-01: new pod never Ready, created at T0 (timeout 60 s).
  const pods = [pod(ds, 'node-00', { isNew: true, readySinceMs: T0, createdMs: T0 }), pod(ds, 'node-01', { isNew: true, ready: false, createdMs: T0 })];
  const r = rollout({ waves: [{ name: 'all', maxUnavailable: 1 }], health: { minReadySeconds: 30, podReadyTimeoutSeconds: 60 } });
  const memo = new PlanMemo();
  let status = r.status;
  const at = (ms: number) => {
    const inp = { rollout: { ...r, status }, daemonSets: [ds], revisions: [], pods, nodes };
    const p = planRollout(inp, T0 + ms, memo);
    assert.deepEqual(p, planRollout(inp, T0 + ms), `at +${ms} ms`);
    status = p.status;
    return p.status;
  };
  assert.equal(at(10_000).readyNodes, 0);
  assert.equal(at(30_000).readyNodes, 0);
  assert.equal(at(30_001).readyNodes, 1, 'available once minReadySeconds have passed');
  assert.equal(at(59_000).blockedByReason?.NotReady, undefined);
  assert.equal(at(60_001).blockedByReason?.NotReady, 1, 'NotReady once the timeout has passed');
  assert.equal(memo.reused, 1);
});

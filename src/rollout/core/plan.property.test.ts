// Property tests of planRollout's invariants over random fleets, pod states and policies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Pod } from '../../api/types.js';
import { scaleIntOrPercent } from '../api/intorpercent.js';
import { planRollout } from './plan.js';
import { daemonSet, input, node, pod, rollout, T0, type PodState } from './testkit.js';
import type { RolloutInput } from './types.js';
import { assignWaves } from './waves.js';
import { observeNode, podsByTargetAndNode } from './observe.js';
import { withDefaults } from '../api/defaults.js';
import { templateHash } from '../../controller/core/history.js';

const podState = fc.record({
  isNew: fc.boolean(), ready: fc.boolean(), restarts: fc.integer({ min: 0, max: 6 }),
  waiting: fc.constantFrom(undefined, 'CrashLoopBackOff', 'ImagePullBackOff'),
  createdMs: fc.integer({ min: T0 - 3_600_000, max: T0 }),
}, { requiredKeys: ['isNew', 'ready'] });

const nodeState = fc.record({
  zone: fc.constantFrom('a', 'b', 'c'), canary: fc.boolean(), notReady: fc.boolean(),
  pods: fc.array(fc.option(podState, { nil: undefined }), { minLength: 2, maxLength: 2 }),
});

const policy = fc.record({
  maxUnavailable: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.constantFrom('10%', '34%', '50%')),
  perNodeMaxUnavailable: fc.integer({ min: 1, max: 2 }),
  canaryMax: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
  quarantineMax: fc.integer({ min: 0, max: 2 }),
  twoTargets: fc.boolean(),
  maxFailedNodes: fc.integer({ min: 0, max: 5 }),
});

function build(nodes: { zone: string; canary: boolean; notReady: boolean; pods: (PodState | undefined)[] }[], p: {
  maxUnavailable: number | string; perNodeMaxUnavailable: number; canaryMax?: number; quarantineMax: number; twoTargets: boolean; maxFailedNodes: number;
}): RolloutInput {
  const dss = p.twoTargets ? [daemonSet('agent'), daemonSet('csi')] : [daemonSet('agent')];
  const ns = nodes.map((n, i) => node(`node-${i}`, { labels: { zone: n.zone, ...(n.canary ? { canary: 'true' } : {}) }, ...(n.notReady ? { notReadySinceMs: T0 - 7_200_000 } : {}) }));
  const pods: Pod[] = [];
  nodes.forEach((n, i) => dss.forEach((ds, j) => { const s = n.pods[j]; if (s) pods.push(pod(ds, `node-${i}`, s)); }));
  const r = rollout({
    ...(p.twoTargets ? { targetRef: undefined, selector: { matchLabels: { tier: 'node' } } } : {}),
    waves: [
      { name: 'canary', nodeSelector: { matchLabels: { canary: 'true' } }, ...(p.canaryMax ? { maxNodes: p.canaryMax } : {}), maxUnavailable: p.maxUnavailable },
      { name: 'zones', splitBy: 'zone', maxUnavailable: p.maxUnavailable },
    ],
    perNodeMaxUnavailable: p.perNodeMaxUnavailable,
    health: { maxFailedNodes: p.maxFailedNodes, podReadyTimeoutSeconds: 600 },
    quarantine: { afterSeconds: 60, maxNodes: p.quarantineMax },
  });
  return input(r, dss, ns, pods);
}

const fleet = fc.array(nodeState, { minLength: 1, maxLength: 14 });
const isReady = (pod: Pod) => pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const out = [...xs];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) { s = (s * 1103515245 + 12345) & 0x7fffffff; const j = s % (i + 1); [out[i], out[j]] = [out[j], out[i]]; }
  return out;
}

test('never beyond a wave budget or perNodeMaxUnavailable; only nodes of the current wave or earlier; quarantine within its cap', () => {
  fc.assert(fc.property(fleet, policy, (nodes, p) => {
    const inp = build(nodes, p);
    const out = planRollout(inp, T0);
    const waves = out.status.waves ?? [];
    const cur = waves.findIndex((w) => w.name === out.status.currentWave);
    const quarantined = new Set(out.status.quarantinedNodes ?? []);
    assert.ok(quarantined.size <= (scaleIntOrPercent(p.quarantineMax, inp.nodes.length, false) ?? 0));
    const podByName = new Map(inp.pods.map((x) => [x.metadata!.name!, x]));
    const unavailableOn = (n: string) => {
      let u = 0;
      for (const ds of inp.daemonSets) {
        const live = inp.pods.find((x) => x.spec?.nodeName === n && x.metadata?.ownerReferences?.[0].uid === ds.metadata?.uid && !x.metadata?.deletionTimestamp);
        if (!live || !isReady(live)) u++;
      }
      return u;
    };
    const touched = new Map<string, number>();
    for (const a of out.actions) {
      if (a.type !== 'DeletePod' && a.type !== 'PatchPodImages') continue;
      const target = podByName.get(a.name)!;
      assert.ok(target, 'acts only on existing pods');
      if (isReady(target)) touched.set(a.node, (touched.get(a.node) ?? 0) + 1);
    }
    for (const [n, k] of touched) assert.ok(unavailableOn(n) + k <= Math.max(p.perNodeMaxUnavailable, 0) || k === 0, `perNode ${n}`);
    // Wave budgets: newly unavailable nodes stay within each wave's budget.
    for (let i = 0; i < waves.length; i++) {
      const w = waves[i];
      const members = memberNames(inp, out, w.name);
      const before = members.filter((n) => !quarantined.has(n) && unavailableOn(n) > 0).length;
      const newly = members.filter((n) => !quarantined.has(n) && unavailableOn(n) === 0 && touched.has(n)).length;
      const budget = scaleIntOrPercent(p.maxUnavailable, w.nodes, true)!;
      assert.ok(newly === 0 || before + newly <= budget, `wave ${w.name}: ${before} + ${newly} > ${budget}`);
      if (i > cur && cur >= 0) assert.equal(newly + members.filter((n) => out.actions.some((a) => 'node' in a && a.node === n && (a.type === 'DeletePod' || a.type === 'PatchPodImages'))).length, 0, `acted in later wave ${w.name}`);
    }
  }), { numRuns: 300 });
});

/** The members of a wave as the plan assigns them (assignWaves over the same observation). */
function memberNames(inp: RolloutInput, _out: unknown, wave: string): string[] {
  const spec = withDefaults(inp.rollout.spec);
  const targets = inp.daemonSets.map((ds) => ({ ds, name: ds.metadata!.name!, to: templateHash(ds), minReadySeconds: 0 }));
  const pm = podsByTargetAndNode(targets, inp.pods);
  const views = inp.nodes.map((n) => observeNode(n, targets, pm, { nowMs: T0, maxRestarts: 3, podReadyTimeoutMs: 600_000, terminatingTooLongMs: 300_000 })!).filter(Boolean);
  return assignWaves(spec.waves, views).waves.find((w) => w.name === wave)?.members.map((m) => m.name) ?? [];
}

test('idempotent: planning twice on the same input gives the same plan', () => {
  fc.assert(fc.property(fleet, policy, (nodes, p) => {
    const inp = build(nodes, p);
    assert.deepEqual(planRollout(inp, T0), planRollout(inp, T0));
  }), { numRuns: 150 });
});

test('deterministic: the order of nodes, pods and DaemonSets does not matter', () => {
  fc.assert(fc.property(fleet, policy, fc.integer({ min: 1, max: 1 << 30 }), (nodes, p, seed) => {
    const inp = build(nodes, p);
    const other = { ...inp, nodes: shuffled(inp.nodes, seed), pods: shuffled(inp.pods, seed + 1), daemonSets: shuffled(inp.daemonSets, seed + 2) };
    assert.deepEqual(planRollout(other, T0), planRollout(inp, T0));
  }), { numRuns: 150 });
});

test('replaying the plan\'s own status on unchanged objects deletes nothing new within the same wave (no budget creep across syncs)', () => {
  fc.assert(fc.property(fleet, policy, (nodes, p) => {
    const inp = build(nodes, p);
    const first = planRollout(inp, T0);
    const second = planRollout({ ...inp, rollout: { ...inp.rollout, status: first.status } }, T0 + 1000);
    const pods = (x: typeof first) => new Set(x.actions.flatMap((a) => (a.type === 'DeletePod' ? [a.name] : [])));
    const a = pods(first), b = pods(second);
    const same = second.status.phase === first.status.phase && second.status.currentWave === first.status.currentWave
      && JSON.stringify(second.status.quarantinedNodes) === JSON.stringify(first.status.quarantinedNodes);
    if (same) for (const n of b) assert.ok(a.has(n), `new deletion ${n} on replay`);
  }), { numRuns: 150 });
});

test('syncs on unchanged objects reach a fixed point quickly: then the status is identical and no event repeats (the shell can skip the write)', () => {
  fc.assert(fc.property(fleet, policy, (nodes, p) => {
    const inp = build(nodes, p);
    let prev = planRollout(inp, T0);
    // each sync may take one step (quarantine a node, complete a wave, start the next): at most
    // a few per wave, then nothing changes any more
    for (let i = 0; i < 12; i++) {
      const next = planRollout({ ...inp, rollout: { ...inp.rollout, status: prev.status } }, T0);
      if (JSON.stringify(next.status) === JSON.stringify(prev.status)) {
        assert.deepEqual(next.events, [], 'no event at a fixed point');
        return;
      }
      prev = next;
    }
    assert.fail(`no fixed point after 12 syncs: ${JSON.stringify(prev.status)}`);
  }), { numRuns: 150 });
});

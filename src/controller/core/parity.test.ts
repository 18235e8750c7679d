// Pure parts of the reconciler's parity with daemon_controller.go: which hash a status-only sync
// counts as updated, what a status write carries onto a freshly read object, how creates whose
// answers were lost are judged, and node-affinity Gt/Lt through a whole plan.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { DaemonSet, DaemonSetStatus, Pod } from '../../api/types.js';
import { plan, planStatusOnly } from './plan.js';
import { newRevision, templateHash } from './history.js';
import { withCollisionBumped, withCounters } from './status.js';
import { createMayHaveHappened, settleUncertainCreates } from './uncertain.js';
import { FakeCluster, makeDs, makeNode, makeNodes, makePod, T0 } from './testkit.js';

describe('status-only syncs (expectations not yet satisfied)', () => {
  // The current revision was made under collisionCount 0; a collision since bumped the count,
  // so the template's hash now differs from the current revision's, whose hash the pods carry.
  function collidedCluster(readyPods: number) {
    const ds0 = makeDs();
    const h0 = templateHash(ds0);
    const ds: DaemonSet = { ...ds0, status: { currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0, collisionCount: 1 } };
    assert.notEqual(templateHash(ds), h0);
    const c = new FakeCluster(ds, makeNodes(0, 3));
    c.revisions = [{ ...newRevision(ds0, h0, 1), metadata: { ...newRevision(ds0, h0, 1).metadata, uid: 'rev-1' } }];
    c.pods = c.nodes.map((n, i) => makePod(ds, n.metadata!.name!, { hash: h0, ready: i < readyPods }));
    return { c, h0 };
  }

  it('count pods as updated by the current revision\'s hash, as the full sync does', () => {
    const { c, h0 } = collidedCluster(3);
    const full = plan(c.snapshot());
    assert.equal(full.createPods.length + full.deletePods.length, 0);
    assert.equal(full.createRevision, undefined, 'the existing revision is current');
    assert.equal(full.status.updatedNumberScheduled, 3);
    assert.equal(planStatusOnly(c.snapshot()).status.updatedNumberScheduled, 3);
    // What the shell used to pass: the template's hash, which no pod carries.
    assert.notEqual(h0, templateHash(c.ds));
  });

  it('agree with the full sync on every counter, whatever is ready and collided', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 3 }), fc.boolean(), (ready, collided) => {
      const { c } = collidedCluster(ready);
      if (!collided) c.ds = { ...c.ds, status: { ...c.ds.status!, collisionCount: 0 } };
      const { observedGeneration: _a, ...full } = plan(c.snapshot()).status;
      const { observedGeneration: _b, ...only } = planStatusOnly(c.snapshot()).status;
      assert.deepEqual(only, full);
    }));
  });
});

describe('what a status write carries (storeDaemonSetStatus)', () => {
  const computed: DaemonSetStatus = {
    desiredNumberScheduled: 3, currentNumberScheduled: 2, numberMisscheduled: 1, numberReady: 2,
    updatedNumberScheduled: 1, numberAvailable: 2, numberUnavailable: 1, observedGeneration: 4, collisionCount: 0,
  };
  const fresh: DaemonSetStatus = {
    desiredNumberScheduled: 9, currentNumberScheduled: 9, numberMisscheduled: 0, numberReady: 9, observedGeneration: 3, collisionCount: 2,
    conditions: [{ type: 'Other', status: 'True' }],
  };

  it('sets the seven counters and observedGeneration on the fresh status, keeping its conditions and collisionCount', () => {
    assert.deepEqual(withCounters(computed, 4)(fresh), {
      desiredNumberScheduled: 3, currentNumberScheduled: 2, numberMisscheduled: 1, numberReady: 2,
      updatedNumberScheduled: 1, numberAvailable: 2, numberUnavailable: 1, observedGeneration: 4, collisionCount: 2,
      conditions: [{ type: 'Other', status: 'True' }],
    });
  });

  it('leaves observedGeneration alone for a status-only sync', () => {
    assert.equal(withCounters(computed)(fresh).observedGeneration, 3);
    assert.equal(withCounters(computed)(undefined).observedGeneration, undefined);
  });

  it('bumps collisionCount on whatever the fresh status holds', () => {
    assert.equal(withCollisionBumped(fresh).collisionCount, 3);
    assert.equal(withCollisionBumped(undefined).collisionCount, 1);
    assert.deepEqual(withCollisionBumped(fresh).conditions, fresh.conditions);
  });
});

describe('creates whose answer was lost', () => {
  it('a status answer is a refusal, except a timeout; no answer is "maybe"', () => {
    assert.equal(createMayHaveHappened(undefined), true);
    assert.equal(createMayHaveHappened({ code: 504, reason: 'Timeout' }), true);
    assert.equal(createMayHaveHappened({ code: 500, reason: 'Timeout' }), true);
    for (const [code, reason] of [[500, 'InternalError'], [503, 'ServiceUnavailable'], [429, 'TooManyRequests'], [403, 'Forbidden'], [409, 'AlreadyExists'], [422, 'Invalid']] as const) {
      assert.equal(createMayHaveHappened({ code, reason }), false, `${code}`);
    }
  });

  it('happened when a pod of this DaemonSet for that node exists that the sending sync did not know', () => {
    const ds = makeDs();
    const known = { ...makePod(ds, 'node-0'), metadata: { ...makePod(ds, 'node-0').metadata, uid: 'known' } };
    const created = { ...makePod(ds, 'node-1', { pinned: true }), metadata: { ...makePod(ds, 'node-1').metadata, uid: 'new' } };
    const foreign = { ...makePod(makeDs({ uid: 'other' }), 'node-2'), metadata: { ...makePod(makeDs({ uid: 'other' }), 'node-2').metadata, uid: 'foreign' } };
    const creates = [{ nodeName: 'node-0', knownUids: ['known'] }, { nodeName: 'node-1', knownUids: ['known'] }, { nodeName: 'node-2', knownUids: [] }];
    assert.deepEqual(settleUncertainCreates(creates, [known, created, foreign], 'uid-foo'), [false, true, false]);
    assert.deepEqual(settleUncertainCreates(creates, [], 'uid-foo'), [false, false, false]);
  });

  it('never throws on malformed live pods', () => {
    fc.assert(fc.property(fc.array(fc.anything()), (pods) => {
      const r = settleUncertainCreates([{ nodeName: 'n', knownUids: [] }], pods as Pod[], 'u');
      assert.equal(r.length, 1);
    }));
  });
});

describe('node affinity Gt/Lt through a whole sync', () => {
  it('an unparsable Gt skips its term, another term still places the pod, and "0x10" and "" are not numbers', () => {
    const ds = makeDs();
    ds.spec!.template.spec!.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [
      { matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['four'] }] },
      { matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['8'] }] },
      { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] },
    ] } } };
    const nodes = [
      makeNode('hex', { labels: { cores: '0x10' } }), makeNode('empty', { labels: { cores: '' } }),
      makeNode('big', { labels: { cores: '16' } }), makeNode('small', { labels: { cores: '4' } }),
      makeNode('zoned', { labels: { cores: 'many', zone: 'a' } }),
    ];
    const p = plan(new FakeCluster(ds, nodes).snapshot());
    assert.deepEqual(p.createPods.map((c) => c.nodeName).sort(), ['big', 'zoned']);
    assert.equal(p.status.desiredNumberScheduled, 2);
  });

  it('a malformed term or requirement matches nothing and throws nowhere in the plan', () => {
    const ds = makeDs();
    ds.spec!.template.spec!.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [
      null, { matchExpressions: 'x' }, { matchExpressions: [null, { key: 1, operator: 'In' }] }, { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] },
    ] as never } } };
    const p = plan(new FakeCluster(ds, [makeNode('zoned', { labels: { zone: 'a' } }), makeNode('other')]).snapshot());
    assert.deepEqual(p.createPods.map((c) => c.nodeName), ['zoned']);
    assert.ok(T0 > 0);
  });
});

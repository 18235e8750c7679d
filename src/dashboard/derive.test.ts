// The fleet model and its view: node states, heat-map order, counts, deltas, and the layout
// the browser draws and hit-tests with; property tests for what must hold for any events.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { emptyModel, reduce, type FleetEvent } from './model.js';
import { applyDelta, deriveView, diffViews, nodeDetails } from './derive.js';
import { nextPushDelay } from './hub.js';
import { layout, hitTest, cellOrigin } from './ui/layout.js';
import { parseEvents } from './ui/stream.js';
import { VerdictCache, bearerToken, TokenGate } from './auth.js';
import { NODE_STATES, type NodeEntry, type PodEntry, type RolloutEntry } from './types.js';
import { nodeEntry, podEntry } from './slim.js';

const node = (name: string, o: Partial<NodeEntry> = {}): NodeEntry => ({ name, zone: 'z1', pool: 'p', ready: 'True', unschedulable: false, quarantinedBy: '', conditions: [], ...o });
const pod = (name: string, nodeName: string, o: Partial<PodEntry> = {}): PodEntry => ({ key: `default/${name}`, namespace: 'default', name, node: nodeName, phase: 'Running', ready: true, terminating: false, owner: 'default/agent', revision: 'new', restarts: 0, reason: '', ...o });
const rollout = (o: Partial<RolloutEntry> = {}): RolloutEntry => ({ key: 'default/agent', namespace: 'default', name: 'agent', phase: 'Progressing', currentWave: 'w', fromRevision: 'old', toRevision: 'new', targets: [{ daemonSet: 'default/agent', toRevision: 'new' }], waves: [], blockers: [], blockedTotal: 0, quarantinedNodes: [], updatedNodes: 0, readyNodes: 0, failure: '', ...o });

function modelOf(events: FleetEvent[]) { const m = emptyModel(); for (const e of events) reduce(m, e); return m; }
const stateOf = (events: FleetEvent[], name = 'n1') => deriveView(modelOf(events)).nodes.find((n) => n.name === name)?.state;

describe('node states', () => {
  const n1: FleetEvent = { kind: 'node', op: 'upsert', node: node('n1') };
  const r: FleetEvent = { kind: 'rollout', op: 'upsert', rollout: rollout() };
  it('done when its daemon pods run the target revision and are Ready', () => {
    assert.equal(stateOf([n1, r, { kind: 'pod', op: 'upsert', pod: pod('a', 'n1') }]), 'done');
  });
  it('waiting while a pod runs an old revision', () => {
    assert.equal(stateOf([n1, r, { kind: 'pod', op: 'upsert', pod: pod('a', 'n1', { revision: 'old' }) }]), 'waiting');
  });
  it('updating while the new pod is not Ready, or the old one terminates', () => {
    assert.equal(stateOf([n1, r, { kind: 'pod', op: 'upsert', pod: pod('a', 'n1', { ready: false }) }]), 'updating');
    assert.equal(stateOf([n1, r, { kind: 'pod', op: 'upsert', pod: pod('a', 'n1', { revision: 'old', terminating: true }) }]), 'updating');
  });
  it('blocked by a Revision or Node cause; a Budget cause is waiting', () => {
    const blocker = (cause: string): FleetEvent => ({ kind: 'rollout', op: 'upsert', rollout: rollout({ blockers: [{ node: 'n1', wave: 'w', reason: 'CrashLoop', message: 'm', since: '', cause }] }) });
    assert.equal(stateOf([n1, blocker('Revision'), { kind: 'pod', op: 'upsert', pod: pod('a', 'n1', { ready: false }) }]), 'blocked');
    assert.equal(stateOf([n1, blocker('Node')]), 'blocked');
    assert.equal(stateOf([n1, blocker('Budget')]), 'waiting');
  });
  it('quarantined, and not-ready before anything else', () => {
    assert.equal(stateOf([{ kind: 'node', op: 'upsert', node: node('n1', { quarantinedBy: 'default/agent' }) }]), 'quarantined');
    assert.equal(stateOf([{ kind: 'node', op: 'upsert', node: node('n1', { ready: 'Unknown', quarantinedBy: 'x' }) }]), 'not-ready');
  });
  it("details list the node's pods and blockers; an unknown node has none", () => {
    const m = modelOf([n1, { kind: 'rollout', op: 'upsert', rollout: rollout({ blockers: [{ node: 'n1', wave: 'w', reason: 'ImagePull', message: 'm', since: '', cause: 'Revision' }] }) }, { kind: 'pod', op: 'upsert', pod: pod('a', 'n1') }]);
    const d = nodeDetails(m, 'n1')!;
    assert.equal(d.state, 'blocked');
    assert.deepEqual(d.pods.map((p) => p.name), ['a']);
    assert.equal(d.blockers[0]!.rollout, 'default/agent');
    assert.equal(nodeDetails(m, 'nope'), undefined);
  });
});

describe('entries from hostile objects', () => {
  it('never throw and fall back to empty values', () => {
    for (const junk of [{}, { metadata: null }, { metadata: { name: 5, labels: 'x' }, status: { conditions: 'no' } }, { status: { containerStatuses: [null, 7] } }]) {
      assert.equal(typeof nodeEntry(junk as never).name, 'string');
      assert.equal(podEntry(junk as never).restarts, 0);
    }
  });
});

// Arbitrary event sequences over a small name space, so that updates, moves and deletes collide.
const names = fc.constantFrom('n1', 'n2', 'n3', 'n4', 'n5');
const eventArb: fc.Arbitrary<FleetEvent> = fc.oneof(
  fc.record({ name: names, zone: fc.constantFrom('', 'a', 'b'), pool: fc.constantFrom('', 'p', 'q'), ready: fc.constantFrom('True', 'False', 'Unknown') }).map(({ name, zone, pool, ready }) => ({ kind: 'node', op: 'upsert', node: node(name, { zone, pool, ready }) }) as FleetEvent),
  names.map((name) => ({ kind: 'node', op: 'delete', name }) as FleetEvent),
  fc.record({ p: fc.constantFrom('a', 'b', 'c'), n: names, ready: fc.boolean(), rev: fc.constantFrom('old', 'new'), term: fc.boolean() }).map(({ p, n, ready, rev, term }) => ({ kind: 'pod', op: 'upsert', pod: pod(p, n, { ready, revision: rev, terminating: term }) }) as FleetEvent),
  fc.constantFrom('a', 'b', 'c').map((p) => ({ kind: 'pod', op: 'delete', key: `default/${p}` }) as FleetEvent),
  fc.record({ n: names, cause: fc.constantFrom('Revision', 'Node', 'Budget') }).map(({ n, cause }) => ({ kind: 'rollout', op: 'upsert', rollout: rollout({ blockers: [{ node: n, wave: 'w', reason: 'NotReady', message: '', since: '', cause }] }) }) as FleetEvent),
  fc.constant({ kind: 'rollout', op: 'delete', key: 'default/agent' } as FleetEvent),
);

describe('view invariants', () => {
  it('every node appears exactly once, in heat-map order, and the counts add up', () => {
    fc.assert(fc.property(fc.array(eventArb, { maxLength: 60 }), (events) => {
      const m = modelOf(events);
      const v = deriveView(m);
      assert.deepEqual(v.nodes.map((n) => n.name).sort(), [...m.nodes.keys()].sort());
      assert.equal(new Set(v.nodes.map((n) => n.name)).size, v.nodes.length);
      assert.equal(NODE_STATES.reduce((a, s) => a + v.counts[s], 0), m.nodes.size);
      for (let i = 1; i < v.nodes.length; i++) {
        const a = v.nodes[i - 1]!, b = v.nodes[i]!;
        assert.ok(a.zone < b.zone || (a.zone === b.zone && a.pool <= b.pool), 'grouped by zone, then pool');
      }
      // podsByNode holds exactly the bound pods.
      const bound = [...m.pods.values()].filter((p) => p.node).map((p) => `${p.node}|${p.key}`).sort();
      assert.deepEqual([...m.podsByNode].flatMap(([n, ks]) => [...ks].map((k) => `${n}|${k}`)).sort(), bound);
    }));
  });
  it('a delta applied to the old view gives the new view', () => {
    fc.assert(fc.property(fc.array(eventArb, { maxLength: 40 }), fc.array(eventArb, { maxLength: 40 }), (a, b) => {
      const m = modelOf(a);
      const before = deriveView(m);
      for (const e of b) reduce(m, e);
      const after = deriveView(m);
      assert.deepEqual(applyDelta(before.nodes, diffViews(before, after)), after.nodes);
    }));
  });
  it('the layout places each cell once, and a click on a cell finds it', () => {
    fc.assert(fc.property(fc.array(eventArb, { maxLength: 60 }), fc.integer({ min: 20, max: 400 }), (events, width) => {
      const nodes = deriveView(modelOf(events)).nodes;
      const l = layout(nodes, width);
      assert.equal(l.groups.reduce((n, g) => n + g.count, 0), nodes.length);
      for (const g of l.groups) for (let i = g.first; i < g.first + g.count; i++) {
        const o = cellOrigin(l, g, i);
        assert.equal(hitTest(l, o.x + l.cell / 2, o.y + l.cell / 2), i);
      }
    }));
  });
});

describe('pushes, stream framing, tokens', () => {
  it('pushes at most once per interval', () => {
    assert.equal(nextPushDelay(-Infinity, 1000), 0);
    assert.equal(nextPushDelay(1000, 1050), 150);
    assert.equal(nextPushDelay(1000, 1300), 0);
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 0, max: 1e6 }), (last, now) => {
      const d = nextPushDelay(last, now);
      assert.ok(d >= 0 && d <= 200);
      if (now >= last) assert.ok(now + d - last >= 200 || d === 0);
    }));
  });
  it('splits the event stream at blank lines, keeping an unfinished event', () => {
    assert.deepEqual(parseEvents('data: {"a":1}\n\n: keep-alive\n\ndata: {"b"'), { data: ['{"a":1}'], rest: 'data: {"b"' });
  });
  it('reads only Bearer tokens', () => {
    assert.equal(bearerToken('Bearer abc'), 'abc');
    assert.equal(bearerToken('bearer  abc '), 'abc');
    assert.equal(bearerToken('Basic abc'), undefined);
    assert.equal(bearerToken(undefined), undefined);
    assert.equal(bearerToken('Bearer a b'), undefined);
  });
  it('caches verdicts for their time to live, within a bound', () => {
    const c = new VerdictCache(30_000, 3);
    c.set('a', 'allowed', 0);
    assert.equal(c.get('a', 29_999), 'allowed');
    assert.equal(c.get('a', 30_000), undefined);
    for (const k of ['b', 'c', 'd', 'e']) c.set(k, 'unauthenticated', 1);
    assert.equal(c.size, 3);
    assert.equal(c.get('b', 2), undefined, 'the oldest went');
  });
  it('asks once per token while cached, and again once expired', async () => {
    let now = 0, asked = 0;
    const gate = new TokenGate(async () => { asked++; return 'allowed'; }, () => now);
    await Promise.all([gate.check('t'), gate.check('t')]);
    await gate.check('t');
    assert.equal(asked, 1);
    now = 31_000;
    await gate.check('t');
    assert.equal(asked, 2);
    const failing = new TokenGate(async () => { throw new Error('down'); });
    await assert.rejects(failing.check('t'));
  });
});

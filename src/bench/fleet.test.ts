import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Pod } from '../api/types.js';
import { FleetTracker } from './fleet.js';

function pod(node: string, o: { ready?: boolean; terminating?: boolean; image?: string } = {}): Pod {
  return {
    metadata: { name: 'p', ...(o.terminating ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}) },
    spec: { nodeName: node, containers: [{ name: 'c', image: o.image ?? 'a:v1' }] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: o.ready ? 'True' : 'False' }] },
  };
}

test('unavailable counts nodes without a live Ready pod', () => {
  const t = new FleetTracker(3);
  assert.equal(t.unavailable(), 3);
  t.apply('ADDED', 'a', pod('n1'));
  assert.equal(t.unavailable(), 3);
  t.apply('MODIFIED', 'a', pod('n1', { ready: true }));
  t.apply('ADDED', 'b', pod('n2', { ready: true }));
  assert.equal(t.unavailable(), 1);
  t.apply('MODIFIED', 'b', pod('n2', { ready: true, terminating: true }));
  assert.equal(t.unavailable(), 2, 'a terminating pod is not available');
  assert.equal(t.created(), 2);
});

test('peaks keep the worst moment even after it passed', () => {
  const t = new FleetTracker(2);
  t.apply('ADDED', 'a', pod('n1', { ready: true }));
  t.apply('ADDED', 'b', pod('n2', { ready: true }));
  t.resetPeaks();
  t.apply('DELETED', 'a', pod('n1', { ready: true }));
  t.apply('ADDED', 'c', pod('n1', { ready: true }));
  assert.equal(t.unavailable(), 0);
  assert.equal(t.peaks().maxUnavailable, 1);
});

test('surging: two live pods with one not Ready; doubled and tripled count live pods only', () => {
  const t = new FleetTracker(1);
  t.apply('ADDED', 'old', pod('n1', { ready: true }));
  t.apply('ADDED', 'new', pod('n1'));
  assert.deepEqual([t.doubled(), t.surging()], [1, 1]);
  t.apply('MODIFIED', 'new', pod('n1', { ready: true }));
  assert.deepEqual([t.doubled(), t.surging()], [1, 0], 'a Ready replacement ends the surge');
  t.apply('ADDED', 'third', pod('n1'));
  assert.equal(t.peaks().maxTripled, 1);
  t.apply('MODIFIED', 'old', pod('n1', { ready: true, terminating: true }));
  t.apply('DELETED', 'third', pod('n1'));
  assert.deepEqual([t.doubled(), t.surging()], [0, 0]);
  assert.ok(t.hasPodOn('n1'));
  assert.equal(t.readyWithImage('a:v1'), 1);
});

test('incremental counters equal a recount from scratch after any event sequence', () => {
  const ev = fc.record({ key: fc.integer({ min: 0, max: 5 }), node: fc.integer({ min: 0, max: 2 }), ready: fc.boolean(), terminating: fc.boolean(), del: fc.boolean() });
  fc.assert(fc.property(fc.array(ev, { maxLength: 40 }), (events) => {
    const t = new FleetTracker(3);
    const state = new Map<number, { node: number; ready: boolean; terminating: boolean }>();
    for (const e of events) {
      if (e.del && state.has(e.key)) { t.apply('DELETED', `k${e.key}`, pod(`n${state.get(e.key)!.node}`)); state.delete(e.key); continue; }
      t.apply(state.has(e.key) ? 'MODIFIED' : 'ADDED', `k${e.key}`, pod(`n${e.node}`, e));
      state.set(e.key, e);
    }
    const live = [0, 1, 2].map((n) => [...state.values()].filter((p) => p.node === n && !p.terminating));
    assert.equal(t.doubled(), live.filter((l) => l.length >= 2).length);
    assert.equal(t.surging(), live.filter((l) => l.length >= 2 && l.some((p) => !p.ready)).length);
    assert.equal(t.unavailable(), live.filter((l) => !l.some((p) => p.ready)).length);
    assert.equal(t.pods(), state.size);
  }));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CidrSet } from './cidrset.js';
import { NodeCidrAllocator, podCIDRsOf } from './allocator.js';

const allocator = (cidr = '10.0.0.0/28', mask = 30) => {
  const s = CidrSet.create(cidr, mask);
  if ('error' in s) assert.fail(s.error);
  return new NodeCidrAllocator(s);
};

test('podCIDRsOf: the list, else the singular field', () => {
  assert.deepEqual(podCIDRsOf(undefined), []);
  assert.deepEqual(podCIDRsOf({ podCIDR: '10.0.0.0/24' }), ['10.0.0.0/24']);
  assert.deepEqual(podCIDRsOf({ podCIDR: '10.0.0.0/24', podCIDRs: ['10.0.1.0/24'] }), ['10.0.1.0/24']);
  assert.deepEqual(podCIDRsOf({ podCIDRs: [] }), []);
});

test('a node without a CIDR gets the next one, once; seeing it back needs nothing', () => {
  const a = allocator();
  assert.deepEqual(a.observe('n0', []), { kind: 'assign', cidr: '10.0.0.0/30' });
  assert.deepEqual(a.observe('n0', []), { kind: 'none' }, 'ours is on its way: no second patch');
  assert.deepEqual(a.observe('n0', ['10.0.0.0/30']), { kind: 'none' });
  assert.deepEqual(a.observe('n1', []), { kind: 'assign', cidr: '10.0.0.4/30' });
});

test('exhaustion: no CIDR, one event per node, one log line for the fleet, retried when one is freed', () => {
  const a = allocator();
  for (let i = 0; i < 4; i++) assert.equal(a.observe(`n${i}`, []).kind, 'assign');
  assert.deepEqual(a.observe('n4', []), { kind: 'unavailable', newlyWaiting: true, firstExhaustion: true });
  assert.deepEqual(a.observe('n4', []), { kind: 'unavailable', newlyWaiting: false, firstExhaustion: false });
  assert.deepEqual(a.observe('n5', []), { kind: 'unavailable', newlyWaiting: true, firstExhaustion: false });
  assert.deepEqual(a.waiting(), ['n4', 'n5']);
  assert.deepEqual(a.removed('n5'), [], 'a waiting node going away frees nothing');
  assert.deepEqual(a.retryable(), [], 'nothing free yet');
  assert.deepEqual(a.removed('n1'), ['n4']);
  assert.deepEqual(a.retryable(), ['n4']);
  assert.deepEqual(a.observe('n4', []), { kind: 'assign', cidr: '10.0.0.4/30' });
  assert.deepEqual(a.waiting(), []);
  assert.deepEqual(a.removed('never-seen'), []);
});

test('restart: CIDRs already on nodes are occupied before any is allocated', () => {
  const a = allocator();
  assert.deepEqual(a.observe('old-a', ['10.0.0.0/30']), { kind: 'none' });
  assert.deepEqual(a.observe('old-b', ['10.0.0.8/30']), { kind: 'none' });
  assert.deepEqual(a.observe('new-a', []), { kind: 'assign', cidr: '10.0.0.4/30' });
  assert.deepEqual(a.observe('new-b', []), { kind: 'assign', cidr: '10.0.0.12/30' });
  assert.equal(a.observe('new-c', []).kind, 'unavailable');
  assert.deepEqual(a.observe('foreign', ['192.168.0.0/24']), { kind: 'none' }, 'outside the range: left alone');
});

test('a failed patch gives the CIDR back; someone else setting another CIDR frees ours', () => {
  const a = allocator('10.0.0.0/29', 30);
  assert.deepEqual(a.observe('n0', []), { kind: 'assign', cidr: '10.0.0.0/30' });
  a.assignFailed('n0', '10.0.0.0/30');
  assert.equal(a.holds('n0'), undefined);
  assert.equal(a.set.free, 2);
  assert.deepEqual(a.observe('n0', []), { kind: 'assign', cidr: '10.0.0.4/30' });
  a.assignFailed('n0', '10.0.0.0/30'); // stale outcome: not what n0 holds now
  assert.equal(a.holds('n0'), '10.0.0.4/30');
  assert.deepEqual(a.observe('n0', ['10.0.0.0/30']), { kind: 'none' }, 'set by hand meanwhile');
  assert.equal(a.holds('n0'), '10.0.0.0/30');
  assert.equal(a.set.isAllocated('10.0.0.4/30'), false);
});

test('a CIDR duplicated by hand is freed only with its last holder', () => {
  const a = allocator('10.0.0.0/29', 30);
  a.observe('x', ['10.0.0.0/30']);
  a.observe('y', ['10.0.0.0/30']);
  a.removed('x');
  assert.equal(a.set.isAllocated('10.0.0.0/30'), true);
  a.removed('y');
  assert.equal(a.set.isAllocated('10.0.0.0/30'), false);
});

test('property: any sequence of node arrivals and removals never hands one CIDR to two nodes', () => {
  const op = fc.oneof(fc.record({ add: fc.integer({ min: 0, max: 11 }) }), fc.record({ remove: fc.integer({ min: 0, max: 11 }) }));
  fc.assert(fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
    const a = allocator(); // 4 CIDRs for up to 12 nodes
    const present = new Set<string>();
    const onNode = new Map<string, string>();
    const observe = (n: string) => {
      const r = a.observe(n, onNode.has(n) ? [onNode.get(n)!] : []);
      if (r.kind === 'assign') onNode.set(n, r.cidr); // the patch lands
    };
    for (const o of ops) {
      if ('add' in o) { present.add(`n${o.add}`); observe(`n${o.add}`); }
      else if (present.delete(`n${o.remove}`)) { onNode.delete(`n${o.remove}`); for (const w of a.removed(`n${o.remove}`)) observe(w); }
      const cidrs = [...onNode.values()];
      assert.equal(new Set(cidrs).size, cidrs.length, 'unique');
      assert.equal(a.set.used, cidrs.length);
      // Nobody waits while a CIDR is free.
      if (a.waiting().length) assert.equal(a.set.free, 0);
      assert.equal(cidrs.length + a.waiting().length, present.size);
    }
  }), { numRuns: 200 });
});

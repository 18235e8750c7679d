import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CidrSet } from './cidrset.js';
import { formatCidr, hostAddress, hostCount, overlaps, parseIPv4, parseIPv4Cidr, parseStoredCidr } from './cidr.js';

const setOf = (cidr: string, mask: number): CidrSet => {
  const s = CidrSet.create(cidr, mask);
  if ('error' in s) assert.fail(s.error);
  return s;
};
const errorOf = (cidr: string, mask: number): string => {
  const s = CidrSet.create(cidr, mask);
  assert.ok('error' in s, `${cidr} /${mask} should be refused`);
  assert.ok(!s.error.includes('\n'));
  return s.error;
};

test('IPv4 parsing: four plain octets, no host bits in a CIDR', () => {
  assert.equal(parseIPv4('0.0.0.0'), 0);
  assert.equal(parseIPv4('255.255.255.255'), 2 ** 32 - 1);
  assert.equal(parseIPv4('10.1.2.3'), 10 * 2 ** 24 + 1 * 2 ** 16 + 2 * 256 + 3);
  for (const bad of ['10.1.2', '10.1.2.3.4', '256.0.0.0', '01.0.0.0', '-1.0.0.0', 'a.b.c.d', '', '1..2.3']) assert.equal(parseIPv4(bad), undefined, bad);
  assert.deepEqual(parseIPv4Cidr('10.0.0.0/8'), { base: 10 * 2 ** 24, prefix: 8 });
  assert.deepEqual(parseIPv4Cidr('0.0.0.0/0'), { base: 0, prefix: 0 });
  assert.match((parseIPv4Cidr('10.0.0.1/8') as { error: string }).error, /host bits set \(did you mean 10\.0\.0\.0\/8\?\)/);
  assert.match((parseIPv4Cidr('fd00::/48') as { error: string }).error, /only IPv4/);
  for (const bad of ['10.0.0.0', '10.0.0.0/33', '10.0.0.0/', '10.0.0.0/8/8', 'x/8']) assert.ok('error' in parseIPv4Cidr(bad), bad);
  assert.deepEqual(parseStoredCidr('10.0.0.5/24'), { base: parseIPv4('10.0.0.0'), prefix: 24 });
  assert.equal(parseStoredCidr('garbage'), undefined);
});

test('overlap and host addresses', () => {
  const c = (s: string) => parseIPv4Cidr(s) as { base: number; prefix: number };
  assert.equal(overlaps(c('10.0.0.0/8'), c('10.200.0.0/16')), true);
  assert.equal(overlaps(c('10.200.0.0/16'), c('10.0.0.0/8')), true);
  assert.equal(overlaps(c('10.0.0.0/8'), c('172.16.0.0/12')), false);
  assert.equal(overlaps(c('10.0.0.0/8'), c('11.0.0.0/8')), false);
  assert.equal(hostCount(c('172.16.0.0/12')), 2 ** 20 - 2);
  assert.equal(hostAddress(c('172.16.0.0/12'), 0), '172.16.0.1');
  assert.equal(hostAddress(c('172.16.0.0/12'), 2 ** 20 - 3), '172.31.255.254');
  assert.equal(hostAddress(c('172.16.0.0/12'), 2 ** 20 - 2), '172.16.0.1', 'wraps');
  assert.equal(hostCount(c('192.168.0.0/31')), 2);
  assert.equal(hostAddress(c('192.168.0.0/31'), 1), '192.168.0.1');
  assert.equal(hostAddress(c('192.168.0.7/32'), 5), '192.168.0.7');
});

test('first, last, exhausted', () => {
  const s = setOf('10.0.0.0/28', 30);
  assert.equal(s.capacity, 4);
  assert.deepEqual([s.allocateNext(), s.allocateNext(), s.allocateNext(), s.allocateNext()], ['10.0.0.0/30', '10.0.0.4/30', '10.0.0.8/30', '10.0.0.12/30']);
  assert.equal(s.free, 0);
  assert.equal(s.allocateNext(), undefined);
  assert.equal(s.allocateNext(), undefined, 'stays exhausted');
});

test('release and re-use: a freed block comes back only once the fresh ones are gone', () => {
  const s = setOf('10.0.0.0/28', 30);
  s.allocateNext(); s.allocateNext();
  assert.equal(s.release('10.0.0.0/30'), 'ok');
  assert.equal(s.allocateNext(), '10.0.0.8/30', 'round-robin goes on');
  assert.equal(s.allocateNext(), '10.0.0.12/30');
  assert.equal(s.allocateNext(), '10.0.0.0/30', 'wraps to the freed one');
  assert.equal(s.allocateNext(), undefined);
  s.release('10.0.0.8/30');
  assert.equal(s.allocateNext(), '10.0.0.8/30');
  assert.equal(s.release('10.0.0.8/30'), 'ok');
  assert.equal(s.release('10.0.0.8/30'), 'ok', 'double release is harmless');
  assert.equal(s.used, 3);
  assert.equal(s.release('192.168.0.0/30'), 'outside');
});

test('occupy marks CIDRs of existing nodes; wider and narrower ones as upstream', () => {
  const s = setOf('10.0.0.0/16', 24);
  assert.equal(s.occupy('10.0.0.0/24'), 'ok');
  assert.equal(s.occupy('10.0.1.0/24'), 'ok');
  assert.equal(s.allocateNext(), '10.0.2.0/24', 'occupied blocks are skipped');
  assert.equal(s.occupy('10.0.4.0/23'), 'ok', 'wider: every block it covers');
  assert.ok(s.isAllocated('10.0.4.0/24') && s.isAllocated('10.0.5.0/24'));
  assert.equal(s.occupy('10.0.7.128/25'), 'ok', 'narrower: the block holding it');
  assert.ok(s.isAllocated('10.0.7.0/24'));
  assert.equal(s.allocateNext(), '10.0.3.0/24');
  assert.equal(s.allocateNext(), '10.0.6.0/24');
  assert.equal(s.allocateNext(), '10.0.8.0/24');
  assert.equal(s.occupy('10.1.0.0/24'), 'outside');
  assert.equal(s.occupy('not a cidr'), 'outside');
  assert.equal(s.occupy('0.0.0.0/0'), 'ok', 'a CIDR containing the whole range fills it');
  assert.equal(s.free, 0);
});

test('mask sizes: the block count is 2^(mask - prefix); a block may be the whole range', () => {
  assert.equal(setOf('10.0.0.0/8', 24).capacity, 65_536);
  assert.equal(setOf('10.0.0.0/8', 25).capacity, 131_072);
  assert.equal(setOf('10.0.0.0/8', 32).capacity, 2 ** 24);
  const whole = setOf('10.0.0.0/24', 24);
  assert.equal(whole.allocateNext(), '10.0.0.0/24');
  assert.equal(whole.allocateNext(), undefined);
  const last = setOf('255.255.255.252/30', 32);
  assert.deepEqual([last.allocateNext(), last.allocateNext(), last.allocateNext(), last.allocateNext(), last.allocateNext()],
    ['255.255.255.252/32', '255.255.255.253/32', '255.255.255.254/32', '255.255.255.255/32', undefined]);
  const big = setOf('0.0.0.0/1', 8);
  assert.equal(big.capacity, 128);
  assert.equal(big.allocateNext(), '0.0.0.0/8');
});

test('invalid configurations are one-line errors', () => {
  assert.equal(errorOf('10.0.0.0/24', 16), 'nodeCIDRMaskSize: a /16 node CIDR is larger than clusterCIDR 10.0.0.0/24 itself; it must be at least 24');
  assert.match(errorOf('10.0.0.0/8', 33), /from 1 to 32/);
  assert.match(errorOf('10.0.0.0/8', 0), /from 1 to 32/);
  assert.match(errorOf('10.0.0.0/8', 24.5), /integer/);
  assert.match(errorOf('0.0.0.0/0', 32), /more than 16777216/);
  assert.match(errorOf('10.0.0.1/8', 24), /host bits/);
  assert.match(errorOf('fd00::/48', 64), /only IPv4/);
});

test('property: allocations are distinct, inside the range, and exactly capacity many', () => {
  fc.assert(fc.property(fc.integer({ min: 8, max: 30 }), fc.integer({ min: 0, max: 10 }), fc.array(fc.nat(), { maxLength: 40 }), (prefix, extra, releases) => {
    const mask = Math.min(32, prefix + extra);
    const s = setOf(formatCidr({ base: 10 * 2 ** 24, prefix }), mask);
    const got: string[] = [];
    for (let c = s.allocateNext(); c !== undefined; c = s.allocateNext()) got.push(c);
    assert.equal(got.length, s.capacity);
    assert.equal(new Set(got).size, got.length);
    const range = s.cluster;
    for (const g of got) assert.ok(overlaps(range, parseStoredCidr(g)!));
    // Releasing some and allocating again hands back exactly the released ones.
    const freed = new Set(releases.map((r) => got[r % got.length]));
    for (const f of freed) s.release(f);
    const again = new Set<string>();
    for (let c = s.allocateNext(); c !== undefined; c = s.allocateNext()) again.add(c);
    assert.deepEqual([...again].sort(), [...freed].sort());
  }), { numRuns: 60 });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIPv4, isIPv6 } from 'node:net';
import fc from 'fast-check';
import type { Node, Pod } from '../api/types.js';
import { chooseAddress, parseIP, podAddressRange, podIPsFor, sandboxFailureMessage } from './podnetwork.js';

const nodeWith = (...podCIDRs: string[]): Node => ({ metadata: { name: 'n' }, spec: podCIDRs.length ? { podCIDR: podCIDRs[0], podCIDRs } : {} });
const pod = (uid: string): Pod => ({ metadata: { name: uid, namespace: 'default', uid } });
const v4 = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
const num = (ip: string) => parseIP(ip)!.n;

test('host-local\'s range: gateway and broadcast excluded; /31 and /32 too small', () => {
  const r26 = podAddressRange('10.1.2.64/26');
  assert.ok(!('error' in r26));
  assert.deepEqual([r26.count, r26.rangeSet, r26.first], [61n, '10.1.2.65-10.1.2.126', num('10.1.2.66')]);
  const r24 = podAddressRange('10.244.1.0/24');
  assert.ok(!('error' in r24) && r24.count === 253n && r24.rangeSet === '10.244.1.1-10.244.1.254');
  const r30 = podAddressRange('10.0.0.4/30');
  assert.ok(!('error' in r30) && r30.count === 1n && r30.first === num('10.0.0.6'));
  assert.deepEqual(podAddressRange('10.0.0.4/31'), { error: 'Network 10.0.0.4/31 too small to allocate from' });
  assert.deepEqual(podAddressRange('10.0.0.4/32'), { error: 'Network 10.0.0.4/32 too small to allocate from' });
  assert.deepEqual(podAddressRange('fd00::/127'), { error: 'Network fd00::/127 too small to allocate from' });
  assert.deepEqual(podAddressRange('10.0.0.0'), { error: 'invalid CIDR address: 10.0.0.0' });
  assert.deepEqual(podAddressRange('10.0.0.0/33'), { error: 'invalid CIDR address: 10.0.0.0/33' });
  const r16 = podAddressRange('10.7.0.0/16');
  assert.ok(!('error' in r16) && r16.count === 65_533n && r16.rangeSet === '10.7.0.1-10.7.255.254');
  // IPv6 has no broadcast address: the last one is a pod's.
  const r6 = podAddressRange('fd00:10:244:1::/64');
  assert.ok(!('error' in r6) && r6.count === 2n ** 64n - 2n && r6.rangeSet === 'fd00:10:244:1::1-fd00:10:244:1:ffff:ffff:ffff:ffff');
});

test('property: every IPv4 mask size — inside the block, never network, gateway or broadcast, never an address in use', () => {
  fc.assert(fc.property(
    fc.integer({ min: 0, max: 30 }), fc.nat(), fc.string({ minLength: 1, maxLength: 12 }), fc.array(fc.nat(), { maxLength: 40 }),
    (prefix, seed, uid, usedOffsets) => {
      const size = 2 ** (32 - prefix);
      const base = (seed % 2 ** prefix) * size;
      const cidr = `${v4(base)}/${prefix}`;
      const inUse = usedOffsets.map((o) => v4(base + 2 + (o % (size - 3))));
      const r = podIPsFor(nodeWith(cidr), pod(uid), inUse);
      if (new Set(inUse).size >= size - 3) { assert.ok('error' in r, cidr); return; }
      assert.ok('podIPs' in r, `${cidr}: ${JSON.stringify(r)}`);
      const [ip] = r.podIPs;
      assert.ok(isIPv4(ip!));
      const n = Number(num(ip!));
      assert.ok(n >= base + 2 && n <= base + size - 2, `${ip} in ${cidr}, not network, gateway or broadcast`);
      assert.ok(!inUse.includes(ip!));
      assert.deepEqual(podIPsFor(nodeWith(cidr), pod(uid), [...inUse].reverse()), r, 'stable: depends on the set, not its order');
    },
  ), { numRuns: 400 });
});

test('property: a small block is filled to exactly its size with distinct addresses, then the sandbox fails as host-local does', () => {
  fc.assert(fc.property(fc.integer({ min: 25, max: 30 }), fc.nat(255), (prefix, third) => {
    const cidr = `10.9.${third}.0/${prefix}`;
    const taken: string[] = [];
    for (let i = 0; ; i++) {
      const r = podIPsFor(nodeWith(cidr), pod(`p-${i}`), taken);
      if ('error' in r) {
        const end = v4(Number(num(`10.9.${third}.0`)) + 2 ** (32 - prefix) - 2);
        assert.equal(r.error, `failed to allocate for range 0: no IP addresses available in range set: 10.9.${third}.1-${end}`);
        break;
      }
      taken.push(r.podIPs[0]!);
    }
    assert.equal(taken.length, 2 ** (32 - prefix) - 3);
    assert.equal(new Set(taken).size, taken.length);
  }), { numRuns: 60 });
});

test('property: a pod keeps its address while other pods come and go (unless they took it first)', () => {
  fc.assert(fc.property(fc.string({ minLength: 1 }), fc.array(fc.nat(252), { maxLength: 30 }), (uid, others) => {
    const cidr = '10.3.4.0/24';
    const alone = podIPsFor(nodeWith(cidr), pod(uid), []);
    assert.ok('podIPs' in alone);
    const inUse = others.map((o) => `10.3.4.${2 + o}`).filter((ip) => ip !== alone.podIPs[0]);
    assert.deepEqual(podIPsFor(nodeWith(cidr), pod(uid), inUse), alone);
  }), { numRuns: 200 });
});

test('property: IPv6 pod CIDRs of any size give valid, canonical addresses inside the block', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 126 }), fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }), fc.string({ minLength: 1 }), (prefix, groups, uid) => {
    const bits = groups.reduce((a, g) => (a << 16n) + BigInt(g), 0n);
    const size = 1n << BigInt(128 - prefix);
    const base = bits - (bits % size);
    const hex = Array.from({ length: 8 }, (_, i) => ((base >> BigInt(16 * (7 - i))) & 0xffffn).toString(16)).join(':');
    const r = podIPsFor(nodeWith(`${hex}/${prefix}`), pod(uid), []);
    assert.ok('podIPs' in r, JSON.stringify(r));
    const ip = r.podIPs[0]!;
    assert.ok(isIPv6(ip), ip);
    // WHATWG URL serialises IPv6 hosts in RFC 5952 form: ours must already be that form.
    assert.equal(`[${ip}]`, new URL(`http://[${ip}]/`).hostname);
    const n = num(ip);
    assert.ok(n >= base + 2n && n < base + size, `${ip} in ${hex}/${prefix}, not the network address or gateway`);
  }), { numRuns: 300 });
});

test('dual-stack: one address per family; any range that fails fails the sandbox, naming the range', () => {
  const r = podIPsFor(nodeWith('10.0.1.0/24', 'fd00:1::/64'), pod('u'), []);
  assert.ok('podIPs' in r);
  assert.ok(isIPv4(r.podIPs[0]!) && isIPv6(r.podIPs[1]!));
  assert.deepEqual(podIPsFor(nodeWith('10.0.1.0/24', 'fd00:1::/128'), pod('u'), []), { error: 'invalid range set 1: Network fd00:1::/128 too small to allocate from' });
  const full = podIPsFor(nodeWith('10.0.1.4/30', 'fd00:1::/64'), pod('u'), ['10.0.1.6']);
  assert.deepEqual(full, { error: 'failed to allocate for range 0: no IP addresses available in range set: 10.0.1.5-10.0.1.6' });
});

test('no pod CIDR yet: host-local has no range; hostile CIDRs and in-use entries do not throw', () => {
  assert.deepEqual(podIPsFor(nodeWith(), pod('u'), []), { error: 'no IP ranges specified' });
  assert.ok('error' in podIPsFor(nodeWith('banana'), pod('u'), []));
  assert.ok('error' in podIPsFor(nodeWith('1:2:3:4:5:6:7:8:9/64'), pod('u'), []));
  assert.ok('podIPs' in podIPsFor(nodeWith('10.0.0.0/24'), pod('u'), ['', 'x', '::', '999.1.1.1', '10.0.0.0/24']));
  const hostile = (spec: unknown) => podIPsFor({ metadata: { name: 'n' }, spec } as Node, pod('u'), [7 as unknown as string, null as unknown as string]);
  assert.deepEqual(hostile({ podCIDRs: 'abc' }), { error: 'no IP ranges specified' });
  assert.deepEqual(hostile({ podCIDR: 42 }), { error: 'no IP ranges specified' });
  assert.ok('error' in hostile({ podCIDRs: [{}] }));
  assert.ok('podIPs' in hostile({ podCIDRs: ['10.0.0.0/24'] }));
  assert.equal(chooseAddress({ family: 4, first: 2n, count: 1n, rangeSet: '' }, 'u', new Set([2n])), undefined);
  assert.match(sandboxFailureMessage('ab', 'no IP ranges specified'), /^Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "ab": plugin type="bridge" failed \(add\): no IP ranges specified$/);
});

test('IPv6 text forms parse as net does; junk does not', () => {
  for (const s of ['::', '::1', 'fd00::1', '1:2:3:4:5:6:7:8', '::ffff:10.0.0.1', 'FD00:0:0:0:0:0:0:1']) assert.ok(parseIP(s)?.family === 6, s);
  for (const s of [':::', '1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', 'g::1', '1:2:3:4:5:6:7::8:9', '::ffff:10.0.0.256', '1.2.3', '01.2.3.4']) assert.equal(parseIP(s), undefined, s);
  assert.equal(parseIP('::ffff:10.0.0.1')!.n, 0xffff0a000001n);
});

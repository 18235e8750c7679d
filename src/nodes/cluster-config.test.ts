import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseClusterConfig, loadClusterConfig, withExtraNodes, defaultConfig, clusterConfigFor, heartbeatTiming, plannedNodes, ruleForImage, sampleDelay, globToRegExp } from './cluster-config.js';

const example = readFileSync(new URL('../../examples/cluster.yaml', import.meta.url), 'utf8');

test('the shipped example parses, with an hw-rng pool and defaults filled', () => {
  const c = parseClusterConfig(example);
  assert.equal(c.pools.length, 4);
  assert.ok(c.pools.some((p) => p.labels.feature === 'hw-rng'));
  assert.equal(c.nodeMonitorGracePeriodMs, 40_000);
  const secure = c.pools.find((p) => p.name === 'secure')!;
  assert.deepEqual(secure.pods.rules, []);
  assert.deepEqual(secure.pods.startupDelay, { uniform: { min: 500, max: 1500 } });
  assert.equal(secure.namePrefix, 'secure');
  assert.equal(c.pools.find((p) => p.name === 'gpu')!.capacity['nvidia.com/gpu'], '1');
});

test('defaultConfig(n) is one pool of n nodes with stock capacity', () => {
  const c = defaultConfig(3);
  assert.equal(c.pools[0].count, 3);
  assert.deepEqual(c.pools[0].capacity, { cpu: '4', memory: '16Gi', pods: '110', 'ephemeral-storage': '100Gi' });
  assert.deepEqual(plannedNodes(c).map((n) => [n.name, n.ordinal]), [['node-0', 0], ['node-1', 1], ['node-2', 2]]);
});

const bad = (yamlText: string) => {
  try { parseClusterConfig(yamlText); } catch (e) { return (e as Error).message; }
  assert.fail('expected an error');
};

test('errors are one line naming the field path', () => {
  const cases: [string, string][] = [
    ['pools: [{name: a, count: 1}, {name: b, count: 1, capacity: {cpu: abc}}]', 'cluster.yaml: pools[1].capacity.cpu: invalid quantity "abc"'],
    ['pools: [{name: a, count: -1}]', 'cluster.yaml: pools[0].count: '],
    ['pools: [{name: A_b, count: 1}]', 'cluster.yaml: pools[0].name: must be a DNS label'],
    ['pools: [{name: a, count: 1, colour: red}]', 'cluster.yaml: pools[0].colour: unknown field'],
    ['pools: [{name: a, count: 1, labels: {"bad key!": x}}]', 'cluster.yaml: pools[0].labels.bad key!: key'],
    ['pools: [{name: a, count: 1, taints: [{key: k, effect: Sometimes}]}]', 'cluster.yaml: pools[0].taints[0].effect: '],
    ['pools: [{name: a, count: 1, pods: {rules: [{image: x}]}}]', 'cluster.yaml: pools[0].pods.rules[0]: exactly one of pullError'],
    ['pools: [{name: a, count: 1, pods: {rules: [{image: x, imageRegex: y, neverReady: true}]}}]', 'cluster.yaml: pools[0].pods.rules[0]: exactly one of image or imageRegex'],
    ['pools: [{name: a, count: 1, pods: {rules: [{imageRegex: "(", neverReady: true}]}}]', 'cluster.yaml: pools[0].pods.rules[0].imageRegex: invalid regular expression'],
    ['pools: [{name: a, count: 1, pods: {readinessDelay: {uniform: {min: 5, max: 1}}}}]', 'cluster.yaml: pools[0].pods.readinessDelay'],
    ['pools: [{name: a, count: 1}, {name: b, namePrefix: a, count: 1}]', 'cluster.yaml: pools[1].namePrefix: duplicate node name prefix "a"'],
    ['pools: []', 'cluster.yaml: pools: '],
    ['', 'cluster.yaml: pools: '],
    ['pools: [{name: a, count: 1}]\nfoo: [', 'cluster.yaml: '],
    ['clusterCIDR: 10.0.0.0\npools: [{name: a, count: 1}]', 'cluster.yaml: clusterCIDR: "10.0.0.0" is not an IPv4 CIDR'],
    ['clusterCIDR: 10.0.0.1/8\npools: [{name: a, count: 1}]', 'cluster.yaml: clusterCIDR: "10.0.0.1/8" has host bits set (did you mean 10.0.0.0/8?)'],
    ['clusterCIDR: "fd00::/48"\npools: [{name: a, count: 1}]', 'cluster.yaml: clusterCIDR: "fd00::/48": only IPv4 CIDRs are supported'],
    ['clusterCIDR: 10.0.0.0/24\nnodeCIDRMaskSize: 16\npools: [{name: a, count: 1}]', 'cluster.yaml: nodeCIDRMaskSize: a /16 node CIDR is larger than clusterCIDR 10.0.0.0/24 itself; it must be at least 24'],
    ['nodeCIDRMaskSize: 33\npools: [{name: a, count: 1}]', 'cluster.yaml: nodeCIDRMaskSize: '],
    ['nodeCIDRMaskSize: 24.5\npools: [{name: a, count: 1}]', 'cluster.yaml: nodeCIDRMaskSize: '],
    ['clusterCIDR: 0.0.0.0/0\nnodeCIDRMaskSize: 32\npools: [{name: a, count: 1}]', 'cluster.yaml: nodeCIDRMaskSize: clusterCIDR 0.0.0.0/0 in /32 blocks makes 4294967296 node CIDRs'],
    ['nodeAddressCIDR: 10.1.0.0/16\npools: [{name: a, count: 1}]', 'cluster.yaml: nodeAddressCIDR: 10.1.0.0/16 overlaps clusterCIDR 10.0.0.0/8'],
    ['nodeAddressCIDR: 192.168.0.0/29\npools: [{name: a, count: 7}]', 'cluster.yaml: nodeAddressCIDR: 192.168.0.0/29 holds 6 node addresses but the pools plan 7 nodes'],
    ['nodeAddressCIDR: 12\npools: [{name: a, count: 1}]', 'cluster.yaml: nodeAddressCIDR: '],
  ];
  for (const [text, prefix] of cases) {
    // The position (file:line:col) is checked in its own test below.
    const msg = bad(text).replace(/^cluster\.yaml:\d+:\d+:/, 'cluster.yaml:');
    assert.ok(msg.startsWith(prefix), `${JSON.stringify(text)} → ${msg}`);
    assert.ok(!msg.includes('\n'), msg);
  }
});

test('address ranges: defaults fit 65,536 nodes; pools are not capped below what the ranges hold', () => {
  const c = defaultConfig(0);
  assert.deepEqual([c.clusterCIDR, c.nodeCIDRMaskSize, c.nodeAddressCIDR], ['10.0.0.0/8', 24, '172.16.0.0/12']);
  assert.equal(defaultConfig(100_000).pools[0].count, 100_000);
  const tiny = parseClusterConfig('clusterCIDR: 10.0.0.0/28\nnodeCIDRMaskSize: 30\nnodeAddressCIDR: 192.168.0.0/29\npools: [{name: a, count: 6}]');
  assert.deepEqual([tiny.clusterCIDR, tiny.nodeCIDRMaskSize, tiny.nodeAddressCIDR], ['10.0.0.0/28', 30, '192.168.0.0/29']);
  // More nodes than pod CIDRs is not a config error: upstream refuses the surplus at run time.
  assert.equal(parseClusterConfig('clusterCIDR: 10.0.0.0/28\nnodeCIDRMaskSize: 30\npools: [{name: a, count: 6}]').pools[0].count, 6);
});

test('rules: glob and regex image matching, first match wins', () => {
  const c = parseClusterConfig(example);
  const rules = c.pools.find((p) => p.name === 'flaky')!.pods.rules;
  assert.equal(ruleForImage(rules, 'registry.invalid/app:1')?.pullError, 'ErrImagePull');
  assert.ok(ruleForImage(rules, 'busybox:crash')?.crashLoop);
  assert.ok(ruleForImage(rules, 'busybox:crash-2')?.crashLoop);
  assert.ok(ruleForImage(rules, 'acme/job-runner:v1')?.exit);
  assert.equal(ruleForImage(rules, 'nginx:never-ready')?.neverReady, true);
  assert.equal(ruleForImage(rules, 'nginx:1.27'), undefined);
  assert.ok(globToRegExp('a.b?c*').test('a.bXcdef'));
  assert.ok(!globToRegExp('a.b').test('aXb'));
});

test('sampleDelay covers each distribution', () => {
  assert.equal(sampleDelay({ constant: 42 }, () => 0.9), 42);
  assert.equal(sampleDelay({ uniform: { min: 100, max: 200 } }, () => 0.25), 125);
  // u1 = 1 - 0 = 1 → z0 = 0 → the mean
  assert.equal(sampleDelay({ normal: { mean: 1000, stddev: 300 } }, () => 0), 1000);
  const seq = [0.999, 0.5]; // u1 = 0.001, cos(pi) = -1 → about mean - 3.7 stddev
  assert.equal(sampleDelay({ normal: { mean: 10, stddev: 1000 } }, () => seq.shift()!), 0); // clamped at 0
});

test('heartbeatTiming: kubelet defaults for small fleets, stretched renewals and grace for large ones', () => {
  assert.deepEqual(heartbeatTiming(defaultConfig(3)), { heartbeatMs: 10_000, graceMs: 40_000 });
  assert.deepEqual(heartbeatTiming(defaultConfig(1000)), { heartbeatMs: 10_000, graceMs: 40_000 });
  // 10,000 nodes at ≤ 100 renewals/s: every 100 s, and a grace of 4 renewals.
  assert.deepEqual(heartbeatTiming(defaultConfig(10_000)), { heartbeatMs: 100_000, graceMs: 400_000 });
  // An explicit grace (tests) wins and the renewal shrinks to a quarter of it.
  assert.deepEqual(heartbeatTiming(defaultConfig(10_000), 2_000), { heartbeatMs: 500, graceMs: 2_000 });
  assert.deepEqual(heartbeatTiming({ ...defaultConfig(500), maxLeaseRenewalsPerSecond: 10 }), { heartbeatMs: 50_000, graceMs: 200_000 });
});

test('YAML syntax errors and schema errors say file:line:col, the field, and the problem in one line', () => {
  const cases: Array<[string, string]> = [
    ['pools:\n  - name: a\n    count: [1\n', 'cluster.yaml:4:1: Flow sequence in block collection must be sufficiently indented and end with a ]'],
    ['pools:\n  - name: a\n  count: 1\n', 'cluster.yaml:3:1: All mapping items must start at the same column'],
    ['pools: []\npools: []\n', 'cluster.yaml:2:1: Map keys must be unique'],
    ["pools:\n  - name: a\n    count: 'x'\n", 'cluster.yaml:3:12: pools[0].count: Invalid input: expected number, received string'],
    ['pools:\n  - name: a\n    count: 1\n    colour: red\n', 'cluster.yaml:4:5: pools[0].colour: unknown field'],
    // The misspelt key, not the "pools" it leaves missing, is what the user must fix.
    ['pool:\n  - name: a\n', 'cluster.yaml:1:1: pool: unknown field'],
    ['pools:\n  - count: 1\n', 'cluster.yaml:2:5: pools[0].name: required field missing (expected string)'],
    ['pools:\n - name: a\n   count: 1\n   capacity: {cpu: lots}\n', 'cluster.yaml:4:20: pools[0].capacity.cpu: invalid quantity "lots"'],
    ['heartbeatIntervalMs: fast\npools: [{name: a, count: 1}]\n', 'cluster.yaml:1:22: heartbeatIntervalMs: Invalid input: expected number, received string'],
  ];
  for (const [text, want] of cases) assert.equal(bad(text), want, JSON.stringify(text));
});

test('--config with --nodes is validated as a whole', () => {
  const named = parseClusterConfig('pools:\n  - name: node\n    count: 1\n');
  assert.throws(() => withExtraNodes(named, 2), { message: '--nodes 2 with --config cluster.yaml: pools[1].namePrefix (the --nodes pool): duplicate node name prefix "node"' });
  const small = parseClusterConfig('nodeAddressCIDR: 192.168.0.0/30\npools: [{name: a, count: 2}]\n');
  assert.throws(() => withExtraNodes(small, 1), { message: '--nodes 1 with --config cluster.yaml: nodeAddressCIDR: 192.168.0.0/30 holds 2 node addresses but the pools plan 3 nodes' });
  const ok = withExtraNodes(parseClusterConfig('pools: [{name: a, count: 2}]'), 3);
  assert.deepEqual(ok.pools.map((p) => [p.namePrefix, p.count]), [['a', 2], ['node', 3]]);
  assert.equal(withExtraNodes(named, 0), named);
  // An extra pool that alone overflows the default range is reported with the file, as one cluster.
  assert.throws(() => withExtraNodes(small, 2_000_000), { message: '--nodes 2000000 with --config cluster.yaml: nodeAddressCIDR: 192.168.0.0/30 holds 2 node addresses but the pools plan 2000002 nodes' });
});

test('--nodes alone is validated too, in one line (it can overflow the default nodeAddressCIDR)', () => {
  assert.throws(() => defaultConfig(2_000_000), { message: '--nodes 2000000: nodeAddressCIDR: 172.16.0.0/12 holds 1048574 node addresses but the pools plan 2000000 nodes' });
  assert.throws(() => clusterConfigFor(undefined, 1_048_575), { message: /^--nodes 1048575: nodeAddressCIDR: .* plan 1048575 nodes$/ });
  assert.equal(clusterConfigFor(undefined, 1_048_574).pools[0]!.count, 1_048_574);
  assert.deepEqual(clusterConfigFor(undefined, 3), defaultConfig(3));
});

test('loadClusterConfig: a missing file is one line; the file name is the one given', () => {
  const dir = mkdtempSync(join(tmpdir(), 'everynode-cfg-'));
  try {
    assert.throws(() => loadClusterConfig(join(dir, 'nope.yaml')), { message: `cannot read --config ${join(dir, 'nope.yaml')}: no such file` });
    const f = join(dir, 'c.yaml');
    writeFileSync(f, 'pools:\n  - name: a\n    count: -1\n');
    assert.throws(() => loadClusterConfig(f), { message: `${f}:3:12: pools[0].count: Too small: expected number to be >=0` });
    writeFileSync(f, 'pools:\n  - name: a\n    count: 1\n');
    assert.equal(loadClusterConfig(f, 2).pools.length, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

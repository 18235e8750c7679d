// `everynode rehearse` and `everynode plan` input errors: one line each, exit 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runRehearse } from './rehearse.js';
import { runPlan } from './plan.js';

const dir = mkdtempSync(join(tmpdir(), 'everynode-rehearse-'));
const file = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };
const ROLLOUT = file('rollout.yaml', 'apiVersion: everynode.dev/v1alpha1\nkind: DaemonSetRollout\nmetadata: {name: agent}\nspec:\n  targetRef: {name: agent}\n  waves:\n  - {name: all, maxUnavailable: 2}\n');
const FLEET = file('fleet.yaml', 'pools:\n  - {name: node, count: 3, pods: {startupDelay: 100, readinessDelay: 100}}\n');

function run(args: Parameters<typeof runRehearse>[0]) {
  const out: string[] = [], err: string[] = [];
  const code = runRehearse(args, (s) => out.push(s), (s) => err.push(s));
  return { code, out: out.join(''), err };
}

test('a rehearsal of the files prints a timeline and exits 0', () => {
  const r = run({ file: ROLLOUT, fleet: FLEET, image: 'example.com/agent:2' });
  assert.equal(r.code, 0, r.err.join('\n'));
  assert.match(r.out, /Complete after/);
  assert.match(r.out, /^all\s+3\s+/m);
  const j = run({ file: ROLLOUT, fleet: FLEET, image: 'example.com/agent:2', runs: '3', output: 'json' });
  assert.equal(JSON.parse(j.out).summary.runs, 3);
});

test('every problem is one line with a non-zero exit', () => {
  const cases: [Parameters<typeof runRehearse>[0], RegExp][] = [
    [{ file: join(dir, 'missing.yaml'), fleet: FLEET, image: 'x:2' }, /missing\.yaml: cannot read: no such file/],
    [{ file: file('bad.yaml', 'spec:\n  waves: [\n'), fleet: FLEET, image: 'x:2' }, /bad\.yaml:3:1: Flow sequence/],
    [{ file: file('invalid.yaml', 'spec:\n  targetRef: {name: agent}\n  waves:\n  - {name: All, maxUnavailable: 0}\n'), fleet: FLEET, image: 'x:2' }, /invalid\.yaml: spec\.waves\[0\]\.name: Invalid value: "All"/],
    [{ file: ROLLOUT, fleet: file('badfleet.yaml', 'pools: []\n'), image: 'x:2' }, /badfleet\.yaml(:\d+:\d+)?: pools/],
    [{ file: ROLLOUT, fleet: FLEET }, /--image is required/],
    [{ file: ROLLOUT, fleet: FLEET, image: 'x:2', failNodes: 'many' }, /--fail-nodes must be a count or a percentage/],
    [{ file: ROLLOUT, fleet: FLEET, image: 'x:2', failAfter: 'soon' }, /--fail-after must be a duration/],
    [{ file: ROLLOUT, fleet: FLEET, image: 'x:2', runs: '0' }, /--runs must be an integer/],
  ];
  for (const [args, re] of cases) {
    const r = run(args);
    assert.equal(r.code, 1, JSON.stringify(args));
    assert.ok(r.err.length >= 1 && r.err.every((l) => !l.includes('\n') && l.startsWith('everynode rehearse: ')), r.err.join('|'));
    assert.ok(r.err.some((l) => re.test(l)), `${re} in ${r.err.join('|')}`);
  }
  // Several field errors: one line each.
  const many = run({ file: file('many.yaml', 'spec:\n  waves:\n  - {name: a, maxUnavailable: 0}\n  onFailure: Explode\n'), fleet: FLEET, image: 'x:2' });
  assert.ok(many.err.length >= 3, many.err.join('|'));
});

test('plan: a file problem is one line and exit 1, before any cluster is contacted', async () => {
  const err: string[] = [];
  const code = await runPlan({ file: join(dir, 'missing.yaml'), kubeconfig: join(dir, 'no-kubeconfig') }, () => {}, (s) => err.push(s));
  assert.equal(code, 1);
  assert.deepEqual(err.length, 1);
  assert.match(err[0], /^everynode plan: .*missing\.yaml: cannot read: no such file$/);
  const err2: string[] = [];
  assert.equal(await runPlan({ file: ROLLOUT, kubeconfig: join(dir, 'no-kubeconfig') }, () => {}, (s) => err2.push(s)), 1);
  assert.equal(err2.length, 1);
  assert.match(err2[0], /^everynode plan: kubeconfig: /);
});

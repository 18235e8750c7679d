// The CRD manifest and validateRollout agree: a small structural-schema walker (the OpenAPI v3
// keywords the manifest uses, plus its x-kubernetes-validations rules, each mirrored below) judges
// a set of good and bad objects, and so does validateRollout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { fieldErrorMessage } from '../../api/fielderrors.js';
import { validateRollout } from './validate.js';
import { withDefaults } from './defaults.js';

type Schema = Record<string, any>;
const crd = parse(readFileSync(new URL('../../../config/crd/everynode.dev_daemonsetrollouts.yaml', import.meta.url), 'utf8'));
const version = crd.spec.versions[0];
const root: Schema = version.schema.openAPIV3Schema;

/** The manifest's CEL rules, as JavaScript; a rule missing here fails the walker (so none is ignored). */
const CEL: Record<string, (self: any) => boolean> = {
  'has(self.targetRef) != has(self.selector)': (s) => ('targetRef' in s) !== ('selector' in s),
  '!has(self.order) || has(self.splitBy)': (s) => !('order' in s) || 'splitBy' in s,
  '(has(self.matchLabels) && size(self.matchLabels) > 0) || (has(self.matchExpressions) && size(self.matchExpressions) > 0)':
    (s) => Object.keys(s.matchLabels ?? {}).length > 0 || (s.matchExpressions ?? []).length > 0,
};

function typeOk(type: string | undefined, v: unknown): boolean {
  switch (type) {
    case undefined: return true;
    case 'object': return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'array': return Array.isArray(v);
    case 'string': return typeof v === 'string';
    case 'integer': return Number.isInteger(v);
    case 'boolean': return typeof v === 'boolean';
    default: throw new Error(`schema type ${type} not handled by the walker`);
  }
}

function schemaErrors(s: Schema, v: unknown, path: string): string[] {
  const errs: string[] = [];
  if (s['x-kubernetes-int-or-string']) {
    if (!Number.isInteger(v) && typeof v !== 'string') return [`${path}: int or string`];
  } else if (!typeOk(s.type, v)) return [`${path}: must be ${s.type}`];
  if (s.enum && !s.enum.includes(v)) errs.push(`${path}: enum`);
  if (typeof v === 'number') { if (s.minimum !== undefined && v < s.minimum) errs.push(`${path}: minimum`); }
  if (typeof v === 'string') {
    if (s.minLength !== undefined && v.length < s.minLength) errs.push(`${path}: minLength`);
    if (s.maxLength !== undefined && v.length > s.maxLength) errs.push(`${path}: maxLength`);
    if (s.pattern !== undefined && !new RegExp(s.pattern, 'u').test(v)) errs.push(`${path}: pattern`);
  }
  if (Array.isArray(v)) {
    if (s.minItems !== undefined && v.length < s.minItems) errs.push(`${path}: minItems`);
    if (s.maxItems !== undefined && v.length > s.maxItems) errs.push(`${path}: maxItems`);
    if (s['x-kubernetes-list-type'] === 'set' && new Set(v.map((x) => JSON.stringify(x))).size !== v.length) errs.push(`${path}: duplicate`);
    if (s['x-kubernetes-list-type'] === 'map') {
      const keys = v.map((x) => JSON.stringify(s['x-kubernetes-list-map-keys'].map((k: string) => x?.[k])));
      if (new Set(keys).size !== keys.length) errs.push(`${path}: duplicate key`);
    }
    v.forEach((x, i) => errs.push(...schemaErrors(s.items, x, `${path}[${i}]`)));
  }
  if (s.type === 'object' && typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    for (const r of s.required ?? []) if (!(r in o)) errs.push(`${path}.${r}: required`);
    for (const [k, x] of Object.entries(o)) {
      if (s.properties?.[k]) errs.push(...schemaErrors(s.properties[k], x, `${path}.${k}`));
      else if (s.additionalProperties) errs.push(...schemaErrors(s.additionalProperties, x, `${path}.${k}`));
    }
  }
  for (const rule of s['x-kubernetes-validations'] ?? []) {
    const f = CEL[rule.rule];
    if (!f) throw new Error(`CEL rule not mirrored in the test: ${rule.rule}`);
    if (!errs.length && !f(v)) errs.push(`${path}: ${rule.message}`);
  }
  return errs;
}

const base = { apiVersion: 'everynode.dev/v1alpha1', kind: 'DaemonSetRollout', metadata: { name: 'r' } };
const spec = (s: Record<string, unknown>) => ({ ...base, spec: { targetRef: { name: 'node-exporter' }, waves: [{ name: 'all' }], ...s } });

const issueExample = spec({
  waves: [
    { name: 'canary', nodeSelector: { matchLabels: { 'everynode.dev/canary': 'true' } }, maxNodes: 2, maxUnavailable: 1, bakeSeconds: 600, approval: 'Manual' },
    { name: 'zones', splitBy: 'topology.kubernetes.io/zone', order: ['zone-b', 'zone-a'], maxUnavailable: '10%', bakeSeconds: 300 },
    { name: 'rest', maxUnavailable: '25%' },
  ],
  health: { minReadySeconds: 30, podReadyTimeoutSeconds: 300, maxRestarts: 3, nodeRegression: { windowSeconds: 600 }, maxFailedNodes: 1 },
  onFailure: 'Pause', progressDeadlineSeconds: 1800, quarantine: { afterSeconds: 900, maxNodes: '2%' },
  paused: false, perNodeMaxUnavailable: 1, inPlace: 'IfPossible', makeRoom: false,
});

const good: [string, unknown][] = [
  ['minimal', spec({})],
  ['the issue example', issueExample],
  ['a selector of DaemonSets', { ...base, spec: { selector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['node'] }] }, waves: [{ name: 'all', maxUnavailable: '100%' }] } }],
  ['zero failures tolerated as a percent', spec({ health: { maxFailedNodes: '0%' }, quarantine: { afterSeconds: 1, maxNodes: 0 } })],
];

const bad: [string, unknown][] = [
  ['no spec', base],
  ['no waves', { ...base, spec: { targetRef: { name: 'x' } } }],
  ['empty waves', spec({ waves: [] })],
  ['an upper-case wave name', spec({ waves: [{ name: 'Canary' }] })],
  ['duplicate wave names', spec({ waves: [{ name: 'a', maxNodes: 1 }, { name: 'a' }] })],
  ['maxUnavailable 150%', spec({ waves: [{ name: 'a', maxUnavailable: '150%' }] })],
  ['maxUnavailable 0', spec({ waves: [{ name: 'a', maxUnavailable: 0 }] })],
  ['maxUnavailable 0%', spec({ waves: [{ name: 'a', maxUnavailable: '0%' }] })],
  ['maxUnavailable -1', spec({ waves: [{ name: 'a', maxUnavailable: -1 }] })],
  ['maxUnavailable 1.5', spec({ waves: [{ name: 'a', maxUnavailable: 1.5 }] })],
  ['maxUnavailable junk', spec({ waves: [{ name: 'a', maxUnavailable: 'many' }] })],
  ['maxNodes a list', spec({ waves: [{ name: 'a', maxNodes: [1] }] })],
  ['negative bake', spec({ waves: [{ name: 'a', bakeSeconds: -1 }] })],
  ['unknown approval', spec({ waves: [{ name: 'a', approval: 'Sometimes' }] })],
  ['unknown onFailure', spec({ onFailure: 'Explode' })],
  ['unknown inPlace', spec({ inPlace: 'Always' })],
  ['paused as a string', spec({ paused: 'yes' })],
  ['perNodeMaxUnavailable 0', spec({ perNodeMaxUnavailable: 0 })],
  ['podReadyTimeoutSeconds 0', spec({ health: { podReadyTimeoutSeconds: 0 } })],
  ['maxFailedNodes 101%', spec({ health: { maxFailedNodes: '101%' } })],
  ['quarantine without afterSeconds', spec({ quarantine: { maxNodes: 1 } })],
  ['progressDeadlineSeconds 0', spec({ progressDeadlineSeconds: 0 })],
  ['a bad DaemonSet name', spec({ targetRef: { name: 'Bad_Name' } })],
  ['targetRef and selector', spec({ selector: { matchLabels: { a: 'b' } } })],
  ['neither targetRef nor selector', { ...base, spec: { waves: [{ name: 'a' }] } }],
  ['an empty selector', { ...base, spec: { selector: {}, waves: [{ name: 'a' }] } }],
  ['order without splitBy', spec({ waves: [{ name: 'a', order: ['x'] }] })],
  ['duplicate order values', spec({ waves: [{ name: 'a', splitBy: 'zone', order: ['x', 'x'] }] })],
  ['an unknown selector operator', spec({ waves: [{ name: 'a', nodeSelector: { matchExpressions: [{ key: 'k', operator: 'Maybe' }] } }] })],
];

/** Rules the schema cannot state; validateRollout (run by the controller) reports them. */
const semanticOnly: [string, unknown][] = [
  ['a wave after a catch-all wave', spec({ waves: [{ name: 'all' }, { name: 'never' }] })],
  ['an invalid splitBy label key', spec({ waves: [{ name: 'a', splitBy: 'not a key!' }] })],
  ['an invalid label value in a node selector', spec({ waves: [{ name: 'a', nodeSelector: { matchLabels: { zone: 'a b' } } }] })],
];

test('good objects pass both the CRD schema and validateRollout', () => {
  for (const [name, obj] of good) {
    assert.deepEqual(schemaErrors(root, obj, ''), [], `schema: ${name}`);
    assert.deepEqual(validateRollout(obj).map(fieldErrorMessage), [], `validateRollout: ${name}`);
  }
});

test('bad objects fail both the CRD schema and validateRollout', () => {
  for (const [name, obj] of bad) {
    assert.notDeepEqual(schemaErrors(root, obj, ''), [], `schema accepts: ${name}`);
    assert.notDeepEqual(validateRollout(obj), [], `validateRollout accepts: ${name}`);
  }
});

test('rules beyond the schema are caught by validateRollout', () => {
  for (const [name, obj] of semanticOnly) {
    assert.deepEqual(schemaErrors(root, obj, ''), [], `schema rejects (move it to the bad list): ${name}`);
    assert.notDeepEqual(validateRollout(obj), [], `validateRollout accepts: ${name}`);
  }
});

test('validateRollout paths and messages are upstream-style', () => {
  const msgs = (o: unknown) => validateRollout(o).map(fieldErrorMessage);
  assert.deepEqual(msgs(spec({ waves: [{ name: 'a', maxUnavailable: '150%' }] })), ['spec.waves[0].maxUnavailable: Invalid value: "150%": must not be greater than 100%']);
  assert.deepEqual(msgs(spec({ waves: [{ name: 'a', maxNodes: 1 }, { name: 'a' }] })), ['spec.waves[1].name: Duplicate value: "a"']);
  assert.deepEqual(msgs(spec({ onFailure: 'Explode' })), ['spec.onFailure: Unsupported value: "Explode": supported values: "Pause", "Rollback"']);
  assert.deepEqual(msgs({ ...base, spec: { waves: [{ name: 'a' }] } }), ['spec.targetRef: Required value: one of targetRef or selector is required']);
  for (const junk of [null, 3, 'x', [], { spec: null }, { spec: { waves: 'x', health: 1, quarantine: [] } }]) assert.ok(Array.isArray(validateRollout(junk)));
});

test('the CRD names, scope, subresource and printer columns', () => {
  assert.equal(crd.metadata.name, 'daemonsetrollouts.everynode.dev');
  assert.equal(crd.spec.scope, 'Namespaced');
  assert.deepEqual(crd.spec.names.shortNames, ['dsr']);
  assert.deepEqual(crd.spec.names.categories, ['everynode']);
  assert.deepEqual(version.subresources, { status: {} });
  assert.deepEqual(version.additionalPrinterColumns.map((c: { name: string }) => c.name.toUpperCase()), ['PHASE', 'WAVE', 'UPDATED', 'BLOCKED', 'AGE']);
  // every spec property has a description, except the self-explanatory leaves of quarantine and nodeRegression
  const specProps = root.properties.spec.properties;
  for (const [k, v] of Object.entries(specProps)) assert.ok((v as Schema).description, `spec.${k} has a description`);
});

test('defaults fill every optional field and leave the input alone', () => {
  const input = structuredClone(issueExample.spec) as never;
  const d = withDefaults({ targetRef: { name: 'x' }, waves: [{ name: 'a' }] });
  assert.deepEqual([d.waves[0].maxUnavailable, d.waves[0].bakeSeconds, d.waves[0].approval], [1, 0, 'Auto']);
  assert.deepEqual([d.health.podReadyTimeoutSeconds, d.health.maxRestarts, d.health.maxFailedNodes, d.onFailure, d.perNodeMaxUnavailable, d.inPlace], [300, 3, 0, 'Pause', 1, 'Never']);
  withDefaults(input);
  assert.deepEqual(input, issueExample.spec);
});

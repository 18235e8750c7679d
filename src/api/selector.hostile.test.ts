// Selectors evaluated against stored objects that may be malformed: never an exception, and
// upstream's answers (strconv.ParseInt base 10 for Gt/Lt, an unparsable term matches nothing).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fromLabelSelector, isEmptyLabelSelector, labelSelectorMatches, requirementMatches, selectorMatches, type Labels } from './selector.js';
import { podMatchesNodeAffinity } from './scheduling.js';
import type { Node, PodSpec } from './types.js';

const asLabels = (v: unknown) => v as Labels;

describe('selectors on malformed labels', () => {
  it('treats null, a string, an array or a number as no labels', () => {
    for (const labels of [null, 'app=x', ['app'], 7, true]) {
      assert.equal(selectorMatches([{ key: 'app', operator: 'Exists', values: [] }], asLabels(labels)), false, String(labels));
      assert.equal(selectorMatches([{ key: 'app', operator: 'DoesNotExist', values: [] }], asLabels(labels)), true, String(labels));
      assert.equal(selectorMatches([], asLabels(labels)), true);
    }
    // A string's indexes are not labels.
    assert.equal(requirementMatches({ key: '0', operator: 'Exists', values: [] }, asLabels('abc')), false);
  });

  it('treats a non-string label value as absent', () => {
    assert.equal(requirementMatches({ key: 'n', operator: 'In', values: ['1'] }, asLabels({ n: 1 })), false);
    assert.equal(requirementMatches({ key: 'n', operator: 'Exists', values: [] }, asLabels({ n: null })), false);
  });

  it('parses Gt/Lt as strconv.ParseInt base 10 on both sides', () => {
    const gt = (label: string, bound: string) => requirementMatches({ key: 'n', operator: 'Gt', values: [bound] }, { n: label });
    assert.equal(gt('5', '3'), true);
    assert.equal(gt('+5', '3'), true);
    assert.equal(gt('-1', '-2'), true);
    assert.equal(gt('0x10', '3'), false);
    assert.equal(gt('', '-3'), false);
    assert.equal(gt('5', ''), false);
    assert.equal(gt('5', '0x1'), false);
    assert.equal(gt('5', '1.5'), false);
    assert.equal(gt('5', 'abc'), false);
    assert.equal(gt('99999999999999999999', '1'), false);
    assert.equal(requirementMatches({ key: 'n', operator: 'Lt', values: ['1', '2'] }, { n: '0' }), false);
    assert.equal(requirementMatches({ key: 'n', operator: 'Lt', values: 'x' as unknown as string[] }, { n: '0' }), false);
  });

  it('skips a node affinity term with an unparsable Gt and lets another term match', () => {
    const node: Node = { metadata: { name: 'n1', labels: { cores: '8', zone: 'a' } } };
    const term = (key: string, operator: string, values: string[]) => ({ matchExpressions: [{ key, operator, values }] });
    const spec = (terms: object[]): PodSpec => ({ containers: [], affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } } as PodSpec);
    assert.equal(podMatchesNodeAffinity(spec([term('cores', 'Gt', ['four'])]), node), false);
    assert.equal(podMatchesNodeAffinity(spec([term('cores', 'Gt', ['four']), term('zone', 'In', ['a'])]), node), true);
    assert.equal(podMatchesNodeAffinity(spec([term('cores', 'Gt', ['0x4']), term('cores', 'Gt', ['4'])]), node), true);
  });

  it('reports a malformed LabelSelector as invalid (matching nothing)', () => {
    const bad: unknown[] = ['app=x', 3, [], { matchLabels: 'x' }, { matchLabels: { a: 1 } }, { matchExpressions: 'x' },
      { matchExpressions: [null] }, { matchExpressions: [{ key: 'a', operator: 'In', values: 'abc' }] }, { matchExpressions: [{ key: 1, operator: 'Exists' }] }];
    for (const ls of bad) {
      const sel = fromLabelSelector(ls as never);
      assert.ok('error' in sel, JSON.stringify(ls));
      assert.equal(labelSelectorMatches(ls as never, { app: 'x' }), false);
    }
  });

  it('never throws, whatever the selector and labels', () => {
    fc.assert(fc.property(fc.anything(), fc.anything(), (ls, labels) => {
      labelSelectorMatches(ls as never, labels as Labels);
      isEmptyLabelSelector(ls as never);
      const sel = fromLabelSelector(ls as never);
      if (!('error' in sel)) selectorMatches(sel, labels as Labels);
    }), { numRuns: 500 });
  });
});

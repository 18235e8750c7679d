// controllerRefOf, the node-affinity predicates and the taint/toleration checks meet stored objects that may be malformed at
// any level (random JSON): they never throw and answer only from well-formed parts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { controllerRefOf } from './meta.js';
import { findUntoleratedTaint, isNoExecute, isScheduleEffect, nodeRequirementMatches, nodeSelectorMatches, nodeSelectorTermMatches, nodeSelectorTermsMatch, podMatchesNodeAffinity, taintToleratedBy, toleratesTaint } from './scheduling.js';
import type { KObject, Node, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, PodSpec, Taint, Toleration } from './types.js';

const json = fc.jsonValue({ maxDepth: 4 });
/** Mostly the right shape with wrong parts, so the checks get past the first level. */
const ref = fc.oneof(json, fc.record({ uid: fc.oneof(fc.string(), json), controller: fc.oneof(fc.constant(true), json), name: json, kind: json }, { requiredKeys: [] }));
const requirement = fc.oneof(json, fc.record({
  key: fc.oneof(fc.constantFrom('zone', 'cores', 'metadata.name'), json),
  operator: fc.oneof(fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt', 'Bogus'), json),
  values: fc.oneof(fc.array(fc.oneof(fc.constantFrom('a', '8', '0x10', '', '-1'), json)), json),
}, { requiredKeys: [] }));
const term = fc.oneof(json, fc.record({ matchExpressions: fc.oneof(fc.array(requirement), json), matchFields: fc.oneof(fc.array(requirement), json) }, { requiredKeys: [] }));
const effect = fc.oneof(fc.constantFrom('NoSchedule', 'PreferNoSchedule', 'NoExecute', ''), json);
const taint = fc.oneof(json, fc.record({ key: fc.oneof(fc.constantFrom('k', 'gpu', ''), json), value: fc.oneof(fc.constantFrom('v', ''), json), effect }, { requiredKeys: [] }));
const toleration = fc.oneof(json, fc.record({
  key: fc.oneof(fc.constantFrom('k', 'gpu', ''), json), operator: fc.oneof(fc.constantFrom('Exists', 'Equal', 'exists'), json),
  value: fc.oneof(fc.constantFrom('v', ''), json), effect, tolerationSeconds: json,
}, { requiredKeys: [] }));
const listOrNot = <T>(a: fc.Arbitrary<T>) => fc.oneof(fc.array(a, { maxLength: 5 }), json);
const node = fc.oneof(json, fc.record({ metadata: fc.oneof(json, fc.record({ name: fc.oneof(fc.string(), json), labels: fc.oneof(fc.dictionary(fc.constantFrom('zone', 'cores'), fc.oneof(fc.constantFrom('a', '8', '16'), json)), json) }, { requiredKeys: [] })) }, { requiredKeys: [] }));

describe('malformed stored objects', () => {
  it('controllerRefOf never throws and returns only a list entry with controller true and a string uid', () => {
    fc.assert(fc.property(fc.oneof(json, fc.record({ metadata: fc.oneof(json, fc.record({ ownerReferences: fc.oneof(json, fc.array(ref)) })) })), (obj) => {
      const r = controllerRefOf(obj as KObject);
      if (r === undefined) return;
      const refs = (obj as { metadata: { ownerReferences: unknown[] } }).metadata.ownerReferences;
      assert.ok(refs.includes(r));
      assert.equal(r.controller, true);
      assert.equal(typeof r.uid, 'string');
    }), { numRuns: 2000 });
  });

  it('controllerRefOf finds the controller past malformed entries', () => {
    const obj = { metadata: { ownerReferences: [null, 'x', { controller: true, uid: 7 }, { uid: 'a' }, { controller: true, uid: 'b', name: 'd' }] } } as unknown as KObject;
    assert.equal(controllerRefOf(obj)?.uid, 'b');
    assert.equal(controllerRefOf({ metadata: { ownerReferences: '' } } as unknown as KObject), undefined);
    assert.equal(controllerRefOf(null as unknown as KObject), undefined);
  });

  it('the node-affinity predicates never throw and always answer a boolean', () => {
    fc.assert(fc.property(requirement, term, fc.oneof(json, fc.record({ nodeSelectorTerms: fc.oneof(fc.array(term), json) })), node, json, (r, t, sel, n, labels) => {
      const answers = [
        nodeRequirementMatches(r as NodeSelectorRequirement, labels as Record<string, string>),
        nodeSelectorTermMatches(t as NodeSelectorTerm, n as Node),
        nodeSelectorTermsMatch(sel as NodeSelector, n as Node),
        nodeSelectorMatches(labels as Record<string, string>, n as Node),
        podMatchesNodeAffinity({ containers: [], affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: sel } } } as PodSpec, n as Node),
        podMatchesNodeAffinity(labels as unknown as PodSpec, n as Node),
      ];
      for (const a of answers) assert.equal(typeof a, 'boolean');
    }), { numRuns: 2000 });
  });

  it('a malformed requirement matches nothing; a well-formed term beside it still can', () => {
    const n: Node = { metadata: { name: 'n1', labels: { zone: 'a' } } };
    for (const bad of [null, 'zone', { key: 'zone', operator: 'In', values: 'a' }, { key: 'zone', operator: 'In', values: [1] }, { key: 1, operator: 'Exists' }, { key: 'zone', operator: 'in', values: ['a'] }]) {
      assert.equal(nodeRequirementMatches(bad as NodeSelectorRequirement, { zone: 'a' }), false, JSON.stringify(bad));
      const good = { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] };
      assert.equal(nodeSelectorTermsMatch({ nodeSelectorTerms: [{ matchExpressions: [bad] } as NodeSelectorTerm, good] }, n), true);
      assert.equal(nodeSelectorTermsMatch({ nodeSelectorTerms: [{ matchExpressions: [bad] } as NodeSelectorTerm] }, n), false);
    }
    assert.equal(nodeSelectorTermsMatch({ nodeSelectorTerms: 'x' } as unknown as NodeSelector, n), false);
    assert.equal(nodeSelectorMatches('zone=a' as unknown as Record<string, string>, n), false);
    assert.equal(nodeSelectorMatches({ zone: 'a' }, { metadata: { labels: 'zone' } } as unknown as Node), false);
  });

  it('the taint checks never throw; an untolerated taint they report is an object of the node\'s list', () => {
    fc.assert(fc.property(listOrNot(taint), listOrNot(toleration), taint, toleration, (taints, tolerations, one, t) => {
      assert.equal(typeof toleratesTaint(t as Toleration, one as Taint), 'boolean');
      assert.equal(typeof taintToleratedBy(one as Taint, tolerations as Toleration[]), 'boolean');
      for (const filter of [undefined, isScheduleEffect, isNoExecute]) {
        const found = findUntoleratedTaint(taints as Taint[], tolerations as Toleration[], filter);
        if (found === undefined) continue;
        assert.ok(Array.isArray(taints) && taints.includes(found));
        assert.equal(typeof found, 'object');
        assert.ok(found !== null && !Array.isArray(found));
      }
    }), { numRuns: 2000 });
  });

  it('a malformed taint repels nothing and a malformed toleration tolerates nothing; well-formed ones beside them still count', () => {
    const gpu: Taint = { key: 'gpu', effect: 'NoSchedule' };
    const bad = [null, 5, 'gpu', [], [gpu]] as unknown as Taint[];
    assert.equal(findUntoleratedTaint(bad, []), undefined);
    assert.equal(findUntoleratedTaint('gpu' as unknown as Taint[], []), undefined);
    assert.equal(findUntoleratedTaint([...bad, gpu], [null, 'gpu', { key: 'other', operator: 'Exists' }] as unknown as Toleration[]), gpu);
    assert.equal(findUntoleratedTaint([...bad, gpu], [null, { key: 'gpu', operator: 'Exists' }] as unknown as Toleration[]), undefined);
    assert.equal(findUntoleratedTaint([gpu], 7 as unknown as Toleration[]), gpu);
    assert.equal(taintToleratedBy(gpu, { key: 'gpu', operator: 'Exists' } as unknown as Toleration[]), false);
    assert.equal(toleratesTaint(null as unknown as Toleration, gpu), false);
    assert.equal(toleratesTaint({ operator: 'Exists' }, null as unknown as Taint), false);
  });
});

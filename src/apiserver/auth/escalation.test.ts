import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { PolicyRule } from 'kubernetes-types/rbac/v1.js';
import { breakdownRule, covers, escalationError, ruleCovers } from './escalation.js';

const r = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule => ({ verbs, apiGroups, resources, ...(resourceNames ? { resourceNames } : {}) });

describe('escalation (ConfirmNoEscalation)', () => {
  test('breakdown into atomic rules', () => {
    assert.equal(breakdownRule(r(['get', 'list'], ['', 'apps'], ['pods'], ['a', 'b'])).length, 8);
    assert.deepEqual(breakdownRule({ verbs: ['get'], nonResourceURLs: ['/a', '/b'] }), [{ nonResourceURLs: ['/a'], verbs: ['get'] }, { nonResourceURLs: ['/b'], verbs: ['get'] }]);
  });

  test('covering: wildcards, */subresource, resource names, URL prefixes', () => {
    assert.ok(ruleCovers(r(['*'], ['*'], ['*']), r(['delete'], ['apps'], ['daemonsets'])));
    assert.ok(ruleCovers(r(['update'], [''], ['*/status']), r(['update'], [''], ['pods/status'])));
    assert.ok(!ruleCovers(r(['update'], [''], ['*/status']), r(['update'], [''], ['pods'])));
    assert.ok(ruleCovers(r(['get'], [''], ['cm']), r(['get'], [''], ['cm'], ['x'])), 'no names covers any name');
    assert.ok(!ruleCovers(r(['get'], [''], ['cm'], ['x']), r(['get'], [''], ['cm'])), 'a named grant does not cover all names');
    assert.ok(ruleCovers({ verbs: ['get'], nonResourceURLs: ['/apis/*'] }, { verbs: ['get'], nonResourceURLs: ['/apis/apps'] }));
    assert.ok(!ruleCovers(r(['get'], ['*'], ['*']), { verbs: ['get'], nonResourceURLs: ['/healthz'] }));
  });

  test('the refusal lists what is missing, compacted, as upstream words it', () => {
    const msg = escalationError({ name: 'bob', groups: ['dev', 'system:authenticated'] }, [r(['get'], [''], ['pods'])], [r(['get', 'list'], [''], ['pods', 'secrets'])]);
    assert.equal(msg, 'user "bob" (groups=["dev" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["pods"], Verbs:["list"]}\n{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}');
    assert.equal(escalationError({ name: 'bob', groups: [] }, [r(['*'], ['*'], ['*'])], [r(['get'], [''], ['pods'])]), undefined);
  });

  test('property: any rules cover themselves, and nothing but empty rules is covered by nothing', () => {
    const w = fc.constantFrom('get', 'list', '', 'apps', 'pods', 'pods/status', '*', 'a');
    const rule = fc.record({ verbs: fc.array(w, { minLength: 1, maxLength: 3 }), apiGroups: fc.array(w, { maxLength: 2 }), resources: fc.array(w, { maxLength: 2 }), resourceNames: fc.array(w, { maxLength: 2 }) });
    fc.assert(fc.property(fc.array(rule, { maxLength: 4 }), (rules) => covers(rules, rules).covered && covers([], rules).covered === (rules.flatMap(breakdownRule).length === 0)));
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorMessage } from '../../api/fielderrors.js';
import type { KObject } from '../../api/types.js';
import type { AdmissionContext } from './types.js';
import { clusterRoleStrategy } from './rbac.js';

const ctx = {} as AdmissionContext;
const errs = (o: KObject) => clusterRoleStrategy.validate!(o, ctx).map(fieldErrorMessage);

test('ClusterRole aggregationRule: selectors required and valid (ValidateClusterRole)', () => {
  assert.deepEqual(errs({ metadata: { name: 'a' }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { x: 'y' } }] } }), []);
  assert.deepEqual(errs({ metadata: { name: 'a' }, aggregationRule: {} }), ['aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector required if aggregationRule is non-nil']);
  assert.equal(errs({ metadata: { name: 'a' }, aggregationRule: { clusterRoleSelectors: [{ matchExpressions: [{ key: 'x', operator: 'Sometimes' }] }] } }).length, 1);
  assert.deepEqual(errs({ metadata: { name: 'a' }, rules: [{ verbs: ['get'], nonResourceURLs: ['/x'] }] }), []);
});

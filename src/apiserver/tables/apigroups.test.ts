import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DaemonSet, KObject } from '../../api/types.js';
import {
  clusterRoleBindingConvertor, controllerName, controllerRevisionConvertor, daemonSetConvertor, leaseConvertor,
  podDisruptionBudgetConvertor, priorityClassConvertor, roleBindingConvertor,
} from './apigroups.js';
import { formatLabelSelector } from './format.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString().replace('.000Z', 'Z');
const MIN = 60_000, DAY = 24 * 60 * MIN;

test('a daemonset with a nodeSelector, wide', () => {
  const ds: DaemonSet = {
    metadata: { name: 'node-agent', namespace: 'kube-system', creationTimestamp: ago(26 * MIN) },
    spec: {
      selector: { matchLabels: { app: 'node-agent' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['system', 'infra'] }] },
      template: { spec: {
        nodeSelector: { 'kubernetes.io/os': 'linux', disk: 'ssd' },
        containers: [{ name: 'agent', image: 'example/agent:1.2' }, { name: 'exporter', image: 'example/exporter:0.9' }],
      } },
    },
    status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 1, numberAvailable: 2, numberMisscheduled: 0 },
  };
  assert.deepEqual(daemonSetConvertor.cells(ds as KObject, NOW), [
    'node-agent', 3, 3, 2, 1, 2, 'disk=ssd,kubernetes.io/os=linux', '26m',
    'agent,exporter', 'example/agent:1.2,example/exporter:0.9', 'app=node-agent,tier in (infra,system)',
  ]);
  const fresh = daemonSetConvertor.cells({ metadata: { name: 'new' }, spec: { template: { spec: { containers: [] } } } }, NOW);
  assert.deepEqual(fresh, ['new', 0, 0, 0, 0, 0, '<none>', '<unknown>', '', '', '<none>']);
  assert.equal(fresh.length, daemonSetConvertor.columns.length);
});

test('formatLabelSelector matches metav1.FormatLabelSelector', () => {
  assert.equal(formatLabelSelector(undefined), '<none>');
  assert.equal(formatLabelSelector({}), '<none>');
  assert.equal(formatLabelSelector({ matchExpressions: [
    { key: 'z', operator: 'DoesNotExist' }, { key: 'b', operator: 'NotIn', values: ['y', 'x'] }, { key: 'a', operator: 'Exists' },
  ] }), 'a,b notin (x,y),!z');
  assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Bogus' }] }), '<error>');
});

test('controller revisions name their controller as kind.group/name', () => {
  const owner = (apiVersion: string, kind: string, controller = true) =>
    ({ metadata: { name: 'web-5d8f', creationTimestamp: ago(DAY), ownerReferences: [{ apiVersion, kind, name: 'web', uid: 'u', controller }] }, revision: 4 });
  assert.deepEqual(controllerRevisionConvertor.cells(owner('apps/v1', 'DaemonSet'), NOW), ['web-5d8f', 'daemonset.apps/web', 4, '24h']);
  assert.equal(controllerName(owner('v1', 'ReplicationController')), 'replicationcontroller/web');
  assert.equal(controllerName(owner('apps/v1', 'DaemonSet', false)), '<none>');
  assert.equal(controllerName({ metadata: {} }), '<none>');
});

test('leases, priority classes and disruption budgets', () => {
  const meta = (name: string) => ({ name, creationTimestamp: ago(3 * DAY) });
  assert.deepEqual(leaseConvertor.cells({ metadata: meta('everynode-controller'), spec: { holderIdentity: 'ctrl-0_1a2b' } }, NOW), ['everynode-controller', 'ctrl-0_1a2b', '3d']);
  assert.deepEqual(leaseConvertor.cells({ metadata: meta('free'), spec: {} }, NOW), ['free', '', '3d']);
  assert.deepEqual(priorityClassConvertor.cells({ metadata: meta('system-node-critical'), value: 2000001000, preemptionPolicy: 'PreemptLowerPriority' }, NOW),
    ['system-node-critical', 2000001000, false, '3d', 'PreemptLowerPriority']);
  assert.deepEqual(priorityClassConvertor.cells({ metadata: meta('default'), value: 0, globalDefault: true }, NOW), ['default', 0, true, '3d', '']);
  assert.deepEqual(podDisruptionBudgetConvertor.cells({ metadata: meta('pdb'), spec: { minAvailable: 2 }, status: { disruptionsAllowed: 1 } }, NOW), ['pdb', '2', 'N/A', 1, '3d']);
  assert.deepEqual(podDisruptionBudgetConvertor.cells({ metadata: meta('pdb'), spec: { maxUnavailable: '25%' } }, NOW), ['pdb', 'N/A', '25%', 0, '3d']);
});

test('role bindings list users, groups and namespaced service accounts when wide', () => {
  const rb = {
    metadata: { name: 'readers', creationTimestamp: ago(5 * MIN) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
    subjects: [
      { kind: 'User', name: 'alice' }, { kind: 'Group', name: 'devs' }, { kind: 'User', name: 'bob' },
      { kind: 'ServiceAccount', name: 'ci', namespace: 'tools' }, { kind: 'Other', name: 'x' },
    ],
  };
  assert.deepEqual(roleBindingConvertor.cells(rb, NOW), ['readers', 'ClusterRole/view', '5m', 'alice, bob', 'devs', 'tools/ci']);
  assert.deepEqual(clusterRoleBindingConvertor.cells({ ...rb, subjects: undefined }, NOW), ['readers', 'ClusterRole/view', '5m', '', '', '']);
  assert.deepEqual(clusterRoleBindingConvertor.columns.filter((c) => c.priority === 1).map((c) => c.name), ['Users', 'Groups', 'ServiceAccounts']);
});

// Table tests for the smaller kinds: one row per rule, asserting field paths and messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorMessage } from '../../api/fielderrors.js';
import type { KObject } from '../../api/types.js';
import { ApiError } from '../errors.js';
import { configMapStrategy } from './configmap.js';
import { controllerRevisionStrategy } from './controllerrevision.js';
import { eventStrategy } from './event.js';
import { leaseStrategy } from './lease.js';
import { namespaceStrategy } from './namespace.js';
import { nodeStrategy } from './node.js';
import { pdbStrategy } from './pdb.js';
import { priorityClassStrategy } from './priorityclass.js';
import { clusterRoleBindingStrategy, roleBindingStrategy, roleStrategy } from './rbac.js';
import { secretStrategy } from './secret.js';
import { serviceStrategy } from './service.js';
import { serviceAccountStrategy } from './serviceaccount.js';
import type { AdmissionContext, ResourceStrategy } from './types.js';

const ctx = (objs: KObject[] = []): AdmissionContext => ({
  get: (_g, _r, _n, name) => objs.find((o) => o.metadata?.name === name), list: () => objs, requestGroupVersion: 'v1',
});
const meta = (name = 'x', namespace?: string) => ({ metadata: namespace ? { name, namespace } : { name } });
/** default + prepareForCreate + validate, as the machinery runs them; returns messages. */
function createErrs(s: ResourceStrategy, obj: KObject, c = ctx()): string[] {
  s.default?.(obj, c);
  s.prepareForCreate?.(obj, c);
  s.admit?.(obj, c);
  return (s.validate?.(obj, c) ?? []).map(fieldErrorMessage);
}
function updateErrs(s: ResourceStrategy, obj: KObject, old: KObject, c = ctx()): string[] {
  s.default?.(obj, c);
  s.prepareForUpdate?.(obj, old, c);
  return [...(s.validate?.(obj, c) ?? []), ...(s.validateUpdate?.(obj, old, c) ?? [])].map(fieldErrorMessage);
}
function rows(s: ResourceStrategy, cases: [string, KObject, string[]][]): void {
  for (const [name, obj, want] of cases) assert.deepEqual(createErrs(s, obj), want, name);
}

test('Node: taints, podCIDRs, status kept on create', () => {
  rows(nodeStrategy, [
    ['valid', { ...meta('n'), spec: { taints: [{ key: 'k', effect: 'NoSchedule' }], podCIDR: '10.244.1.0/24' } }, []],
    ['effect required', { ...meta('n'), spec: { taints: [{ key: 'k' }] } }, ['spec.taints[0].effect: Required value']],
    ['effect value', { ...meta('n'), spec: { taints: [{ key: 'k', effect: 'Never' }] } }, ['spec.taints[0].effect: Unsupported value: "Never": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"']],
    ['key syntax', { ...meta('n'), spec: { taints: [{ key: 'a/b/c', effect: 'NoSchedule' }] } }, [`spec.taints[0].key: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`]],
    ['duplicate taint', { ...meta('n'), spec: { taints: [{ key: 'k', effect: 'NoSchedule' }, { key: 'k', value: 'v', effect: 'NoSchedule' }] } },
      ['spec.taints[1]: Duplicate value: {"key":"k","value":"v","effect":"NoSchedule"}: taints must be unique by key and effect pair']],
    ['bad CIDR', { ...meta('n'), spec: { podCIDR: '10.0.0.0' } }, ['spec.podCIDRs[0]: Invalid value: "10.0.0.0": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)']],
    ['two IPv4 CIDRs', { ...meta('n'), spec: { podCIDRs: ['10.0.0.0/24', '10.0.1.0/24'] } }, ['spec.podCIDRs: Invalid value: ["10.0.0.0/24","10.0.1.0/24"]: may specify no more than one CIDR for each IP family']],
  ]);
  const node: KObject = { ...meta('n'), spec: { podCIDR: '10.244.1.0/24' }, status: { capacity: { cpu: '4' }, conditions: [{ type: 'Ready', status: 'True' }] } };
  createErrs(nodeStrategy, node);
  assert.deepEqual(node.status, { capacity: { cpu: '4' }, allocatable: { cpu: '4' }, conditions: [{ type: 'Ready', status: 'True' }] });
  assert.deepEqual((node.spec as { podCIDRs: string[] }).podCIDRs, ['10.244.1.0/24']);
  const next = structuredClone(node);
  next.spec = { podCIDR: '10.244.9.0/24', podCIDRs: ['10.244.9.0/24'], unschedulable: true };
  next.status = {};
  assert.deepEqual(updateErrs(nodeStrategy, next, node), ['spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid']);
  assert.deepEqual(next.status, node.status, 'status kept on main update');
});

test('Namespace: finalizer, phase, name label, status rules', () => {
  const ns: KObject = { ...meta('team-a') };
  assert.deepEqual(createErrs(namespaceStrategy, ns), []);
  assert.deepEqual(ns.spec, { finalizers: ['kubernetes'] });
  assert.deepEqual(ns.status, { phase: 'Active' });
  assert.deepEqual(ns.metadata!.labels, { 'kubernetes.io/metadata.name': 'team-a' });
  assert.deepEqual(createErrs(namespaceStrategy, { ...meta('n'), spec: { finalizers: ['custom'] } }),
    ['spec.finalizers: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified']);
  const next = structuredClone(ns);
  next.spec = { finalizers: [] };
  updateErrs(namespaceStrategy, next, ns);
  assert.deepEqual(next.spec, { finalizers: ['kubernetes'] }, 'finalizers change only through /finalize');
  const st = structuredClone(ns);
  st.status = { phase: 'Terminating' };
  assert.deepEqual(namespaceStrategy.validateStatusUpdate!(st, ns, ctx()).map(fieldErrorMessage),
    ["status.Phase: Invalid value: \"Terminating\": may only be 'Active' if `deletionTimestamp` is empty"]);
});

test('Lease: durations and transitions', () => {
  rows(leaseStrategy, [
    ['valid', { ...meta('l', 'kube-node-lease'), spec: { holderIdentity: 'n1', leaseDurationSeconds: 40, leaseTransitions: 0 } }, []],
    ['duration', { ...meta('l', 'd'), spec: { leaseDurationSeconds: 0 } }, ['spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0']],
    ['transitions', { ...meta('l', 'd'), spec: { leaseTransitions: -1 } }, ['spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0']],
  ]);
});

test('PriorityClass: value limits, system names, single default, immutability', () => {
  rows(priorityClassStrategy, [
    ['valid', { ...meta('high'), value: 1000 }, []],
    ['too high', { ...meta('high'), value: 1_000_000_001 }, ['value: Forbidden: maximum allowed value of a user defined priority is 1000000000']],
    ['system name', { ...meta('system-mine'), value: 5 }, ["metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class"]],
    ['system value', { ...meta('system-node-critical'), value: 5 }, ["metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: value of system-node-critical PriorityClass must be 2000001000"]],
    ['built-in ok', { ...meta('system-node-critical'), value: 2_000_001_000 }, []],
    ['policy', { ...meta('p'), value: 1, preemptionPolicy: 'Sometimes' }, ['preemptionPolicy: Unsupported value: "Sometimes": supported values: "Never", "PreemptLowerPriority"']],
  ]);
  const pc: KObject = { ...meta('p'), value: 1 };
  createErrs(priorityClassStrategy, pc);
  assert.equal(pc.preemptionPolicy, 'PreemptLowerPriority');
  const existing = { ...meta('old-default'), value: 1, globalDefault: true };
  assert.throws(() => createErrs(priorityClassStrategy, { ...meta('new'), value: 2, globalDefault: true }, ctx([existing])), (e: unknown) =>
    e instanceof ApiError && e.code === 403 &&
    e.message === 'priorityclasses.scheduling.k8s.io "new" is forbidden: PriorityClass old-default is already marked as default. Only one default can exist');
  assert.doesNotThrow(() => priorityClassStrategy.admit!({ ...existing }, ctx([existing])), 'the default may stay default');
  assert.deepEqual(updateErrs(priorityClassStrategy, { ...meta('p'), value: 2, preemptionPolicy: 'Never' }, pc), [
    'value: Forbidden: may not be changed in an update.',
    'preemptionPolicy: Invalid value: "Never": field is immutable',
  ]);
});

test('ControllerRevision: data required and immutable, revision non-negative but mutable', () => {
  rows(controllerRevisionStrategy, [
    ['valid', { ...meta('d-abc', 'default'), data: { spec: {} }, revision: 1 }, []],
    ['data', { ...meta('d-abc', 'default'), revision: 1 }, ['data: Required value: data is mandatory']],
    ['revision', { ...meta('d-abc', 'default'), data: {}, revision: -1 }, ['revision: Invalid value: -1: must be greater than or equal to 0']],
  ]);
  const old = { ...meta('d-abc', 'default'), data: { spec: { a: 1 } }, revision: 1 };
  assert.deepEqual(updateErrs(controllerRevisionStrategy, { ...old, revision: 3 }, old), []);
  assert.deepEqual(updateErrs(controllerRevisionStrategy, { ...old, data: { spec: { a: 2 } } }, old), ['data: Invalid value: {"spec":{"a":2}}: field is immutable']);
});

test('Event: namespace consistency and new-style requirements', () => {
  rows(eventStrategy, [
    ['valid', { ...meta('e', 'default'), involvedObject: { kind: 'Pod', namespace: 'default', name: 'p' }, reason: 'R' }, []],
    ['cluster object in default', { ...meta('e', 'default'), involvedObject: { kind: 'Node', name: 'n' } }, []],
    ['mismatch', { ...meta('e', 'a'), involvedObject: { kind: 'Pod', namespace: 'b', name: 'p' } }, ['involvedObject.namespace: Invalid value: "b": does not match event.namespace']],
    ['new-style needs fields', { ...meta('e', 'default'), eventTime: '2024-01-01T00:00:00.000000Z', involvedObject: { kind: 'Pod', namespace: 'default' }, reportingComponent: 'c', reportingInstance: 'i', action: 'A', message: 'm'.repeat(1025) },
      ['reason: Required value', 'message: Invalid value: "": can have at most 1024 characters']],
  ]);
});

test('PodDisruptionBudget: min/max exclusivity, int-or-percent, generation and status', () => {
  rows(pdbStrategy, [
    ['valid', { ...meta('b', 'd'), spec: { minAvailable: '50%', selector: { matchLabels: { a: 'b' } } } }, []],
    ['both', { ...meta('b', 'd'), spec: { minAvailable: 1, maxUnavailable: 1 } }, ['spec: Invalid value: {"minAvailable":1,"maxUnavailable":1}: minAvailable and maxUnavailable cannot be both set']],
    ['percent', { ...meta('b', 'd'), spec: { maxUnavailable: '120%' } }, ['spec.maxUnavailable: Invalid value: "120%": must not be greater than 100%']],
    ['negative', { ...meta('b', 'd'), spec: { minAvailable: -1 } }, ['spec.minAvailable: Invalid value: -1: must be greater than or equal to 0']],
  ]);
  const old: KObject = { ...meta('b', 'd'), spec: { minAvailable: 1 } };
  createErrs(pdbStrategy, old);
  assert.equal(old.metadata!.generation, 1);
  assert.deepEqual(old.status, { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 });
  const next = { ...structuredClone(old), spec: { minAvailable: 2 } };
  updateErrs(pdbStrategy, next, old);
  assert.equal(next.metadata!.generation, 2);
});

test('ConfigMap and Secret: keys, size, immutability, Secret type defaults', () => {
  rows(configMapStrategy, [
    ['valid', { ...meta('c', 'd'), data: { 'app.conf': 'x' } }, []],
    ['key', { ...meta('c', 'd'), data: { 'a/b': 'x' } }, [`data[a/b]: Invalid value: "a/b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`]],
    ['duplicate in binaryData', { ...meta('c', 'd'), data: { k: 'x' }, binaryData: { k: 'eA==' } }, ['data[k]: Invalid value: "k": duplicate of key present in binaryData']],
    ['size', { ...meta('c', 'd'), data: { k: 'x'.repeat(1024 * 1024 + 1) } }, [': Too long: must have at most 1048576 bytes']],
  ]);
  const frozen = { ...meta('c', 'd'), data: { k: 'v' }, immutable: true };
  assert.deepEqual(updateErrs(configMapStrategy, { ...meta('c', 'd'), data: { k: 'w' } }, frozen), [
    'immutable: Forbidden: field is immutable when `immutable` is set',
    'data: Forbidden: field is immutable when `immutable` is set',
  ]);
  const secret: KObject = { ...meta('s', 'd'), stringData: { user: 'me' }, data: { user: 'eA==', other: 'eQ==' } };
  assert.deepEqual(createErrs(secretStrategy, secret), []);
  assert.equal(secret.type, 'Opaque');
  assert.deepEqual(secret.data, { user: 'bWU=', other: 'eQ==' });
  assert.equal(secret.stringData, undefined);
  rows(secretStrategy, [
    ['tls keys', { ...meta('s', 'd'), type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==' } }, ['data[tls.key]: Required value']],
    ['sa token', { ...meta('s', 'd'), type: 'kubernetes.io/service-account-token' }, ['metadata.annotations[kubernetes.io/service-account.name]: Required value']],
    ['size', { ...meta('s', 'd'), data: { k: Buffer.alloc(1024 * 1024 + 1).toString('base64') } }, ['data: Too long: must have at most 1048576 bytes']],
  ]);
  assert.deepEqual(updateErrs(secretStrategy, { ...meta('s', 'd'), type: 'kubernetes.io/basic-auth', data: { username: 'eA==' } }, { ...meta('s', 'd'), type: 'Opaque' }),
    ['type: Invalid value: "kubernetes.io/basic-auth": field is immutable']);
});

test('ServiceAccount: secret references are trimmed to names', () => {
  const sa: KObject = { ...meta('sa', 'd'), secrets: [{ name: 't', namespace: 'd', uid: 'u' }] };
  assert.deepEqual(createErrs(serviceAccountStrategy, sa), []);
  assert.deepEqual(sa.secrets, [{ name: 't' }]);
});

test('Service: defaults and validation', () => {
  const svc: KObject = { ...meta('web', 'd'), spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } };
  assert.deepEqual(createErrs(serviceStrategy, svc), []);
  assert.deepEqual(svc.spec, { selector: { app: 'web' }, ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }], sessionAffinity: 'None', type: 'ClusterIP', internalTrafficPolicy: 'Cluster' });
  assert.deepEqual(svc.status, { loadBalancer: {} });
  rows(serviceStrategy, [
    ['headless without ports', { ...meta('h', 'd'), spec: { clusterIP: 'None' } }, []],
    ['ports required', { ...meta('s', 'd'), spec: {} }, ['spec.ports: Required value']],
    ['port range', { ...meta('s', 'd'), spec: { ports: [{ port: 0 }] } }, [
      'spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
      'spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive', // defaulted from port, as upstream
    ]],
    ['names required for several ports', { ...meta('s', 'd'), spec: { ports: [{ port: 80 }, { name: 'b', port: 81 }] } }, ['spec.ports[0].name: Required value']],
    ['duplicate port', { ...meta('s', 'd'), spec: { ports: [{ name: 'a', port: 80 }, { name: 'b', port: 80 }] } }, ['spec.ports[1]: Duplicate value: {"port":80,"protocol":"TCP"}']],
    ['type', { ...meta('s', 'd'), spec: { type: 'Magic', ports: [{ port: 80 }] } }, ['spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"']],
    ['nodePort on ClusterIP', { ...meta('s', 'd'), spec: { ports: [{ port: 80, nodePort: 30000 }] } }, ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]],
  ]);
  const old: KObject = { ...meta('web', 'd'), spec: { clusterIP: '10.96.0.10', ports: [{ port: 80 }] } };
  createErrs(serviceStrategy, old);
  const next: KObject = { ...meta('web', 'd'), spec: { ports: [{ port: 80 }] } };
  assert.deepEqual(updateErrs(serviceStrategy, next, old), []);
  assert.equal((next.spec as { clusterIP: string }).clusterIP, '10.96.0.10', 'allocated IP kept');
  assert.deepEqual(updateErrs(serviceStrategy, { ...meta('web', 'd'), spec: { clusterIP: '10.96.0.11', ports: [{ port: 80 }] } }, old),
    ['spec.clusterIP: Invalid value: "10.96.0.11": field is immutable']);
});

test('RBAC: rules, subjects, roleRef', () => {
  rows(roleStrategy, [
    ['valid', { ...meta('r', 'd'), rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }, []],
    ['verbs', { ...meta('r', 'd'), rules: [{ apiGroups: [''], resources: ['pods'] }] }, ['rules[0].verbs: Required value: verbs must contain at least one value']],
    ['nonResourceURLs in a Role', { ...meta('r', 'd'), rules: [{ nonResourceURLs: ['/x'], verbs: ['get'] }] }, ['rules[0].nonResourceURLs: Invalid value: ["/x"]: namespaced rules cannot apply to non-resource URLs']],
  ]);
  const rb: KObject = { ...meta('b', 'd'), roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'User', name: 'alice' }, { kind: 'ServiceAccount', name: 'sa' }] };
  assert.deepEqual(createErrs(roleBindingStrategy, rb), []);
  assert.equal((rb.roleRef as { apiGroup: string }).apiGroup, 'rbac.authorization.k8s.io');
  rows(roleBindingStrategy, [
    ['subject kind', { ...meta('b', 'd'), roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'Robot', name: 'x' }] }, ['subjects[0].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"']],
    ['roleRef kind', { ...meta('b', 'd'), roleRef: { kind: 'Pod', name: 'r' } }, ['roleRef.kind: Unsupported value: "Pod": supported values: "Role", "ClusterRole"']],
  ]);
  assert.deepEqual(createErrs(clusterRoleBindingStrategy, { ...meta('b'), roleRef: { kind: 'ClusterRole', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 'sa' }] }),
    ['subjects[0].namespace: Required value']);
  assert.deepEqual(updateErrs(roleBindingStrategy, { ...structuredClone(rb), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'other' } }, rb),
    ['roleRef: Invalid value: {"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"other"}: cannot change roleRef']);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject, Node } from '../../api/types.js';
import {
  configMapConvertor, namespaceConvertor, nodeConvertor, nodeRoles, nodeStatus, secretConvertor,
  serviceAccountConvertor, serviceConvertor,
} from './core.js';
import { eventConvertor } from './events.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString().replace('.000Z', 'Z');
const MIN = 60_000, HOUR = 60 * MIN, DAY = 24 * HOUR;

test('a not-ready cordoned node with roles, wide', () => {
  const node: Node = {
    metadata: {
      name: 'cp-1', creationTimestamp: ago(10 * DAY),
      labels: { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/etcd': 'true', 'kubernetes.io/role': 'master', 'node-role.kubernetes.io/': '' },
    },
    spec: { unschedulable: true },
    status: {
      conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'Unknown' }],
      addresses: [{ type: 'Hostname', address: 'cp-1' }, { type: 'InternalIP', address: '172.18.0.2' }, { type: 'InternalIP', address: '172.18.0.9' }],
      nodeInfo: { kubeletVersion: 'v1.32.4', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.8.0', containerRuntimeVersion: 'containerd://1.7.24',
        architecture: 'amd64', bootID: '', kubeProxyVersion: '', machineID: '', operatingSystem: 'linux', systemUUID: '' },
    },
  };
  assert.deepEqual(nodeConvertor.cells(node as KObject, NOW), [
    'cp-1', 'NotReady,SchedulingDisabled', 'control-plane,etcd,master', '10d', 'v1.32.4',
    '172.18.0.2', '<none>', 'Debian GNU/Linux 12 (bookworm)', '6.8.0', 'containerd://1.7.24',
  ]);
  assert.equal(nodeConvertor.cells(node as KObject, NOW).length, nodeConvertor.columns.length);
});

test('node STATUS and ROLES edge cases', () => {
  assert.equal(nodeStatus({ status: { conditions: [{ type: 'Ready', status: 'True' }] } }), 'Ready');
  assert.equal(nodeStatus({ status: { conditions: [{ type: 'Ready', status: 'False' }] } }), 'NotReady');
  assert.equal(nodeStatus({}), 'Unknown');
  assert.equal(nodeStatus({ spec: { unschedulable: true } }), 'Unknown,SchedulingDisabled');
  assert.deepEqual(nodeRoles({ metadata: { labels: { 'kubernetes.io/role': '' } } }), []);
  const bare = nodeConvertor.cells({ metadata: { name: 'n' } }, NOW);
  assert.deepEqual(bare, ['n', 'Unknown', '<none>', '<unknown>', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>']);
});

test('namespaces, configmaps, secrets, serviceaccounts', () => {
  const created = { creationTimestamp: ago(90 * 1000) };
  assert.deepEqual(namespaceConvertor.cells({ metadata: { name: 'kube-system', ...created }, status: { phase: 'Active' } }, NOW), ['kube-system', 'Active', '90s']);
  assert.deepEqual(namespaceConvertor.cells({ metadata: { name: 'old', ...created, deletionTimestamp: ago(0) }, status: { phase: 'Terminating' } }, NOW), ['old', 'Terminating', '90s']);
  assert.deepEqual(configMapConvertor.cells({ metadata: { name: 'cfg', ...created }, data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }, NOW), ['cfg', 3, '90s']);
  assert.deepEqual(configMapConvertor.cells({ metadata: { name: 'empty', ...created } }, NOW), ['empty', 0, '90s']);
  assert.deepEqual(secretConvertor.cells({ metadata: { name: 'tls', ...created }, type: 'kubernetes.io/tls', data: { 'tls.crt': '', 'tls.key': '' } }, NOW), ['tls', 'kubernetes.io/tls', 2, '90s']);
  assert.deepEqual(secretConvertor.cells({ metadata: { name: 's', ...created }, type: 'Opaque', data: { a: '' }, stringData: { a: 'x', b: 'y' } }, NOW), ['s', 'Opaque', 2, '90s']);
  assert.deepEqual(serviceAccountConvertor.cells({ metadata: { name: 'default', ...created } }, NOW), ['default', 0, '90s']);
  assert.deepEqual(serviceAccountConvertor.cells({ metadata: { name: 'bot', ...created }, secrets: [{ name: 'bot-token' }] }, NOW), ['bot', 1, '90s']);
});

test('services of every type, wide', () => {
  const svc = (spec: Record<string, unknown>, status?: Record<string, unknown>): KObject =>
    ({ metadata: { name: 'svc', creationTimestamp: ago(2 * HOUR) }, spec, ...(status ? { status } : {}) });
  assert.deepEqual(serviceConvertor.cells(svc({ type: 'ClusterIP', clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'], ports: [{ port: 443, protocol: 'TCP' }] }), NOW),
    ['svc', 'ClusterIP', '10.96.0.1', '<none>', '443/TCP', '120m', '<none>']);
  assert.deepEqual(serviceConvertor.cells(svc({ type: 'ClusterIP', clusterIP: 'None', ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }], selector: { b: '2', a: '1' } }), NOW),
    ['svc', 'ClusterIP', 'None', '<none>', '53/UDP,53/TCP', '120m', 'a=1,b=2']);
  assert.deepEqual(serviceConvertor.cells(svc({ type: 'NodePort', clusterIPs: ['10.96.5.5'], externalIPs: ['1.2.3.4'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] }), NOW),
    ['svc', 'NodePort', '10.96.5.5', '1.2.3.4', '80:30080/TCP', '120m', '<none>']);
  assert.deepEqual(serviceConvertor.cells(svc({ type: 'LoadBalancer', clusterIPs: ['10.96.5.6'], ports: [] }), NOW)[3], '<pending>');
  assert.deepEqual(serviceConvertor.cells(svc({ type: 'LoadBalancer', externalIPs: ['9.9.9.9'] },
    { loadBalancer: { ingress: [{ ip: '5.5.5.5' }, { hostname: 'a-very-long-load-balancer.example.com' }, { ip: '5.5.5.5' }] } }), NOW).slice(2, 5),
    ['<none>', '5.5.5.5,a-very-long-load-balancer.example.com,9.9.9.9', '<none>']);
  assert.deepEqual(serviceConvertor.cells(svc({ type: 'ExternalName', externalName: 'db.example.com' }), NOW).slice(1, 5),
    ['ExternalName', '<none>', 'db.example.com', '<none>']);
});

test('core events: wide cells, fallbacks to eventTime and series', () => {
  const base = {
    apiVersion: 'v1', kind: 'Event', metadata: { name: 'web.17c', namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'web', namespace: 'default', fieldPath: 'spec.containers{nginx}' },
    reason: 'BackOff', message: 'Back-off restarting failed container\n', type: 'Warning',
    source: { component: 'kubelet', host: 'worker-1' },
  };
  assert.deepEqual(eventConvertor.cells({ ...base, firstTimestamp: ago(3 * DAY), lastTimestamp: ago(2 * DAY), count: 6 }, NOW),
    ['2d', 'Warning', 'BackOff', 'pod/web', 'spec.containers{nginx}', 'kubelet, worker-1', 'Back-off restarting failed container', '3d', 6, 'web.17c']);
  // No firstTimestamp: eventTime; no lastTimestamp: the first; no count: 1.
  const micro = new Date(NOW - 45_000).toISOString().replace('Z', '000Z');
  assert.deepEqual(eventConvertor.cells({ ...base, source: {}, reportingComponent: 'everynode-controller', reportingInstance: 'ctrl-0', eventTime: micro }, NOW),
    ['45s', 'Warning', 'BackOff', 'pod/web', 'spec.containers{nginx}', 'everynode-controller, ctrl-0', 'Back-off restarting failed container', '45s', 1, 'web.17c']);
  // A series overrides last seen and count.
  const cells = eventConvertor.cells({ ...base, source: { component: 'kubelet' }, eventTime: ago(10 * MIN), series: { count: 12, lastObservedTime: ago(30_000) } }, NOW);
  assert.deepEqual([cells[0], cells[5], cells[7], cells[8]], ['30s', 'kubelet', '10m', 12]);
  // Kind-only object and missing times.
  const bare = eventConvertor.cells({ metadata: { name: 'e' }, involvedObject: { kind: 'Node' }, reason: 'Starting', type: 'Normal' }, NOW);
  assert.deepEqual(bare, ['<unknown>', 'Normal', 'Starting', 'node', '', '', '', '<unknown>', 1, 'e']);
});

test('events.k8s.io events print with the same columns', () => {
  const ev = {
    apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'ds.1' },
    regarding: { kind: 'DaemonSet', name: 'agent', fieldPath: '' }, note: 'Created pod: agent-x', reason: 'SuccessfulCreate', type: 'Normal',
    reportingController: 'daemonset-controller', reportingInstance: '', eventTime: ago(5 * MIN),
    deprecatedFirstTimestamp: ago(6 * MIN), deprecatedLastTimestamp: ago(MIN), deprecatedCount: 3,
  };
  assert.deepEqual(eventConvertor.cells(ev, NOW), ['60s', 'Normal', 'SuccessfulCreate', 'daemonset/agent', '', 'daemonset-controller', 'Created pod: agent-x', '6m', 3, 'ds.1']);
  assert.deepEqual(eventConvertor.columns.filter((c) => c.priority === 0).map((c) => c.name), ['Last Seen', 'Type', 'Reason', 'Object', 'Message']);
});

// Expectations are upstream's printers_test.go TestPrintPod* cases (1.32 era) plus realistic pods
// as `kubectl get pods -o wide` shows them on a real cluster.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerStatus, KObject, Pod } from '../../api/types.js';
import { podConvertor } from './pods.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString().replace('.000Z', 'Z');
const SEC = 1000, MIN = 60 * SEC, DAY = 24 * 60 * MIN;

const running = (extra: Partial<ContainerStatus> = {}): ContainerStatus =>
  ({ name: 'c', image: 'i', imageID: '', ready: true, restartCount: 0, state: { running: {} }, ...extra });
const restartedAgo = (ms: number) => ({ terminated: { exitCode: 1, finishedAt: ago(ms) } });
const containers = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `c${i}` }));

function pod(status: Pod['status'], spec: Partial<NonNullable<Pod['spec']>> = {}, meta: Pod['metadata'] = {}): Pod {
  return { metadata: { name: 'p', ...meta }, spec: { containers: containers(1), ...spec }, status };
}
/** Name, Ready, Status, Restarts, Age: the non-wide cells. */
const short = (p: Pod) => podConvertor.cells(p as KObject, NOW).slice(0, 5);

test('pod READY/STATUS/RESTARTS follow upstream printPod cases', () => {
  const cases: [string, Pod, unknown[]][] = [
    ['ready needs running', pod({ phase: 'podPhase', containerStatuses: [running({ restartCount: 3 }), { ...running({ restartCount: 3 }), ready: false, state: {} }] }, { containers: containers(2) }),
      ['p', '1/2', 'podPhase', '6', '<unknown>']],
    ['container waiting reason overrides phase', pod({ phase: 'podPhase', containerStatuses: [running({ restartCount: 3 }), running({ ready: false, restartCount: 3, state: { waiting: { reason: 'ContainerWaitingReason' } } })] }, { containers: containers(2) }),
      ['p', '1/2', 'ContainerWaitingReason', '6', '<unknown>']],
    ['first container wins', pod({ phase: 'podPhase', containerStatuses: [
      running({ ready: false, restartCount: 3, state: { waiting: { reason: 'ContainerWaitingReason' } } }),
      running({ ready: false, restartCount: 3, state: { terminated: { exitCode: 0, reason: 'ContainerTerminatedReason' } } })] }, { containers: containers(2) }),
      ['p', '0/2', 'ContainerWaitingReason', '6', '<unknown>']],
    ['status.reason overrides phase', pod({ phase: 'podPhase', reason: 'podReason', containerStatuses: [running()] }),
      ['p', '1/1', 'podReason', '0', '<unknown>']],
    ['completed + running without Ready condition', pod({ phase: 'Running', containerStatuses: [
      running({ restartCount: 3, state: { terminated: { exitCode: 0, reason: 'Completed' } } }), running({ restartCount: 3 })] }, { containers: containers(2) }),
      ['p', '1/2', 'NotReady', '6', '<unknown>']],
    ['completed + running with Ready condition', pod({ phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [
      running({ restartCount: 3, state: { terminated: { exitCode: 0, reason: 'Completed' } } }), running({ restartCount: 3 })] }, { containers: containers(2) }),
      ['p', '1/2', 'Running', '6', '<unknown>']],
    ['init container restarting', pod({ phase: 'podPhase',
      initContainerStatuses: [running({ ready: false, restartCount: 3, lastState: restartedAgo(10 * SEC) })],
      containerStatuses: [running({ ready: false, state: { waiting: {} } })] }, { initContainers: containers(1) }),
      ['p', '0/1', 'Init:0/1', '3 (10s ago)', '<unknown>']],
    ['second init container running, restarts summed', pod({ phase: 'podPhase',
      initContainerStatuses: [
        running({ ready: false, restartCount: 2, state: { terminated: { exitCode: 0 } }, lastState: restartedAgo(2 * MIN) }),
        running({ ready: false, restartCount: 3, lastState: restartedAgo(10 * SEC) })],
      containerStatuses: [running({ ready: false, state: { waiting: {} } })] }, { initContainers: containers(2) }),
      ['p', '0/1', 'Init:1/2', '5 (10s ago)', '<unknown>']],
    ['init done: only app container restarts count', pod({ phase: 'Running',
      initContainerStatuses: [running({ ready: false, restartCount: 2, state: { terminated: { exitCode: 0 } }, lastState: restartedAgo(2 * MIN) })],
      containerStatuses: [running({ ready: false, restartCount: 4, lastState: restartedAgo(20 * SEC) })] }, { initContainers: containers(1) }),
      ['p', '0/1', 'Running', '4 (20s ago)', '<unknown>']],
    ['latest restart of several containers', pod({ phase: 'Running', containerStatuses: [
      running({ restartCount: 6, lastState: restartedAgo(5 * DAY) }), running({ restartCount: 3, lastState: restartedAgo(20 * DAY) })] }, { containers: containers(2) }),
      ['p', '2/2', 'Running', '9 (5d ago)', '<unknown>']],
    ['scheduling gated', pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }, { containers: containers(2) }),
      ['p', '0/2', 'SchedulingGated', '0', '<unknown>']],
    ['failed container', pod({ phase: 'Failed', containerStatuses: [running({ ready: false, state: { terminated: { exitCode: 1, reason: 'Error' } } })] }),
      ['p', '0/1', 'Error', '0', '<unknown>']],
    ['terminated without reason: signal', pod({ phase: 'Running', containerStatuses: [running({ ready: false, state: { terminated: { exitCode: 137, signal: 9 } } })] }),
      ['p', '0/1', 'Signal:9', '0', '<unknown>']],
    ['terminated without reason: exit code', pod({ phase: 'Running', containerStatuses: [running({ ready: false, state: { terminated: { exitCode: 2 } } })] }),
      ['p', '0/1', 'ExitCode:2', '0', '<unknown>']],
    ['init container failed with a reason', pod({ phase: 'Pending', initContainerStatuses: [running({ ready: false, restartCount: 1, state: { terminated: { exitCode: 1, reason: 'Error' } } })] }, { initContainers: containers(1) }),
      ['p', '0/1', 'Init:Error', '1', '<unknown>']],
    ['init container failed by signal', pod({ phase: 'Pending', initContainerStatuses: [running({ ready: false, state: { terminated: { exitCode: 1, signal: 15 } } })] }, { initContainers: containers(1) }),
      ['p', '0/1', 'Init:Signal:15', '0', '<unknown>']],
    ['init container failed by exit code', pod({ phase: 'Pending', initContainerStatuses: [running({ ready: false, state: { terminated: { exitCode: 3 } } })] }, { initContainers: containers(1) }),
      ['p', '0/1', 'Init:ExitCode:3', '0', '<unknown>']],
    ['init container crash-looping', pod({ phase: 'Pending', initContainerStatuses: [running({ ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: restartedAgo(30 * SEC) })] }, { initContainers: containers(1) }),
      ['p', '0/1', 'Init:CrashLoopBackOff', '4 (30s ago)', '<unknown>']],
    ['PodInitializing is not an init failure', pod({ phase: 'Pending', initContainerStatuses: [running({ ready: false, state: { waiting: { reason: 'PodInitializing' } } })] }, { initContainers: containers(2) }),
      ['p', '0/1', 'Init:0/2', '0', '<unknown>']],
  ];
  for (const [name, p, want] of cases) assert.deepEqual(short(p), want, name);
});

test('restartable init containers (sidecars) count towards READY and RESTARTS', () => {
  const sidecars = { initContainers: [{ name: 's1', restartPolicy: 'Always' }, { name: 's2', restartPolicy: 'Always' }] };
  const notStarted = pod({ phase: 'Pending', conditions: [{ type: 'Initialized', status: 'False' }],
    initContainerStatuses: [
      running({ name: 's1', ready: false, started: false, restartCount: 3, lastState: restartedAgo(10 * SEC) }),
      running({ name: 's2', ready: false, started: false, state: { waiting: {} } })],
    containerStatuses: [running({ ready: false, state: { waiting: {} } })] }, sidecars);
  assert.deepEqual(short(notStarted), ['p', '0/3', 'Init:0/2', '3 (10s ago)', '<unknown>']);

  const firstStarted = structuredClone(notStarted);
  firstStarted.status!.initContainerStatuses![0].started = true;
  firstStarted.status!.initContainerStatuses![1].state = { running: {} };
  assert.deepEqual(short(firstStarted), ['p', '0/3', 'Init:1/2', '3 (10s ago)', '<unknown>']);

  const allStarted = pod({ phase: 'Running', conditions: [{ type: 'Initialized', status: 'True' }],
    initContainerStatuses: [
      running({ name: 's1', ready: false, started: true, restartCount: 3, lastState: restartedAgo(10 * SEC) }),
      running({ name: 's2', ready: true, started: true })],
    containerStatuses: [running({ restartCount: 4, lastState: restartedAgo(20 * SEC) })] }, sidecars);
  assert.deepEqual(short(allStarted), ['p', '2/3', 'Running', '7 (10s ago)', '<unknown>']);

  const succeeded = pod({ phase: 'Succeeded', conditions: [{ type: 'Initialized', status: 'True' }],
    initContainerStatuses: [
      running({ name: 's1', ready: false, started: false, restartCount: 3, state: { terminated: { exitCode: 137, reason: 'Error' } }, lastState: restartedAgo(10 * SEC) }),
      running({ name: 's2', ready: false, started: false, state: { terminated: { exitCode: 137, reason: 'Error' } } })],
    containerStatuses: [running({ ready: false, restartCount: 4, state: { terminated: { exitCode: 0, reason: 'Completed' } }, lastState: restartedAgo(20 * SEC) })] }, sidecars);
  assert.deepEqual(short(succeeded), ['p', '0/3', 'Completed', '7 (10s ago)', '<unknown>']);
  assert.deepEqual(podConvertor.conditions!(succeeded as KObject), [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
});

test('deletion: Terminating for live pods, phase kept for finished ones, Unknown for lost nodes', () => {
  const deleting = { deletionTimestamp: ago(10 * SEC) };
  assert.equal(short(pod({ phase: 'Running', containerStatuses: [running({ ready: false })] }, {}, deleting))[2], 'Terminating');
  assert.equal(short(pod({ phase: 'Pending' }, {}, deleting))[2], 'Terminating');
  assert.equal(short(pod({ phase: 'Succeeded', containerStatuses: [running({ ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } })] }, {}, deleting))[2], 'Completed');
  assert.equal(short(pod({ phase: 'Running', reason: 'NodeLost', containerStatuses: [running()] }, {}, deleting))[2], 'Unknown');
  // Without a deletion the status.reason itself shows.
  assert.equal(short(pod({ phase: 'Running', reason: 'NodeLost', containerStatuses: [running()] }))[2], 'NodeLost');
});

test('a realistic running daemon pod and a crash-looping one, wide', () => {
  const web: Pod = {
    metadata: { name: 'web-7d4b9', namespace: 'default', creationTimestamp: ago(5 * MIN) },
    spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }], nodeName: 'worker-1' },
    status: {
      phase: 'Running', podIP: '10.244.1.7', podIPs: [{ ip: '10.244.1.7' }],
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [running({ name: 'nginx' })],
    },
  };
  assert.deepEqual(podConvertor.cells(web as KObject, NOW), ['web-7d4b9', '1/1', 'Running', '0', '5m', '10.244.1.7', 'worker-1', '<none>', '<none>']);
  assert.deepEqual(podConvertor.conditions!(web as KObject), []);

  const crashing: Pod = {
    metadata: { name: 'agent-x2k', creationTimestamp: ago(3 * 60 * MIN + 5 * MIN) },
    spec: { containers: [{ name: 'agent' }], nodeName: 'worker-2', readinessGates: [{ conditionType: 'example.com/ok' }, { conditionType: 'other' }] },
    status: {
      phase: 'Running', nominatedNodeName: 'worker-3',
      conditions: [{ type: 'Ready', status: 'False' }, { type: 'example.com/ok', status: 'True' }],
      containerStatuses: [running({ name: 'agent', ready: false, restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 2m40s' } },
        lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(2 * MIN + 30 * SEC) } } })],
    },
  };
  assert.deepEqual(podConvertor.cells(crashing as KObject, NOW), ['agent-x2k', '0/1', 'CrashLoopBackOff', '5 (2m30s ago)', '3h5m', '<none>', 'worker-2', 'worker-3', '1/2']);
});

test('finished pods carry the Completed row condition', () => {
  assert.deepEqual(podConvertor.conditions!(pod({ phase: 'Failed' }) as KObject), [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }]);
  assert.deepEqual(podConvertor.conditions!(pod({ phase: 'Pending' }) as KObject), []);
});

test('pod column definitions match upstream names, types and priorities', () => {
  assert.deepEqual(podConvertor.columns.map((c) => [c.name, c.type, c.format, c.priority]), [
    ['Name', 'string', 'name', 0], ['Ready', 'string', '', 0], ['Status', 'string', '', 0], ['Restarts', 'string', '', 0],
    ['Age', 'string', '', 0], ['IP', 'string', '', 1], ['Node', 'string', '', 1], ['Nominated Node', 'string', '', 1],
    ['Readiness Gates', 'string', '', 1],
  ]);
  assert.equal(podConvertor.cells(pod(undefined, { containers: [] }) as KObject, NOW).length, podConvertor.columns.length);
});

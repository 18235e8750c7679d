import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorMessage } from '../../api/fielderrors.js';
import type { KObject, Pod, PodSpec } from '../../api/types.js';
import { ApiError } from '../errors.js';
import { addDefaultTolerationSeconds, computeQOS, podStrategy, validatePodSpecUpdate } from './pod.js';
import { defaultPodSpec, imageTag, validatePodSpec } from './podspec.js';
import type { AdmissionContext } from './types.js';

function ctxWith(classes: KObject[] = []): AdmissionContext {
  return {
    get: (_g, _r, _ns, name) => classes.find((c) => c.metadata?.name === name),
    list: () => classes,
    requestGroupVersion: 'v1',
  };
}
const pc = (name: string, value: number, globalDefault = false): KObject =>
  ({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, globalDefault, preemptionPolicy: 'PreemptLowerPriority' });

function pod(spec: Partial<PodSpec> = {}): KObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec } };
}
/** Runs the create pipeline the REST machinery runs, returning the pod and field errors. */
function create(obj: KObject, ctx = ctxWith()): { pod: Pod; errs: string[] } {
  podStrategy.default!(obj, ctx);
  podStrategy.prepareForCreate!(obj, ctx);
  podStrategy.admit!(obj, ctx);
  return { pod: obj as unknown as Pod, errs: podStrategy.validate!(obj, ctx).map(fieldErrorMessage) };
}

test('imageTag follows ParseImageName', () => {
  const cases: [string, string][] = [['nginx', 'latest'], ['nginx:1.25', '1.25'], ['reg:5000/x', 'latest'], ['reg:5000/x:v1', 'v1'], ['x@sha256:abc', ''], ['x:latest', 'latest']];
  for (const [image, tag] of cases) assert.equal(imageTag(image), tag, image);
});

test('pod defaults (§14)', () => {
  const { pod: p, errs } = create(pod({
    containers: [
      { name: 'a', image: 'nginx', ports: [{ containerPort: 80 }], resources: { limits: { cpu: '1', memory: '1Gi' } } },
      { name: 'b', image: 'nginx:1.25', livenessProbe: { httpGet: { port: 8080 } } },
    ],
  }));
  assert.deepEqual(errs, []);
  const s = p.spec!;
  assert.equal(s.restartPolicy, 'Always');
  assert.equal(s.dnsPolicy, 'ClusterFirst');
  assert.equal(s.schedulerName, 'default-scheduler');
  assert.equal(s.terminationGracePeriodSeconds, 30);
  assert.deepEqual(s.securityContext, {});
  assert.equal(s.enableServiceLinks, true);
  assert.equal(s.serviceAccountName, 'default');
  assert.equal(s.priority, 0);
  assert.equal(s.preemptionPolicy, 'PreemptLowerPriority');
  const [a, b] = s.containers;
  assert.equal(a.terminationMessagePath, '/dev/termination-log');
  assert.equal(a.terminationMessagePolicy, 'File');
  assert.equal(a.imagePullPolicy, 'Always');
  assert.equal(b.imagePullPolicy, 'IfNotPresent');
  assert.equal(a.ports![0].protocol, 'TCP');
  assert.deepEqual(a.resources!.requests, { cpu: '1', memory: '1Gi' }, 'requests copied from limits');
  assert.deepEqual(b.livenessProbe, { httpGet: { port: 8080, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  assert.deepEqual(p.status, { phase: 'Pending', qosClass: 'Burstable' });
});

test('templates do not get pod-only defaults', () => {
  const spec: PodSpec = { containers: [{ name: 'a', image: 'x', resources: { limits: { cpu: '1' } } }] };
  defaultPodSpec(spec);
  assert.equal(spec.enableServiceLinks, undefined);
  assert.equal(spec.containers[0].resources!.requests, undefined);
});

test('hostNetwork pods default hostPort to containerPort; a volume without source is emptyDir', () => {
  const { pod: p, errs } = create(pod({
    hostNetwork: true,
    volumes: [{ name: 'v' }, { name: 'cm', configMap: { name: 'x' } }, { name: 'h', hostPath: { path: '/x' } }],
    containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 9100 }], volumeMounts: [{ name: 'v', mountPath: '/v' }] }],
  }));
  assert.deepEqual(errs, []);
  assert.equal(p.spec!.containers[0].ports![0].hostPort, 9100);
  assert.deepEqual(p.spec!.volumes, [{ name: 'v', emptyDir: {} }, { name: 'cm', configMap: { name: 'x', defaultMode: 420 } }, { name: 'h', hostPath: { path: '/x', type: '' } }]);
});

test('computeQOS', () => {
  const c = (resources: object) => ({ name: 'c', image: 'x', resources });
  const cases: [PodSpec, string][] = [
    [{ containers: [c({})] }, 'BestEffort'],
    [{ containers: [c({ requests: { cpu: '0' } })] }, 'BestEffort'],
    [{ containers: [c({ requests: { 'example.com/gpu': '1' } })] }, 'BestEffort'],
    [{ containers: [c({ requests: { cpu: '100m' } })] }, 'Burstable'],
    [{ containers: [c({ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } })] }, 'Guaranteed'],
    [{ containers: [c({ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m', memory: '1Gi' } })] }, 'Burstable'],
    [{ containers: [c({ limits: { cpu: '1' }, requests: { cpu: '1' } })] }, 'Burstable'],
    [{ containers: [c({ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } }), c({})] }, 'Burstable'],
    [{ containers: [c({ limits: { cpu: '1000m', memory: '1024Mi' }, requests: { cpu: '1', memory: '1Gi' } })] }, 'Guaranteed'],
  ];
  for (const [spec, want] of cases) assert.equal(computeQOS(spec), want, JSON.stringify(spec));
});

test('priority admission', () => {
  const classes = [pc('high', 1000), pc('dflt', 7, true)];
  const forbid = (obj: KObject, ctx: AdmissionContext, message: string) => assert.throws(() => create(obj, ctx), (e: unknown) => {
    assert.ok(e instanceof ApiError);
    assert.equal(e.code, 403);
    assert.equal(e.reason, 'Forbidden');
    assert.equal(e.message, message);
    return true;
  });
  forbid(pod({ priorityClassName: 'nope' }), ctxWith(classes), 'pods "p" is forbidden: no PriorityClass with name nope was found');
  forbid(pod({ priorityClassName: 'high', priority: 5 }), ctxWith(classes),
    'pods "p" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name');
  assert.equal(create(pod({ priorityClassName: 'high' }), ctxWith(classes)).pod.spec!.priority, 1000);
  assert.equal(create(pod({ priorityClassName: 'high', priority: 1000 }), ctxWith(classes)).pod.spec!.priority, 1000);
  const defaulted = create(pod(), ctxWith(classes)).pod.spec!;
  assert.equal(defaulted.priority, 7);
  assert.equal(defaulted.priorityClassName, 'dflt');
  assert.equal(create(pod(), ctxWith([pc('a', 1)])).pod.spec!.priority, 0);
});

test('admission does not re-resolve priority on update', () => {
  const old = create(pod({ priorityClassName: 'high' }), ctxWith([pc('high', 1000)])).pod as unknown as KObject;
  const next = structuredClone(old);
  delete (next.spec as PodSpec).priority;
  const ctx = ctxWith([]); // the class was deleted meanwhile
  podStrategy.default!(next, ctx);
  podStrategy.prepareForUpdate!(next, old, ctx);
  podStrategy.admit!(next, ctx);
  assert.equal((next.spec as PodSpec).priority, 1000);
  assert.deepEqual(podStrategy.validateUpdate!(next, old, ctx), []);
});

test('pod spec validation: one row per rule', () => {
  const base = (c: object = {}, s: Partial<PodSpec> = {}): PodSpec => {
    const spec = { containers: [{ name: 'c', image: 'x', ...c }], ...s } as PodSpec;
    defaultPodSpec(spec);
    return spec;
  };
  const dnsLabel = `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`;
  const cases: [string, PodSpec, string[]][] = [
    ['valid', base(), []],
    ['no containers', { ...base(), containers: [] }, ['spec.containers: Required value']],
    ['container name required', base({ name: '' }), ['spec.containers[0].name: Required value']],
    ['container name syntax', base({ name: 'C' }), [`spec.containers[0].name: Invalid value: "C": ${dnsLabel}`]],
    ['duplicate container', { ...base(), containers: [...base().containers, ...base().containers] }, ['spec.containers[1].name: Duplicate value: "c"']],
    ['image required', base({ image: '' }), ['spec.containers[0].image: Required value']],
    ['image whitespace', base({ image: ' x' }), ['spec.containers[0].image: Invalid value: " x": must not have leading or trailing whitespace']],
    ['containerPort range', base({ ports: [{ containerPort: 70000, protocol: 'TCP' }] }), ['spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive']],
    ['containerPort required', base({ ports: [{ containerPort: 0, protocol: 'TCP' }] }), ['spec.containers[0].ports[0].containerPort: Required value']],
    ['hostPort range', base({ ports: [{ containerPort: 80, hostPort: -1, protocol: 'TCP' }] }), ['spec.containers[0].ports[0].hostPort: Invalid value: -1: must be between 1 and 65535, inclusive']],
    ['protocol', base({ ports: [{ containerPort: 80, protocol: 'ICMP' }] }), ['spec.containers[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"']],
    ['duplicate port name', base({ ports: [{ name: 'web', containerPort: 80, protocol: 'TCP' }, { name: 'web', containerPort: 81, protocol: 'TCP' }] }), ['spec.containers[0].ports[1].name: Duplicate value: "web"']],
    ['volume names unique', base({}, { volumes: [{ name: 'v', emptyDir: {} }, { name: 'v', emptyDir: {} }] }), ['spec.volumes[1].name: Duplicate value: "v"']],
    ['mount refers to volume', base({ volumeMounts: [{ name: 'nope', mountPath: '/x' }] }), ['spec.containers[0].volumeMounts[0].name: Not found: "nope"']],
    ['mountPath required', base({ volumeMounts: [{ name: 'v', mountPath: '' }] }, { volumes: [{ name: 'v', emptyDir: {} }] }), ['spec.containers[0].volumeMounts[0].mountPath: Required value']],
    ['restartPolicy', base({}, { restartPolicy: 'Sometimes' }), ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"']],
    ['dnsPolicy', base({}, { dnsPolicy: 'Google' }), ['spec.dnsPolicy: Unsupported value: "Google": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"']],
    ['imagePullPolicy', base({ imagePullPolicy: 'Sometimes' }), ['spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"']],
    ['bad quantity', base({ resources: { requests: { cpu: '1 core' } } }), [`spec.containers[0].resources.requests[cpu]: Invalid value: "1 core": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`]],
    ['negative quantity', base({ resources: { limits: { memory: '-1' } } }), ['spec.containers[0].resources.limits[memory]: Invalid value: "-1": must be greater than or equal to 0']],
    ['request above limit', base({ resources: { limits: { cpu: '1' }, requests: { cpu: '2' } } }), ['spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1']],
    ['non-standard resource', base({ resources: { limits: { gpu: '1' } } }), ['spec.containers[0].resources.limits[gpu]: Invalid value: "gpu": must be a standard resource for containers']],
    ['activeDeadlineSeconds', base({}, { activeDeadlineSeconds: 0 }), ['spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive']],
    ['toleration operator', base({}, { tolerations: [{ operator: 'Equal', value: 'x' }] }), ['spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"']],
    ['toleration effect', base({}, { tolerations: [{ key: 'k', operator: 'Exists', effect: 'Sometimes' }] }), ['spec.tolerations[0].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"']],
    ['tolerationSeconds needs NoExecute', base({}, { tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 5 }] }), ["spec.tolerations[0].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set"]],
    ['node affinity terms', base({}, { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } } }), ['spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: Required value: must have at least one node selector term']],
    ['hostNetwork ports must match', base({ ports: [{ containerPort: 80, hostPort: 81, protocol: 'TCP' }] }, { hostNetwork: true }), ['spec.containers[0].ports[0].containerPort: Invalid value: 80: must match `hostPort` when `hostNetwork` is true']],
  ];
  for (const [name, spec, want] of cases) assert.deepEqual(validatePodSpec(spec, 'spec').map(fieldErrorMessage), want, name);
});

test('pod updates: only images, activeDeadlineSeconds, added tolerations', () => {
  const old = { containers: [{ name: 'c', image: 'x:1' }], tolerations: [{ key: 'a', operator: 'Exists' }] } as PodSpec;
  defaultPodSpec(old);
  const change = (f: (s: PodSpec) => void) => { const s = structuredClone(old); f(s); return validatePodSpecUpdate(s, old).map(fieldErrorMessage); };
  assert.deepEqual(change((s) => { s.containers[0].image = 'x:2'; }), []);
  assert.deepEqual(change((s) => { s.tolerations!.push({ key: 'b', operator: 'Exists' }); }), []);
  assert.deepEqual(change((s) => { s.activeDeadlineSeconds = 10; }), []);
  assert.deepEqual(change((s) => { s.tolerations = []; }), ['spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds']);
  const [msg] = change((s) => { s.nodeName = 'n1'; });
  assert.ok(msg.startsWith('spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n'), msg);
  assert.match(msg, /spec\.nodeName: null -> "n1"/);
  const withDeadline = structuredClone(old); withDeadline.activeDeadlineSeconds = 10;
  const longer = structuredClone(withDeadline); longer.activeDeadlineSeconds = 20;
  assert.deepEqual(validatePodSpecUpdate(longer, withDeadline).map(fieldErrorMessage), ['spec.activeDeadlineSeconds: Invalid value: 20: must be less than or equal to previous value']);
});

test('pod status updates keep spec, ownerReferences and qosClass', () => {
  const ctx = ctxWith();
  const old = create(pod()).pod as unknown as KObject;
  old.metadata!.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'd', uid: 'u', controller: true }];
  const next = structuredClone(old);
  (next.spec as PodSpec).nodeName = 'sneaky';
  next.metadata!.ownerReferences = [];
  next.status = { phase: 'Running' };
  podStrategy.prepareForStatusUpdate!(next, old, ctx);
  assert.equal((next.spec as PodSpec).nodeName, undefined);
  assert.equal(next.metadata!.ownerReferences!.length, 1);
  assert.deepEqual(next.status, { phase: 'Running', qosClass: 'BestEffort' });
  assert.deepEqual(podStrategy.validateStatusUpdate!(next, old, ctx), []);
  (next.status as { qosClass: string }).qosClass = 'Guaranteed';
  assert.deepEqual(podStrategy.validateStatusUpdate!(next, old, ctx).map(fieldErrorMessage), ['status.qosClass: Invalid value: "Guaranteed": field is immutable']);
});

test('main-resource updates keep the old status', () => {
  const ctx = ctxWith();
  const old = create(pod()).pod as unknown as KObject;
  const next = structuredClone(old);
  next.status = { phase: 'Succeeded' };
  podStrategy.prepareForUpdate!(next, old, ctx);
  assert.deepEqual(next.status, old.status);
});

test('DefaultTolerationSeconds: 300 s for not-ready and unreachable unless the pod already tolerates them', () => {
  const bare = { containers: [] } as unknown as PodSpec;
  addDefaultTolerationSeconds(bare);
  assert.deepEqual(bare.tolerations, [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ]);
  const daemon = { containers: [], tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' }] } as unknown as PodSpec;
  addDefaultTolerationSeconds(daemon);
  assert.equal(daemon.tolerations!.length, 2, 'only not-ready is added');
  assert.equal(daemon.tolerations![1].key, 'node.kubernetes.io/not-ready');
  const all = { containers: [], tolerations: [{ operator: 'Exists' }] } as unknown as PodSpec;
  addDefaultTolerationSeconds(all);
  assert.equal(all.tolerations!.length, 1, 'a match-all toleration covers both');
});

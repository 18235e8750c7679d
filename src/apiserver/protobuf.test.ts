import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import protobuf from 'protobufjs';
import fc from 'fast-check';
import { decodeProtobufObject, ProtobufFormatError, UnsupportedProtobufKindError, PROTOBUF_MEDIA_TYPE } from './protobuf.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../test/fixtures/protobuf');

// ---- Independent encoder: raw tags via protobufjs's Writer, so these tests do not reuse the decoder's schema.
const w = () => protobuf.Writer.create();
const concat = (parts: Uint8Array[]) => Uint8Array.from(Buffer.concat(parts));
const str = (no: number, s: string) => w().uint32((no << 3) | 2).string(s).finish();
const bytes = (no: number, b: Uint8Array) => w().uint32((no << 3) | 2).bytes(b).finish();
const int = (no: number, n: number) => w().uint32(no << 3).int64(n).finish();
const bool = (no: number, b: boolean) => w().uint32(no << 3).bool(b).finish();
const msg = (no: number, ...parts: Uint8Array[]) => bytes(no, concat(parts));
const entry = (no: number, k: string, v: string | Uint8Array) => msg(no, str(1, k), typeof v === 'string' ? str(2, v) : bytes(2, v));
const MAGIC = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);
const envelope = (apiVersion: string, kind: string, raw: Uint8Array, ...extra: Uint8Array[]) =>
  concat([MAGIC, msg(1, str(1, apiVersion), str(2, kind)), bytes(2, raw), ...extra]);

describe('decodeProtobufObject: hand-encoded bodies', () => {
  test('ObjectMeta fields, Go zero values dropped, Time as RFC 3339', () => {
    const meta = msg(1,
      str(1, 'n'), str(2, 'gen-'), str(3, 'ns'), str(5, 'uid-1'), str(6, '42'), int(7, 3),
      msg(8, int(1, 1714564800), int(2, 5)),
      entry(11, 'app', 'web'), entry(11, 'tier', ''), entry(12, 'note', 'hi'),
      msg(13, str(1, 'DaemonSet'), str(3, 'ds'), str(4, 'ds-uid'), str(5, 'apps/v1'), bool(6, true), bool(7, false)),
      str(14, 'example.com/f'),
      // zero values Go always writes: must not show up
      msg(9), str(4, ''));
    const obj = decodeProtobufObject(envelope('v1', 'Namespace', concat([meta, msg(2, str(1, 'kubernetes')), msg(3, str(1, 'Active'))])));
    assert.deepEqual(obj, {
      apiVersion: 'v1', kind: 'Namespace',
      metadata: {
        name: 'n', generateName: 'gen-', namespace: 'ns', uid: 'uid-1', resourceVersion: '42', generation: 3,
        creationTimestamp: '2024-05-01T12:00:00Z',
        labels: { app: 'web', tier: '' }, annotations: { note: 'hi' },
        ownerReferences: [{ kind: 'DaemonSet', name: 'ds', uid: 'ds-uid', apiVersion: 'apps/v1', controller: true, blockOwnerDeletion: false }],
        finalizers: ['example.com/f'],
      },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
  });

  test('DeleteOptions from any group, pointer fields keep their zero values', () => {
    const raw = concat([int(1, 0), msg(2, str(1, 'u'), str(2, '7')), bool(3, false), str(4, 'Foreground'), str(5, 'All')]);
    assert.deepEqual(decodeProtobufObject(envelope('apps/v1', 'DeleteOptions', raw)), {
      apiVersion: 'apps/v1', kind: 'DeleteOptions',
      gracePeriodSeconds: 0, preconditions: { uid: 'u', resourceVersion: '7' }, orphanDependents: false,
      propagationPolicy: 'Foreground', dryRun: ['All'],
    });
  });

  test('PriorityClass keeps value 0 (not omitempty) and drops globalDefault false', () => {
    const raw = concat([msg(1, str(1, 'low')), int(2, 0), bool(3, false), str(4, '')]);
    assert.deepEqual(decodeProtobufObject(envelope('scheduling.k8s.io/v1', 'PriorityClass', raw)),
      { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'low' }, value: 0 });
  });

  test('negative PriorityClass value survives', () => {
    const raw = concat([msg(1, str(1, 'neg')), w().uint32(2 << 3).int32(-5).finish()]);
    assert.equal(decodeProtobufObject(envelope('scheduling.k8s.io/v1', 'PriorityClass', raw)).value, -5);
  });

  test('Secret: bytes maps become base64, stringData and immutable=false kept', () => {
    const raw = concat([msg(1, str(1, 's')), entry(2, 'k', Uint8Array.of(0, 255)), str(3, 'Opaque'), entry(4, 'plain', 'text'), bool(5, false)]);
    assert.deepEqual(decodeProtobufObject(envelope('v1', 'Secret', raw)), {
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' },
      data: { k: 'AP8=' }, type: 'Opaque', stringData: { plain: 'text' }, immutable: false,
    });
  });

  test('ConfigMap: data, binaryData, immutable', () => {
    const raw = concat([msg(1, str(1, 'cm')), entry(2, 'a', 'b'), entry(3, 'bin', Uint8Array.of(1, 2, 3)), bool(4, true)]);
    assert.deepEqual(decodeProtobufObject(envelope('v1', 'ConfigMap', raw)), {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: 'b' }, binaryData: { bin: 'AQID' }, immutable: true,
    });
  });

  test('ServiceAccount: secrets, imagePullSecrets, automount=false kept', () => {
    const raw = concat([msg(1, str(1, 'sa')), msg(2, str(1, 'Secret'), str(3, 'tok'), str(7, 'x')), msg(3, str(1, 'pull')), bool(4, false)]);
    assert.deepEqual(decodeProtobufObject(envelope('v1', 'ServiceAccount', raw)), {
      apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa' },
      secrets: [{ kind: 'Secret', name: 'tok', fieldPath: 'x' }], imagePullSecrets: [{ name: 'pull' }], automountServiceAccountToken: false,
    });
  });

  test('unknown fields are skipped, not fatal', () => {
    const raw = concat([msg(1, str(1, 'n'), str(99, 'future')), str(50, 'x')]);
    assert.deepEqual(decodeProtobufObject(envelope('v1', 'Namespace', raw)), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } });
  });

  test('labels of any content round-trip', () => {
    const key = fc.string({ minLength: 1, maxLength: 20, unit: 'grapheme' });
    fc.assert(fc.property(fc.dictionary(key, fc.string({ unit: 'grapheme' }), { minKeys: 1 }), key, (labels, name) => {
      const meta = msg(1, str(1, name), ...Object.entries(labels).map(([k, v]) => entry(11, k, v)));
      const got = decodeProtobufObject(envelope('v1', 'ConfigMap', meta));
      assert.deepEqual(got.metadata, { name, labels: { ...labels } });
    }));
  });
});

describe('decodeProtobufObject: errors', () => {
  test('missing magic prefix → ProtobufFormatError', () => {
    assert.throws(() => decodeProtobufObject(Buffer.from('{"kind":"Namespace"}')), ProtobufFormatError);
    assert.throws(() => decodeProtobufObject(new Uint8Array()), ProtobufFormatError);
  });

  test('truncated body → ProtobufFormatError', () => {
    const full = envelope('v1', 'Namespace', msg(1, str(1, 'abcdef')));
    assert.throws(() => decodeProtobufObject(full.subarray(0, full.length - 3)), ProtobufFormatError);
  });

  test('unsupported kind or apiVersion → UnsupportedProtobufKindError naming it', () => {
    assert.throws(() => decodeProtobufObject(envelope('apps/v1', 'StatefulSet', msg(1, str(1, 'd')))),
      (e: unknown) => e instanceof UnsupportedProtobufKindError && e.kind === 'StatefulSet' && e.apiVersion === 'apps/v1');
    assert.throws(() => decodeProtobufObject(envelope('stable.example.com/v1', 'CronTab', msg(1, str(1, 'c')))), UnsupportedProtobufKindError);
    assert.throws(() => decodeProtobufObject(envelope('v1', 'PriorityClass', new Uint8Array())), UnsupportedProtobufKindError);
    assert.throws(() => decodeProtobufObject(concat([MAGIC, bytes(2, new Uint8Array())])), UnsupportedProtobufKindError);
  });

  test('compressed payloads are refused', () => {
    assert.throws(() => decodeProtobufObject(envelope('v1', 'Namespace', new Uint8Array(), str(3, 'gzip'))), ProtobufFormatError);
  });
});

// ---- Real kubectl 1.32 bytes: the same expectations checked against stored captures and, when kubectl is
// installed, against fresh ones. EVERYNODE_UPDATE_FIXTURES=1 rewrites the stored captures.
const BINARY_FILE = Uint8Array.of(0x61, 0x62, 0x63, 0xff, 0xfe);
interface Case { fixture: string; args: string[]; expected: Record<string, unknown> }
const CASES: Case[] = [
  { fixture: 'namespace.bin', args: ['create', 'namespace', 'foo'], expected: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'foo' } } },
  {
    fixture: 'priorityclass.bin',
    args: ['create', 'priorityclass', 'high', '--value=1000', '--description=important', '--preemption-policy=Never', '--global-default=true'],
    expected: { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high' }, value: 1000, globalDefault: true, description: 'important', preemptionPolicy: 'Never' },
  },
  {
    fixture: 'configmap.bin',
    args: ['create', 'configmap', 'cm', '-n', 'default', '--from-literal=a=b', '--from-file=bin=@BINFILE'],
    expected: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'default' }, data: { a: 'b' }, binaryData: { bin: Buffer.from(BINARY_FILE).toString('base64') } },
  },
  {
    fixture: 'secret.bin',
    args: ['create', 'secret', 'generic', 's', '-n', 'default', '--from-literal=k=v', '--type=Opaque'],
    expected: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, data: { k: Buffer.from('v').toString('base64') }, type: 'Opaque' },
  },
  { fixture: 'serviceaccount.bin', args: ['create', 'serviceaccount', 'sa', '-n', 'kube-system'], expected: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa', namespace: 'kube-system' } } },
  { fixture: 'service.bin', args: ['create', 'service', 'clusterip', 'web', '-n', 'default', '--tcp=80:8080'], expected: {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    spec: { ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }], selector: { app: 'web' }, type: 'ClusterIP' },
  } },
  { fixture: 'service-nodeport.bin', args: ['create', 'service', 'nodeport', 'np', '-n', 'default', '--tcp=443:8443', '--node-port=30080'], expected: {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'np', namespace: 'default', labels: { app: 'np' } },
    spec: { ports: [{ name: '443-8443', protocol: 'TCP', port: 443, targetPort: 8443, nodePort: 30080 }], selector: { app: 'np' }, type: 'NodePort' },
  } },
  { fixture: 'service-externalname.bin', args: ['create', 'service', 'externalname', 'ext', '-n', 'default', '--external-name=example.com'], expected: {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext', namespace: 'default', labels: { app: 'ext' } },
    spec: { selector: { app: 'ext' }, type: 'ExternalName', externalName: 'example.com' },
  } },
  { fixture: 'role.bin', args: ['create', 'role', 'reader', '-n', 'default', '--verb=get,list', '--resource=pods,configmaps', '--resource-name=a'], expected: {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'reader', namespace: 'default' },
    rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', 'configmaps'], resourceNames: ['a'] }],
  } },
  { fixture: 'clusterrole.bin', args: ['create', 'clusterrole', 'agg', '--aggregation-rule=team=a'], expected: {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'agg' },
    aggregationRule: { clusterRoleSelectors: [{ matchLabels: { team: 'a' } }] },
  } },
  { fixture: 'clusterrole-rules.bin', args: ['create', 'clusterrole', 'nodes', '--verb=get', '--resource=nodes', '--non-resource-url=/healthz'], expected: {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'nodes' },
    rules: [{ verbs: ['get'], apiGroups: [''], resources: ['nodes'] }, { verbs: ['get'], nonResourceURLs: ['/healthz'] }],
  } },
  { fixture: 'rolebinding.bin', args: ['create', 'rolebinding', 'rb', '-n', 'default', '--clusterrole=view', '--user=alice', '--group=devs', '--serviceaccount=default:sa'], expected: {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'rb', namespace: 'default' },
    subjects: [
      { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' },
      { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'devs' },
      { kind: 'ServiceAccount', name: 'sa', namespace: 'default' },
    ],
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
  } },
  { fixture: 'clusterrolebinding.bin', args: ['create', 'clusterrolebinding', 'crb', '--clusterrole=cluster-admin', '--user=root'], expected: {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'crb' },
    subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'root' }],
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
  } },
  { fixture: 'pdb.bin', args: ['create', 'pdb', 'web', '-n', 'default', '--selector=app=web', '--min-available=1'], expected: {
    apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: 'default' },
    spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } },
    // Not omitempty upstream, so Go's JSON would carry these zeros too.
    status: { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
  } },
  { fixture: 'pdb-percent.bin', args: ['create', 'pdb', 'web2', '-n', 'default', '--selector=app=web', '--max-unavailable=50%'], expected: {
    apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web2', namespace: 'default' },
    spec: { selector: { matchLabels: { app: 'web' } }, maxUnavailable: '50%' },
    status: { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
  } },
  { fixture: 'token.bin', args: ['create', 'token', 'sa', '-n', 'default', '--duration=1h', '--audience=api'], expected: {
    apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest',
    spec: { audiences: ['api'], expirationSeconds: 3600 }, status: { token: '' },
  } },
  { fixture: 'debug-node.bin', args: ['debug', 'node/n1', '--image=busybox', '--profile=general'], expected: {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'node-debugger-n1-XXXXX' },
    spec: {
      volumes: [{ name: 'host-root', hostPath: { path: '/' } }],
      containers: [{ name: 'debugger', image: 'busybox', volumeMounts: [{ name: 'host-root', mountPath: '/host' }], terminationMessagePolicy: 'File' }],
      restartPolicy: 'Never', nodeName: 'n1', hostNetwork: true, hostPID: true, hostIPC: true, tolerations: [{ operator: 'Exists' }],
    },
  } },
  { fixture: 'debug-copy.bin', args: ['debug', 'p1', '-n', 'default', '--copy-to=p1-debug', '--image=busybox', '--share-processes'], expected: {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p1-debug', namespace: 'default' },
    spec: { containers: [{ name: 'c', image: 'i' }, { name: 'debugger-XXXXX', image: 'busybox', terminationMessagePolicy: 'File' }], shareProcessNamespace: true },
  } },
  { fixture: 'selfsubjectaccessreview.bin', args: ['auth', 'can-i', 'list', 'pods', '-n', 'kube-system'], expected: {
    apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview',
    spec: { resourceAttributes: { namespace: 'kube-system', verb: 'list', resource: 'pods' } }, status: { allowed: false },
  } },
  { fixture: 'selfsubjectreview.bin', args: ['auth', 'whoami'], expected: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } },
  // drain falls back to a typed DELETE (protobuf DeleteOptions) when eviction is disabled.
  { fixture: 'deleteoptions.bin', args: ['drain', 'n1', '--force', '--disable-eviction', '--grace-period=7', '--timeout=20s'], expected: { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 7 } },
];

describe('decodeProtobufObject: stored kubectl 1.32 captures', () => {
  for (const c of CASES) {
    test(c.fixture, () => assert.deepEqual(withoutRandomSuffixes(decodeProtobufObject(readFileSync(path.join(FIXTURES, c.fixture)))), c.expected));
  }
});

/** kubectl debug names its pod and container with a random 5-character suffix. */
function withoutRandomSuffixes(o: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(o).replace(/"((?:node-debugger-n1|debugger)-)[a-z0-9]{5}"/g, '"$1XXXXX"')) as Record<string, unknown>;
}

const hasKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;

describe('decodeProtobufObject: live kubectl', { skip: hasKubectl ? false : 'kubectl is not on PATH' }, () => {
  let mock: MockApiServer;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'everynode-pb-'));
    writeFileSync(path.join(dir, 'bin.dat'), BINARY_FILE);
    mock = await startMockApiServer();
  });
  after(async () => {
    await mock.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const c of CASES) {
    test(`kubectl ${c.args.slice(0, 2).join(' ')}`, async () => {
      mock.bodies.length = 0;
      const args = c.args.map((a) => a.replace('@BINFILE', path.join(dir, 'bin.dat')));
      const out = await kubectl(mock.url, dir, args);
      assert.equal(mock.bodies.length, 1, `expected one protobuf body; kubectl said: ${out}`);
      const body = mock.bodies[0]!;
      assert.deepEqual(withoutRandomSuffixes(decodeProtobufObject(body)), c.expected);
      if (c.args[1] === 'token') assert.match(out, /issued-token/, 'kubectl printed the issued token');
      else if (c.args[0] === 'auth') assert.match(out, /yes|alice/, 'kubectl read the echoed review');
      else if (c.args[0] === 'create') assert.match(out, / created/, 'kubectl accepted the echoed JSON object');
      if (process.env.EVERYNODE_UPDATE_FIXTURES === '1') writeFileSync(path.join(FIXTURES, c.fixture), body);
    });
  }
});

function kubectl(server: string, home: string, args: string[]): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
  delete env.KUBECONFIG;
  return new Promise((resolve, reject) => {
    execFile('kubectl', [`--server=${server}`, `--cache-dir=${path.join(home, 'cache')}`, ...args], { env, timeout: 60_000 },
      (err, stdout, stderr) => (err ? reject(new Error(`kubectl ${args.join(' ')} failed: ${stderr}`)) : resolve(stdout + stderr)));
  });
}

interface MockApiServer { url: string; bodies: Buffer[]; close(): Promise<void> }

/** Just enough API for kubectl to send its create/delete: discovery, echo of decoded creates, and a one-pod drain. */
async function startMockApiServer(): Promise<MockApiServer> {
  const bodies: Buffer[] = [];
  const verbs = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
  const res = (name: string, kind: string, namespaced: boolean) => ({ name, singularName: kind.toLowerCase(), namespaced, kind, verbs });
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p1', namespace: 'default', uid: 'pod-uid' }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'i' }] }, status: { phase: 'Running' } };
  let podDeleted = false;
  const routes: Record<string, () => [number, unknown]> = {
    'GET /version': () => [200, { major: '1', minor: '32', gitVersion: 'v1.32.0', platform: 'linux/amd64' }],
    'GET /api': () => [200, { kind: 'APIVersions', versions: ['v1'] }],
    'GET /apis': () => [200, { kind: 'APIGroupList', apiVersion: 'v1', groups: ['scheduling.k8s.io', 'policy', 'rbac.authorization.k8s.io', 'authorization.k8s.io', 'authentication.k8s.io'].map((name) =>
      ({ name, versions: [{ groupVersion: `${name}/v1`, version: 'v1' }], preferredVersion: { groupVersion: `${name}/v1`, version: 'v1' } })) }],
    'GET /api/v1': () => [200, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'v1', resources: [
      res('namespaces', 'Namespace', false), res('nodes', 'Node', false), res('pods', 'Pod', true),
      res('configmaps', 'ConfigMap', true), res('secrets', 'Secret', true), res('serviceaccounts', 'ServiceAccount', true),
      { name: 'serviceaccounts/token', singularName: '', namespaced: true, group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] },
      res('services', 'Service', true)] }],
    'GET /apis/scheduling.k8s.io/v1': () => [200, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'scheduling.k8s.io/v1', resources: [res('priorityclasses', 'PriorityClass', false)] }],
    'GET /apis/policy/v1': () => [200, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'policy/v1', resources: [res('poddisruptionbudgets', 'PodDisruptionBudget', true)] }],
    'GET /apis/rbac.authorization.k8s.io/v1': () => [200, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'rbac.authorization.k8s.io/v1', resources: [
      res('roles', 'Role', true), res('clusterroles', 'ClusterRole', false), res('rolebindings', 'RoleBinding', true), res('clusterrolebindings', 'ClusterRoleBinding', false)] }],
    'GET /apis/authorization.k8s.io/v1': () => [200, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'authorization.k8s.io/v1', resources: [
      { name: 'selfsubjectaccessreviews', singularName: 'selfsubjectaccessreview', namespaced: false, kind: 'SelfSubjectAccessReview', verbs: ['create'] }] }],
    'GET /apis/authentication.k8s.io/v1': () => [200, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'authentication.k8s.io/v1', resources: [
      { name: 'selfsubjectreviews', singularName: 'selfsubjectreview', namespaced: false, kind: 'SelfSubjectReview', verbs: ['create'] }] }],
    'GET /api/v1/namespaces/default/pods/p1': () => (podDeleted ? [404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'not found' }] : [200, pod]),
    'GET /api/v1/nodes/n1': () => [200, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid: 'node-uid' }, spec: {} }],
    'PATCH /api/v1/nodes/n1': () => [200, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid: 'node-uid' }, spec: { unschedulable: true } }],
    'GET /api/v1/pods': () => [200, { apiVersion: 'v1', kind: 'PodList', metadata: { resourceVersion: '1' }, items: podDeleted ? [] : [pod] }],
    'DELETE /api/v1/namespaces/default/pods/p1': () => { podDeleted = true; return [200, pod]; },
  };
  const server = http.createServer((req, reply) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const key = `${req.method} ${new URL(req.url ?? '/', 'http://x').pathname}`;
      if (req.headers['content-type'] === PROTOBUF_MEDIA_TYPE) bodies.push(body);
      let [code, obj] = routes[key]?.() ?? [404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'not found' }];
      if (req.method === 'POST') {
        try {
          const decoded = decodeProtobufObject(body);
          // kubectl create token prints the issued token; the others print "<kind>/<name> created".
          if (decoded.kind === 'TokenRequest') decoded.status = { token: 'issued-token', expirationTimestamp: '2030-01-01T00:00:00Z' };
          if (decoded.kind === 'SelfSubjectAccessReview') decoded.status = { allowed: true };
          if (decoded.kind === 'SelfSubjectReview') decoded.status = { userInfo: { username: 'alice' } };
          [code, obj] = [201, decoded];
        } catch (err) { [code, obj] = [415, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 415, message: String(err) }]; }
      }
      reply.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(obj));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  podDeleted = false;
  return {
    url: `http://127.0.0.1:${port}`,
    bodies,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

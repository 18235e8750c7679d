import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  builtinSchemas,
  customKindSchemaName,
  documentHash,
  groupVersionFromOpenAPIPath,
  openapiV3Document,
  openapiV3Index,
  openapiV3Key,
  PATCH_CONTENT_TYPES,
  withCustomKind,
  type Schema,
  type ServedResource,
} from './index.js';

type Op = Schema & {
  parameters: Array<{ name: string; in: string }>;
  requestBody?: { content: Record<string, unknown> };
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string };
  'x-kubernetes-action': string;
};

const CORE: ServedResource[] = [
  { kind: 'Namespace', plural: 'namespaces', namespaced: false, subresources: ['status', 'finalize'] },
  { kind: 'Node', plural: 'nodes', namespaced: false, subresources: ['status'] },
  { kind: 'Pod', plural: 'pods', namespaced: true, subresources: ['status', 'binding', 'eviction', 'log'] },
  { kind: 'Event', plural: 'events', namespaced: true, subresources: [] },
  { kind: 'ConfigMap', plural: 'configmaps', namespaced: true, subresources: [] },
  { kind: 'Secret', plural: 'secrets', namespaced: true, subresources: [] },
  { kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true, subresources: [] },
  { kind: 'Service', plural: 'services', namespaced: true, subresources: ['status'] },
  { kind: 'Binding', plural: 'bindings', namespaced: true, subresources: [], verbs: ['create'] },
];
const APPS: ServedResource[] = [
  { kind: 'DaemonSet', plural: 'daemonsets', namespaced: true, subresources: ['status'] },
  { kind: 'ControllerRevision', plural: 'controllerrevisions', namespaced: true, subresources: [] },
];
const OTHERS: Array<[string, ServedResource[]]> = [
  ['extensions/v1beta1', [{ kind: 'DaemonSet', plural: 'daemonsets', namespaced: true, subresources: ['status'] }]],
  ['coordination.k8s.io/v1', [{ kind: 'Lease', plural: 'leases', namespaced: true, subresources: [] }]],
  ['scheduling.k8s.io/v1', [{ kind: 'PriorityClass', plural: 'priorityclasses', namespaced: false, subresources: [] }]],
  ['policy/v1', [{ kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', namespaced: true, subresources: ['status'] }]],
  [
    'rbac.authorization.k8s.io/v1',
    [
      { kind: 'Role', plural: 'roles', namespaced: true, subresources: [] },
      { kind: 'ClusterRole', plural: 'clusterroles', namespaced: false, subresources: [] },
      { kind: 'RoleBinding', plural: 'rolebindings', namespaced: true, subresources: [] },
      { kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', namespaced: false, subresources: [] },
    ],
  ],
];
const ALL_GVS: Array<[string, ServedResource[]]> = [['v1', CORE], ['apps/v1', APPS], ...OTHERS];

const METHODS = ['get', 'put', 'patch', 'post', 'delete'] as const;

function operations(paths: Record<string, Schema>): Array<{ path: string; method: string; op: Op }> {
  return Object.entries(paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((method) => ({ path, method, op: item[method] as Op })),
  );
}

function refsIn(v: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(v)) v.forEach((x) => refsIn(x, out));
  else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string') out.add(x);
      else refsIn(x, out);
    }
  }
  return out;
}

test('generated schemas use upstream names, descriptions, special types and GVKs', () => {
  const ds = builtinSchemas['io.k8s.api.apps.v1.DaemonSet'];
  assert.deepEqual(ds['x-kubernetes-group-version-kind'], [{ group: 'apps', version: 'v1', kind: 'DaemonSet' }]);
  const spec = builtinSchemas['io.k8s.api.apps.v1.DaemonSetSpec'] as { required: string[]; properties: Record<string, Schema> };
  assert.deepEqual(spec.required, ['selector', 'template']);
  assert.match(String(spec.properties.minReadySeconds.description), /minimum number of seconds/);
  assert.deepEqual(spec.properties.minReadySeconds.type, 'integer');
  assert.deepEqual(spec.properties.minReadySeconds.format, 'int32');
  assert.deepEqual(spec.properties.template.allOf, [{ $ref: '#/components/schemas/io.k8s.api.core.v1.PodTemplateSpec' }]);
  const meta = builtinSchemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'] as { properties: Record<string, Schema> };
  assert.deepEqual(meta.properties.labels.additionalProperties, { type: 'string' });
  assert.deepEqual(builtinSchemas['io.k8s.apimachinery.pkg.apis.meta.v1.Time'].format, 'date-time');
  assert.equal(builtinSchemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString']['x-kubernetes-int-or-string'], true);
  const rolling = builtinSchemas['io.k8s.api.apps.v1.RollingUpdateDaemonSet'] as { properties: Record<string, Schema> };
  assert.deepEqual(rolling.properties.maxUnavailable.allOf, [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString' }]);
  const containers = (builtinSchemas['io.k8s.api.core.v1.PodSpec'] as { properties: Record<string, Schema> }).properties.containers;
  assert.deepEqual(containers.items, { $ref: '#/components/schemas/io.k8s.api.core.v1.Container' });
  const legacy = builtinSchemas['io.k8s.api.extensions.v1beta1.DaemonSetSpec'] as { properties: Record<string, Schema> };
  assert.equal(legacy.properties.templateGeneration.type, 'integer');
  assert.deepEqual(legacy.properties.template.allOf, [{ $ref: '#/components/schemas/io.k8s.api.core.v1.PodTemplateSpec' }]);
  assert.ok(refsIn(builtinSchemas['io.k8s.api.extensions.v1beta1.DaemonSet']).has('#/components/schemas/io.k8s.api.extensions.v1beta1.DaemonSetSpec'));
  assert.ok(JSON.stringify(builtinSchemas).length < 3_000_000);
});

test('every $ref in the generated schemas resolves', () => {
  for (const r of refsIn(builtinSchemas)) {
    assert.ok(builtinSchemas[r.replace('#/components/schemas/', '')], `dangling ${r}`);
  }
});

for (const [gv, resources] of ALL_GVS) {
  test(`${gv}: every kind has collection and item paths with GVK-tagged operations`, () => {
    const doc = openapiV3Document(gv, resources);
    assert.equal(doc.openapi, '3.0.0');
    const prefix = gv.includes('/') ? `/apis/${gv}` : `/api/${gv}`;
    const [group, version] = gv.includes('/') ? gv.split('/') : ['', gv];
    for (const r of resources) {
      const base = `${prefix}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.plural}`;
      assert.ok(doc.paths[base]?.post, `${base} post`);
      if (r.verbs) continue; // Binding: create only
      assert.ok(doc.paths[base].get, `${base} list`);
      const item = doc.paths[`${base}/{name}`];
      for (const m of ['get', 'put', 'patch', 'delete']) assert.ok(item?.[m], `${base}/{name} ${m}`);
      const schemaName = Object.keys(doc.components.schemas).find((n) =>
        (doc.components.schemas[n]['x-kubernetes-group-version-kind'] as unknown[] | undefined)?.some(
          (g) => JSON.stringify(g) === JSON.stringify({ group, version, kind: r.kind }),
        ),
      );
      assert.ok(schemaName, `schema for ${r.kind}`);
      assert.deepEqual((item.get as Op).responses, {
        '200': { description: 'OK', content: { 'application/json': { schema: { $ref: `#/components/schemas/${schemaName}` } } } },
        '401': { description: 'Unauthorized' },
      });
    }
    for (const { path, method, op } of operations(doc.paths)) {
      assert.ok(op['x-kubernetes-action'], `${method} ${path} action`);
      if (path.endsWith('/log')) continue;
      assert.ok(op['x-kubernetes-group-version-kind'], `${method} ${path} gvk`);
    }
    for (const r of refsIn(doc)) assert.ok(doc.components.schemas[r.replace('#/components/schemas/', '')], `${gv} dangling ${r}`);
  });
}

test('every patch operation takes fieldValidation and offers no strategic merge patch', () => {
  for (const [gv, resources] of ALL_GVS) {
    const patches = operations(openapiV3Document(gv, resources).paths).filter((o) => o.method === 'patch');
    assert.ok(patches.length >= resources.filter((r) => !r.verbs).length);
    for (const { path, op } of patches) {
      assert.ok(op.parameters.some((p) => p.name === 'fieldValidation' && p.in === 'query'), path);
      assert.deepEqual(Object.keys(op.requestBody?.content ?? {}), PATCH_CONTENT_TYPES, path);
      assert.ok(!('application/strategic-merge-patch+json' in (op.requestBody?.content ?? {})));
    }
  }
});

test('subresources: eviction and binding carry their own kinds, status the parent kind', () => {
  const doc = openapiV3Document('v1', CORE);
  const pod = '/api/v1/namespaces/{namespace}/pods/{name}';
  assert.deepEqual((doc.paths[`${pod}/eviction`].post as Op)['x-kubernetes-group-version-kind'], { group: 'policy', version: 'v1', kind: 'Eviction' });
  assert.deepEqual((doc.paths[`${pod}/binding`].post as Op)['x-kubernetes-group-version-kind'], { group: '', version: 'v1', kind: 'Binding' });
  assert.deepEqual((doc.paths[`${pod}/status`].patch as Op)['x-kubernetes-group-version-kind'], { group: '', version: 'v1', kind: 'Pod' });
  assert.ok(doc.components.schemas['io.k8s.api.policy.v1.Eviction']);
  assert.equal(doc.paths[`${pod}/log`].put, undefined);
  assert.equal(doc.paths['/api/v1/namespaces/{namespace}/bindings/{name}'], undefined);
});

test('documents carry only the schemas their kinds reach', () => {
  const doc = openapiV3Document('coordination.k8s.io/v1', OTHERS[1][1]);
  const names = Object.keys(doc.components.schemas);
  assert.ok(names.includes('io.k8s.api.coordination.v1.Lease'));
  assert.ok(names.includes('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'));
  assert.ok(!names.includes('io.k8s.api.core.v1.Pod'));
});

test('index: one entry per group/version; hash follows the document', () => {
  const docs = new Map(ALL_GVS.map(([gv, rs]) => [gv, openapiV3Document(gv, rs)]));
  const idx = openapiV3Index(['v1', 'apps/v1'], (gv) => docs.get(gv));
  assert.deepEqual(Object.keys(idx.paths), ['api/v1', 'apis/apps/v1']);
  assert.equal(idx.paths['apis/apps/v1'].serverRelativeURL, `/openapi/v3/apis/apps/v1?hash=${documentHash(docs.get('apps/v1'))}`);
  assert.match(idx.paths['api/v1'].serverRelativeURL, /^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]{128}$/);
  assert.deepEqual(openapiV3Index(['v1']), openapiV3Index(['v1']));
  assert.notEqual(openapiV3Index(['v1']).paths['api/v1'].serverRelativeURL, openapiV3Index(['v1'], () => ({})).paths['api/v1'].serverRelativeURL);
  assert.equal(documentHash(openapiV3Document('v1', CORE)), documentHash(docs.get('v1')));
  assert.notEqual(documentHash(openapiV3Document('v1', CORE.slice(1))), documentHash(docs.get('v1')));
});

test('index keys and request paths map back and forth', () => {
  for (const gv of ['v1', 'apps/v1', 'rbac.authorization.k8s.io/v1']) {
    assert.equal(groupVersionFromOpenAPIPath(`/openapi/v3/${openapiV3Key(gv)}`), gv);
  }
  assert.equal(openapiV3Key('v1'), 'api/v1');
  assert.equal(groupVersionFromOpenAPIPath('/openapi/v3'), undefined);
  assert.equal(groupVersionFromOpenAPIPath('/openapi/v3/apis/apps'), undefined);
});

test('custom kinds: schema added at run time, named by reversed group, served in its GV', () => {
  assert.equal(customKindSchemaName('stable.example.com', 'v1', 'CronTab'), 'com.example.stable.v1.CronTab');
  const extra = withCustomKind({}, {
    group: 'stable.example.com',
    version: 'v1',
    kind: 'CronTab',
    schema: { type: 'object', properties: { spec: { type: 'object', description: 'the cron spec', properties: { cronSpec: { type: 'string' } } } } },
  });
  const doc = openapiV3Document('stable.example.com/v1', [{ kind: 'CronTab', plural: 'crontabs', namespaced: true, subresources: [] }], { extraSchemas: extra });
  const s = doc.components.schemas['com.example.stable.v1.CronTab'] as { properties: Record<string, Schema> };
  assert.equal(s.properties.spec.description, 'the cron spec');
  assert.ok(s.properties.metadata);
  assert.ok(doc.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']);
  const patch = doc.paths['/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}'].patch as Op;
  assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'stable.example.com', version: 'v1', kind: 'CronTab' });
  const loose = withCustomKind(extra, { group: 'x.io', version: 'v1', kind: 'Thing' });
  assert.equal(loose['io.x.v1.Thing']['x-kubernetes-preserve-unknown-fields'], true);
  assert.ok(loose['com.example.stable.v1.CronTab'], 'keeps earlier kinds');
  assert.equal(Object.keys(extra).length, 1, 'does not mutate its input');
});

// ---------------------------------------------------------------------------------------------
// End to end with the real kubectl against a throwaway HTTP server that serves discovery, these
// OpenAPI documents and just enough of the DaemonSet API for `kubectl apply` to create one.

interface MockOptions {
  /** Drop fieldValidation from every patch operation, to prove kubectl depends on it. */
  withoutFieldValidation?: boolean;
}

interface Mock {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

const DISCOVERY: Record<string, unknown> = {
  '/version': { major: '1', minor: '32', gitVersion: 'v1.32.0', gitCommit: 'mock', gitTreeState: 'clean', buildDate: '2025-01-01T00:00:00Z', goVersion: 'go1.23.4', compiler: 'gc', platform: 'linux/amd64' },
  '/api': { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:6443' }] },
  '/apis': {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [{ name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } }],
  },
};

function resourceList(gv: string, resources: ServedResource[]): unknown {
  const eight = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: gv,
    resources: resources.flatMap((r) => [
      { name: r.plural, singularName: r.kind.toLowerCase(), namespaced: r.namespaced, kind: r.kind, verbs: r.verbs ?? eight },
      ...r.subresources.map((s) => ({ name: `${r.plural}/${s}`, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'patch', 'update'] })),
    ]),
  };
}

function stripFieldValidation(doc: ReturnType<typeof openapiV3Document>): unknown {
  const copy = structuredClone(doc);
  for (const item of Object.values(copy.paths)) {
    const patch = item.patch as Op | undefined;
    if (patch) patch.parameters = patch.parameters.filter((p) => p.name !== 'fieldValidation');
  }
  return copy;
}

async function startMock(opts: MockOptions = {}): Promise<Mock> {
  const { createServer } = await import('node:http');
  const served: Record<string, ServedResource[]> = { v1: CORE, 'apps/v1': APPS };
  const docs = new Map(Object.entries(served).map(([gv, rs]) => {
    const doc = openapiV3Document(gv, rs);
    return [gv, opts.withoutFieldValidation ? stripFieldValidation(doc) : doc];
  }));
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
      res.end(JSON.stringify(body));
    };
    const gv = groupVersionFromOpenAPIPath(url.pathname);
    if (DISCOVERY[url.pathname]) return send(200, DISCOVERY[url.pathname]);
    if (url.pathname === '/api/v1') return send(200, resourceList('v1', CORE));
    if (url.pathname === '/apis/apps/v1') return send(200, resourceList('apps/v1', APPS));
    if (url.pathname === '/openapi/v3') return send(200, openapiV3Index(Object.keys(served), (g) => docs.get(g)));
    if (gv && docs.has(gv)) return send(200, docs.get(gv));
    const post = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/daemonsets$/.exec(url.pathname);
    if (req.method === 'POST' && post) {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const obj = JSON.parse(body) as { metadata: Record<string, unknown> };
        obj.metadata = { ...obj.metadata, namespace: post[1], uid: '6f1c1a52-0000-4000-8000-000000000001', resourceVersion: '1', generation: 1, creationTimestamp: '2025-01-01T00:00:00Z' };
        send(201, obj);
      });
      return;
    }
    send(404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `${url.pathname} not found`, reason: 'NotFound', code: 404 });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function findKubectl(): Promise<boolean> {
  const { execFile } = await import('node:child_process');
  return new Promise((resolve) => execFile('kubectl', ['version', '--client'], (err) => resolve(!err)));
}

const kubectlAvailable = await findKubectl();
const skipE2E = kubectlAvailable ? false : 'kubectl is not on PATH; skipping the end-to-end OpenAPI checks';

/** Runs kubectl asynchronously (the mock server lives in this process) with a private HOME and cache. */
async function kubectl(server: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { execFile } = await import('node:child_process');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const home = mkdtempSync(join(tmpdir(), 'everynode-openapi-'));
  try {
    return await new Promise((resolve) => {
      execFile(
        'kubectl',
        [`--server=${server}`, `--cache-dir=${join(home, 'cache')}`, ...args],
        { env: { ...process.env, HOME: home, KUBECONFIG: join(home, 'kubeconfig') }, cwd: home, timeout: 60_000 },
        (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

const DAEMONSET_YAML = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: node-agent
  namespace: default
spec:
  selector:
    matchLabels: {app: node-agent}
  updateStrategy:
    type: RollingUpdate
    rollingUpdate: {maxUnavailable: 1}
  template:
    metadata:
      labels: {app: node-agent}
    spec:
      containers:
      - name: agent
        image: busybox:1.36
        resources:
          limits: {cpu: 100m, memory: 64Mi}
`;

async function writeManifest(): Promise<{ file: string; cleanup: () => void }> {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'everynode-ds-'));
  const file = join(dir, 'ds.yaml');
  writeFileSync(file, DAEMONSET_YAML);
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

test('kubectl explain daemonset.spec prints field descriptions', { skip: skipE2E }, async () => {
  const mock = await startMock();
  try {
    const r = await kubectl(mock.url, ['explain', 'daemonset.spec']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /GROUP:\s+apps/);
    assert.match(r.stdout, /DaemonSetSpec is the specification of a daemon set/);
    assert.match(r.stdout, /template\s+<PodTemplateSpec> -required-/);
    assert.match(r.stdout, /minReadySeconds\s+<integer>/);
    assert.match(r.stdout, /The minimum number of seconds for which a newly created DaemonSet pod/);
    const strategy = await kubectl(mock.url, ['explain', 'daemonsets.spec.updateStrategy.rollingUpdate']);
    assert.match(strategy.stdout, /maxUnavailable\s+<IntOrString>/);
    assert.ok(mock.requests.some((q) => q.startsWith('GET /openapi/v3/apis/apps/v1?hash=')), mock.requests.join('\n'));
  } finally {
    await mock.close();
  }
});

test('kubectl explain pods.spec.containers prints field descriptions', { skip: skipE2E }, async () => {
  const mock = await startMock();
  try {
    const r = await kubectl(mock.url, ['explain', 'pods.spec.containers']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /FIELD: containers <\[\]Container>/);
    assert.match(r.stdout, /A single application container that you want to run within a pod/);
    assert.match(r.stdout, /image\s+<string>/);
    assert.match(r.stdout, /name\s+<string> -required-/);
    const resources = await kubectl(mock.url, ['explain', 'pods.spec.containers.resources']);
    assert.match(resources.stdout, /limits\s+<map\[string\]Quantity>/);
  } finally {
    await mock.close();
  }
});

test('kubectl apply with default strict validation creates a DaemonSet', { skip: skipE2E }, async () => {
  const mock = await startMock();
  const manifest = await writeManifest();
  try {
    const r = await kubectl(mock.url, ['apply', '-f', manifest.file]);
    assert.equal(r.code, 0, `${r.stderr}\n${mock.requests.join('\n')}`);
    assert.match(r.stdout, /daemonset\.apps\/node-agent created/);
    const post = mock.requests.find((q) => q.startsWith('POST /apis/apps/v1/namespaces/default/daemonsets'));
    assert.ok(post?.includes('fieldValidation=Strict'), `server-side validation requested: ${post}`);
    assert.ok(!mock.requests.some((q) => q.includes('/openapi/v2')), 'no fallback to OpenAPI v2');
  } finally {
    manifest.cleanup();
    await mock.close();
  }
});

test('without fieldValidation on patch, kubectl apply falls back to OpenAPI v2 and refuses', { skip: skipE2E }, async () => {
  const mock = await startMock({ withoutFieldValidation: true });
  const manifest = await writeManifest();
  try {
    const r = await kubectl(mock.url, ['apply', '-f', manifest.file]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /error validating data/);
    assert.ok(mock.requests.some((q) => q.includes('/openapi/v2')), mock.requests.join('\n'));
    assert.ok(!mock.requests.some((q) => q.startsWith('POST ')));
  } finally {
    manifest.cleanup();
    await mock.close();
  }
});

// CustomResourceDefinitions end to end with the real kubectl: CRDs shaped like cert-manager's
// Certificate, the Prometheus Operator's ServiceMonitor and OpenKruise's DaemonSet
// (test/fixtures/crds/) are applied to a running cluster, then their objects are created,
// listed with printer columns, explained, patched, scaled, watched, garbage-collected, and
// deleted with their CRD.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { eventually, hasKubectl, kubectl, kubectlOk, startTestCluster, type TestCluster } from '../helpers/cluster.js';

const skip = hasKubectl ? false : 'kubectl is not installed on this machine; install kubectl 1.32 to run these tests';
if (skip) console.log(`# SKIP crd-kubectl: ${skip}`);

let c: TestCluster;
const fixtures = ['certificates', 'servicemonitors', 'kruise-daemonsets'].map((f) => `test/fixtures/crds/${f}.yaml`);

before(async () => {
  if (skip) return;
  c = await startTestCluster();
  await ok(['apply', ...fixtures.flatMap((f) => ['-f', f])]);
});
after(async () => { if (!skip) await c.stop(); });

const ok = (args: string[], input?: string) => kubectlOk(c, args, input);

async function fails(args: string[], input?: string): Promise<string> {
  const r = await kubectl(c, args, input);
  assert.notEqual(r.code, 0, `kubectl ${args.join(' ')} should have failed:\n${r.stdout}`);
  return r.stderr;
}

const header = (out: string) => out.split('\n')[0]!.trim().split(/\s{2,}/);
const row = (out: string, name: string) => out.split('\n').find((l) => l.startsWith(`${name} `))?.trim().split(/\s{2,}/);

const certificate = (name: string, extra = '') => `apiVersion: certs.example.io/v1
kind: Certificate
metadata:
  name: ${name}
  labels: {tier: ${name}}
spec:
  secretName: ${name}-tls
  issuerRef: {name: ca}
  dnsNames: [${name}.example.io]
${extra}`;

describe('CRDs with kubectl', { skip }, () => {
  test('a created CRD is Established and in discovery at once', async () => {
    const status = JSON.parse(await ok(['get', 'crd', 'certificates.certs.example.io', '-o', 'jsonpath={.status}']));
    const cond = (t: string) => status.conditions.find((x: { type: string }) => x.type === t);
    assert.equal(cond('Established').status, 'True');
    assert.equal(cond('NamesAccepted').status, 'True');
    assert.equal(status.acceptedNames.kind, 'Certificate');
    assert.deepEqual(status.storedVersions, ['v1']);
    const out = await ok(['api-resources', '--api-group=certs.example.io']);
    assert.match(out, /^certificates\s+cert,certs\s+certs\.example\.io\/v1\s+true\s+Certificate$/m);
    const all = await ok(['api-resources']);
    assert.match(all, /^servicemonitors\s+smon\s+monitoring\.example\.io\/v1\s+true\s+ServiceMonitor$/m);
    assert.match(all, /^daemonsets\s+xds\s+apps\.example\.io\/v1alpha1\s+true\s+DaemonSet$/m);
  });

  test('a CRD created after kubectl cached discovery is found by a fresh kubectl get', async () => {
    await ok(['get', 'certificates']); // discovery is now cached in the cache dir
    await ok(['apply', '-f', '-'], `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.late.example.io}
spec:
  group: late.example.io
  scope: Cluster
  names: {plural: widgets, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`);
    await ok(['apply', '-f', '-'], 'apiVersion: late.example.io/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {anything: [1, 2]}\n');
    assert.match(await ok(['get', 'widgets']), /^w1\s+\d+s$/m);
    assert.equal(await ok(['get', 'widget', 'w1', '-o', 'jsonpath={.spec.anything}']), '[1,2]');
  });

  test('an invalid CRD is refused with upstream field errors', async () => {
    const err = await fails(['apply', '-f', '-'], `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: things.example.io}
spec:
  group: nodot
  scope: Regional
  names: {plural: things, kind: Thing}
  versions:
  - {name: v1, served: true, storage: false, schema: {openAPIV3Schema: {type: object, properties: {spec: {properties: {a: {type: string}}}}}}}
`);
    assert.match(err, /metadata\.name: Invalid value: "things\.example\.io": must be spec\.names\.plural\+"\."\+spec\.group/);
    assert.match(err, /spec\.group: Invalid value: "nodot": should be a domain with at least one dot/);
    assert.match(err, /spec\.scope: Unsupported value: "Regional": supported values: "Cluster", "Namespaced"/);
    assert.match(err, /spec\.versions: Invalid value: .*must have exactly one version marked as storage version/);
    assert.match(err, /spec\.versions\[0\]\.schema\.openAPIV3Schema\.properties\[spec\]\.type: Required value: must not be empty for specified object fields/);
  });

  test('Certificate: create, printer columns, defaults, explain', async () => {
    await ok(['apply', '-f', '-'], certificate('web', '  privateKey: {size: 2048}\n'));
    const out = await ok(['get', 'certificates']);
    assert.deepEqual(header(out), ['NAME', 'READY', 'SECRET', 'REVISION', 'AGE']);
    assert.deepEqual(row(out, 'web')?.slice(0, 2), ['web', 'web-tls']);
    assert.deepEqual(header(await ok(['get', 'cert', '-o', 'wide'])), ['NAME', 'READY', 'SECRET', 'ISSUER', 'STATUS', 'RENEWBEFORE', 'REVISION', 'AGE']);
    const obj = JSON.parse(await ok(['get', 'cert', 'web', '-o', 'json']));
    assert.equal(obj.spec.isCA, false, 'default applied');
    assert.equal(obj.spec.privateKey.algorithm, 'RSA', 'nested default applied');
    assert.equal(obj.metadata.generation, 1);
    const explain = await ok(['explain', 'certificate.spec.issuerRef']);
    assert.match(explain, /The issuer that signs the certificate\./);
    assert.match(explain, /name\s+<string> -required-/);
    // The same from /openapi/v2, which kubectl reads as protobuf.
    const v2 = await ok(['explain', 'certificate.spec', '--output', 'plaintext-openapiv2']);
    assert.match(v2, /VERSION:\s+certs\.example\.io\/v1/);
    assert.match(v2, /issuerRef\s+<Object> -required-\n\s+The issuer that signs the certificate\./);
    assert.match(await ok(['explain', 'pods.spec.containers', '--output', 'plaintext-openapiv2']), /image\s+<string>/);
    assert.match(await ok(['explain', 'crd.spec.versions']), /storage\s+<boolean> -required-/);
  });

  test('Certificate: schema validation answers 422 with upstream paths', async () => {
    const err = await fails(['create', '--validate=false', '-f', '-'], certificate('bad', '  duration: 1d\n  privateKey: {size: 1, algorithm: DSA}\n  usages: [bogus]\n').replace('issuerRef: {name: ca}', 'issuerRef: {}'));
    assert.match(err, /The Certificate "bad" is invalid/);
    assert.match(err, /spec\.duration: Invalid value: "1d": spec\.duration in body should match '\^\[0-9\]\+\(h\|m\|s\)\$'/);
    assert.match(err, /spec\.issuerRef\.name: Required value/);
    assert.match(err, /spec\.privateKey\.size: Invalid value: 1: spec\.privateKey\.size in body should be greater than or equal to 256/);
    assert.match(err, /spec\.privateKey\.algorithm: Unsupported value: "DSA": supported values: "RSA", "ECDSA", "Ed25519"/);
    assert.match(err, /spec\.usages\[0\]: Unsupported value: "bogus"/);
    const typed = await fails(['create', '--validate=false', '-f', '-'], certificate('bad2', '  isCA: "yes"\n'));
    assert.match(typed, /spec\.isCA: Invalid value: "string": spec\.isCA in body must be of type boolean: "string"/);
    const unknown = await fails(['create', '-f', '-'], certificate('bad3', '  bogus: 1\n'));
    assert.match(unknown, /strict decoding error: unknown field "spec\.bogus"/);
    // Without strict validation the unknown field is pruned, as upstream stores it.
    await ok(['create', '--validate=false', '-f', '-'], certificate('pruned', '  bogus: 1\n'));
    assert.equal(await ok(['get', 'cert', 'pruned', '-o', 'jsonpath={.spec.bogus}']), '');
  });

  test('Certificate: merge and JSON patch, strategic merge refused, status subresource and generation', async () => {
    await ok(['patch', 'cert', 'web', '--type=merge', '-p', '{"spec":{"commonName":"web.example.io"}}']);
    await ok(['patch', 'cert', 'web', '--type=json', '-p', '[{"op":"add","path":"/spec/renewBefore","value":"1h"}]']);
    assert.equal(await ok(['get', 'cert', 'web', '-o', 'jsonpath={.metadata.generation}']), '3');
    const smp = await fails(['patch', 'cert', 'web', '-p', '{"spec":{"commonName":"x"}}']);
    assert.match(smp, /the body of the request was in an unknown format - accepted media types include: application\/json-patch\+json, application\/merge-patch\+json, application\/apply-patch\+yaml/);
    // status is ignored on the main resource, written through /status, which keeps the generation.
    await ok(['patch', 'cert', 'web', '--type=merge', '-p', '{"status":{"revision":7}}']);
    assert.equal(await ok(['get', 'cert', 'web', '-o', 'jsonpath={.status.revision}']), '');
    await ok(['patch', 'cert', 'web', '--subresource=status', '--type=merge', '-p', '{"status":{"revision":7,"conditions":[{"type":"Ready","status":"True","message":"issued"}]}}']);
    const r = row(await ok(['get', 'cert', 'web']), 'web');
    assert.deepEqual(r?.slice(0, 4), ['web', 'True', 'web-tls', '7']);
    assert.equal(await ok(['get', 'cert', 'web', '-o', 'jsonpath={.metadata.generation}']), '3');
    const badStatus = await fails(['patch', 'cert', 'web', '--subresource=status', '--type=merge', '-p', '{"status":{"conditions":[{"type":"Ready","status":"Maybe"}]}}']);
    assert.match(badStatus, /status\.conditions\[0\]\.status: Unsupported value: "Maybe"/);
  });

  test('server-side apply creates and updates a custom resource', async () => {
    await ok(['apply', '--server-side', '-f', '-'], certificate('ssa'));
    await ok(['apply', '--server-side', '-f', '-'], certificate('ssa', '  commonName: ssa.example.io\n'));
    assert.equal(await ok(['get', 'cert', 'ssa', '-o', 'jsonpath={.spec.commonName}/{.spec.secretName}']), 'ssa.example.io/ssa-tls');
  });

  test('label and field selectors', async () => {
    assert.deepEqual((await ok(['get', 'cert', '-l', 'tier=web', '-o', 'name'])).trim(), 'certificate.certs.example.io/web');
    assert.deepEqual((await ok(['get', 'cert', '--field-selector', 'metadata.name=ssa', '-o', 'name'])).trim(), 'certificate.certs.example.io/ssa');
    assert.match(await ok(['get', 'cert', '-A', '--field-selector', 'metadata.namespace=default', '-o', 'name']), /certificate\.certs\.example\.io\/web/);
    assert.match(await fails(['get', 'cert', '--field-selector', 'spec.secretName=x']), /field label not supported: spec\.secretName/);
  });

  test('kubectl get -w shows a new custom resource with its printer columns', async () => {
    const child = spawn('kubectl', ['--kubeconfig', c.kubeconfigPath, 'get', 'cert', '-w', '--request-timeout=30s'], { env: { ...process.env, HOME: c.dir } });
    let out = '';
    child.stdout.on('data', (d) => { out += String(d); });
    try {
      await eventually(() => out.includes('web '), 20_000, 'the initial list');
      await ok(['apply', '-f', '-'], certificate('watched'));
      await eventually(() => /^watched\s+watched-tls/m.test(out), 20_000, 'the watch event');
    } finally { child.kill(); }
  });

  test('ServiceMonitor: int-or-string and preserve-unknown-fields', async () => {
    await ok(['apply', '-f', '-'], `apiVersion: monitoring.example.io/v1
kind: ServiceMonitor
metadata: {name: api}
spec:
  selector: {matchLabels: {app: api}}
  endpoints:
  - {port: web, targetPort: 8080, interval: 30s, relabelings: [{sourceLabels: [__name__], action: keep, regex: up}]}
  - {port: metrics, targetPort: metrics}
`);
    const obj = JSON.parse(await ok(['get', 'smon', 'api', '-o', 'json']));
    assert.equal(obj.spec.endpoints[0].targetPort, 8080);
    assert.equal(obj.spec.endpoints[1].targetPort, 'metrics');
    assert.deepEqual(obj.spec.endpoints[0].relabelings, [{ sourceLabels: ['__name__'], action: 'keep', regex: 'up' }]);
    assert.deepEqual(header(await ok(['get', 'smon'])), ['NAME', 'AGE']);
    const err = await fails(['apply', '-f', '-'], 'apiVersion: monitoring.example.io/v1\nkind: ServiceMonitor\nmetadata: {name: bad}\nspec: {selector: {}, endpoints: [{targetPort: 1.5, interval: often}]}\n');
    assert.match(err, /spec\.endpoints\[0\]\.targetPort: Invalid value: .*must be of type integer,string/);
    assert.match(err, /spec\.endpoints\[0\]\.interval: Invalid value: "often"/);
    // x-kubernetes-validations: a rule in the CEL subset is enforced; one outside it (all()) is skipped.
    const rule = await fails(['apply', '-f', '-'], 'apiVersion: monitoring.example.io/v1\nkind: ServiceMonitor\nmetadata: {name: none}\nspec: {selector: {}}\n');
    assert.match(rule, /spec: Invalid value: "object": at least one endpoint is required/);
    await ok(['apply', '-f', '-'], 'apiVersion: monitoring.example.io/v1\nkind: ServiceMonitor\nmetadata: {name: portless}\nspec: {selector: {}, endpoints: [{path: /metrics}]}\n');
    assert.match(await ok(['explain', 'servicemonitor.spec.endpoints']), /targetPort\s+<(IntOrString|Object|string)>/);
  });

  test('Kruise-like DaemonSet: scale subresource, defaults, typed printer columns', async () => {
    await ok(['apply', '-f', '-'], `apiVersion: apps.example.io/v1alpha1
kind: DaemonSet
metadata: {name: agent}
spec:
  replicas: 1
  selector: {matchLabels: {app: agent}}
  template: {metadata: {labels: {app: agent}}, spec: {containers: [{name: a, image: agent:1}]}}
`);
    const obj = JSON.parse(await ok(['get', 'daemonsets.apps.example.io', 'agent', '-o', 'json']));
    assert.equal(obj.spec.updateStrategy.type, 'RollingUpdate');
    assert.equal(obj.spec.revisionHistoryLimit, 10);
    assert.equal(obj.spec.template.spec.containers[0].image, 'agent:1', 'preserved unknown fields');
    await ok(['scale', 'daemonsets.apps.example.io/agent', '--replicas=3']);
    assert.equal(await ok(['get', 'daemonsets.apps.example.io', 'agent', '-o', 'jsonpath={.spec.replicas}']), '3');
    await ok(['patch', 'daemonsets.apps.example.io', 'agent', '--subresource=status', '--type=merge', '-p',
      '{"status":{"desiredNumberScheduled":3,"currentNumberScheduled":2,"numberReady":2,"readyRatio":0.5,"labelSelector":"app=agent"}}']);
    await ok(['patch', 'daemonsets.apps.example.io', 'agent', '--type=merge', '-p', '{"spec":{"updateStrategy":{"rollingUpdate":{"paused":true}}}}']);
    const out = await ok(['get', 'daemonsets.apps.example.io', '-o', 'wide']);
    assert.deepEqual(header(out), ['NAME', 'DESIRED', 'CURRENT', 'READY', 'RATIO', 'PAUSED', 'STRATEGY', 'AGE']);
    assert.deepEqual(row(out, 'agent')?.slice(0, 7), ['agent', '3', '2', '2', '0.5', 'true', 'RollingUpdate']);
    const scale = JSON.parse(await ok(['get', '--raw', '/apis/apps.example.io/v1alpha1/namespaces/default/daemonsets/agent/scale']));
    assert.deepEqual({ kind: scale.kind, apiVersion: scale.apiVersion, spec: scale.spec, status: scale.status },
      { kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 3 }, status: { replicas: 2, selector: 'app=agent' } });
    assert.match(await fails(['scale', 'daemonsets.apps.example.io/agent', '--replicas=-1']), /replicas/);
  });

  test('a ConfigMap owned by a custom resource is garbage-collected after its owner is deleted', async () => {
    const uid = await ok(['get', 'cert', 'ssa', '-o', 'jsonpath={.metadata.uid}']);
    await ok(['apply', '-f', '-'], `apiVersion: v1
kind: ConfigMap
metadata:
  name: ssa-owned
  ownerReferences: [{apiVersion: certs.example.io/v1, kind: Certificate, name: ssa, uid: ${uid}}]
data: {a: b}
`);
    await ok(['delete', 'cert', 'ssa']);
    await eventually(async () => (await kubectl(c, ['get', 'cm', 'ssa-owned'])).code !== 0, 30_000, 'the dependent ConfigMap to be collected');
  });

  test('a dependent whose owner kind is not served yet is retried, and collected once the kind exists without that owner', async () => {
    await ok(['apply', '-f', '-'], `apiVersion: v1
kind: ConfigMap
metadata:
  name: orphan-of-gizmo
  ownerReferences: [{apiVersion: late2.example.io/v1, kind: Gizmo, name: g, uid: 00000000-0000-0000-0000-000000000001}]
`);
    // Not collected on a guess while the kind is unknown.
    await new Promise((r) => setTimeout(r, 500));
    await ok(['get', 'cm', 'orphan-of-gizmo']);
    await ok(['apply', '-f', '-'], `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gizmos.late2.example.io}
spec:
  group: late2.example.io
  scope: Namespaced
  names: {plural: gizmos, kind: Gizmo}
  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]
`);
    await eventually(async () => (await kubectl(c, ['get', 'cm', 'orphan-of-gizmo'])).code !== 0, 45_000, 'the dependent of an absent Gizmo to be collected');
  });

  test('a namespace with custom resources in it is emptied and removed', async () => {
    await ok(['create', 'namespace', 'certs-ns']);
    await ok(['apply', '-n', 'certs-ns', '-f', '-'], certificate('in-ns'));
    await ok(['delete', 'namespace', 'certs-ns', '--wait=false']);
    await eventually(async () => (await kubectl(c, ['get', 'namespace', 'certs-ns'])).code !== 0, 30_000, 'the namespace to go');
  });

  test('deleting a CRD deletes its objects, then the CRD', async () => {
    assert.notEqual((await ok(['get', 'cert', '-A', '-o', 'name'])).trim(), '');
    await ok(['delete', 'crd', 'certificates.certs.example.io']);
    assert.match(await fails(['get', 'crd', 'certificates.certs.example.io']), /NotFound/);
    const raw = await kubectl(c, ['get', '--raw', '/apis/certs.example.io/v1/certificates']);
    assert.notEqual(raw.code, 0);
    assert.doesNotMatch(await ok(['api-resources']), /certs\.example\.io/);
    // Recreated, the kind starts empty: nothing of the old objects is left in storage.
    await ok(['apply', '-f', fixtures[0]!]);
    assert.match((await kubectl(c, ['get', 'cert', '-A'])).stderr, /No resources found/);
  });
});

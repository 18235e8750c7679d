// Server-side apply with the real kubectl: managedFields, conflicts between field managers,
// --force-conflicts, removal of fields a manager stopped applying, and kubectl's migration from
// client-side apply. Output and exit codes as against a real cluster.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { hasKubectl, kubectl, kubectlOk, startTestCluster, type TestCluster } from '../helpers/cluster.js';

const skip = hasKubectl ? false : 'kubectl is not installed on this machine; install kubectl 1.32 to run these tests';
if (skip) console.log(`# SKIP apiserver-ssa: ${skip}`);

let c: TestCluster;
before(async () => { if (!skip) c = await startTestCluster(); });
after(async () => { if (!skip) await c.stop(); });

const ok = (args: string[], input?: string) => kubectlOk(c, args, input);

function ds(name: string, image: string, env: string[] = [], labels: Record<string, string> = {}): string {
  const envYaml = env.length ? `\n        env:\n${env.map((e) => `        - {name: ${e}, value: "1"}`).join('\n')}` : '';
  const extra = Object.entries(labels).map(([k, v]) => `\n    ${k}: "${v}"`).join('');
  return `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ${name}
  labels:
    app: ${name}${extra}
spec:
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: app
        image: ${image}${envYaml}
`;
}

interface Entry { manager: string; operation: string; apiVersion: string; time?: string; fieldsType: string; fieldsV1: Record<string, unknown>; subresource?: string }

async function managed(name: string): Promise<Entry[]> {
  const out = parse(await ok(['get', 'ds', name, '-o', 'yaml', '--show-managed-fields'])) as { metadata: { managedFields?: Entry[] } };
  return out.metadata.managedFields ?? [];
}

const get = async (name: string, path: string) => ok(['get', 'ds', name, '-o', `jsonpath=${path}`]);

describe('kubectl apply --server-side', { skip }, () => {
  test('create and update record managers; get -o yaml hides them unless --show-managed-fields', async () => {
    await ok(['create', '-f', '-'], ds('created', 'busybox:1'));
    const [e] = await managed('created');
    assert.equal(e!.manager, 'kubectl-create');
    assert.equal(e!.operation, 'Update');
    assert.equal(e!.apiVersion, 'apps/v1');
    assert.equal(e!.fieldsType, 'FieldsV1');
    assert.match(e!.time!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const containers = ((((e!.fieldsV1['f:spec'] as Record<string, unknown>)['f:template'] as Record<string, unknown>)['f:spec'] as Record<string, unknown>)['f:containers'] as Record<string, unknown>);
    assert.ok('k:{"name":"app"}' in containers, JSON.stringify(containers));
    assert.doesNotMatch(await ok(['get', 'ds', 'created', '-o', 'yaml']), /managedFields/);
    await ok(['label', 'ds', 'created', 'team=a']);
    const managers = (await managed('created')).map((x) => x.manager);
    assert.deepEqual(managers.sort(), ['kubectl-create', 'kubectl-label']);
  });

  test('serverside-applied; unchanged on a repeat; the applier owns what it applied', async () => {
    assert.equal((await ok(['apply', '--server-side', '-f', '-'], ds('web', 'nginx:1', ['A', 'B']))).trim(), 'daemonset.apps/web serverside-applied');
    const rv = await get('web', '{.metadata.resourceVersion}');
    assert.equal((await ok(['apply', '--server-side', '-f', '-'], ds('web', 'nginx:1', ['A', 'B']))).trim(), 'daemonset.apps/web serverside-applied');
    assert.equal(await get('web', '{.metadata.resourceVersion}'), rv, 'an identical apply writes nothing');
    const [e] = await managed('web');
    assert.equal(e!.manager, 'kubectl');
    assert.equal(e!.operation, 'Apply');
    assert.deepEqual(e!.fieldsV1['f:metadata'], { 'f:labels': { 'f:app': {} } });
  });

  test('a field the applier drops is removed; one another manager set is kept', async () => {
    await ok(['apply', '--server-side', '-f', '-'], ds('web', 'nginx:1', ['A']));
    assert.equal(await get('web', '{.spec.template.spec.containers[0].env[*].name}'), 'A');
    await ok(['label', 'ds', 'web', 'owner=label']);
    await ok(['apply', '--server-side', '--field-manager', 'tool', '-f', '-'], ds('web', 'nginx:1', [], { extra: 'x' }));
    await ok(['apply', '--server-side', '-f', '-'], ds('web', 'nginx:1'));
    assert.equal(await get('web', '{.spec.template.spec.containers[0].env}'), '', 'env A was kubectl\'s alone');
    assert.equal(await get('web', '{.metadata.labels.owner}'), 'label', 'kubectl-label owns it');
    assert.equal(await get('web', '{.metadata.labels.extra}'), 'x', 'tool owns it');
  });

  test('a conflicting change is refused with 409 and the conflict; --force-conflicts takes the field', async () => {
    const r = await kubectl(c, ['apply', '--server-side', '--field-manager', 'argo', '-f', '-'], ds('web', 'nginx:2'));
    assert.equal(r.code, 1);
    // "tool" applied the same image earlier, so it shares the field with kubectl.
    assert.match(r.stderr, /^error: Apply failed with 2 conflicts: conflicts with "kubectl":\n- \.spec\.template\.spec\.containers\[name="app"\]\.image\nconflicts with "tool":\n- \.spec\.template\.spec\.containers\[name="app"\]\.image\n/);
    assert.match(r.stderr, /--force-conflicts/);
    assert.equal(await get('web', '{.spec.template.spec.containers[0].image}'), 'nginx:1');
    await ok(['apply', '--server-side', '--field-manager', 'argo', '--force-conflicts', '-f', '-'], ds('web', 'nginx:2'));
    assert.equal(await get('web', '{.spec.template.spec.containers[0].image}'), 'nginx:2');
    // kubectl lost the image: its next apply of the old value conflicts the other way.
    const back = await kubectl(c, ['apply', '--server-side', '-f', '-'], ds('web', 'nginx:1'));
    assert.match(back.stderr, /conflict with "argo": \.spec\.template\.spec\.containers\[name="app"\]\.image/);
  });

  test('a conflict with an updater names its apiVersion', async () => {
    await ok(['set', 'image', 'ds/web', 'app=nginx:3']);
    const r = await kubectl(c, ['apply', '--server-side', '--field-manager', 'argo', '-f', '-'], ds('web', 'nginx:2'));
    assert.match(r.stderr, /conflict with "kubectl-set" using apps\/v1: \.spec\.template\.spec\.containers\[name="app"\]\.image/);
  });

  test('server-side apply of an object client-side apply created takes it over; later mixes behave', async () => {
    assert.equal((await ok(['apply', '-f', '-'], ds('csa', 'redis:1'))).trim(), 'daemonset.apps/csa created');
    assert.deepEqual((await managed('csa')).map((e) => e.manager), ['kubectl-client-side-apply']);
    assert.equal((await ok(['apply', '--server-side', '-f', '-'], ds('csa', 'redis:2'))).trim(), 'daemonset.apps/csa serverside-applied');
    assert.equal(await get('csa', '{.spec.template.spec.containers[0].image}'), 'redis:2');
    const last = JSON.parse(await get('csa', '{.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}')) as { spec: { template: { spec: { containers: Array<{ image: string }> } } } };
    assert.equal(last.spec.template.spec.containers[0]!.image, 'redis:2', 'the annotation follows the server-side apply');
    // Back to client-side apply: it diffs against the updated annotation, so the change applies.
    assert.equal((await ok(['apply', '-f', '-'], ds('csa', 'redis:3'))).trim(), 'daemonset.apps/csa configured');
    assert.equal(await get('csa', '{.spec.template.spec.containers[0].image}'), 'redis:3');
  });

  test('managedFields can be cleared with [{}]', async () => {
    await ok(['patch', 'ds', 'web', '--type=merge', '-p', '{"metadata":{"managedFields":[{}]}}']);
    assert.deepEqual(await managed('web'), []);
  });

  test('dry-run server-side apply changes nothing', async () => {
    const rv = await get('csa', '{.metadata.resourceVersion}');
    assert.match(await ok(['apply', '--server-side', '--dry-run=server', '-f', '-'], ds('csa', 'redis:9')), /serverside-applied \(server dry run\)/);
    assert.equal(await get('csa', '{.metadata.resourceVersion}'), rv);
  });
});

// Kinds the embedded cluster does not serve (StatefulSet, Job, Ingress, …) must look to
// kubectl exactly as on a real cluster without that API: absent from discovery, so kubectl itself
// says "the server doesn't have a resource type" or "no matches for kind".
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasKubectl, kubectl, startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { rawRequest } from '../helpers/http.js';

const skip = hasKubectl ? false : 'kubectl is not installed on this machine';

let c: TestCluster;
let manifest: string;
/** kubectl's default client validation needs /openapi/v2 (served by the CRD work); until then it stops earlier. */
let openapiV2 = false;
before(async () => {
  if (skip) return;
  c = await startTestCluster();
  manifest = join(c.dir, 'statefulset.yaml');
  writeFileSync(manifest, `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: web
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx}]}
`);
  openapiV2 = (await rawRequest(c, 'GET', '/openapi/v2')).status === 200;
});
after(async () => { if (!skip) await c.stop(); });

const noMatches = (file: string) =>
  `error: resource mapping not found for name: "web" namespace: "" from "${file}": no matches for kind "StatefulSet" in version "apps/v1"\nensure CRDs are installed first\n`;

describe('unsupported kinds, as against a server without that API', { skip }, () => {
  test('kubectl get <unserved resource>', async () => {
    for (const [arg, shown] of [['statefulsets.apps', 'statefulsets'], ['jobs.batch', 'jobs'], ['statefulsets', 'statefulsets'], ['ingress', 'ingress'], ['cronjobs', 'cronjobs']]) {
      const r = await kubectl(c, ['get', arg!]);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, `error: the server doesn't have a resource type "${shown}"\n`);
    }
  });

  test('kubectl apply/create -f statefulset.yaml without client validation: no matches for kind', async () => {
    for (const verb of ['apply', 'create']) {
      const r = await kubectl(c, [verb, '--validate=false', '-f', manifest]);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, noMatches(manifest));
    }
  });

  test('kubectl apply -f statefulset.yaml (default validation): no matches for kind', async (t) => {
    if (!openapiV2) t.todo('/openapi/v2 is not served yet: kubectl stops at "failed to download openapi"');
    const r = await kubectl(c, ['apply', '-f', manifest]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, noMatches(manifest));
  });

  test('kubectl create job: the typed client gets 404 from the path, as upstream', async () => {
    const r = await kubectl(c, ['create', 'job', 'web', '--image=nginx']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'error: failed to create job: the server could not find the requested resource\n');
  });

  test('kubectl api-resources lists only what is served', async () => {
    const r = await kubectl(c, ['api-resources', '--api-group=apps', '-o', 'name']);
    assert.deepEqual(r.stdout.trim().split('\n').sort(), ['controllerrevisions.apps', 'daemonsets.apps', 'deployments.apps', 'replicasets.apps']);
  });
});

// End to end with the real kubectl: exec, attach and port-forward on a pod of a simulated node
// fail the way they fail against a real server whose kubelet is unreachable (a 500 naming the
// cause), not with a bare NotFound; logs keeps its one simulated line.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, Status } from '../../src/api/types.js';
import { ApiStatusError, RawClient } from '../../src/kube/client.js';
import { eventually, hasKubectl, kubectl, startTestCluster, type TestCluster } from '../helpers/cluster.js';

let c: TestCluster;
let api: RawClient;
const pods = '/api/v1/namespaces/default/pods';
const CAUSE = /simulated node node-0 has no container runtime/;

before(async () => {
  c = await startTestCluster({ nodes: 1 });
  api = new RawClient(c.kubeConfig());
  await api.request('POST', pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { nodeName: 'node-0', containers: [{ name: 'web', image: 'nginx:1.27' }, { name: 'side', image: 'busybox:1' }] } });
  await api.request('POST', pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'unbound' }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } });
  await eventually(async () => (await api.request<Pod>('GET', `${pods}/web`)).status?.phase === 'Running', 30_000, 'web Running');
});
after(async () => { api.close(); await c.stop(); });

const statusOf = async (method: string, path: string): Promise<Status> => {
  try { await api.request(method, path); } catch (err) { if (err instanceof ApiStatusError) return err.body as Status; throw err; }
  assert.fail(`${method} ${path} succeeded`);
};

describe('connect subresources on a simulated node', () => {
  test('exec, attach and portforward answer 500 naming the simulated node, for GET and POST', async () => {
    for (const [method, path] of [
      ['POST', `${pods}/web/exec?command=sh&container=web&stdin=true`], ['GET', `${pods}/web/exec?command=ls&container=side`],
      ['POST', `${pods}/web/attach?container=web`], ['GET', `${pods}/web/portforward?ports=80`], ['POST', `${pods}/web/portforward?ports=80`],
    ]) {
      const s = await statusOf(method, path);
      assert.equal(s.code, 500, path);
      assert.match(s.message ?? '', CAUSE, path);
    }
  });

  test('the checks a real server makes first: container, host assigned, pod exists', async () => {
    assert.deepEqual([(await statusOf('POST', `${pods}/web/exec?command=ls&container=nope`)).message, (await statusOf('POST', `${pods}/web/exec?command=ls&container=nope`)).code],
      ['container nope is not valid for pod web', 400]);
    assert.equal((await statusOf('POST', `${pods}/web/exec?command=ls`)).message, 'a container name must be specified for pod web, choose one of: [web side]');
    assert.equal((await statusOf('POST', `${pods}/unbound/exec?command=ls&container=c`)).message, 'pod unbound does not have a host assigned');
    assert.equal((await statusOf('POST', `${pods}/missing/exec?command=ls`)).code, 404);
    assert.equal((await statusOf('DELETE', `${pods}/web/exec`)).code, 405);
  });

  test('kubectl exec, attach and port-forward print the cause', { skip: !hasKubectl }, async () => {
    for (const args of [['exec', 'web', '-c', 'web', '--', 'ls'], ['exec', '-i', 'web', '--', 'sh'], ['attach', 'web', '-c', 'web'], ['port-forward', 'pod/web', '18080:80']]) {
      const r = await kubectl(c, args, '');
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(r.stderr, CAUSE, `${args.join(' ')}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /NotFound|could not find the requested resource/);
    }
  });

  test('kubectl logs keeps its one simulated line', { skip: !hasKubectl }, async () => {
    const r = await kubectl(c, ['logs', 'web', '-c', 'side']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^simulated container side of pod default\/web/);
  });
});

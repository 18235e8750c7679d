// /healthz, /livez and /readyz over real HTTPS: public at the root (as system:public-info-viewer
// makes them upstream), verbose listings, exclusions and individual checks; with the real kubectl.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hasKubectl, kubectl, startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { rawRequest } from '../helpers/http.js';

let c: TestCluster;
before(async () => { c = await startTestCluster(); });
after(async () => { await c.stop(); });

describe('health endpoints', () => {
  test('anonymous /livez?verbose lists the checks; /healthz is "ok" as text', async () => {
    const live = await rawRequest(c, 'GET', '/livez?verbose', { token: null });
    assert.equal(live.status, 200);
    assert.match(String(live.headers['content-type']), /^text\/plain/);
    assert.equal(live.text, '[+]ping ok\n[+]log ok\n[+]etcd ok\nlivez check passed\n');
    const health = await rawRequest(c, 'GET', '/healthz', { token: null });
    assert.deepEqual([health.status, health.text], [200, 'ok']);
  });

  test('/readyz?exclude=… and /readyz/<check>; an unknown check is 404', async () => {
    const r = await rawRequest(c, 'GET', '/readyz?verbose&exclude=shutdown&exclude=nosuch');
    assert.equal(r.text, '[+]ping ok\n[+]log ok\n[+]etcd ok\n[+]etcd-readiness ok\n[+]shutdown excluded: ok\n'
      + 'warn: some health checks cannot be excluded: no matches for "nosuch"\nreadyz check passed\n');
    const one = await rawRequest(c, 'GET', '/readyz/etcd');
    assert.deepEqual([one.status, one.text], [200, 'ok']);
    assert.equal((await rawRequest(c, 'GET', '/livez/nosuch')).status, 404);
  });

  test('kubectl get --raw /readyz?verbose', { skip: hasKubectl ? false : 'kubectl is not installed' }, async () => {
    const r = await kubectl(c, ['get', '--raw', '/readyz?verbose']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\[\+\]ping ok\n[\s\S]*\[\+\]etcd ok\n[\s\S]*readyz check passed\n$/);
  });
});

// The chaos proxy over real HTTPS in front of an embedded API server: each fault does what it
// says, and with no faults it is transparent (TLS with its own CA, the cluster's token forwarded).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { eventually, startTestCluster, type TestCluster } from '../../../test/helpers/cluster.js';
import { ApiStatusError, RawClient } from '../../kube/client.js';
import { watchStream } from '../../kube/watchstream.js';
import { NO_FAULTS, type FaultRates } from './faults.js';
import { ChaosProxy } from './proxy.js';

let c: TestCluster;
let proxy: ChaosProxy;
let viaProxy: RawClient;
let direct: RawClient;
const only = (k: keyof FaultRates): FaultRates => ({ ...NO_FAULTS, [k]: 1 });
const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: '1' } });
const CMS = '/api/v1/namespaces/default/configmaps';

before(async () => {
  c = await startTestCluster();
  proxy = new ChaosProxy({ upstream: c.url, upstreamCaPem: c.caCertPem, seed: 1 });
  await proxy.start();
  const kc = new KubeConfig();
  kc.loadFromString(proxy.kubeconfig(c.token));
  viaProxy = new RawClient(kc);
  direct = new RawClient(c.kubeConfig());
});

after(async () => {
  viaProxy.close();
  direct.close();
  await proxy.close();
  await c.stop();
});

test('refuses an upstream that is not loopback', () => {
  assert.throws(() => new ChaosProxy({ upstream: 'https://example.com:6443', upstreamCaPem: '', seed: 1 }), /loopback only/);
});

test('without faults it is transparent: its own CA, the cluster token forwarded, writes reach the server', async () => {
  proxy.setRates(NO_FAULTS);
  assert.ok(proxy.url.startsWith('https://127.0.0.1:'));
  await viaProxy.request('POST', CMS, cm('through'));
  const got = await direct.request<{ data: Record<string, string> }>('GET', `${CMS}/through`);
  assert.deepEqual(got.data, { a: '1' });
  // The proxy's certificate is not the cluster's: a client trusting only the cluster CA refuses it.
  const wrongCa = new KubeConfig();
  wrongCa.loadFromString(c.kubeconfig.replace(c.url, proxy.url));
  const refused = new RawClient(wrongCa);
  await assert.rejects(refused.request('GET', '/version'));
  refused.close();
});

test('500, 503 and 429 come back as metav1.Status; 429 carries Retry-After; nothing is forwarded', async () => {
  for (const [k, code, reason] of [['error500', 500, 'InternalError'], ['error503', 503, 'ServiceUnavailable'], ['throttle429', 429, 'TooManyRequests']] as const) {
    proxy.setRates(only(k));
    await assert.rejects(viaProxy.request('POST', CMS, cm(`status-${code}`)), (e: unknown) => e instanceof ApiStatusError && e.code === code && e.reason === reason);
    proxy.setRates(NO_FAULTS);
    await assert.rejects(direct.request('GET', `${CMS}/status-${code}`), (e: unknown) => e instanceof ApiStatusError && e.code === 404);
  }
  proxy.setRates(only('throttle429'));
  const opts = await viaProxy.requestOptions('GET', CMS);
  const retryAfter = await new Promise<string | undefined>((resolve, reject) => {
    https.request({ ...opts, agent: false }, (res) => { res.resume(); resolve(res.headers['retry-after'] as string | undefined); }).on('error', reject).end();
  });
  assert.match(retryAfter ?? '', /^[12]$/);
  assert.ok((proxy.counts.get('throttle429') ?? 0) >= 2);
});

test('a reset before forwarding loses the write; a reset after forwarding loses only the answer', async () => {
  proxy.setRates(only('resetBefore'));
  await assert.rejects(viaProxy.request('POST', CMS, cm('reset-before')), (e: unknown) => !(e instanceof ApiStatusError));
  proxy.setRates(only('resetAfter'));
  await assert.rejects(viaProxy.request('POST', CMS, cm('reset-after')), (e: unknown) => !(e instanceof ApiStatusError));
  proxy.setRates(NO_FAULTS);
  await assert.rejects(direct.request('GET', `${CMS}/reset-before`), (e: unknown) => e instanceof ApiStatusError && e.code === 404);
  await direct.request('GET', `${CMS}/reset-after`);
});

test('watch faults: dropped at once, cut cleanly, stalled then reset; cutWatches ends every open stream', async () => {
  const signal = new AbortController().signal;
  const watch = () => watchStream(viaProxy, CMS, { resourceVersion: '0' }, () => {}, { signal, idleTimeoutMs: 20_000 });
  proxy.setRates(only('watchDrop'));
  await assert.rejects(watch());
  proxy.setRates(only('watchCut'));
  assert.deepEqual(await watch(), { kind: 'closed' });
  proxy.setRates(only('watchStall'));
  const stalled = watch().then(() => 'ended', () => 'reset');
  assert.equal(await stalled, 'reset');
  proxy.setRates(NO_FAULTS);
  const open = watch();
  await eventually(() => proxy.openWatches === 1, 20_000, 'the watch to be forwarded');
  proxy.cutWatches();
  assert.deepEqual(await open, { kind: 'closed' });
  for (const k of ['watchDrop', 'watchCut', 'watchStall'] as const) assert.ok((proxy.counts.get(k) ?? 0) >= 1, k);
});

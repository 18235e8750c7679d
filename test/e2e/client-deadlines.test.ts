// The RawClient's deadlines over real HTTPS: a server that accepts the connection but never
// answers makes a request reject after its timeout and a watch after its connect timeout; an
// abort rejects at once; in every case the socket is destroyed rather than returned to the pool.
// Losing leadership aborts exactly the writes of the leader-only runnables.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { ensurePki } from '../../src/apiserver/pki.js';
import { kubeconfigYaml } from '../../src/cluster/kubeconfig.js';
import { RawClient, RequestAbortedError, setRequestResultHook } from '../../src/kube/client.js';
import { watchStream } from '../../src/kube/watchstream.js';
import { Manager } from '../../src/kube/manager.js';

let server: https.Server;
let kc: KubeConfig;
const sockets = new Set<Socket>();
let requestsSeen = 0;

before(async () => {
  const pki = await ensurePki(null);
  // Reads each request and never writes a byte back.
  server = https.createServer({ cert: pki.certPem, key: pki.keyPem }, () => { requestsSeen++; });
  server.on('secureConnection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  kc = new KubeConfig();
  kc.loadFromString(kubeconfigYaml({ server: `https://127.0.0.1:${port}`, caCertPem: pki.caCertPem, token: pki.token }));
});
after(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => server.close(r));
});

/** Waits (bounded) until the server has seen every socket of ours closed. */
async function socketsClosed(): Promise<boolean> {
  for (let i = 0; i < 50 && sockets.size > 0; i++) await new Promise((r) => setTimeout(r, 20));
  return sockets.size === 0;
}

test('a request the server never answers rejects with a timeout error and frees its socket', { timeout: 10_000 }, async () => {
  const outcomes: string[] = [];
  setRequestResultHook((r) => outcomes.push(`${r.method} ${r.code}`));
  const client = new RawClient(kc, { timeoutMs: 300 });
  try {
    const err = await client.request('GET', '/api/v1/pods').then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof RequestAbortedError, String(err));
    assert.equal(err.why, 'timeout');
    assert.match(err.message, /GET \/api\/v1\/pods: no answer within 300 ms/);
    assert.deepEqual(outcomes, ['GET <error>']);
    assert.ok(await socketsClosed(), 'the timed-out socket is destroyed');
  } finally { client.close(); setRequestResultHook(undefined); }
});

test('a per-request timeout overrides the client default', { timeout: 10_000 }, async () => {
  const client = new RawClient(kc); // default 30 s
  try {
    const err = await client.request('POST', '/api/v1/namespaces', { metadata: { name: 'x' } }, undefined, { timeoutMs: 200 }).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof RequestAbortedError && err.why === 'timeout', String(err));
  } finally { client.close(); }
});

test('aborting the caller signal or the client signal rejects at once; an aborted signal sends nothing', { timeout: 10_000 }, async () => {
  const clientStop = new AbortController();
  const client = new RawClient(kc, { timeoutMs: 0, signal: clientStop.signal });
  try {
    const call = new AbortController();
    const before = requestsSeen;
    const pending = client.request('GET', '/api/v1/nodes', undefined, undefined, { signal: call.signal });
    // Abort only once the server holds the request, so the abort (not a refused connect) ends it.
    for (let i = 0; i < 100 && requestsSeen === before; i++) await new Promise((r) => setTimeout(r, 10));
    call.abort();
    const err = await pending.then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof RequestAbortedError && err.why === 'aborted', String(err));

    const second = client.request('GET', '/api/v1/nodes');
    for (let i = 0; i < 100 && requestsSeen === before + 1; i++) await new Promise((r) => setTimeout(r, 10));
    clientStop.abort();
    const err2 = await second.then(() => undefined, (e: unknown) => e);
    assert.ok(err2 instanceof RequestAbortedError && err2.why === 'aborted', String(err2));
    assert.ok(await socketsClosed(), 'aborted sockets are destroyed');

    const seen = requestsSeen;
    const err3 = await client.request('GET', '/api/v1/nodes').then(() => undefined, (e: unknown) => e);
    assert.ok(err3 instanceof RequestAbortedError && err3.why === 'aborted', String(err3));
    assert.equal(requestsSeen, seen, 'nothing was sent');
  } finally { client.close(); }
});

test('a watch whose server never answers rejects after its connect timeout; abort ends it as closed', { timeout: 10_000 }, async () => {
  const client = new RawClient(kc);
  try {
    const err = await watchStream(client, '/api/v1/pods', {}, () => {}, { signal: new AbortController().signal, connectTimeoutMs: 300 })
      .then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof RequestAbortedError && err.why === 'timeout', String(err));
    assert.ok(await socketsClosed());
    const stop = new AbortController();
    const ended = watchStream(client, '/api/v1/pods', {}, () => {}, { signal: stop.signal, connectTimeoutMs: 0 });
    setTimeout(() => stop.abort(), 100);
    assert.deepEqual(await ended, { kind: 'closed' });
  } finally { client.close(); }
});

test('losing leadership aborts the controllers\' in-flight writes, and only theirs', { timeout: 10_000 }, async () => {
  // One client for the process; the leader-only runnables write through its view bound to the
  // manager's leader-only signal, the caches read through the client itself.
  const client = new RawClient(kc, { timeoutMs: 0 });
  let lose!: () => void;
  const lost = new Promise<void>((r) => { lose = r; });
  const manager = new Manager({
    leadership: { acquire: async () => true, hold: async (signal) => { await Promise.race([lost, new Promise((r) => signal.addEventListener('abort', r))]); return signal.aborted ? 'stopped' : 'lost'; }, release: async () => {} },
    gracefulShutdownMs: 2_000,
  });
  const writes = client.withSignal(manager.leaderOnlySignal);
  let write: Promise<unknown> | undefined;
  let read: Promise<unknown> | undefined;
  const before = requestsSeen;
  manager.add('leaderOnly', {
    name: 'controller',
    async start(signal) {
      write = writes.request('POST', '/api/v1/namespaces/a/pods', { metadata: { name: 'p' } }).then(() => 'answered', (e: unknown) => e);
      read = client.request('GET', '/api/v1/pods').then(() => 'answered', (e: unknown) => e);
      await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
    },
  });
  try {
    const run = manager.start(new AbortController().signal);
    for (let i = 0; i < 200 && requestsSeen < before + 2; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(requestsSeen, before + 2, 'both requests are held by the server');
    lose();
    const result = await run;
    assert.equal(result.leadershipLost, true);
    const err = await write;
    assert.ok(err instanceof RequestAbortedError && err.why === 'aborted', String(err));
    const pending = await Promise.race([read, new Promise((r) => setTimeout(() => r('still pending'), 100))]);
    assert.equal(pending, 'still pending', 'a read on the process client is not the lease\'s to cancel');
    const after = await writes.request('GET', '/api/v1/nodes').then(() => undefined, (e: unknown) => e);
    assert.ok(after instanceof RequestAbortedError && after.why === 'aborted', 'a deposed leader sends no more writes');
  } finally { client.close(); }
});

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import YAML from 'yaml';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { kubeconfigYaml, writeKubeconfig } from './kubeconfig.js';
import { ensurePki, type PkiMaterial } from '../apiserver/pki.js';

const CA = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';
const hasKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;

let dir: string;
before(() => { dir = mkdtempSync(path.join(tmpdir(), 'everynode-kubeconfig-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

describe('kubeconfigYaml', () => {
  test('client-node reads server, CA, token and namespace; all entries named everynode', () => {
    const kc = new KubeConfig();
    kc.loadFromString(kubeconfigYaml({ server: 'https://127.0.0.1:6443', caCertPem: CA, token: 'tok', namespace: 'kube-system' }));
    assert.equal(kc.getCurrentContext(), 'everynode');
    assert.deepEqual(kc.getContextObject('everynode'), { name: 'everynode', cluster: 'everynode', user: 'everynode', namespace: 'kube-system' });
    const cluster = kc.getCurrentCluster();
    assert.equal(cluster?.name, 'everynode');
    assert.equal(cluster?.server, 'https://127.0.0.1:6443');
    assert.equal(Buffer.from(cluster?.caData ?? '', 'base64').toString(), CA);
    assert.equal(cluster?.skipTLSVerify, false);
    assert.equal(kc.getCurrentUser()?.name, 'everynode');
    assert.equal(kc.getCurrentUser()?.token, 'tok');
  });

  test('custom context name; no namespace key unless asked for', () => {
    const text = kubeconfigYaml({ server: 'https://h:1', caCertPem: CA, token: 't', contextName: 'dev' });
    assert.deepEqual(YAML.parse(text).contexts, [{ name: 'dev', context: { cluster: 'dev', user: 'dev' } }]);
    const kc = new KubeConfig();
    kc.loadFromString(text);
    assert.equal(kc.getCurrentContext(), 'dev');
    assert.equal(kc.getCurrentCluster()?.name, 'dev');
    assert.equal(kc.getCurrentUser()?.name, 'dev');
  });

  test('kubectl config view parses it', { skip: hasKubectl ? false : 'kubectl is not on PATH' }, async () => {
    const file = path.join(dir, 'view.yaml');
    writeFileSync(file, kubeconfigYaml({ server: 'https://127.0.0.1:6443', caCertPem: CA, token: 'tok', namespace: 'ns1' }));
    const cfg = JSON.parse(await kubectl(['config', 'view', '--raw', '-o', 'json', '--kubeconfig', file], dir)) as {
      clusters: { name: string; cluster: Record<string, string> }[]; users: { name: string; user: Record<string, string> }[];
      contexts: { name: string; context: Record<string, string> }[]; 'current-context': string;
    };
    assert.equal(cfg['current-context'], 'everynode');
    assert.deepEqual(cfg.clusters[0], { name: 'everynode', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': Buffer.from(CA).toString('base64') } });
    assert.deepEqual(cfg.users[0], { name: 'everynode', user: { token: 'tok' } });
    assert.deepEqual(cfg.contexts[0], { name: 'everynode', context: { cluster: 'everynode', user: 'everynode', namespace: 'ns1' } });
  });
});

describe('writeKubeconfig', () => {
  test('creates parent directories and writes mode 0600', async () => {
    const file = path.join(dir, 'new', 'sub', 'config');
    await writeKubeconfig(file, { server: 'https://127.0.0.1:1', caCertPem: CA, token: 't' });
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(readFileSync(file, 'utf8'), kubeconfigYaml({ server: 'https://127.0.0.1:1', caCertPem: CA, token: 't' }));
  });

  test('replaces an existing file and tightens its mode', async () => {
    const file = path.join(dir, 'existing');
    writeFileSync(file, 'old: content\n');
    chmodSync(file, 0o644);
    await writeKubeconfig(file, { server: 'https://127.0.0.1:2', caCertPem: CA, token: 't2' });
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.doesNotMatch(readFileSync(file, 'utf8'), /old: content/);
  });
});

// End to end with the real PKI: the kubeconfig alone must let clients verify the server and authenticate.
describe('kubeconfig + PKI against an HTTPS server that checks the token', () => {
  let pki: PkiMaterial;
  let server: https.Server;
  let url: string;
  const seen: string[] = [];
  before(async () => {
    pki = await ensurePki(null);
    server = await startTokenCheckingServer(pki, seen);
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));

  test('client-node lists namespaces; a wrong token gets 401', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(kubeconfigYaml({ server: url, caCertPem: pki.caCertPem, token: pki.token }));
    const list = await kc.makeApiClient(CoreV1Api).listNamespace();
    assert.deepEqual(list.items.map((n) => n.metadata?.name), ['default']);

    const bad = new KubeConfig();
    bad.loadFromString(kubeconfigYaml({ server: url, caCertPem: pki.caCertPem, token: 'wrong' }));
    await assert.rejects(bad.makeApiClient(CoreV1Api).listNamespace(), (e: { code?: number }) => e.code === 401);
  });

  test('kubectl trusts the CA and sends the token', { skip: hasKubectl ? false : 'kubectl is not on PATH' }, async () => {
    const file = path.join(dir, 'e2e');
    await writeKubeconfig(file, { server: url, caCertPem: pki.caCertPem, token: pki.token });
    seen.length = 0;
    const out = await kubectl(['get', 'namespaces', '-o', 'name', '--kubeconfig', file, `--cache-dir=${path.join(dir, 'cache')}`], dir);
    assert.equal(out.trim(), 'namespace/default');
    assert.ok(seen.includes('GET /api/v1/namespaces'), `requests seen: ${seen.join(', ')}`);
  });
});

function kubectl(args: string[], home: string): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
  delete env.KUBECONFIG;
  return new Promise((resolve, reject) => {
    execFile('kubectl', args, { env, timeout: 60_000 }, (err, stdout, stderr) =>
      (err ? reject(new Error(`kubectl ${args.join(' ')}: ${stderr}`)) : resolve(stdout)));
  });
}

/** Minimal API: 401 without the bearer token, else discovery and a one-item namespace list. */
async function startTokenCheckingServer(pki: PkiMaterial, seen: string[]): Promise<https.Server> {
  const routes: Record<string, unknown> = {
    '/version': { major: '1', minor: '32', gitVersion: 'v1.32.0', platform: 'linux/amd64' },
    '/api': { kind: 'APIVersions', versions: ['v1'] },
    '/apis': { kind: 'APIGroupList', apiVersion: 'v1', groups: [] },
    '/api/v1': { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'v1', resources: [
      { name: 'namespaces', singularName: 'namespace', namespaced: false, kind: 'Namespace', verbs: ['get', 'list'] }] },
    '/api/v1/namespaces': { kind: 'NamespaceList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }] },
  };
  const server = https.createServer({ cert: pki.certPem, key: pki.keyPem }, (req, res) => {
    const p = new URL(req.url ?? '/', 'https://x').pathname;
    res.setHeader('content-type', 'application/json');
    if (req.headers.authorization !== `Bearer ${pki.token}`) {
      res.writeHead(401).end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Unauthorized', code: 401, message: 'Unauthorized' }));
      return;
    }
    seen.push(`${req.method} ${p}`);
    const body = routes[p];
    if (body) res.writeHead(200).end(JSON.stringify(body));
    else res.writeHead(404).end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

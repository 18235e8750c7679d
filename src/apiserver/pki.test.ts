import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { ensurePki, leafReusable, nearExpiry, wantedSans, type PkiMaterial } from './pki.js';

const DAY = 24 * 60 * 60 * 1000;
const T0 = new Date('2030-01-01T00:00:00Z');
const at = (days: number) => new Date(T0.getTime() + days * DAY);

const dirs: string[] = [];
const tempDir = () => { const d = mkdtempSync(path.join(tmpdir(), 'everynode-pki-')); dirs.push(d); return d; };
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

// Node's own X.509 parser checks what @peculiar/x509 produced, independently of it.
const sanOf = (pem: string) => new X509Certificate(pem).subjectAltName?.split(', ').sort() ?? [];
const mode = (f: string) => statSync(f).mode & 0o777;

describe('pure decisions', () => {
  test('wantedSans: loopback always, extras classified, deduplicated, IPv6 canonical, DNS lower-cased', () => {
    assert.deepEqual(wantedSans(), ['dns:localhost', 'ip:127.0.0.1', 'ip:::1']);
    assert.deepEqual(wantedSans(['MyHost', ' 10.0.0.5 ', '0:0::1', 'localhost', '', 'fe80:0::1']),
      ['dns:localhost', 'dns:myhost', 'ip:10.0.0.5', 'ip:127.0.0.1', 'ip:::1', 'ip:fe80::1']);
  });

  test('nearExpiry: inside the 30-day window, or not yet valid', () => {
    assert.equal(nearExpiry(at(0), at(365), at(0)), false);
    assert.equal(nearExpiry(at(0), at(365), at(334)), false);
    assert.equal(nearExpiry(at(0), at(365), at(336)), true);
    assert.equal(nearExpiry(at(0), at(365), at(400)), true);
    assert.equal(nearExpiry(at(1), at(365), at(0)), true);
  });

  test('leafReusable: needs the right issuer, time and exact SAN set', () => {
    const wanted = wantedSans(['h']);
    const ok = { notBefore: at(0), notAfter: at(365), sans: [...wanted].reverse(), signedByCa: true };
    assert.equal(leafReusable(ok, wanted, at(10)), true);
    assert.equal(leafReusable({ ...ok, signedByCa: false }, wanted, at(10)), false);
    assert.equal(leafReusable(ok, wanted, at(350)), false);
    assert.equal(leafReusable(ok, wantedSans(), at(10)), false, 'a removed name forces a new cert too');
    assert.equal(leafReusable(ok, wantedSans(['h', 'other']), at(10)), false);
  });
});

describe('ensurePki', () => {
  test('in memory: a client trusting only the CA accepts the serving cert for every loopback name', async () => {
    const m = await ensurePki(null);
    assert.match(m.token, /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url');
    const ca = new X509Certificate(m.caCertPem);
    const leaf = new X509Certificate(m.certPem);
    assert.equal(ca.ca, true);
    assert.equal(leaf.ca, false);
    assert.ok(leaf.checkIssued(ca) && leaf.verify(ca.publicKey));
    assert.deepEqual(sanOf(m.certPem), ['DNS:localhost', 'IP Address:0:0:0:0:0:0:0:1', 'IP Address:127.0.0.1']);
    assert.ok(leaf.checkHost('localhost') && leaf.checkIP('127.0.0.1') && leaf.checkIP('::1'));

    await withTlsServer(m, '127.0.0.1', async (port) => {
      assert.equal(await handshake({ host: '127.0.0.1', port, ca: m.caCertPem }), 'ok');
      assert.equal(await handshake({ host: '127.0.0.1', port, ca: m.caCertPem, servername: 'localhost' }), 'ok');
      const stranger = await ensurePki(null);
      assert.match(await handshake({ host: '127.0.0.1', port, ca: stranger.caCertPem }), /UNABLE_TO_VERIFY|self.signed|unable to/i);
      assert.match(await handshake({ host: '127.0.0.1', port, ca: m.caCertPem, servername: 'elsewhere.example' }), /altnames|Hostname/i);
    });
  });

  test('on disk: files written with tight modes and reused on the next start', async () => {
    const dir = tempDir();
    const first = await ensurePki(dir, { now: T0 });
    for (const f of ['ca.key', 'server.key', 'token']) assert.equal(mode(path.join(dir, f)), 0o600, f);
    assert.equal(readFileSync(path.join(dir, 'ca.crt'), 'utf8'), first.caCertPem);
    assert.equal(readFileSync(path.join(dir, 'server.crt'), 'utf8'), first.certPem);
    assert.equal(readFileSync(path.join(dir, 'server.key'), 'utf8'), first.keyPem);
    assert.equal(readFileSync(path.join(dir, 'token'), 'utf8').trim(), first.token);

    chmodSync(path.join(dir, 'server.key'), 0o644);
    const second = await ensurePki(dir, { now: at(100) });
    assert.deepEqual(second, first);
    assert.equal(mode(path.join(dir, 'server.key')), 0o600, 'a loosened key file is tightened again');
  });

  test('changed SANs renew only the leaf; CA and token stay', async () => {
    const dir = tempDir();
    const first = await ensurePki(dir, { now: T0 });
    const second = await ensurePki(dir, { now: T0, extraSans: ['build-host', '192.0.2.7'] });
    assert.equal(second.caCertPem, first.caCertPem);
    assert.equal(second.token, first.token);
    assert.notEqual(second.keyPem, first.keyPem);
    assert.deepEqual(sanOf(second.certPem), ['DNS:build-host', 'DNS:localhost', 'IP Address:0:0:0:0:0:0:0:1', 'IP Address:127.0.0.1', 'IP Address:192.0.2.7']);
    assert.ok(new X509Certificate(second.certPem).verify(new X509Certificate(first.caCertPem).publicKey));
    assert.deepEqual(await ensurePki(dir, { now: T0, extraSans: ['192.0.2.7', 'BUILD-HOST'] }), second, 'same set, other order/case: reused');
  });

  test('expiry: the leaf renews within 30 days of notAfter, the CA near its own', async () => {
    const dir = tempDir();
    const first = await ensurePki(dir, { now: T0 });
    assert.deepEqual(await ensurePki(dir, { now: at(330) }), first);
    const renewed = await ensurePki(dir, { now: at(340) });
    assert.equal(renewed.caCertPem, first.caCertPem);
    assert.notEqual(renewed.certPem, first.certPem);
    assert.ok(new Date(new X509Certificate(renewed.certPem).validTo).getTime() > at(700).getTime());
    const newCa = await ensurePki(dir, { now: at(3640) });
    assert.notEqual(newCa.caCertPem, first.caCertPem);
    assert.ok(new X509Certificate(newCa.certPem).verify(new X509Certificate(newCa.caCertPem).publicKey));
    assert.equal(newCa.token, first.token);
  });

  test('unreadable stored material is replaced, not fatal', async () => {
    const dir = tempDir();
    const first = await ensurePki(dir, { now: T0 });
    writeFileSync(path.join(dir, 'server.crt'), 'garbage');
    const fixedLeaf = await ensurePki(dir, { now: T0 });
    assert.equal(fixedLeaf.caCertPem, first.caCertPem);
    assert.ok(new X509Certificate(fixedLeaf.certPem).verify(new X509Certificate(first.caCertPem).publicKey));
    writeFileSync(path.join(dir, 'ca.key'), 'garbage');
    const fixedCa = await ensurePki(dir, { now: T0 });
    assert.notEqual(fixedCa.caCertPem, first.caCertPem);
    assert.ok(new X509Certificate(fixedCa.certPem).verify(new X509Certificate(fixedCa.caCertPem).publicKey), 'leaf re-issued by the new CA');
  });
});

async function withTlsServer(m: PkiMaterial, host: string, fn: (port: number) => Promise<void>): Promise<void> {
  const server = tls.createServer({ cert: m.certPem, key: m.keyPem }, (s) => s.end('hi'));
  server.on('tlsClientError', () => { /* rejected handshakes are part of the test */ });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  try {
    await fn((server.address() as AddressInfo).port);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** 'ok' when the client verified the server, else the verification error's message. */
function handshake(opts: tls.ConnectionOptions): Promise<string> {
  return new Promise((resolve) => {
    const socket = tls.connect(opts, () => { socket.destroy(); resolve('ok'); });
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(`${err.code ?? ''} ${err.message}`));
  });
}

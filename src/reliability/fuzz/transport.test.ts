// The transport against a local HTTPS server that answers as kube-apiserver does for a strategic
// merge patch missing a merge key: a 500 whose message follows a long echo of the request. The
// whole message must reach the classifier, or the documented upstream 500 is reported as a defect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { ensurePki } from '../../apiserver/pki.js';
import { Transport } from './transport.js';
import { classify } from './report.js';
import type { FuzzRequest } from './request.js';

test('a 5xx message after a long echo is read whole, so an allowed upstream 500 is no defect', async () => {
  const pki = await ensurePki(null);
  const echo = JSON.stringify({ name: 'x'.repeat(65_536) });
  const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `map: ${echo} does not contain declared merge key: uid`, code: 500 };
  const server = https.createServer({ cert: pki.certPem, key: pki.keyPem }, (req, res) => {
    req.resume();
    req.on('end', () => { res.writeHead(500, { 'Content-Type': 'application/json' }); res.end(JSON.stringify(status)); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const transport = new Transport({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, prefix: '', ca: pki.caCertPem, alive: () => undefined, close: async () => {} }, { deadlineMs: 10_000, streamMs: 300 }, 1);
  try {
    const r: FuzzRequest = { kind: 'http', generator: 'patch-strategic', method: 'PATCH', path: '/api/v1/namespaces/n', headers: { 'Content-Type': 'application/strategic-merge-patch+json' }, body: '{}' };
    const out = await transport.send(r);
    assert.equal(out.status, 500);
    assert.equal(out.message, status.message);
    assert.equal(classify(r, out), undefined);
  } finally {
    transport.close();
    server.close();
  }
});

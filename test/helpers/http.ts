// Raw HTTPS requests against a test cluster, for what typed clients cannot send on purpose
// (malformed bodies, wrong methods, missing tokens, oversized payloads).
import https from 'node:https';
import type { TestCluster } from './cluster.js';

export interface RawResponse { status: number; headers: Record<string, string | string[] | undefined>; text: string; json(): any }

export function rawRequest(c: TestCluster, method: string, path: string, opts: { body?: string | Buffer; contentType?: string; token?: string | null } = {}): Promise<RawResponse> {
  const url = new URL(c.url + path);
  const headers: Record<string, string> = { Accept: 'application/json' };
  const token = opts.token === undefined ? c.token : opts.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  if (opts.body !== undefined) headers['Content-Type'] = opts.contentType ?? 'application/json';
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, headers, ca: c.caCertPem }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
      });
      res.on('error', reject);
    });
    // The server may answer (413) and close before the whole body is written.
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

// A minimal HTTPS client for the storm: one keep-alive connection per writer, and a clear split
// between "the server answered" (status and body) and "no answer" (the request may have applied).
import https from 'node:https';

export interface Answer { status: number; body: any }

export class StormClient {
  private readonly agent: https.Agent;

  constructor(private readonly url: string, private readonly token: string, private readonly ca: string, private readonly timeoutMs = 30_000) {
    this.agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca });
  }

  /** Resolves with the server's answer; rejects when none arrived (connection refused, reset, timeout). */
  request(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Answer> {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { Authorization: `Bearer ${this.token}`, Accept: 'application/json' };
    if (data !== undefined) { headers['Content-Type'] = contentType; headers['Content-Length'] = String(Buffer.byteLength(data)); }
    return new Promise((resolve, reject) => {
      const req = https.request(new URL(this.url + path), { method, headers, agent: this.agent, ca: this.ca, timeout: this.timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try { parsed = JSON.parse(text); } catch { /* kept as text for the report */ }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        // A response cut off by the kill is no answer: its status line alone acknowledges nothing.
        res.on('error', reject);
        res.on('aborted', () => reject(new Error('response aborted')));
      });
      req.on('timeout', () => req.destroy(new Error(`no answer after ${this.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(data);
    });
  }

  close(): void { this.agent.destroy(); }
}

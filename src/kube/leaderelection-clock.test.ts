// The leader elector's shell on the runtime's injectable clock: in fake time, against an
// in-memory Lease endpoint, a standby takes over only once the holder's lease has expired by its
// own clock, and a leader whose renewals fail gives up after the renew deadline, not before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Lease } from '../api/types.js';
import { ApiStatusError, type RawClient } from './client.js';
import { ManualClock } from './clock.js';
import { LeaderElector } from './leaderelection.js';

const timings = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };
const tick = async (n = 10) => { for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r)); };

/** One Lease with resourceVersion checks, and a switch that makes every request fail. */
function leaseServer() {
  let lease: Lease | undefined;
  let rv = 0;
  const state = { failing: false };
  const client = {
    async request<T>(method: string, _path: string, body?: unknown): Promise<T> {
      if (state.failing) throw new ApiStatusError(503, 'ServiceUnavailable', 'unavailable', {});
      if (method === 'GET') { if (!lease) throw new ApiStatusError(404, 'NotFound', 'not found', {}); return structuredClone(lease) as T; }
      const l = body as Lease;
      if (method === 'POST' && lease) throw new ApiStatusError(409, 'AlreadyExists', 'exists', {});
      if (method === 'PUT' && l.metadata?.resourceVersion !== lease?.metadata?.resourceVersion) throw new ApiStatusError(409, 'Conflict', 'conflict', {});
      lease = { ...l, metadata: { ...l.metadata, resourceVersion: String(++rv) } };
      return structuredClone(lease) as T;
    },
  };
  return { client: client as unknown as RawClient, state, holder: () => lease?.spec?.holderIdentity };
}

test('a standby takes over once the lease has expired by its clock; a leader gives up after the renew deadline', async () => {
  const clock = new ManualClock(Date.parse('2026-12-03T10:00:00Z'));
  const server = leaseServer();
  const opts = { namespace: 'kube-system', name: 'el', timings, clock };
  const a = new LeaderElector(server.client, { ...opts, identity: 'a' });
  const b = new LeaderElector(server.client, { ...opts, identity: 'b' });
  const stop = new AbortController();
  assert.equal(await a.acquire(stop.signal), true);
  assert.equal(server.holder(), 'a');

  let bLeads = false;
  void b.acquire(stop.signal).then((ok) => { bLeads = ok; });
  await tick();
  // a stops renewing (it never calls renew): b must wait out a full lease duration from when it saw the record.
  for (let t = 0; t < 14_000; t += 1_000) { clock.advance(1_000); await tick(); }
  assert.equal(bLeads, false, 'not before the lease duration');
  for (let t = 0; t < 5_000 && !bLeads; t += 500) { clock.advance(500); await tick(); }
  assert.equal(bLeads, true);
  assert.equal(server.holder(), 'b');

  // b renews; then the API fails: b keeps trying until its renew deadline passes, then reports lost.
  let outcome: string | undefined;
  void b.renew(stop.signal).then((r) => { outcome = r; });
  clock.advance(2_000); await tick();
  assert.equal(outcome, undefined);
  server.state.failing = true;
  for (let t = 0; t < 10_000 && outcome === undefined; t += 500) { clock.advance(500); await tick(); }
  assert.equal(outcome, undefined, 'within the renew deadline it still leads');
  for (let t = 0; t < 6_000 && outcome === undefined; t += 500) { clock.advance(500); await tick(); }
  assert.equal(outcome, 'lost');
  assert.equal(b.isLeading(), false);
  stop.abort();
});

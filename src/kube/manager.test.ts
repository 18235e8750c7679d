// The manager's groups: start order (servers → caches synced → workers → leader-only while
// leading), reverse stop order within the grace period, and what the result names.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Manager, whenAborted, type CacheRunnable, type Leadership, type Runnable } from './manager.js';

const tick = async (n = 5) => { for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r)); };

function recorder() {
  const events: string[] = [];
  const part = (name: string, o: { ready?: Promise<void>; stopDelay?: Promise<void>; fail?: Error } = {}): Runnable => ({
    name,
    ...(o.ready ? { ready: () => o.ready! } : {}),
    async start(signal) {
      events.push(`start ${name}`);
      if (o.fail) throw o.fail;
      await whenAborted(signal);
      events.push(`stopping ${name}`);
      await o.stopDelay;
      events.push(`stopped ${name}`);
    },
  });
  const cache = (name: string) => {
    let synced = false;
    let resolve!: () => void;
    const done = new Promise<void>((r) => { resolve = r; });
    const c: CacheRunnable & { sync(): void } = {
      ...part(name),
      hasSynced: () => synced,
      waitForSync: (signal?: AbortSignal) => Promise.race([done, signal ? whenAborted(signal) : done]),
      sync() { synced = true; resolve(); },
    };
    return c;
  };
  return { events, part, cache };
}

function leadership() {
  const log: string[] = [];
  let grant!: () => void;
  let lose!: () => void;
  const granted = new Promise<void>((r) => { grant = r; });
  const lost = new Promise<void>((r) => { lose = r; });
  const l: Leadership = {
    acquire: async (signal) => { await Promise.race([granted, whenAborted(signal)]); log.push(signal.aborted ? 'acquire aborted' : 'acquired'); return !signal.aborted; },
    hold: async (signal) => { await Promise.race([lost, whenAborted(signal)]); return signal.aborted ? 'stopped' : 'lost'; },
    release: async () => { log.push('released'); },
  };
  return { l, log, grant: () => grant(), lose: () => lose() };
}

describe('Manager', () => {
  it('starts the groups in order, each once the one before is up, and stops them in reverse', async () => {
    const { events, part, cache } = recorder();
    let listen!: () => void;
    const server = part('server', { ready: new Promise((r) => { listen = r; }) });
    const informer = cache('informer');
    const el = leadership();
    const m = new Manager({ leadership: el.l })
      .add('leaderOnly', part('controller'))
      .add('workers', part('worker'))
      .add('caches', informer)
      .add('servers', server);
    const stop = new AbortController();
    const run = m.start(stop.signal);
    await tick();
    assert.deepEqual(events, ['start server'], 'nothing else until the server listens');
    listen();
    await tick();
    assert.deepEqual(events, ['start server', 'start informer']);
    assert.equal(m.cachesSynced(), 'caches not synced: informer');
    informer.sync();
    await tick();
    assert.equal(m.cachesSynced(), undefined);
    assert.deepEqual(events.slice(2), ['start worker'], 'the controller waits for the lease');
    el.grant();
    await tick();
    assert.deepEqual(events.slice(3), ['start controller']);
    assert.equal(m.leaderOnlySignal.aborted, false);
    stop.abort();
    const r = await run;
    assert.deepEqual(events.slice(4), ['stopping controller', 'stopped controller', 'stopping worker', 'stopped worker', 'stopping informer', 'stopped informer', 'stopping server', 'stopped server']);
    assert.deepEqual(el.log, ['acquired', 'released'], 'the lease is released once the controllers have stopped');
    assert.deepEqual(r, { leadershipLost: false, timedOut: [] });
    assert.equal(m.leaderOnlySignal.aborted, true);
  });

  it('a standby never starts the leader-only runnables; stopping it releases nothing it does not hold', async () => {
    const { events, part } = recorder();
    const el = leadership();
    const m = new Manager({ leadership: el.l }).add('workers', part('worker')).add('leaderOnly', part('controller'));
    const stop = new AbortController();
    const run = m.start(stop.signal);
    await tick();
    stop.abort();
    await run;
    assert.ok(!events.includes('start controller'));
    assert.deepEqual(el.log, ['acquire aborted', 'released'], 'release is called; the elector knows it holds nothing');
  });

  it('losing leadership aborts the leader-only signal at once and stops everything', async () => {
    const { events, part } = recorder();
    const el = leadership();
    const m = new Manager({ leadership: el.l }).add('workers', part('worker')).add('leaderOnly', part('controller'));
    const run = m.start(new AbortController().signal);
    el.grant();
    await tick();
    el.lose();
    const r = await run;
    assert.equal(r.leadershipLost, true);
    assert.equal(m.leaderOnlySignal.aborted, true);
    assert.ok(events.indexOf('stopped controller') < events.indexOf('stopping worker'));
    assert.deepEqual(el.log, ['acquired'], 'a lost lease is not released (someone else may hold it)');
  });

  it('a failing runnable (or one that stops by itself) stops the manager and is named', async () => {
    const { events, part } = recorder();
    const boom = new Error('address in use');
    const r = await new Manager().add('servers', part('metrics', { fail: boom })).add('workers', part('worker')).start(new AbortController().signal);
    assert.deepEqual(r.failed, { name: 'metrics', error: boom });
    assert.ok(!events.includes('start worker'), 'the next group never starts');

    const quitter: Runnable = { name: 'quitter', start: async () => {} };
    const r2 = await new Manager().add('workers', quitter).add('workers', part('other')).start(new AbortController().signal);
    assert.equal(r2.failed?.name, 'quitter');
    assert.match(String(r2.failed?.error), /stopped by itself/);
  });

  it('names what did not stop within the grace period, and still returns', async () => {
    const { part } = recorder();
    const never = new Promise<void>(() => {});
    const stop = new AbortController();
    const m = new Manager({ gracefulShutdownMs: 50 }).add('workers', part('stuck', { stopDelay: never })).add('servers', part('server'));
    const run = m.start(stop.signal);
    await tick();
    stop.abort();
    const r = await run;
    assert.deepEqual(r.timedOut, ['stuck']);
  });

  it('refuses to be started twice or added to once started', async () => {
    const m = new Manager();
    const stop = new AbortController();
    stop.abort();
    await m.start(stop.signal);
    await assert.rejects(m.start(stop.signal), /started twice/);
    assert.throws(() => m.add('workers', { name: 'late', start: async () => {} }), /added after start/);
  });
});

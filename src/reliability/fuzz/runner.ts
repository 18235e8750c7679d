// The fuzz loop: batches of generated requests sent a few at a time, each batch followed by the
// probe. Bounded by request count and by time; every request carries its own deadline.
import { Rng } from './prng.js';
import { fuzzContext, nextRequest } from './generators.js';
import { describeRequest, collectionPath, type FuzzRequest } from './request.js';
import { sampleObject } from './samples.js';
import { Transport, type Target } from './transport.js';
import { call, probe } from './oracle.js';
import { classify, Tally, type FuzzReport } from './report.js';

export interface FuzzOptions {
  requests: number;
  seed: number;
  concurrency: number;
  batch: number;
  maxSeconds: number;
  /**
   * Client-side deadline of one request; no answer by then is a hang. It also bounds the /healthz
   * that decides whether the whole server is stuck: on a saturated machine (or under nice) a
   * server that is only slow must not be taken for one that is stuck and restarted.
   */
  deadlineMs?: number;
  /** How long a watch stream is read before the fuzzer closes it. */
  streamMs?: number;
  /** Slow or abandoned bodies in flight at once. */
  maxSlow?: number;
  log?: (line: string) => void;
}

const PROBE_NS = 'fuzz-probe';

const withNote = (r: FuzzRequest) => `${describeRequest(r, 160)}${r.note ? ` (${r.note})` : ''}`;

export async function runFuzz(target: Target, o: FuzzOptions): Promise<FuzzReport> {
  const started = Date.now();
  const log = o.log ?? (() => {});
  const tally = new Tally();
  const notes: string[] = [];
  let generation = 0;
  const freshNamespace = (slot: string) => `fuzz-${o.seed}-${slot}${generation ? `-${generation}` : ''}`;
  const ctx = fuzzContext([freshNamespace('a'), freshNamespace('b')], Array.from({ length: 6 }, (_, i) => `fuzz-o${i}`));
  const defs = ctx.kinds.map((k) => k.def);
  const deadlineMs = o.deadlineMs ?? 10_000;
  const transport = new Transport(target, { deadlineMs, streamMs: o.streamMs ?? 300 }, o.concurrency);
  let stopped: string | undefined;

  const ensureNamespace = async (name: string) => {
    const r = await call(target, 'POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, deadlineMs });
    if (r.status !== 201 && r.status !== 409) throw new Error(`cannot create namespace ${name}: ${r.status} ${r.text.slice(0, 200)}`);
  };
  // Namespaces and seed objects of every kind, so updates and patches find something to change.
  const setup = async () => {
    for (const ns of [PROBE_NS, ...ctx.namespaces]) await ensureNamespace(ns);
    for (const k of ctx.kinds) {
      for (const ns of k.def.namespaced ? ctx.namespaces : ['']) {
        for (const name of ctx.names.slice(0, 3)) {
          const r = await call(target, 'POST', collectionPath(k.def, ns), { body: sampleObject(k.def, name, ns), deadlineMs });
          const which = `${k.def.kind} (${k.def.group || 'core'}/${k.def.version})`;
          if (r.status !== 201 && r.status !== 409 && !notes.some((n) => n.includes(which))) {
            notes.push(`sample ${which} refused with ${r.status} ${(r.json?.message as string | undefined) ?? ''}: add a valid body to samples.ts`);
          }
        }
      }
    }
  };
  await setup();
  let episodes = 0;
  /** After a crash or a stuck server: a fresh one when the target can (in-process), else the end of the run. */
  const recover = async (why: string): Promise<boolean> => {
    episodes++;
    if (!target.restart || episodes > 20) { stopped = why; return false; }
    log(`${why}: restarting the server`);
    await target.restart();
    transport.reset();
    await setup();
    return true;
  };

  const rng = new Rng(o.seed);
  let slowInFlight = 0;
  const deadline = started + o.maxSeconds * 1000;
  let sent = 0;
  let round = 0;
  let stuck = false;

  // What was in flight when the server died: the likeliest culprits of a crash.
  const inFlight = new Map<FuzzRequest, number>();
  let atDeath: FuzzRequest[] = [];
  target.onDeath?.(() => { atDeath = [...inFlight.keys()]; });

  const sendOne = async (r: FuzzRequest) => {
    const t0 = Date.now();
    inFlight.set(r, t0);
    const outcome = await transport.send(r);
    // When the whole server stopped answering, every request in flight hangs: that is one defect,
    // blamed on the oldest request still in flight (the one the others waited behind).
    const pending = [...inFlight.entries()].sort((a, b) => a[1] - b[1]).map(([x]) => x);
    let as: Parameters<Tally['record']>[2];
    if (outcome.hang) {
      const health = await call(target, 'GET', '/healthz', { deadlineMs });
      if (health.status !== 200) {
        stuck = true;
        as = { type: 'hang', key: `hang: server unresponsive #${episodes + 1}`, message: 'the server stopped answering (even /healthz)', request: `the oldest of the ${pending.length} in flight: ${pending.map(withNote).join(' || ')}` };
      }
    }
    inFlight.delete(r);
    if (target.alive()) return outcome; // refused because the server is gone: the crash is the defect
    const ms = Date.now() - t0;
    if (ms > 2_000 && !outcome.hang) log(`slow answer (${ms} ms, ${outcome.status}): ${describeRequest(r, 120)}`);
    const fresh = tally.record(r, outcome, as, ms);
    if (fresh && r.shrink) {
      for (const smaller of r.shrink()) {
        const again = classify(smaller, await transport.send(smaller));
        if (again?.key === fresh.key) { fresh.minimised = `${describeRequest(smaller)}${smaller.note ? ` (${smaller.note})` : ''}`; break; }
      }
    }
    if (fresh) log(`defect: [${fresh.type}] ${fresh.message} <- ${fresh.request.slice(0, 200)}`);
    return outcome;
  };

  while (sent < o.requests && !stopped) {
    if (Date.now() > deadline) { stopped = `--max-seconds ${o.maxSeconds} reached`; break; }
    const size = Math.min(o.batch, o.requests - sent);
    const queue: FuzzRequest[] = Array.from({ length: size }, () => nextRequest(rng, ctx));
    // Requests that may have deleted a namespace by a path that named something else.
    const suspects: FuzzRequest[] = [];
    let next = 0;
    const worker = async () => {
      while (next < queue.length && Date.now() <= deadline && !target.alive() && !stuck) {
        const r = queue[next++];
        if (r.kind === 'slow') {
          // Only a few slow connections at a time; the others go as ordinary requests' turn passes.
          while (slowInFlight >= (o.maxSlow ?? 2)) await new Promise((res) => setTimeout(res, 20));
          slowInFlight++;
          try { await sendOne(r); } finally { slowInFlight--; }
          continue;
        }
        const out = await sendOne(r);
        if (r.kind === 'http' && r.method === 'DELETE' && out.status >= 200 && out.status < 300 && /%2e|\.\./i.test(r.path)) suspects.push(r);
      }
    };
    await Promise.all(Array.from({ length: o.concurrency }, worker));
    sent += next;
    round++;

    const dead = target.alive();
    if (dead) {
      const culprits = atDeath.map(withNote);
      tally.defect({
        type: 'crash', key: `crash #${episodes + 1}`, message: dead, generator: atDeath[0]?.generator ?? '-',
        request: culprits.length ? `one of the ${culprits.length} in flight: ${culprits.join(' || ')}` : 'during the last batch',
      });
      if (await recover('the server crashed')) continue;
      break;
    }
    const p = await probe(target, defs, PROBE_NS, ctx.namespaces, round, deadlineMs);
    if (!p.down && !stuck) for (const f of p.failures) tally.defect({ type: 'oracle', key: `oracle ${f.replace(/probe-\w+-\d+/g, 'probe-X').replace(/\d+/g, 'N').slice(0, 200)}`, message: f, request: 'the probe after a batch', generator: 'oracle' });
    if (p.down || stuck) {
      // A hang defect found during the batch already names the requests in flight; the probe failure is its echo.
      if (!stuck) tally.defect({ type: 'hang', key: `hang: server unresponsive #${episodes + 1}`, message: `the server stopped answering after a batch: ${p.failures[0]}`, request: 'one of the previous batch', generator: '-' });
      stuck = false;
      if (await recover('the server stopped answering')) continue;
      break;
    }
    if (p.lostNamespaces.length) {
      const culprit = suspects[0];
      tally.defect({
        type: 'oracle', key: 'namespace lost',
        message: `fuzz namespace ${p.lostNamespaces.join(', ')} deleted or terminating, though no request addressed it${culprit ? '; a DELETE with an encoded dot segment answered 2xx' : ''}`,
        request: culprit ? describeRequest(culprit) : 'unknown (no DELETE with a dot segment succeeded in the batch)', generator: culprit?.generator ?? '-',
      });
      generation++;
      ctx.namespaces = ctx.namespaces.map((ns) => (p.lostNamespaces.includes(ns) ? freshNamespace(ns.split('-')[2]) : ns));
      for (const ns of ctx.namespaces) await ensureNamespace(ns);
    }
    log(`batch ${round}: ${sent} requests, ${tally.defects().length} distinct defects, ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  transport.close();
  return { seed: o.seed, requests: tally.requests, durationMs: Date.now() - started, byStatus: tally.byStatus, byGenerator: tally.byGenerator, defects: tally.defects(), notes, slowest: tally.slowest, stopped };
}

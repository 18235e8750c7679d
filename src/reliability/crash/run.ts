// `npm run crash`: a write storm against `everynode up`, SIGKILL at a random moment, restart on the
// same data directory, check every acknowledged write, repeat. The decisions live in model.ts and
// workload.ts; this file only runs processes, sends requests and keeps score.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StormClient } from './client.js';
import { maxAckedRev, verify, type Model, type Version, type Violation } from './model.js';
import { killHard, startUp, stopGracefully, type RunningServer } from './server.js';
import { KINDS, NAMESPACE, contentOf, nextRequest, objectKey, parseKey, pick, rng } from './workload.js';

export interface CrashOptions {
  kills: number;
  seed: number;
  /** Concurrent writers, each with its own objects. */
  clients?: number;
  /** Objects per writer and kind. */
  objectsPerClient?: number;
  /** The kill comes at a random moment this long after the storm started. */
  minStormMs?: number;
  maxStormMs?: number;
  /** Stop starting new rounds after this long; the run then counts as incomplete. */
  maxSeconds?: number;
  /** Extra `everynode up` flags, e.g. ['--fsync', 'always']. */
  upArgs?: string[];
  log?: (line: string) => void;
}

export interface CrashReport {
  seed: number;
  kills: number;
  /** Writes whose 2xx answer arrived (creates, updates, patches, deletes). */
  acknowledgedWrites: number;
  /** Writes in flight at a kill: they may or may not have applied. */
  unacknowledgedWrites: number;
  /** Object states compared after the restarts (one per object per restart). */
  objectsChecked: number;
  /** Violations: acknowledged writes lost, or states nobody wrote. Must be 0. */
  lost: number;
  violations: Array<Violation & { round: number }>;
  /** Non-2xx answers other than 429; the storm itself is wrong if there are any. */
  unexpectedAnswers: string[];
  restartMs: number[];
  firstStartMs: number;
  durationMs: number;
  complete: boolean;
}

const MAX_REPORTED = 20;

export async function runCrash(o: CrashOptions): Promise<CrashReport> {
  const log = o.log ?? (() => {});
  const random = rng(o.seed);
  const clients = o.clients ?? 4;
  const perClient = o.objectsPerClient ?? 6;
  const minStorm = o.minStormMs ?? 100;
  const maxStorm = o.maxStormMs ?? 1500;
  const deadline = Date.now() + (o.maxSeconds ?? 1200) * 1000;
  const started = Date.now();
  const dataDir = mkdtempSync(join(tmpdir(), 'everynode-crash-'));
  const report: CrashReport = {
    seed: o.seed, kills: 0, acknowledgedWrites: 0, unacknowledgedWrites: 0, objectsChecked: 0, lost: 0,
    violations: [], unexpectedAnswers: [], restartMs: [], firstStartMs: 0, durationMs: 0, complete: false,
  };
  // Writer c owns keys c*perKind…: no two requests for one object are ever in flight together.
  const owned: string[][] = Array.from({ length: clients }, (_, c) =>
    KINDS.flatMap((kind) => Array.from({ length: perClient }, (_, i) => objectKey(kind, `c${c}-${kind.slice(0, -1)}-${i}`))));
  let model: Model = new Map(owned.flat().map((k) => [k, { acked: null }]));
  let writeSeq = 0;
  let server: RunningServer | undefined;
  try {
    let t0 = Date.now();
    server = await startUp({ dataDir, args: o.upArgs });
    report.firstStartMs = Date.now() - t0;
    await ensureNamespace(server);
    for (let round = 1; round <= o.kills; round++) {
      if (Date.now() > deadline) { log(`crash: time budget spent after ${round - 1} kills`); break; }
      const stormMs = minStorm + Math.floor(random() * (maxStorm - minStorm));
      const stop = { now: false };
      const storm = owned.map((keys, c) => writer(server!, c, keys, model, random, stop, () => `c${c}-${++writeSeq}`, report));
      await sleep(stormMs);
      await killHard(server.child);
      stop.now = true;
      await Promise.all(storm);
      report.kills++;

      t0 = Date.now();
      server = await startUp({ dataDir, args: o.upArgs });
      report.restartMs.push(Date.now() - t0);
      const { observed, rev } = await observe(server);
      const verdict = verify(model, observed);
      report.objectsChecked += verdict.checked;
      const floor = maxAckedRev(model);
      const found = verdict.violations.map((v) => ({ ...v, round }));
      if (rev < floor) found.push({ key: '*', kind: 'lost', detail: `list resourceVersion ${rev} is below the newest acknowledged ${floor}`, round });
      report.lost += found.length;
      report.violations.push(...found.slice(0, MAX_REPORTED - report.violations.length));
      model = verdict.next;
      log(`crash: kill ${round}/${o.kills} after ${stormMs} ms, ${report.acknowledgedWrites} acknowledged so far, restart ${report.restartMs.at(-1)} ms, ${found.length} lost`);
    }
    report.complete = report.kills === o.kills;
  } finally {
    if (server) await stopGracefully(server.child);
    rmSync(dataDir, { recursive: true, force: true });
    report.durationMs = Date.now() - started;
  }
  return report;
}

/** One writer: sequential requests on its own objects until it is told to stop or the server is gone. */
async function writer(server: RunningServer, c: number, keys: string[], model: Model, random: () => number,
  stop: { now: boolean }, nextId: () => string, report: CrashReport): Promise<void> {
  const client = new StormClient(server.url, server.token, server.caCertPem);
  try {
    while (!stop.now) {
      const key = pick(random, keys);
      const m = model.get(key)!;
      const req = nextRequest(random, key, m, nextId());
      m.inflight = req.outcome;
      let answer;
      try {
        answer = await client.request(req.method, req.path, req.body, req.contentType);
      } catch {
        report.unacknowledgedWrites++;
        return; // no answer: the server is gone; the request stays in flight until the restart resolves it
      }
      delete m.inflight;
      if (answer.status >= 200 && answer.status < 300) {
        report.acknowledgedWrites++;
        const { kind } = parseKey(key);
        // A delete answers with the object (pods) or a Status: either way the object is gone.
        m.acked = req.method === 'DELETE' ? null
          : { rv: Number(answer.body.metadata.resourceVersion), content: contentOf(kind, answer.body) };
      } else if (answer.status !== 429 && report.unexpectedAnswers.length < MAX_REPORTED) {
        report.unexpectedAnswers.push(`writer ${c}: ${req.method} ${req.path} → ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
      }
    }
  } finally {
    client.close();
  }
}

async function ensureNamespace(server: RunningServer): Promise<void> {
  const client = new StormClient(server.url, server.token, server.caCertPem);
  try {
    const r = await client.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
    if (r.status !== 201 && r.status !== 409) throw new Error(`creating namespace ${NAMESPACE}: ${r.status} ${JSON.stringify(r.body)}`);
  } finally {
    client.close();
  }
}

/** Every object of the checked collections, keyed as the model keys them, and the list revision. */
async function observe(server: RunningServer): Promise<{ observed: Map<string, Version>; rev: number }> {
  const client = new StormClient(server.url, server.token, server.caCertPem);
  const observed = new Map<string, Version>();
  let rev = Infinity;
  try {
    for (const kind of KINDS) {
      const r = await client.request('GET', `/api/v1/namespaces/${NAMESPACE}/${kind}`);
      if (r.status !== 200) throw new Error(`listing ${kind} after the restart: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
      rev = Math.min(rev, Number(r.body.metadata.resourceVersion));
      for (const item of r.body.items as Array<Record<string, any>>) {
        observed.set(objectKey(kind, item.metadata.name), { rv: Number(item.metadata.resourceVersion), content: contentOf(kind, item) });
      }
    }
  } finally {
    client.close();
  }
  return { observed, rev };
}

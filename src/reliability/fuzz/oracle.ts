// The fixed probe run after every batch: does the server still do its job? A probe failure is a
// defect even when every fuzz request got a sensible answer (a stored object that breaks list).
import https from 'node:https';
import type { ResourceDef } from '../../apiserver/resources/catalog.js';
import type { Target } from './transport.js';
import { collectionPath, itemPath } from './request.js';
import { sampleObject } from './samples.js';

export interface Reply { status: number; text: string; json?: any; hang?: boolean; error?: string }

/** One JSON request with a deadline; `firstLine` stops at the first line of a streamed answer (a watch event). */
export function call(t: Target, method: string, path: string, o: { body?: unknown; accept?: string; deadlineMs?: number; firstLine?: boolean } = {}): Promise<Reply> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: Reply) => {
      if (done) return;
      done = true; clearTimeout(timer); req.destroy();
      try { r.json = JSON.parse(r.text); } catch { /* not JSON */ }
      resolve(r);
    };
    const body = o.body === undefined ? undefined : JSON.stringify(o.body);
    const headers: Record<string, string> = { Accept: o.accept ?? 'application/json', ...(t.authorization ? { Authorization: t.authorization } : {}) };
    if (body !== undefined) { headers['Content-Type'] = 'application/json'; headers['Content-Length'] = String(Buffer.byteLength(body)); }
    const req = https.request({ host: t.host, port: t.port, method, path: t.prefix + path, headers, ca: t.ca, cert: t.cert, key: t.key, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
        const nl = text.indexOf('\n');
        if (o.firstLine && nl >= 0 && text.slice(0, nl).trim()) finish({ status: res.statusCode ?? 0, text: text.slice(0, nl) });
      });
      res.on('end', () => finish({ status: res.statusCode ?? 0, text }));
      res.on('error', (err: NodeJS.ErrnoException) => finish({ status: res.statusCode ?? 0, text, error: err.code ?? err.message }));
    });
    const timer = setTimeout(() => finish({ status: 0, text: '', hang: true }), o.deadlineMs ?? 10_000);
    req.on('error', (err: NodeJS.ErrnoException) => finish({ status: 0, text: '', error: err.code ?? err.message }));
    req.end(body);
  });
}

const show = (r: Reply) => (r.hang ? 'no answer (hang)' : r.error && !r.status ? `connection error ${r.error}` : `${r.status} ${(r.json?.message as string | undefined) ?? r.text.slice(0, 160)}`);

export interface ProbeResult {
  failures: string[];
  /** The server does not answer /healthz at all: nothing more can be learned. */
  down: boolean;
  /** Fuzz namespaces that are gone or terminating. */
  lostNamespaces: string[];
}

/** Create, get, list, watch and delete one object of a kind in the probe namespace, checking each answer. */
async function lifecycle(t: Target, d: ResourceDef, ns: string, name: string, deadlineMs: number): Promise<string[]> {
  const what = `${d.kind} ${ns}/${name}`;
  const fail = (step: string, r: Reply) => [`probe ${step} ${d.kind}: ${show(r)}`];
  const list = await call(t, 'GET', collectionPath(d, ns), { deadlineMs });
  if (list.status !== 200 || !list.json?.metadata?.resourceVersion) return fail('list', list);
  const created = await call(t, 'POST', collectionPath(d, ns), { body: sampleObject(d, name, ns), deadlineMs });
  if (created.status !== 201 || created.json?.metadata?.name !== name || !created.json?.metadata?.uid) return fail('create', created);
  const uid = created.json.metadata.uid as string;
  const out: string[] = [];
  const got = await call(t, 'GET', itemPath(d, ns, name), { deadlineMs });
  if (got.status !== 200 || got.json?.metadata?.uid !== uid) out.push(...fail('get', got));
  const sel = `fieldSelector=${encodeURIComponent(`metadata.name=${name}`)}`;
  const selected = await call(t, 'GET', `${collectionPath(d, ns)}?${sel}`, { deadlineMs });
  if (selected.status !== 200 || selected.json?.items?.length !== 1 || selected.json.items[0].metadata?.uid !== uid) out.push(...fail('list by field selector', selected));
  const watched = await call(t, 'GET', `${collectionPath(d, ns)}?watch=true&${sel}&resourceVersion=${list.json.metadata.resourceVersion}&timeoutSeconds=5`, { firstLine: true, deadlineMs: Math.max(7_000, deadlineMs) });
  if (watched.status !== 200 || watched.json?.type !== 'ADDED' || watched.json?.object?.metadata?.uid !== uid) out.push(`probe watch ${d.kind}: expected ADDED ${what}, got ${show(watched)}`);
  const deleted = await call(t, 'DELETE', `${itemPath(d, ns, name)}?gracePeriodSeconds=0`, { deadlineMs });
  if (deleted.status !== 200 && deleted.status !== 202) out.push(...fail('delete', deleted));
  const gone = await call(t, 'GET', itemPath(d, ns, name), { deadlineMs });
  if (gone.status !== 404) out.push(`probe get after delete ${d.kind}: expected 404, got ${show(gone)}`);
  return out;
}

/**
 * healthz, the ConfigMap and Pod life cycle, a list (plain and as a Table, as kubectl get asks)
 * of every served kind across namespaces, and the fuzz namespaces still there and Active.
 */
export async function probe(t: Target, defs: readonly ResourceDef[], probeNamespace: string, fuzzNamespaces: readonly string[], round: number, deadlineMs = 10_000): Promise<ProbeResult> {
  const health = await call(t, 'GET', '/healthz', { deadlineMs });
  if (health.status !== 200 || health.text !== 'ok') return { failures: [`probe /healthz: ${show(health)}`], down: health.status === 0, lostNamespaces: [] };
  const failures: string[] = [];
  for (const kind of ['ConfigMap', 'Pod']) {
    const d = defs.find((x) => x.kind === kind && x.group === '')!;
    failures.push(...await lifecycle(t, d, probeNamespace, `probe-${kind.toLowerCase()}-${round}`, deadlineMs));
  }
  for (const d of defs) {
    // Create-only kinds (the access reviews) have no list to probe.
    if (!d.verbs.includes('list')) continue;
    const path = collectionPath(d, '').replace('/namespaces//', '/');
    for (const accept of ['application/json', 'application/json;as=Table;v=v1;g=meta.k8s.io']) {
      const r = await call(t, 'GET', path, { accept, deadlineMs });
      if (r.status !== 200) failures.push(`probe list ${d.resource}.${d.group || 'core'}/${d.version}${accept.includes('Table') ? ' as Table' : ''}: ${show(r)}`);
    }
  }
  const lostNamespaces: string[] = [];
  for (const ns of fuzzNamespaces) {
    const r = await call(t, 'GET', `/api/v1/namespaces/${ns}`, { deadlineMs });
    // No answer says nothing about the namespace: that is the probe failing, not a lost namespace.
    if (r.status === 0) failures.push(`probe get namespace ${ns}: ${show(r)}`);
    else if (r.status !== 200 || r.json?.status?.phase !== 'Active') lostNamespaces.push(ns);
  }
  return { failures, down: false, lostNamespaces };
}

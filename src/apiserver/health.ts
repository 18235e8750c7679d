// /healthz, /livez and /readyz as kube-apiserver serves them (k8s.io/apiserver healthz
// handleRootHealth / adaptCheckToHandler): a list of named checks, `?verbose` to print each,
// `?exclude=NAME` (repeatable) to skip some, and `/<endpoint>/<check>` to run one alone.
// Pure: the checks are passed in, and the answer is a status and a text body.

export interface HealthCheck {
  name: string;
  /** Undefined when healthy, else why not (shown only by the individual check's endpoint). */
  run(): string | undefined;
}

export type HealthEndpoint = 'healthz' | 'livez' | 'readyz';

export interface HealthAnswer { status: number; body: string }

/**
 * The checks of each endpoint, in upstream's order, for a server whose storage is `storage`.
 * `etcd` keeps upstream's name because scripts and probes ask for `/readyz/etcd`; here it is the
 * SQLite store. `shutdown` (readyz only) stays ok while we serve: the server stops listening when
 * it begins to shut down, so there is no draining phase for it to report.
 */
export function standardHealthChecks(storage: () => void): Record<HealthEndpoint, HealthCheck[]> {
  const ping: HealthCheck = { name: 'ping', run: () => undefined };
  const log: HealthCheck = { name: 'log', run: () => undefined };
  const etcd: HealthCheck = { name: 'etcd', run: () => failureOf(storage) };
  const etcdReadiness: HealthCheck = { name: 'etcd-readiness', run: () => failureOf(storage) };
  const shutdown: HealthCheck = { name: 'shutdown', run: () => undefined };
  return {
    healthz: [ping, log, etcd],
    livez: [ping, log, etcd],
    readyz: [ping, log, etcd, etcdReadiness, shutdown],
  };
}

function failureOf(probe: () => void): string | undefined {
  try {
    probe();
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/**
 * The answer for `/<endpoint>` (check undefined) or `/<endpoint>/<check>`; undefined when no such
 * check exists (the caller's 404).
 */
export function healthAnswer(endpoint: HealthEndpoint, check: string | undefined, query: URLSearchParams, checks: readonly HealthCheck[]): HealthAnswer | undefined {
  if (check !== undefined) {
    const c = checks.find((x) => x.name === check);
    if (!c) return undefined;
    const failure = c.run();
    return failure === undefined ? { status: 200, body: 'ok' } : { status: 500, body: `internal server error: ${failure}\n` };
  }
  const excluded = new Set(query.getAll('exclude'));
  const lines: string[] = [];
  let failed = false;
  for (const c of checks) {
    if (excluded.delete(c.name)) { lines.push(`[+]${c.name} excluded: ok`); continue; }
    // The reason stays in the server: the root endpoints are public.
    if (c.run() !== undefined) { failed = true; lines.push(`[-]${c.name} failed: reason withheld`); } else lines.push(`[+]${c.name} ok`);
  }
  if (excluded.size) {
    lines.push(`warn: some health checks cannot be excluded: no matches for ${[...excluded].sort().map((n) => JSON.stringify(n)).join(',')}`);
  }
  const list = lines.map((l) => `${l}\n`).join('');
  // A failure is always verbose; success lists the checks only when asked (`?verbose`, any value).
  if (failed) return { status: 500, body: `${list}${endpoint} check failed\n` };
  if (!query.has('verbose')) return { status: 200, body: 'ok' };
  return { status: 200, body: `${list}${endpoint} check passed\n` };
}

export function isHealthEndpoint(segment: string | undefined): segment is HealthEndpoint {
  return segment === 'healthz' || segment === 'livez' || segment === 'readyz';
}

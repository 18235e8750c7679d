// The controller's API requests per node change (pure): read from client-go's
// rest_client_requests_total on the controller process's own /metrics (every request its clients
// make, events and leader election included), so the count is the controller's and nobody
// else's. The leader election's Lease renewals run whatever happens; their rate, measured while
// the fleet is idle, is taken out of the window in which the nodes change.

/** rest_client_requests_total per HTTP method (summed over codes and hosts); empty if there is none. */
export function restRequestsByMethod(metricsText: string): Map<string, number> {
  return restRequestsBy(metricsText, 'method');
}

/** rest_client_requests_total per value of one label (`code`: "200", "409", "<error>"), summed over the others. */
export function restRequestsBy(metricsText: string, label: 'method' | 'code' | 'host'): Map<string, number> {
  const out = new Map<string, number>();
  const labelRe = new RegExp(`(?:^|,)${label}="([^"]*)"`);
  for (const line of metricsText.split('\n')) {
    const m = /^rest_client_requests_total(?:\{([^}]*)\})?\s+(\S+)/.exec(line);
    const v = m ? Number(m[2]) : NaN;
    if (!m || !Number.isFinite(v)) continue;
    const value = labelRe.exec(m[1] ?? '')?.[1] ?? '';
    out.set(value, (out.get(value) ?? 0) + v);
  }
  return out;
}

/** Sum of every rest_client_requests_total sample in a Prometheus text exposition; undefined if there is none. */
export function restRequestsTotal(metricsText: string): number | undefined {
  const by = restRequestsByMethod(metricsText);
  return by.size ? [...by.values()].reduce((a, b) => a + b, 0) : undefined;
}

/** "POST 100, PUT 52, GET 3": what changed between two per-method readings, largest first. */
export function methodDelta(before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>): string {
  return [...after].map(([m, v]) => [m, v - (before.get(m) ?? 0)] as const).filter(([, d]) => d > 0)
    .sort((a, b) => b[1] - a[1]).map(([m, d]) => `${m || '?'} ${d}`).join(', ');
}

export interface RequestWindow { before: number; after: number; ms: number }

export interface PerChange {
  /** Requests in the window, less the idle background over the same time. */
  attributed: number;
  perChange: number;
  backgroundPerSecond: number;
}

/**
 * Requests per node change: (requests in the change window − idle rate × its length) / changes.
 * Never below zero (an idle rate measured high must not credit the controller with negative work).
 */
export function requestsPerChange(changes: RequestWindow & { count: number }, idle: RequestWindow): PerChange {
  const backgroundPerSecond = idle.ms > 0 ? Math.max(0, idle.after - idle.before) / (idle.ms / 1000) : 0;
  const attributed = Math.max(0, changes.after - changes.before - (backgroundPerSecond * changes.ms) / 1000);
  return { attributed, perChange: changes.count > 0 ? attributed / changes.count : NaN, backgroundPerSecond };
}

/**
 * controller_runtime_reconcile_time_seconds' _count and _sum for one controller (the time of each
 * reconcile, its writes included); undefined when the exposition has neither.
 */
export function reconcileTime(metricsText: string, controller: string): { count: number; seconds: number } | undefined {
  let count: number | undefined, seconds: number | undefined;
  const label = `controller="${controller}"`;
  for (const line of metricsText.split('\n')) {
    const m = /^controller_runtime_reconcile_time_seconds_(sum|count)\{([^}]*)\}\s+(\S+)/.exec(line);
    if (!m || !m[2].split(',').includes(label)) continue;
    const v = Number(m[3]);
    if (!Number.isFinite(v)) continue;
    if (m[1] === 'sum') seconds = v; else count = v;
  }
  return count === undefined || seconds === undefined ? undefined : { count, seconds };
}

// The controller's API requests per node change (pure): read from client-go's
// rest_client_requests_total on the controller process's own /metrics (every request its clients
// make, events and leader election included), so the count is the controller's and nobody
// else's. The leader election's Lease renewals run whatever happens; their rate, measured while
// the fleet is idle, is taken out of the window in which the nodes change.

/** Sum of every rest_client_requests_total sample in a Prometheus text exposition; undefined if there is none. */
export function restRequestsTotal(metricsText: string): number | undefined {
  let sum: number | undefined;
  for (const line of metricsText.split('\n')) {
    const m = /^rest_client_requests_total(?:\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const v = Number(m[1]);
    if (Number.isFinite(v)) sum = (sum ?? 0) + v;
  }
  return sum;
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

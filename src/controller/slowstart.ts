// Slow start without the barrier. Upstream creates pods in batches of 1, 2, 4, … and waits for a
// whole batch before the next, so that a failing create (quota, a namespace being deleted) costs
// a few requests instead of hundreds. The barrier also makes every batch wait for its slowest
// request. Here the window instead grows by one with every success — the same doubling per round
// trip — and a failure stops new starts just the same, so the containment is kept (at most the
// current window is wasted) while requests flow without a pause between batches.
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Runs `job` for each item, at most `window` at once where window starts at `initial`, grows by
 * one per success and is capped by `max`. After the first failure nothing more is started.
 * Resolves with the results of the started jobs (in item order), how many were never started,
 * and the window reached (a caller may start its next run there when nothing failed).
 */
export async function slowStart<I, T>(items: readonly I[], job: (item: I) => Promise<T>, o: { initial?: number; max?: number } = {}): Promise<{ results: Settled<T>[]; notStarted: number; window: number }> {
  const results: Settled<T>[] = [];
  let window = Math.max(1, o.initial ?? 1);
  const max = o.max ?? Infinity;
  let next = 0;
  let active = 0;
  let failed = false;
  return new Promise((resolve) => {
    const pump = () => {
      while (!failed && next < items.length && active < Math.min(window, max)) {
        const i = next++;
        active++;
        job(items[i]).then(
          (value) => { results[i] = { ok: true, value }; window++; },
          (error: unknown) => { results[i] = { ok: false, error }; failed = true; },
        ).finally(() => { active--; pump(); });
      }
      if (active === 0 && (failed || next >= items.length)) resolve({ results: results.slice(0, next), notStarted: items.length - next, window });
    };
    pump();
  });
}

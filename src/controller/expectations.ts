// Expectations (daemonset-controller.md §5.8): between "we created/deleted N pods" and "our cache
// has seen them", a sync must not act on the stale cache or it would create duplicates. Counts per
// DaemonSet key, plus the UIDs of pods we asked to delete so a graceful delete (deletionTimestamp
// set) and the final removal are counted once (upstream's UIDTrackingControllerExpectations).
// Records expire after 5 minutes so that a lost event cannot stall a DaemonSet for ever.

export const EXPECTATIONS_TIMEOUT_MS = 5 * 60_000;

interface Record_ { adds: number; dels: number; deleting: Set<string>; at: number }

export class Expectations {
  readonly #m = new Map<string, Record_>();
  constructor(private readonly now: () => number = Date.now) {}

  /** No record, both counts reached, or the record is older than the timeout. */
  satisfied(key: string): boolean {
    const r = this.#m.get(key);
    if (!r) return true;
    if (r.adds <= 0 && r.dels <= 0) return true;
    return this.now() - r.at > EXPECTATIONS_TIMEOUT_MS;
  }

  /** Called before issuing the writes; replaces any earlier record for the key. */
  expect(key: string, adds: number, deletingUids: readonly string[]): void {
    const deleting = new Set(deletingUids);
    this.#m.set(key, { adds, dels: deleting.size, deleting, at: this.now() });
  }

  creationObserved(key: string): void { const r = this.#m.get(key); if (r) r.adds--; }
  /** A create that failed will never be observed. */
  creationFailed(key: string): void { this.creationObserved(key); }

  /** A pod we asked to delete is gone or terminating (or its delete failed); repeats for one UID count once. */
  deletionObserved(key: string, uid: string | undefined): void {
    const r = this.#m.get(key);
    if (r && uid && r.deleting.delete(uid)) r.dels--;
  }

  /** The pending counts, for logs and tests. */
  pending(key: string): { adds: number; dels: number } | undefined {
    const r = this.#m.get(key);
    return r && { adds: r.adds, dels: r.dels };
  }

  /** The DaemonSet was deleted (or recreated with a new UID): a new one starts clean. */
  forget(key: string): void { this.#m.delete(key); }
}

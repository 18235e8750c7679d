// Expectations (daemonset-controller.md §5.8): between "we created/deleted N pods" and "our cache
// has seen them", a sync must not act on the stale cache or it would create duplicates. Counts per
// DaemonSet key, plus the UIDs of pods we asked to delete so a graceful delete (deletionTimestamp
// set) and the final removal are counted once (upstream's UIDTrackingControllerExpectations).
// Records expire after 5 minutes so that a lost event cannot stall a DaemonSet for ever.
// A create whose outcome is unknown (the connection broke or timed out after the request was
// sent) stays expected, as upstream keeps it for a timeout: it may well exist already, and
// lowering the count would let the next sync create a second pod on that node before the
// informer shows the first. The shell settles such creates with a live read (uncertainCreates).

export const EXPECTATIONS_TIMEOUT_MS = 5 * 60_000;

/** A create sent for `nodeName` whose answer never came; `knownUids`: the DaemonSet's pods the sync that sent it saw. */
export interface UncertainCreate { nodeName: string; knownUids: readonly string[] }

interface Record_ { adds: number; dels: number; deleting: Set<string>; at: number; uncertain: UncertainCreate[] }

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
    this.#m.set(key, { adds, dels: deleting.size, deleting, at: this.now(), uncertain: [] });
  }

  creationObserved(key: string): void { const r = this.#m.get(key); if (r) r.adds--; }
  /** A create that failed will never be observed. */
  creationFailed(key: string): void { this.creationObserved(key); }
  /** A create that may have happened: it stays expected until observed, settled, or the record expires. */
  creationUncertain(key: string, create: UncertainCreate): void { this.#m.get(key)?.uncertain.push(create); }
  /** The unsettled uncertain creates of an unsatisfied record. */
  uncertainCreates(key: string): readonly UncertainCreate[] {
    return this.satisfied(key) ? [] : this.#m.get(key)?.uncertain ?? [];
  }
  /** A live read settled an uncertain create: it happened (the informer will show it) or it did not (never observed). */
  settleUncertain(key: string, create: UncertainCreate, happened: boolean): void {
    const r = this.#m.get(key);
    const i = r?.uncertain.indexOf(create) ?? -1;
    if (!r || i < 0) return;
    r.uncertain.splice(i, 1);
    if (!happened) r.adds--;
  }

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

// The writes of a rollout's last sync that its caches have not yet seen, as the DaemonSet
// controller's expectations: until a deleted pod shows as terminating (or gone) and a patched
// pod shows its new revision, the next sync would count that node as still available and spend
// the budget on it twice. An expectation older than EXPECTATION_TTL_MS is dropped (a lost
// watch event must not block the rollout for ever; upstream waits 5 minutes).
import type { KObject, Pod } from '../api/types.js';

export const EXPECTATION_TTL_MS = 30_000;

interface Expected { podKey: string; uid?: string; hash?: string; at: number }

export class PendingWrites {
  readonly #byRollout = new Map<string, Expected[]>();
  constructor(private readonly now: () => number) {}

  expectDeletion(rollout: string, podKey: string, uid: string | undefined): void { this.#add(rollout, { podKey, uid, at: this.now() }); }
  expectHash(rollout: string, podKey: string, uid: string | undefined, hash: string): void { this.#add(rollout, { podKey, uid, hash, at: this.now() }); }
  forget(rollout: string): void { this.#byRollout.delete(rollout); }

  /** How many of the rollout's writes the cache does not show yet (the seen and expired are dropped). */
  unobserved(rollout: string, podOf: (podKey: string) => (Pod & KObject) | undefined): number {
    const list = this.#byRollout.get(rollout);
    if (!list) return 0;
    const now = this.now();
    const left = list.filter((e) => now - e.at < EXPECTATION_TTL_MS && !seen(e, podOf(e.podKey)));
    if (left.length) this.#byRollout.set(rollout, left); else this.#byRollout.delete(rollout);
    return left.length;
  }

  #add(rollout: string, e: Expected): void {
    const list = this.#byRollout.get(rollout) ?? [];
    list.push(e);
    this.#byRollout.set(rollout, list);
  }
}

function seen(e: Expected, pod: (Pod & KObject) | undefined): boolean {
  if (!pod || (e.uid && pod.metadata?.uid !== e.uid)) return true; // gone, or replaced by a new pod
  if (e.hash !== undefined) return pod.metadata?.labels?.['controller-revision-hash'] === e.hash;
  return pod.metadata?.deletionTimestamp !== undefined;
}

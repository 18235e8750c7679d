// The range allocator's bookkeeping (upstream rangeAllocator, without its I/O): which node holds
// which CIDR, which nodes wait for one because the range is exhausted, and what to do when a
// node is seen. Pure and synchronous: the shell (controller.ts) feeds it informer events and
// write outcomes and carries out the actions it returns.
import { CidrSet } from './cidrset.js';

export type IpamAction =
  /** Nothing to write: the node has its CIDR, or ours is already on its way to it. */
  | { kind: 'none' }
  /** Patch spec.podCIDR and spec.podCIDRs of the node to this CIDR. */
  | { kind: 'assign'; cidr: string }
  /**
   * The range is exhausted: the node gets no CIDR. `newlyWaiting` is true the first time this
   * node is refused (one CIDRNotAvailable event per node, not one per retry); `firstExhaustion`
   * the first time any node is (one log line for the whole fleet).
   */
  | { kind: 'unavailable'; newlyWaiting: boolean; firstExhaustion: boolean };

/** The CIDRs a Node carries: podCIDRs, or the older singular podCIDR. */
export function podCIDRsOf(spec: { podCIDR?: string; podCIDRs?: string[] } | undefined): string[] {
  if (spec?.podCIDRs?.length) return spec.podCIDRs;
  return spec?.podCIDR ? [spec.podCIDR] : [];
}

export class NodeCidrAllocator {
  /** node → the CIDR it holds (observed on it, or assigned by us and not yet seen back). */
  readonly #held = new Map<string, string>();
  /** CIDR → how many nodes hold it, so a CIDR duplicated by hand is freed only with its last holder. */
  readonly #holders = new Map<string, number>();
  readonly #waiting = new Set<string>();
  #exhaustedOnce = false;

  constructor(readonly set: CidrSet) {}

  /** Nodes refused a CIDR, in the order they were refused (retried when one is freed). */
  waiting(): string[] { return [...this.#waiting]; }
  /** The waiting nodes worth another try now: all of them once any CIDR is free, else none. */
  retryable(): string[] { return this.#waiting.size && this.set.free > 0 ? this.waiting() : []; }
  holds(name: string): string | undefined { return this.#held.get(name); }

  /**
   * A node as the informer shows it. With CIDRs it occupies them (after a restart, every stored
   * node's CIDR is occupied this way before any is allocated); without, it gets the next free
   * CIDR, unless one of ours is already assigned to it and merely not yet visible.
   */
  observe(name: string, podCIDRs: readonly string[]): IpamAction {
    const has = podCIDRs[0];
    const held = this.#held.get(name);
    if (has !== undefined) {
      this.#waiting.delete(name);
      if (held === has) return { kind: 'none' };
      if (held !== undefined) this.#drop(name); // someone else set another CIDR first: ours goes back
      this.set.occupy(has); // a CIDR outside the range is the user's business; nothing to mark
      this.#hold(name, has);
      return { kind: 'none' };
    }
    if (held !== undefined) return { kind: 'none' };
    const cidr = this.set.allocateNext();
    if (cidr === undefined) {
      const newlyWaiting = !this.#waiting.has(name);
      this.#waiting.add(name);
      const firstExhaustion = !this.#exhaustedOnce;
      this.#exhaustedOnce = true;
      return { kind: 'unavailable', newlyWaiting, firstExhaustion };
    }
    this.#waiting.delete(name);
    this.#hold(name, cidr);
    return { kind: 'assign', cidr };
  }

  /**
   * Our patch did not land (the write failed for a reason other than the node being gone): the
   * CIDR goes back so a retry allocates afresh, as upstream releases it on a failed update.
   */
  assignFailed(name: string, cidr: string): void {
    if (this.#held.get(name) === cidr) this.#drop(name);
  }

  /** The node is gone: its CIDR is free again. Returns the waiting nodes worth retrying now. */
  removed(name: string): string[] {
    this.#waiting.delete(name);
    if (!this.#held.has(name)) return [];
    this.#drop(name);
    return this.retryable();
  }

  #hold(name: string, cidr: string): void {
    this.#held.set(name, cidr);
    this.#holders.set(cidr, (this.#holders.get(cidr) ?? 0) + 1);
  }

  #drop(name: string): void {
    const cidr = this.#held.get(name)!;
    this.#held.delete(name);
    const left = (this.#holders.get(cidr) ?? 1) - 1;
    if (left > 0) { this.#holders.set(cidr, left); return; }
    this.#holders.delete(cidr);
    this.set.release(cidr);
  }
}

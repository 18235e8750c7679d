// The node CIDR set of kube-controller-manager's range allocator (upstream cidrset.CidrSet): the
// cluster CIDR cut into equal blocks of nodeCIDRMaskSize, one bit per block. Allocation is
// round-robin from just after the last block handed out (upstream's nextCandidate), so a block
// released by a deleted node is not handed to the very next node while fresh ones remain: what a
// node gets depends only on the sequence of calls, never on time or chance.
import { blockSize, formatCidr, parseIPv4Cidr, parseStoredCidr, type Cidr } from './cidr.js';

/**
 * At most 2^24 node blocks (a 2 MiB bitmap). Upstream's big.Int bitmap has no such bound for IPv4,
 * but 16 million node CIDRs is far beyond any fleet the simulator can hold.
 */
export const MAX_NODE_CIDR_BITS = 24;

/** Why `/maskSize` blocks cannot cut this cluster CIDR (kube-controller-manager refuses to start), if they cannot. */
export function maskSizeProblem(clusterCIDR: string, c: Cidr, maskSize: number): string | undefined {
  if (!Number.isInteger(maskSize) || maskSize < 1 || maskSize > 32) return `must be an integer from 1 to 32, got ${maskSize}`;
  if (maskSize < c.prefix) return `a /${maskSize} node CIDR is larger than clusterCIDR ${clusterCIDR} itself; it must be at least ${c.prefix}`;
  if (maskSize - c.prefix > MAX_NODE_CIDR_BITS) return `clusterCIDR ${clusterCIDR} in /${maskSize} blocks makes ${2 ** (maskSize - c.prefix)} node CIDRs, more than ${2 ** MAX_NODE_CIDR_BITS}; use a smaller nodeCIDRMaskSize or clusterCIDR`;
  return undefined;
}

export type OccupyResult = 'ok' | 'outside';

export class CidrSet {
  readonly #bits: Uint8Array;
  readonly #blocks: number;
  readonly #step: number;
  #next = 0;
  #used = 0;

  private constructor(readonly cluster: Cidr, readonly maskSize: number) {
    this.#blocks = 2 ** (maskSize - cluster.prefix);
    this.#step = blockSize(maskSize);
    this.#bits = new Uint8Array(Math.ceil(this.#blocks / 8));
  }

  /** A set over `clusterCIDR` in blocks of `/maskSize`, or a one-line reason it cannot be one. */
  static create(clusterCIDR: string, maskSize: number): CidrSet | { error: string } {
    const c = parseIPv4Cidr(clusterCIDR);
    if ('error' in c) return c;
    const problem = maskSizeProblem(clusterCIDR, c, maskSize);
    return problem ? { error: `nodeCIDRMaskSize: ${problem}` } : new CidrSet(c, maskSize);
  }

  /** Node CIDRs the range holds. */
  get capacity(): number { return this.#blocks; }
  get used(): number { return this.#used; }
  get free(): number { return this.#blocks - this.#used; }

  /** The next free block after the last one handed out (wrapping), or undefined when all are used. */
  allocateNext(): string | undefined {
    if (this.#used === this.#blocks) return undefined;
    let i = this.#next;
    while (this.#isSet(i)) i = (i + 1) % this.#blocks;
    this.#set(i, true);
    this.#next = (i + 1) % this.#blocks;
    return formatCidr({ base: this.cluster.base + i * this.#step, prefix: this.maskSize });
  }

  /**
   * Marks a CIDR found on an existing Node as used (after a restart, or set by someone else).
   * A CIDR wider than a block marks every block it covers; a narrower one the block holding it,
   * as upstream's getBeginningAndEndIndices does. Unparsable or outside the range: 'outside'.
   */
  occupy(cidr: string): OccupyResult {
    const r = this.#range(cidr);
    if (!r) return 'outside';
    for (let i = r.first; i <= r.last; i++) this.#set(i, true);
    return 'ok';
  }

  /** Frees the blocks of a CIDR (a deleted Node's); outside the range it is a no-op. */
  release(cidr: string): OccupyResult {
    const r = this.#range(cidr);
    if (!r) return 'outside';
    for (let i = r.first; i <= r.last; i++) this.#set(i, false);
    return 'ok';
  }

  isAllocated(cidr: string): boolean {
    const r = this.#range(cidr);
    if (!r) return false;
    for (let i = r.first; i <= r.last; i++) if (!this.#isSet(i)) return false;
    return true;
  }

  #range(cidr: string): { first: number; last: number } | undefined {
    const c = parseStoredCidr(cidr);
    if (!c) return undefined;
    const start = this.cluster.base, end = start + blockSize(this.cluster.prefix); // [start, end)
    const cStart = c.base, cEnd = c.base + blockSize(c.prefix);
    if (cEnd <= start || cStart >= end) return undefined;
    const from = Math.max(cStart, start), to = Math.min(cEnd, end) - 1;
    return { first: Math.floor((from - start) / this.#step), last: Math.floor((to - start) / this.#step) };
  }

  #isSet(i: number): boolean { return (this.#bits[i >> 3] & (1 << (i & 7))) !== 0; }

  #set(i: number, on: boolean): void {
    if (this.#isSet(i) === on) return;
    this.#bits[i >> 3] ^= 1 << (i & 7);
    this.#used += on ? 1 : -1;
  }
}

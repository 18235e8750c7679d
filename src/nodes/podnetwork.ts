// The simulated node's pod network (pure): what a bridge CNI plugin with host-local IPAM over the
// node's spec.podCIDRs hands a new pod sandbox. As host-local's Range.Canonicalize does, the range
// runs from the block's first address after the network address to the last before the IPv4
// broadcast address; the first one is the bridge's gateway and never given to a pod. So an IPv4
// /24 holds 253 pod addresses, a /26 61, a /30 one, and a /31 or /32 none ("too small to allocate
// from"); an IPv6 /64 2^64 - 2. A pod keeps its address for its life (it is in its status); a new
// one gets the first free address at or after a hash of its uid, so addresses are stable for a
// given fleet state without any allocator file, and freed ones are not handed out again at once.
import type { Node, Pod } from '../api/types.js';

export type PodNetwork = { podIPs: string[] } | { error: string };

interface Block { family: 4 | 6; base: bigint; bits: number; prefix: number; text: string }

/** The CIDRs a node's pods get addresses from: podCIDRs, or the older singular podCIDR. */
export function podCIDRsOfNode(node: Node): string[] {
  // Stored objects are not trusted to have the declared shape: anything but strings is no CIDR.
  const s = node.spec as { podCIDR?: unknown; podCIDRs?: unknown } | undefined;
  if (Array.isArray(s?.podCIDRs) && s.podCIDRs.length) return s.podCIDRs.map((c) => (typeof c === 'string' ? c : String(c)));
  return typeof s?.podCIDR === 'string' && s.podCIDR ? [s.podCIDR] : [];
}

// ---- addresses as bigints, both families ----

const OCTET = /^(0|[1-9]\d{0,2})$/;
const HEXTET = /^[0-9a-fA-F]{1,4}$/;

function parseV4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256n + BigInt(p), 0n);
}

function parseV6(s: string): bigint | undefined {
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string) => (h === '' ? [] : h.split(':'));
  const head = groups(halves[0]!), tail = halves.length === 2 ? groups(halves[1]!) : [];
  // An embedded dotted quad (::ffff:10.0.0.1) is two groups.
  const last = (tail.length ? tail : head).at(-1);
  const v4 = last?.includes('.') ? parseV4(last) : undefined;
  if (last?.includes('.')) {
    if (v4 === undefined) return undefined;
    (tail.length ? tail : head).splice(-1, 1, ((v4 >> 16n) & 0xffffn).toString(16), (v4 & 0xffffn).toString(16));
  }
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (!all.every((g) => HEXTET.test(g))) return undefined;
  return all.reduce((acc, g) => (acc << 16n) + BigInt(`0x${g}`), 0n);
}

/** An IP in either family as text: IPv4 dotted, IPv6 in RFC 5952 form (lowercase, longest zero run as ::). */
function formatIP(family: 4 | 6, n: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 255n)).join('.');
  const g = Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(16 * (7 - i))) & 0xffffn));
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j === i ? i + 1 : j;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(':');
  return best < 0 ? hex(g) : `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

/** Text → (family, number), or undefined when it is no IP. */
export function parseIP(s: string): { family: 4 | 6; n: bigint } | undefined {
  if (typeof s !== 'string') return undefined;
  const v4 = s.includes(':') ? undefined : parseV4(s);
  if (v4 !== undefined) return { family: 4, n: v4 };
  const v6 = s.includes(':') ? parseV6(s) : undefined;
  return v6 === undefined ? undefined : { family: 6, n: v6 };
}

/** A CIDR as net.ParseCIDR reads it (host bits masked off), or undefined. */
function parseBlock(cidr: string): Block | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(cidr);
  const ip = m ? parseIP(m[1]!) : undefined;
  if (!m || !ip) return undefined;
  const bits = ip.family === 4 ? 32 : 128, prefix = Number(m[2]);
  if (prefix > bits) return undefined;
  const size = 1n << BigInt(bits - prefix);
  const base = ip.n - (ip.n % size);
  return { family: ip.family, base, bits, prefix, text: `${formatIP(ip.family, base)}/${prefix}` };
}

// ---- host-local's range ----

export interface PodAddressRange {
  family: 4 | 6;
  /** The first address a pod can get (after the gateway) and how many there are. */
  first: bigint;
  count: bigint;
  /** The range as host-local names it in errors: gateway included, broadcast excluded. */
  rangeSet: string;
}

/** The pod addresses of one pod CIDR, or host-local's reason it cannot allocate from it. */
export function podAddressRange(cidr: string): PodAddressRange | { error: string } {
  const b = parseBlock(cidr);
  if (!b) return { error: `invalid CIDR address: ${cidr}` };
  if (b.prefix > b.bits - 2) return { error: `Network ${b.text} too small to allocate from` };
  const size = 1n << BigInt(b.bits - b.prefix);
  const rangeStart = b.base + 1n, rangeEnd = b.base + size - (b.family === 4 ? 2n : 1n);
  return { family: b.family, first: rangeStart + 1n, count: rangeEnd - rangeStart, rangeSet: `${formatIP(b.family, rangeStart)}-${formatIP(b.family, rangeEnd)}` };
}

function fnv1a(s: string, seed = 0x811c9dc5): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** Where a pod's probe for a free address starts: 64 bits of hash of its identity. */
function startOffset(podId: string, count: bigint): bigint {
  return ((BigInt(fnv1a(podId)) << 32n) | BigInt(fnv1a(podId, 0x01000193))) % count;
}

/**
 * The address host-local would give the pod from `range`: the first free one at or after the
 * pod's hash offset (wrapping), or undefined when every address is in use. `inUse` holds the
 * numbers of addresses other live pods hold; the probe is bounded by how many of them there are.
 */
export function chooseAddress(range: PodAddressRange, podId: string, inUse: ReadonlySet<bigint>): bigint | undefined {
  let taken = 0n;
  for (const n of inUse) if (n >= range.first && n < range.first + range.count) taken++;
  if (taken >= range.count) return undefined;
  let off = startOffset(podId, range.count);
  for (;;) {
    const n = range.first + off;
    if (!inUse.has(n)) return n;
    off = (off + 1n) % range.count;
  }
}

const podIdentity = (pod: Pod) => pod.metadata?.uid ?? `${pod.metadata?.namespace}/${pod.metadata?.name}`;

/**
 * The pod's addresses, one per pod CIDR of its node (dual-stack gives two), as host-local over
 * each CIDR gives them; or, as host-local fails, the error of the first range it cannot use.
 * `inUse`: the IPs (text) that other live pods on the node hold. No pod CIDR: no range at all.
 */
export function podIPsFor(node: Node, pod: Pod, inUse: Iterable<string>): PodNetwork {
  const cidrs = podCIDRsOfNode(node);
  if (!cidrs.length) return { error: 'no IP ranges specified' };
  const used = { 4: new Set<bigint>(), 6: new Set<bigint>() };
  for (const ip of inUse) { const p = parseIP(ip); if (p) used[p.family].add(p.n); }
  const podIPs: string[] = [];
  for (const [i, cidr] of cidrs.entries()) {
    const range = podAddressRange(cidr);
    if ('error' in range) return { error: `invalid range set ${i}: ${range.error}` };
    const n = chooseAddress(range, podIdentity(pod), used[range.family]);
    if (n === undefined) return { error: `failed to allocate for range ${i}: no IP addresses available in range set: ${range.rangeSet}` };
    podIPs.push(formatIP(range.family, n));
  }
  return { podIPs };
}

/** The kubelet's FailedCreatePodSandBox message for a CNI ADD that failed this way (containerd's wording). */
export function sandboxFailureMessage(sandboxId: string, error: string): string {
  return `Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "${sandboxId}": plugin type="bridge" failed (add): ${error}`;
}

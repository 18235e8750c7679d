// IPv4 addresses and CIDRs as plain numbers (0 … 2^32-1), for the node IPAM allocator and the
// cluster file's address ranges. Only IPv4: the simulator's pod and node addresses are IPv4, and
// an IPv6 cluster CIDR is refused with a one-line config error rather than half-supported.

export interface Cidr { base: number; prefix: number }

const OCTET = /^(0|[1-9]\d{0,2})$/;

/** Dotted quad → number; undefined unless four decimal octets 0-255 without leading zeros. */
export function parseIPv4(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function formatIPv4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Addresses in a block of this prefix length (2^(32-prefix)). */
export const blockSize = (prefix: number) => 2 ** (32 - prefix);

/** `a.b.c.d/n` whose address is the block's first one (no host bits), or a one-line reason. */
export function parseIPv4Cidr(s: string): Cidr | { error: string } {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(s);
  const ip = m ? parseIPv4(m[1]) : undefined;
  const prefix = m ? Number(m[2]) : NaN;
  if (ip === undefined || !(prefix >= 0 && prefix <= 32)) {
    return { error: s.includes(':') ? `${JSON.stringify(s)}: only IPv4 CIDRs are supported` : `${JSON.stringify(s)} is not an IPv4 CIDR (e.g. 10.0.0.0/8)` };
  }
  const base = ip - (ip % blockSize(prefix));
  if (base !== ip) return { error: `${JSON.stringify(s)} has host bits set (did you mean ${formatCidr({ base, prefix })}?)` };
  return { base, prefix };
}

/** Lenient form for CIDRs found on stored objects: host bits are masked off, as net.ParseCIDR does. */
export function parseStoredCidr(s: string): Cidr | undefined {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(s);
  const ip = m ? parseIPv4(m[1]) : undefined;
  const prefix = m ? Number(m[2]) : NaN;
  if (ip === undefined || !(prefix >= 0 && prefix <= 32)) return undefined;
  return { base: ip - (ip % blockSize(prefix)), prefix };
}

export const formatCidr = (c: Cidr) => `${formatIPv4(c.base)}/${c.prefix}`;

/** Whether two blocks share any address (CIDR blocks either nest or are disjoint). */
export function overlaps(a: Cidr, b: Cidr): boolean {
  const outer = a.prefix <= b.prefix ? a : b;
  const inner = outer === a ? b : a;
  return inner.base >= outer.base && inner.base < outer.base + blockSize(outer.prefix);
}

/** Usable host addresses of a block: all but its network and broadcast address (both for /31 and /32). */
export function hostCount(c: Cidr): number {
  return c.prefix >= 31 ? blockSize(c.prefix) : blockSize(c.prefix) - 2;
}

/** The i-th usable host address (wrapping), so ordinal 0 is the block's first host. */
export function hostAddress(c: Cidr, i: number): string {
  const offset = c.prefix >= 31 ? 0 : 1;
  return formatIPv4(c.base + offset + (i % hostCount(c)));
}

// Kubernetes resource quantities (resource.Quantity) as exact integers, and pod effective
// requests as the scheduler and kubelet compute them.
// Our own code: no npm package parses the Kubernetes quantity grammar exactly, and floats
// would lose precision on values like "1.1Gi" or "100m"; everything here is bigint.
import type { Container, Pod } from './types.js';

/** A parsed quantity as an exact fraction numerator/denominator (denominator > 0). */
export interface Quantity { num: bigint; den: bigint }

const BINARY: Record<string, bigint> = { Ki: 1n << 10n, Mi: 1n << 20n, Gi: 1n << 30n, Ti: 1n << 40n, Pi: 1n << 50n, Ei: 1n << 60n };
const DECIMAL_EXP: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

// sign, digits (with optional fraction), then a binary suffix, a decimal suffix or an exponent.
const GRAMMAR = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

/** Parses a quantity string; undefined when it does not follow the Kubernetes grammar. */
export function parseQuantity(s: string): Quantity | undefined {
  const m = GRAMMAR.exec(s.trim() === s ? s : '');
  if (!m) return undefined;
  const [, sign, number, suffix = ''] = m;
  const [intPart, fracPart = ''] = number.split('.');
  let num = BigInt((intPart || '0') + fracPart);
  let den = 10n ** BigInt(fracPart.length);
  if (suffix in BINARY) num *= BINARY[suffix];
  else {
    const exp = suffix in DECIMAL_EXP ? DECIMAL_EXP[suffix] : Number(suffix.slice(1));
    if (Math.abs(exp) > 1000) return undefined; // absurd exponents would allocate huge bigints
    if (exp >= 0) num *= 10n ** BigInt(exp); else den *= 10n ** BigInt(-exp);
  }
  if (sign === '-') num = -num;
  return { num, den };
}

function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && (a > 0n) === (b > 0n) ? q + 1n : q;
}

/** Value rounded up to an integer (Quantity.Value()). */
export const quantityValue = (q: Quantity): bigint => ceilDiv(q.num, q.den);
/** Value in thousandths rounded up (Quantity.MilliValue()). */
export const quantityMilli = (q: Quantity): bigint => ceilDiv(q.num * 1000n, q.den);

/** Parses or throws `invalid quantity "x"`; for code paths where the input was validated already. */
export function mustParseQuantity(s: string | number): Quantity {
  const q = parseQuantity(String(s));
  if (!q) throw new Error(`invalid quantity "${s}"`);
  return q;
}

/** Milli-units formatted canonically: "2" when whole, otherwise "1500m". */
export function formatMilli(milli: bigint): string {
  return milli % 1000n === 0n ? String(milli / 1000n) : `${milli}m`;
}

/** Bytes with whichever exact suffix reads shorter: binary (128Mi) or decimal (100G); ties go binary. */
export function formatBytes(bytes: bigint): string {
  if (bytes === 0n) return '0';
  const pick = (units: [string, bigint][]): string => {
    const hit = units.find(([, unit]) => bytes % unit === 0n);
    return hit ? `${bytes / hit[1]}${hit[0]}` : String(bytes);
  };
  const binary = pick((['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki'] as const).map((s) => [s, BINARY[s]]));
  const decimal = pick((['E', 'P', 'T', 'G', 'M', 'k'] as const).map((s) => [s, 10n ** BigInt(DECIMAL_EXP[s])]));
  return decimal.length < binary.length ? decimal : binary;
}

// ---- resource lists in canonical integer units ----

/** Resource name → amount; cpu in millicores, everything else in whole units (bytes, count). */
export type ResourceAmounts = Record<string, bigint>;

/** cpu is counted in milli-units (MilliValue), every other resource in units (Value). */
export function resourceAmount(name: string, q: Quantity): bigint {
  return name === 'cpu' ? quantityMilli(q) : quantityValue(q);
}

/** Converts a wire ResourceList; unparsable values are skipped (the API server rejects them earlier). */
export function toAmounts(list: Record<string, string | number | undefined> | undefined): ResourceAmounts {
  const out: ResourceAmounts = {};
  for (const [name, raw] of Object.entries(list ?? {})) {
    const q = raw === undefined ? undefined : parseQuantity(String(raw));
    if (q) out[name] = resourceAmount(name, q);
  }
  return out;
}

/** Formats canonical amounts back to a wire ResourceList. */
export function fromAmounts(a: ResourceAmounts): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(a)) {
    out[name] = name === 'cpu' ? formatMilli(v) : name === 'memory' || name.includes('storage') ? formatBytes(v) : String(v);
  }
  return out;
}

export function addAmounts(a: ResourceAmounts, b: ResourceAmounts): ResourceAmounts {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0n) + v;
  return out;
}

export function maxAmounts(a: ResourceAmounts, b: ResourceAmounts): ResourceAmounts {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = out[k] === undefined || v > out[k] ? v : out[k];
  return out;
}

/** Container requests; like the API server defaulting, limits stand in for missing requests. */
export function containerRequests(c: Container): ResourceAmounts {
  return { ...toAmounts(c.resources?.limits as Record<string, string>), ...toAmounts(c.resources?.requests as Record<string, string>) };
}

/**
 * The pod's effective requests (resource helpers' PodRequests): max(sum of containers plus
 * restartable "sidecar" init containers, each ordinary init container plus the sidecars started
 * before it) plus spec.overhead. The "pods" resource is not included.
 */
export function podRequests(pod: Pod): ResourceAmounts {
  let total: ResourceAmounts = {};
  for (const c of pod.spec?.containers ?? []) total = addAmounts(total, containerRequests(c));
  let sidecars: ResourceAmounts = {};
  let initPeak: ResourceAmounts = {};
  for (const c of pod.spec?.initContainers ?? []) {
    const req = containerRequests(c);
    if (c.restartPolicy === 'Always') {
      sidecars = addAmounts(sidecars, req);
      initPeak = maxAmounts(initPeak, sidecars);
    } else {
      initPeak = maxAmounts(initPeak, addAmounts(req, sidecars));
    }
  }
  total = maxAmounts(addAmounts(total, sidecars), initPeak);
  return addAmounts(total, toAmounts(pod.spec?.overhead as Record<string, string>));
}

/** Scheduler scoring defaults for containers without requests (100m cpu, 200Mi memory). */
export const DEFAULT_MILLI_CPU_REQUEST = 100n;
export const DEFAULT_MEMORY_REQUEST = 200n * 1024n * 1024n;

/** Requests for scoring: cpu/memory missing in a container count as the defaults (GetNonzeroRequests). */
export function podNonZeroRequests(pod: Pod): { cpu: bigint; memory: bigint } {
  const withDefaults = (c: Container): ResourceAmounts => {
    const r = containerRequests(c);
    return { cpu: r.cpu ?? DEFAULT_MILLI_CPU_REQUEST, memory: r.memory ?? DEFAULT_MEMORY_REQUEST };
  };
  let total: ResourceAmounts = { cpu: 0n, memory: 0n };
  for (const c of pod.spec?.containers ?? []) total = addAmounts(total, withDefaults(c));
  for (const c of pod.spec?.initContainers ?? []) total = maxAmounts(total, withDefaults(c));
  total = addAmounts(total, toAmounts(pod.spec?.overhead as Record<string, string>));
  return { cpu: total.cpu ?? 0n, memory: total.memory ?? 0n };
}

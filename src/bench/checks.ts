// The bench's correctness checks (pure): a fast wrong answer is a failure, not a result. Each
// returns the list of problems found; empty means the state is exactly what it must be.
import type { DaemonSet, Pod } from '../api/types.js';
import { isPodReady, targetNodeName } from '../controller/core/pods.js';

/** The DaemonSet status once every one of `expected` nodes runs one ready, updated pod. */
export function convergedStatusProblems(ds: DaemonSet, expected: number): string[] {
  const s = ds.status;
  if (!s) return ['no status'];
  const want: Record<string, number> = {
    desiredNumberScheduled: expected,
    currentNumberScheduled: expected,
    updatedNumberScheduled: expected,
    numberReady: expected,
    numberAvailable: expected,
    numberMisscheduled: 0,
    numberUnavailable: 0,
  };
  const out: string[] = [];
  for (const [field, v] of Object.entries(want)) {
    const got = (s as unknown as Record<string, unknown>)[field] ?? 0; // zero counts may be omitted on the wire
    if (got !== v) out.push(`status.${field} = ${String(got)}, want ${v}`);
  }
  const gen = ds.metadata?.generation;
  if (gen !== undefined && s.observedGeneration !== gen) out.push(`status.observedGeneration = ${s.observedGeneration}, want ${gen}`);
  return out;
}

/** Cheap predicate for waits: the status already claims full convergence (checked exactly later). */
export function statusClaimsConverged(ds: DaemonSet | undefined, expected: number): boolean {
  return !!ds && convergedStatusProblems(ds, expected).length === 0;
}

/**
 * The pods themselves: exactly one live pod on each expected node, none elsewhere, all Ready,
 * all with `image`. Problems are summarised (first few examples) so a 10,000-node failure stays readable.
 */
export function podPlacementProblems(pods: readonly Pod[], expectedNodes: ReadonlySet<string>, image: string): string[] {
  const perNode = new Map<string, number>();
  const stray: string[] = [];
  const notReady: string[] = [];
  const wrongImage: string[] = [];
  for (const p of pods) {
    if (p.metadata?.deletionTimestamp) continue;
    const name = p.metadata?.name ?? '?';
    const node = targetNodeName(p);
    if (!node || !expectedNodes.has(node)) { stray.push(`${name}→${node ?? 'nowhere'}`); continue; }
    perNode.set(node, (perNode.get(node) ?? 0) + 1);
    if (!isPodReady(p)) notReady.push(name);
    if (p.spec?.containers?.[0]?.image !== image) wrongImage.push(name);
  }
  const doubled = [...perNode].filter(([, n]) => n > 1).map(([node, n]) => `${node}×${n}`);
  const missing = [...expectedNodes].filter((n) => !perNode.has(n));
  const out: string[] = [];
  const report = (what: string, list: string[]) => {
    if (list.length) out.push(`${list.length} ${what}: ${list.slice(0, 5).join(', ')}${list.length > 5 ? ', …' : ''}`);
  };
  report('nodes with two or more pods', doubled);
  report('nodes without a pod', missing);
  report('pods on unexpected nodes', stray);
  report('pods not Ready', notReady);
  report(`pods not running ${image}`, wrongImage);
  return out;
}

/** Missing or duplicated pod CIDRs among the nodes' (name → CIDR). */
export function ipamProblems(cidrs: ReadonlyMap<string, string>, expected: number): string[] {
  const problems: string[] = [];
  if (cidrs.size < expected) problems.push(`${expected - cidrs.size} of ${expected} nodes have no pod CIDR`);
  const holders = new Map<string, number>();
  for (const c of cidrs.values()) holders.set(c, (holders.get(c) ?? 0) + 1);
  const shared = [...holders.values()].filter((k) => k > 1).length;
  if (shared) problems.push(`${shared} pod CIDRs are held by more than one node`);
  return problems;
}

/**
 * The bench's node CIDR size: upstream's /24 in 10.0.0.0/8 up to 65,536 nodes, smaller blocks
 * beyond, so every size the bench accepts fits the range.
 */
export function benchNodeCIDRMaskSize(nodes: number): number {
  return Math.max(24, 8 + Math.ceil(Math.log2(Math.max(1, nodes))));
}

/**
 * Whether a watch event of an object (old → cur) was a status write that changed something: a new
 * resourceVersion with a different status. Deep comparison by canonical JSON is enough for
 * objects decoded from the wire (key order is the server's, the same for both).
 */
export function statusWritten(old: { metadata?: { resourceVersion?: string }; status?: unknown }, cur: { metadata?: { resourceVersion?: string }; status?: unknown }): boolean {
  return old.metadata?.resourceVersion !== cur.metadata?.resourceVersion && JSON.stringify(old.status ?? null) !== JSON.stringify(cur.status ?? null);
}

/** |measured − reference| ≤ tolerance × reference: the rehearsal's duration against the real run's. */
export function withinTolerance(measured: number, reference: number, tolerance: number): boolean {
  return reference > 0 && Number.isFinite(measured) && Math.abs(measured - reference) <= tolerance * reference;
}

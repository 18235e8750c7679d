// Blockers: for every managed node not done, one reason from the fixed vocabulary and a cause.
// Health problems carry the cause attribution decided (attribution.ts); nodes held back by the
// rollout itself (budget, wave order, approval, pause, a tripped gate) carry cause Budget.
import { rfc3339 } from '../../api/meta.js';
import type { DefaultedSpec } from '../api/defaults.js';
import type { BlockedNode, BlockerReason, Failure, Phase, WaveStatus } from '../api/types.js';
import type { Assessment } from './attribution.js';
import type { Wave } from './waves.js';

export interface BlockerInput {
  waves: readonly Wave[];
  states: readonly WaveStatus[];
  cur: number;
  phase: Phase;
  quarantined: ReadonlySet<string>;
  assessments: ReadonlyMap<string, Assessment>;
  /** Nodes acted on this sync: in progress, not blocked. */
  acted: ReadonlySet<string>;
  sinceOf: (node: string, reason: string, derivedMs: number | undefined) => number;
  spec: DefaultedSpec;
  failure?: Failure;
}

/** Every blocked node, sorted (Revision, Node, Budget; then wave order and name); only the first `limit` are rendered. */
export function blockersOf(b: BlockerInput, limit: number): { list: BlockedNode[]; total: number; byReason: Partial<Record<BlockerReason, number>> } {
  type Entry = Omit<BlockedNode, 'since'> & { derived?: number };
  // Waves come in order and their members by name, so one bucket per cause, each cut at `limit`,
  // gives the sorted head without sorting (or allocating) an entry per node of a large fleet.
  const buckets: Record<BlockedNode['cause'], Entry[]> = { Revision: [], Node: [], Budget: [] };
  let total = 0;
  const byReason: Partial<Record<BlockerReason, number>> = {};
  const add = (wi: number, node: string, reason: BlockerReason, cause: BlockedNode['cause'], message: string, derived?: number) => {
    total++;
    byReason[reason] = (byReason[reason] ?? 0) + 1;
    const bucket = buckets[cause];
    if (bucket.length < limit) bucket.push({ node, wave: b.waves[wi].name, reason, message, cause, derived });
  };
  const current = b.cur === -1 ? b.waves.length - 1 : b.cur;
  const stopped = `rollout stopped: ${b.failure?.reason ?? 'failed'}`;
  const waitsForWave = `waits for wave ${b.waves[current]?.name ?? ''}`;
  b.waves.forEach((w, wi) => {
    const waitsForBudget = `wave ${w.name}: maxUnavailable ${String(w.spec.maxUnavailable)} or perNodeMaxUnavailable ${b.spec.perNodeMaxUnavailable} in use`;
    const waitsForApproval = `wave ${w.name} waits for approval`;
    for (const m of w.members) {
      if (m.done) continue;
      const a = b.assessments.get(m.name);
      if (a) { add(wi, m.name, a.reason, a.cause, `${a.message}${b.quarantined.has(m.name) ? ' (quarantined)' : ''}`, a.sinceMs); continue; }
      if (b.acted.has(m.name) || m.updated) continue; // being replaced or starting: in progress
      if (b.phase === 'Failed') add(wi, m.name, 'Paused', 'Budget', stopped);
      else if (b.phase === 'Paused') add(wi, m.name, 'Paused', 'Budget', 'spec.paused is true');
      else if (wi === current && b.phase === 'WaitingApproval') add(wi, m.name, 'WaitingForApproval', 'Budget', waitsForApproval);
      else if (wi > current) add(wi, m.name, 'WaitingForWave', 'Budget', waitsForWave);
      else add(wi, m.name, 'WaitingForBudget', 'Budget', waitsForBudget);
    }
  });
  const head = [...buckets.Revision, ...buckets.Node, ...buckets.Budget].slice(0, limit);
  const rendered = head.map(({ derived, ...rest }) => ({ ...rest, since: rfc3339(b.sinceOf(rest.node, rest.reason, derived)) }));
  return { list: rendered, total, byReason };
}

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

const CAUSE_ORDER = { Revision: 0, Node: 1, Budget: 2 } as const;

export function blockersOf(b: BlockerInput): { list: BlockedNode[]; byReason: Partial<Record<BlockerReason, number>> } {
  const list: (BlockedNode & { wi: number })[] = [];
  const byReason: Partial<Record<BlockerReason, number>> = {};
  const add = (wi: number, node: string, reason: BlockerReason, cause: BlockedNode['cause'], message: string, derived?: number) => {
    list.push({ wi, node, wave: b.waves[wi].name, reason, message, cause, since: rfc3339(b.sinceOf(node, reason, derived)) });
    byReason[reason] = (byReason[reason] ?? 0) + 1;
  };
  const current = b.cur === -1 ? b.waves.length - 1 : b.cur;
  b.waves.forEach((w, wi) => {
    for (const m of w.members) {
      if (m.done) continue;
      const a = b.assessments.get(m.name);
      if (a) { add(wi, m.name, a.reason, a.cause, `${a.message}${b.quarantined.has(m.name) ? ' (quarantined)' : ''}`, a.sinceMs); continue; }
      if (b.acted.has(m.name) || m.updated) continue; // being replaced or starting: in progress
      if (b.phase === 'Failed') add(wi, m.name, 'Paused', 'Budget', `rollout stopped: ${b.failure?.reason ?? 'failed'}`);
      else if (b.phase === 'Paused') add(wi, m.name, 'Paused', 'Budget', 'spec.paused is true');
      else if (wi === current && b.phase === 'WaitingApproval') add(wi, m.name, 'WaitingForApproval', 'Budget', `wave ${w.name} waits for approval`);
      else if (wi > current) add(wi, m.name, 'WaitingForWave', 'Budget', `waits for wave ${b.waves[current]?.name ?? ''}`);
      else add(wi, m.name, 'WaitingForBudget', 'Budget', `wave ${w.name}: maxUnavailable ${String(w.spec.maxUnavailable)} or perNodeMaxUnavailable ${b.spec.perNodeMaxUnavailable} in use`);
    }
  });
  list.sort((x, y) => CAUSE_ORDER[x.cause] - CAUSE_ORDER[y.cause] || x.wi - y.wi || (x.node < y.node ? -1 : x.node > y.node ? 1 : 0));
  return { list: list.map(({ wi: _wi, ...rest }) => rest), byReason };
}

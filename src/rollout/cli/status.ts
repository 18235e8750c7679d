// `everynode rollout status`: what the status of a DaemonSetRollout says, as text and as a verdict
// (done, failed, or still going), the way `kubectl rollout status` judges a DaemonSet. Pure: the
// object and the clock come in, strings and decisions go out.
import { parseGoDuration } from '../../api/duration.js';
import { parseTime } from '../../api/meta.js';
import type { DaemonSetRollout } from '../api/types.js';
import { humanDuration } from '../../api/duration.js';
import { renderTable } from './table.js';

export type Verdict =
  | { state: 'done'; message: string }
  | { state: 'failed'; message: string }
  | { state: 'waiting'; message: string };

/**
 * Complete (for the current generation) is done, Failed is failed, anything else is waiting — also
 * while the controller has not yet observed the latest spec, so a status from before an edit is
 * never taken for the answer (as kubectl checks observedGeneration).
 */
/** Progressing=False reasons that mean the controller will do nothing until the objects change. */
const CANNOT_PROGRESS = new Set(['NoTarget', 'NoOnDeleteTarget', 'InvalidSpec']);

export function verdictOf(r: DaemonSetRollout): Verdict {
  const name = r.metadata?.name ?? '';
  const s = r.status ?? {};
  const gen = r.metadata?.generation;
  if (s.phase === undefined) return { state: 'waiting', message: `Waiting for rollout "${name}" to be observed by the rollout controller...` };
  if (gen !== undefined && (s.observedGeneration ?? 0) < gen) return { state: 'waiting', message: `Waiting for rollout "${name}" spec update to be observed...` };
  // Idle because it cannot act (no target, a RollingUpdate target, an invalid spec) is no success.
  const stuck = list(s.conditions).find((c) => c.type === 'Progressing' && c.status === 'False' && CANNOT_PROGRESS.has(c.reason ?? ''));
  if (stuck) return { state: 'failed', message: `rollout "${name}" cannot progress: ${stuck.reason}: ${stuck.message ?? ''}` };
  const nodes = list(s.waves).reduce((n, w) => n + (Number.isInteger(w.nodes) ? w.nodes : 0), 0);
  switch (s.phase) {
    case 'Complete':
    case 'Idle':
      return { state: 'done', message: `rollout "${name}" successfully rolled out${s.toRevision ? ` (revision ${s.toRevision})` : ''}` };
    case 'Failed':
      return { state: 'failed', message: `rollout "${name}" failed${s.failure ? `: ${s.failure.reason}: ${s.failure.message}` : ''}${s.rolledBackFrom ? ` (rolled back from ${s.rolledBackFrom})` : ''}` };
    case 'WaitingApproval':
      return { state: 'waiting', message: `Waiting for rollout "${name}": wave ${s.currentWave ?? '?'} waits for approval (everynode rollout approve ${name})...` };
    case 'Paused':
      return { state: 'waiting', message: `Waiting for rollout "${name}": paused (everynode rollout resume ${name})...` };
    default:
      return { state: 'waiting', message: `Waiting for rollout "${name}" to finish: ${s.phase}${s.currentWave ? `, wave ${s.currentWave}` : ''}, ${s.readyNodes ?? 0} of ${nodes} nodes updated and ready...` };
  }
}

/** Phase, revisions, then the waves table and (when any) the blockers table. */
export function renderStatus(r: DaemonSetRollout, nowMs: number): string {
  const s = r.status ?? {};
  const ns = r.metadata?.namespace ?? 'default';
  const lines = [
    `Name:        ${r.metadata?.name ?? ''}`,
    `Namespace:   ${ns}`,
    `Phase:       ${s.phase ?? '<not yet observed>'}${s.currentWave ? ` (wave ${s.currentWave})` : ''}${r.spec?.paused ? ', spec.paused' : ''}`,
    `Revision:    ${s.fromRevision ?? '?'} -> ${s.toRevision ?? '?'}${s.rolledBackFrom ? ` (rolled back from ${s.rolledBackFrom})` : ''}`,
  ];
  if (s.failure) lines.push(`Failure:     ${s.failure.reason}: ${s.failure.message}`);
  if (list(s.quarantinedNodes).length) lines.push(`Quarantined: ${list(s.quarantinedNodes).join(', ')}`);
  const waves = list(s.waves);
  if (waves.length) {
    lines.push('', renderTable(['wave', 'nodes', 'updated', 'ready', 'failed', 'quarantined', 'state'],
      waves.map((w) => [w.name, num(w.nodes), num(w.updated), num(w.ready), num(w.failed), num(w.quarantined), w.state])));
  }
  const blocked = list(s.blockedNodes);
  if (blocked.length) {
    lines.push('', renderTable(['node', 'wave', 'reason', 'cause', 'since', 'message'],
      blocked.map((b) => [b.node, b.wave, b.reason, b.cause, since(b.since, nowMs), b.message ?? ''])));
    const total = s.blockedNodesTotal ?? blocked.length;
    if (total > blocked.length) lines.push(`... and ${total - blocked.length} more blocked nodes`);
  }
  return lines.join('\n');
}

/** A stored status is not trusted to have the shape the controller writes. */
const list = <T>(v: T[] | undefined): T[] => (Array.isArray(v) ? v.filter((x) => typeof x === 'object' && x !== null || typeof x === 'string') : []);

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? String(v) : '0');

function since(t: string | undefined, nowMs: number): string {
  const at = parseTime(t);
  return at === undefined ? '<unknown>' : humanDuration(nowMs - at);
}

/**
 * `--timeout` as kubectl takes it: a Go duration ("90s", "5m", "1h30m", "500ms"); "0" waits for
 * ever (the same Go durations as the controller's flags).
 */
export const parseTimeout = (text: string): number | undefined => parseGoDuration(text);

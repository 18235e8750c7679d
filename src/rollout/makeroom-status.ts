// Make-room's blockers in the rollout's status (pure): a node whose new daemon pod cannot be given
// room says why in status.blockedNodes — EvictionBlocked (a PodDisruptionBudget allows no
// disruption; the message names it) or InsufficientResources (not even evicting every eligible
// pod would be enough) — in place of the core's scheduler-message entry for that node.
import { rfc3339, parseTime } from '../api/meta.js';
import type { BlockedNode, BlockerReason, DaemonSetRolloutStatus } from './api/types.js';
import { BLOCKED_NODES_LIMIT } from './core/plan.js';

export interface RoomBlocker { node: string; reason: BlockerReason; message: string }

/**
 * The status with each blocker put on its node: the core's entry for the node keeps its wave and
 * cause and takes the reason and message; a node the core did not list is added (cause Node:
 * the room is held by the node's other pods). `since` stays what the last written status said
 * while the reason stays, so an unchanged sync writes an identical status.
 */
export function withRoomBlockers(status: DaemonSetRolloutStatus, blockers: readonly RoomBlocker[], previous: DaemonSetRolloutStatus | undefined, nowMs: number, waveOf: (node: string) => string | undefined): DaemonSetRolloutStatus {
  if (!blockers.length) return status;
  const list = [...(status.blockedNodes ?? [])];
  const byReason: Partial<Record<BlockerReason, number>> = { ...status.blockedByReason };
  let total = status.blockedNodesTotal ?? list.length;
  const before = new Map((previous?.blockedNodes ?? []).map((b) => [b.node, b]));
  for (const b of blockers) {
    const had = before.get(b.node);
    const since = had?.reason === b.reason && parseTime(had.since) !== undefined ? had.since : rfc3339(nowMs);
    const i = list.findIndex((e) => e.node === b.node);
    if (i >= 0) {
      const old = list[i];
      byReason[old.reason] = (byReason[old.reason] ?? 1) - 1;
      if (!byReason[old.reason]) delete byReason[old.reason];
      list[i] = { ...old, reason: b.reason, message: b.message, since };
    } else {
      const wave = waveOf(b.node);
      if (wave === undefined) continue; // not a node of this rollout
      const entry: BlockedNode = { node: b.node, wave, reason: b.reason, message: b.message, since, cause: 'Node' };
      // Before the Budget entries, after the Revision and Node ones, as the core orders causes.
      const at = list.findIndex((e) => e.cause === 'Budget');
      list.splice(at === -1 ? list.length : at, 0, entry);
      total++;
    }
    byReason[b.reason] = (byReason[b.reason] ?? 0) + 1;
  }
  return { ...status, blockedNodes: list.slice(0, BLOCKED_NODES_LIMIT), blockedNodesTotal: total, blockedByReason: byReason };
}

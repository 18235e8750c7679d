// Conditions and the status bits that keep their history (lastTransitionTime only moves on a change).
import { rfc3339 } from '../../api/meta.js';
import type { Condition } from '../api/types.js';

export function condition(prev: readonly Condition[] | undefined, type: Condition['type'], status: Condition['status'],
  reason: string, message: string, nowMs: number): Condition {
  const old = prev?.find((c) => c?.type === type);
  const lastTransitionTime = old && old.status === status && typeof old.lastTransitionTime === 'string' ? old.lastTransitionTime : rfc3339(nowMs);
  return { type, status, reason, message, lastTransitionTime };
}

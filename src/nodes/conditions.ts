// Condition lists (pod and node) keyed by type, the way kubelet and controllers update them:
// lastTransitionTime moves only when the status value changes.

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastProbeTime?: string | null;
  lastHeartbeatTime?: string;
}

export function findCondition<C extends Condition>(list: readonly C[] | undefined, type: string): C | undefined {
  return (list ?? []).find((c) => c.type === type);
}

/**
 * Returns a new list with `next` in place of the condition of the same type (appended if new).
 * The old lastTransitionTime is kept when the status did not change; otherwise `nowIso`.
 */
export function setCondition<C extends Condition>(list: readonly C[] | undefined, next: C, nowIso: string): C[] {
  const old = findCondition(list, next.type);
  const lastTransitionTime = old && old.status === next.status && old.lastTransitionTime ? old.lastTransitionTime : nowIso;
  const merged = { ...next, lastTransitionTime } as C;
  const out = (list ?? []).map((c) => (c.type === next.type ? merged : c));
  return old ? out : [...out, merged];
}

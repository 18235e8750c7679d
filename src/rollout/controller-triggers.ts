// Which rollouts an object's change concerns, as pure functions of the objects (tested alone).
import type { KObject, Node, Pod } from '../api/types.js';
import { controllerRefOf } from '../api/meta.js';
import { QUARANTINE_ANNOTATION } from './api/types.js';

/** A daemon pod's change concerns the rollouts of its namespace; other pods concern none. */
export function rolloutKeysForPod(old: (Pod & KObject) | undefined, cur: (Pod & KObject) | undefined, inNamespace: (ns: string | undefined) => string[]): string[] {
  const keys = new Set<string>();
  for (const p of [old, cur]) {
    if (p && controllerRefOf(p)?.kind === 'DaemonSet') for (const k of inNamespace(p.metadata?.namespace)) keys.add(k);
  }
  return [...keys];
}

const conditionsOf = (n: Node) => (n.status?.conditions ?? []).map((c) => `${c?.type}=${c?.status}`).sort().join(',');

/**
 * Whether a node update can change a plan: its labels (waves), schedulability and taints, its
 * conditions' statuses (health), or the quarantine annotation. Heartbeats alone (a condition's
 * lastHeartbeatTime) do not.
 */
export function nodeChangeMatters(old: Node, cur: Node): boolean {
  return JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {})
    || old.spec?.unschedulable !== cur.spec?.unschedulable
    || JSON.stringify(old.spec?.taints ?? []) !== JSON.stringify(cur.spec?.taints ?? [])
    || conditionsOf(old) !== conditionsOf(cur)
    || old.metadata?.annotations?.[QUARANTINE_ANNOTATION] !== cur.metadata?.annotations?.[QUARANTINE_ANNOTATION];
}

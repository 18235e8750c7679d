// The shell of make-room: carries out one makeRoomRound (makeroom-round.ts) through the Eviction
// API, one node after the other, and returns the blockers for the status. A 429 (a budget our
// cache thought had room) stops that node's round with an EvictionBlocked blocker; the pods it
// did evict are remembered as pending deletions, so the next sync waits for the cache to show
// them leaving instead of choosing again.
import type { KObject, Node, Pod, PodDisruptionBudget } from '../api/types.js';
import { podPriority } from '../api/scheduling.js';
import type { RawClient } from '../kube/client.js';
import type { RolloutEvent } from './core/types.js';
import { evictPod } from './evict.js';
import { EVICTION_BLOCKED, makeRoomRound, type RoomTarget } from './makeroom-round.js';
import type { RoomBlocker } from './makeroom-status.js';

export interface MakeRoomShellInput {
  client: RawClient;
  daemonPods: readonly Pod[];
  targets: readonly RoomTarget[];
  node(name: string): Node | undefined;
  podsOn(name: string): readonly Pod[];
  pdbs: readonly PodDisruptionBudget[];
  signal: AbortSignal;
  /** An eviction the API accepted (the next sync waits until the cache shows the pod leaving). */
  evicted(pod: Pod & KObject): void;
}

const nameOf = (p: Pod) => `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;

export async function makeRoom(o: MakeRoomShellInput): Promise<{ blockers: RoomBlocker[]; events: RolloutEvent[] }> {
  const blockers: RoomBlocker[] = [];
  const events: RolloutEvent[] = [];
  for (const d of makeRoomRound(o)) {
    if (d.action === 'Wait') continue;
    if (d.action === 'Blocked') { blockers.push({ node: d.node, reason: d.reason, message: d.message }); continue; }
    for (const v of d.evict) {
      const r = await evictPod(o.client, { namespace: v.metadata?.namespace ?? '', name: v.metadata?.name ?? '', uid: v.metadata?.uid }, { signal: o.signal });
      if (r.result === 'Blocked') {
        blockers.push({ node: d.node, reason: EVICTION_BLOCKED, message: `make-room: evicting ${nameOf(v)} from node ${d.node} was refused: ${r.message}` });
        break;
      }
      if (r.result === 'Evicted') {
        o.evicted(v as Pod & KObject);
        events.push({ type: 'Normal', reason: 'MakeRoom', message: `evicted pod ${nameOf(v)} (priority ${podPriority(v)}) from node ${d.node} so that daemon pod ${nameOf(d.pending)} fits` });
      }
    }
  }
  return { blockers, events };
}

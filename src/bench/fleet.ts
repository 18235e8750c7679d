// What the bench watches during a run (pure, no I/O): one DaemonSet's pods, grouped by the node
// they target, kept incrementally so each watch event costs O(1) even at 10,000 nodes. From it
// come the moment-by-moment numbers the checks need: how many nodes lack an available pod, and
// how many nodes carry two live pods at once. The worst values ever seen are kept, so a budget
// breach between two samples cannot hide.
import type { Pod } from '../api/types.js';
import { isPodReady, targetNodeName } from '../controller/core/pods.js';

interface PodFacts { node: string | undefined; live: boolean; ready: boolean; image: string }

/**
 * A node with two live pods is *surging* while one of them is not yet Ready. Once the new pod is
 * Ready the old one is due for deletion: upstream's surge accounting (and ours) stops counting
 * that node, and creates for further nodes go out in the same sync before the deletes, so
 * "doubled" can briefly exceed maxSurge while "surging" must not.
 */
const isSurging = (n: { live: number; ready: number }) => n.live >= 2 && n.ready < n.live;

export interface Peaks { maxUnavailable: number; maxDoubled: number; maxTripled: number; maxSurging: number }

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export class FleetTracker {
  readonly #pods = new Map<string, PodFacts>();
  /** node → number of live (not terminating) pods targeting it. */
  readonly #live = new Map<string, number>();
  /** node → number of live Ready pods on it. */
  readonly #ready = new Map<string, number>();
  #doubled = 0;
  #tripled = 0;
  #surging = 0;
  #maxDoubled = 0;
  #maxTripled = 0;
  #maxSurging = 0;
  #maxUnavailable = 0;
  /** Every pod ever added: the create count the controller issued (as seen by watch). */
  #created = 0;

  /** @param nodes how many nodes should each carry one available pod (the budget base). */
  constructor(public nodes: number) {}

  apply(type: WatchEventType, key: string, pod: Pod): void {
    const old = this.#pods.get(key);
    if (old) this.#count(old, -1);
    if (type === 'DELETED') {
      this.#pods.delete(key);
    } else {
      if (!old) this.#created++;
      const facts: PodFacts = {
        node: targetNodeName(pod),
        live: !pod.metadata?.deletionTimestamp && pod.status?.phase !== 'Failed' && pod.status?.phase !== 'Succeeded',
        ready: isPodReady(pod),
        image: pod.spec?.containers?.[0]?.image ?? '',
      };
      this.#pods.set(key, facts);
      this.#count(facts, +1);
    }
    this.#maxDoubled = Math.max(this.#maxDoubled, this.#doubled);
    this.#maxTripled = Math.max(this.#maxTripled, this.#tripled);
    this.#maxSurging = Math.max(this.#maxSurging, this.#surging);
    this.#maxUnavailable = Math.max(this.#maxUnavailable, this.unavailable());
  }

  #count(f: PodFacts, d: 1 | -1): void {
    if (!f.node || !f.live) return;
    const before = this.#shape(f.node);
    const live = before.live + d;
    const ready = before.ready + (f.ready ? d : 0);
    if (live) this.#live.set(f.node, live); else this.#live.delete(f.node);
    if (ready) this.#ready.set(f.node, ready); else this.#ready.delete(f.node);
    const after = this.#shape(f.node);
    this.#doubled += Number(after.live >= 2) - Number(before.live >= 2);
    this.#tripled += Number(after.live >= 3) - Number(before.live >= 3);
    this.#surging += Number(isSurging(after)) - Number(isSurging(before));
  }

  #shape(node: string): { live: number; ready: number } {
    return { live: this.#live.get(node) ?? 0, ready: this.#ready.get(node) ?? 0 };
  }

  /** Nodes (of `nodes`) with no live Ready pod right now. */
  unavailable(): number { return Math.max(0, this.nodes - this.#ready.size); }
  /** Nodes with two or more live pods right now. */
  doubled(): number { return this.#doubled; }
  /** Nodes surging right now: two or more live pods, not all Ready (a new pod still starting). */
  surging(): number { return this.#surging; }
  /** Nodes carrying a live Ready pod with this image. */
  readyWithImage(image: string): number {
    const nodes = new Set<string>();
    for (const f of this.#pods.values()) if (f.live && f.ready && f.node && f.image === image) nodes.add(f.node);
    return nodes.size;
  }
  pods(): number { return this.#pods.size; }
  created(): number { return this.#created; }
  /** Whether this node currently has a live pod (any readiness). */
  hasPodOn(node: string): boolean { return this.#live.has(node); }

  /** Starts a new observation window: the worst-so-far values restart from the current state. */
  resetPeaks(): void {
    this.#maxDoubled = this.#doubled;
    this.#maxTripled = this.#tripled;
    this.#maxSurging = this.#surging;
    this.#maxUnavailable = this.unavailable();
  }
  peaks(): Peaks {
    return { maxUnavailable: this.#maxUnavailable, maxDoubled: this.#maxDoubled, maxTripled: this.#maxTripled, maxSurging: this.#maxSurging };
  }
}

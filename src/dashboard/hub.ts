// Between the fleet model and the browsers: events go into the model at once; views are
// derived and pushed at most once per PUSH_INTERVAL_MS (a rollout's burst of pod events
// becomes one delta), and a browser that connects gets the last pushed view whole, then the
// same deltas as everyone else.
import { emptyModel, reduce, type FleetEvent, type FleetModel } from './model.js';
import { deriveView, diffViews, nodeDetails, type FleetView } from './derive.js';
import type { DeltaMessage, NodeDetails, SnapshotMessage } from './types.js';

/** At most five pushes a second. */
export const PUSH_INTERVAL_MS = 200;

/** How long to wait before the next push, given the last one's time: none when it was long enough ago. */
export function nextPushDelay(lastPushAt: number, now: number, intervalMs = PUSH_INTERVAL_MS): number {
  return Math.max(0, Math.min(intervalMs, lastPushAt + intervalMs - now));
}

export type Listener = (msg: DeltaMessage) => void;

export class FleetHub {
  readonly model: FleetModel = emptyModel();
  #view: FleetView = { nodes: [], counts: deriveView(emptyModel()).counts, rollouts: [] };
  #viewVersion = 0;
  #lastPushAt = -Infinity;
  #timer: NodeJS.Timeout | undefined;
  readonly #listeners = new Set<Listener>();
  #closed = false;

  constructor(private readonly now: () => number = Date.now, private readonly intervalMs = PUSH_INTERVAL_MS) {}

  apply(ev: FleetEvent): void {
    reduce(this.model, ev);
    this.#schedule();
  }

  /** The whole fleet as of now (after pushing what the others have not seen yet, so that the next delta follows on from it). */
  snapshot(): SnapshotMessage {
    if (this.model.version !== this.#viewVersion) this.#push(true);
    const v = this.#view;
    return { type: 'snapshot', nodes: v.nodes, rollouts: v.rollouts, counts: v.counts, total: v.nodes.length };
  }

  details(node: string): NodeDetails | undefined { return nodeDetails(this.model, node); }

  subscribe(fn: Listener): () => void {
    this.#listeners.add(fn);
    return () => { this.#listeners.delete(fn); };
  }

  get listeners(): number { return this.#listeners.size; }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#listeners.clear();
  }

  #schedule(): void {
    if (this.#timer || this.#closed) return;
    this.#timer = setTimeout(() => { this.#timer = undefined; this.#push(); }, nextPushDelay(this.#lastPushAt, this.now(), this.intervalMs));
    this.#timer.unref?.();
  }

  /** Derives the view and sends what changed to every listener; nobody listening, nothing is derived. */
  #push(evenUnheard = false): void {
    if (this.#timer) { clearTimeout(this.#timer); this.#timer = undefined; }
    if (!this.#listeners.size && !evenUnheard) return;
    const next = deriveView(this.model);
    const d = diffViews(this.#view, next);
    this.#view = next;
    this.#viewVersion = this.model.version;
    this.#lastPushAt = this.now();
    if (!d.upsert.length && !d.remove.length && !d.rolloutsChanged) return;
    const msg: DeltaMessage = { type: 'delta', upsert: d.upsert, remove: d.remove, counts: next.counts, total: next.nodes.length, ...(d.rolloutsChanged ? { rollouts: next.rollouts } : {}) };
    for (const l of this.#listeners) { try { l(msg); } catch { /* one broken connection must not stop the others */ } }
  }
}

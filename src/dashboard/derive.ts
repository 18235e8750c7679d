// From the fleet model to what the browser draws: one state per node, the nodes in heat-map
// order (zone, then pool, then name), the counts, and the difference between two views. Pure.
import type { BlockerEntry, Counts, NodeDetails, NodeEntry, NodeState, NodeView, RolloutEntry } from './types.js';
import { NODE_STATES } from './types.js';
import { podsOn, type FleetModel } from './model.js';

/** What the rollouts say about nodes, gathered once per derivation. */
interface RolloutFacts {
  /** DaemonSet namespace/name → the revision its rollout drives it to. */
  targetRevision: Map<string, string>;
  /** node → the most serious blocker any rollout reports for it, with the rollout. */
  blocker: Map<string, BlockerEntry & { rollout: string }>;
  quarantined: Set<string>;
}

const CAUSE_RANK: Record<string, number> = { Revision: 0, Node: 1, Budget: 2 };
const rank = (b: BlockerEntry) => CAUSE_RANK[b.cause] ?? 3;

function rolloutFacts(rollouts: Iterable<RolloutEntry>): RolloutFacts {
  const f: RolloutFacts = { targetRevision: new Map(), blocker: new Map(), quarantined: new Set() };
  for (const r of rollouts) {
    for (const t of r.targets) if (t.toRevision) f.targetRevision.set(t.daemonSet, t.toRevision);
    for (const b of r.blockers) {
      const had = f.blocker.get(b.node);
      if (!had || rank(b) < rank(had)) f.blocker.set(b.node, { ...b, rollout: r.key });
    }
    for (const n of r.quarantinedNodes) f.quarantined.add(n);
  }
  return f;
}

/**
 * One node's state, the most pressing first: not Ready; quarantined; blocked by its node or by
 * the new revision (a rollout's blocker with cause Node or Revision); updating (a daemon pod
 * going away, or on the new revision and not yet Ready, or not Ready at all); waiting (an old
 * revision still to replace, or held back by a budget, a wave or an approval); else done.
 */
export function nodeState(m: FleetModel, n: NodeEntry, f: RolloutFacts): NodeState {
  if (n.ready !== 'True') return 'not-ready';
  if (n.quarantinedBy || f.quarantined.has(n.name)) return 'quarantined';
  const b = f.blocker.get(n.name);
  if (b && b.cause !== 'Budget') return 'blocked';
  let waiting = !!b;
  for (const k of m.podsByNode.get(n.name) ?? []) {
    const p = m.pods.get(k);
    if (!p || !p.owner) continue;
    if (p.terminating) return 'updating';
    const target = f.targetRevision.get(p.owner);
    if (target !== undefined && p.revision !== target) { waiting = true; continue; }
    if (!p.ready) return 'updating';
  }
  return waiting ? 'waiting' : 'done';
}

const collator = new Intl.Collator('en', { numeric: true });
export function compareNodes(a: NodeView, b: NodeView): number {
  return collator.compare(a.zone, b.zone) || collator.compare(a.pool, b.pool) || collator.compare(a.name, b.name);
}

export function zeroCounts(): Counts {
  return Object.fromEntries(NODE_STATES.map((s) => [s, 0])) as Counts;
}

export interface FleetView {
  /** Heat-map order. */
  nodes: NodeView[];
  counts: Counts;
  /** Sorted by namespace/name. */
  rollouts: RolloutEntry[];
}

export function deriveView(m: FleetModel): FleetView {
  const f = rolloutFacts(m.rollouts.values());
  const counts = zeroCounts();
  const nodes: NodeView[] = [];
  for (const n of m.nodes.values()) {
    const state = nodeState(m, n, f);
    counts[state]++;
    nodes.push({ name: n.name, zone: n.zone, pool: n.pool, state });
  }
  nodes.sort(compareNodes);
  const rollouts = [...m.rollouts.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { nodes, counts, rollouts };
}

export interface ViewDelta { upsert: NodeView[]; remove: string[]; rolloutsChanged: boolean }

/** What changed from `prev` to `next`: cells added or changed, cells gone, and whether any rollout did. */
export function diffViews(prev: FleetView, next: FleetView): ViewDelta {
  const before = new Map(prev.nodes.map((n) => [n.name, n]));
  const upsert: NodeView[] = [];
  for (const n of next.nodes) {
    const o = before.get(n.name);
    before.delete(n.name);
    if (!o || o.state !== n.state || o.zone !== n.zone || o.pool !== n.pool) upsert.push(n);
  }
  const rolloutsChanged = prev.rollouts.length !== next.rollouts.length || prev.rollouts.some((r, i) => r !== next.rollouts[i]);
  return { upsert, remove: [...before.keys()], rolloutsChanged };
}

/** Applies a delta to a view's nodes (the browser does the same): the result is in heat-map order. */
export function applyDelta(nodes: readonly NodeView[], d: { upsert: readonly NodeView[]; remove: readonly string[] }): NodeView[] {
  const by = new Map(nodes.map((n) => [n.name, n]));
  for (const name of d.remove) by.delete(name);
  for (const n of d.upsert) by.set(n.name, n);
  return [...by.values()].sort(compareNodes);
}

/** The detail panel's content for one node, or undefined when the model has no such node. */
export function nodeDetails(m: FleetModel, name: string): NodeDetails | undefined {
  const node = m.nodes.get(name);
  if (!node) return undefined;
  const blockers: NodeDetails['blockers'] = [];
  for (const r of m.rollouts.values()) for (const b of r.blockers) if (b.node === name) blockers.push({ ...b, rollout: r.key });
  return { node, state: nodeState(m, node, rolloutFacts(m.rollouts.values())), pods: podsOn(m, name), blockers };
}

// What one sync of a rollout hands to the next, so that a sync costs in proportion to what changed
// rather than to the fleet: an index of the targets' pods by node, each node's view (observe.ts)
// with the instant until which it holds, and each node's candidate waves (waves.ts).
//
// Objects are compared by identity. An informer cache hands out the same object until a watch
// event replaces it, and nothing here mutates one, so a replaced pod or node is always seen as
// changed whatever its resourceVersion says (a simulation has none), and an unchanged one costs a
// Map lookup. A node is re-observed when its Node object, one of its pods or the clock (past the
// view's validity) changed; the targets' or the health options' change drops the whole memo, the
// waves' change the selections. planRollout without a memo starts from an empty one, which is
// the from-scratch path: with or without a memo, the plan is the same.
import type { Node, Pod } from '../../api/types.js';
import type { Selector } from '../../api/selector.js';
import { isTerminal, targetNodeName } from '../../controller/core/pods.js';
import type { DefaultedWave } from '../api/defaults.js';
import { observeRow, targetIndexOf, type NodeView, type ObserveOptions, type Target, type Validity } from './observe.js';
import { nodeSelection, waveSelectors, type NodeSelection } from './waves.js';

type StaticOptions = Omit<ObserveOptions, 'nowMs'>;

/** The targets' pods on one node name, per target; `version` changes whenever they do. */
interface Row { pods: Pod[][]; version: number; slot?: Slot }

interface Slot {
  name: string;
  node: Node;
  epoch: number;
  row?: Row;
  view?: NodeView;
  /** What the view was made of, and the instants it holds for. */
  viewNode?: Node;
  viewRow?: Row;
  viewVersion: number;
  fromMs: number;
  untilMs: number;
  selection?: NodeSelection;
  selectionNode?: Node;
  selectionEpoch: number;
}

/** A pod seen in the last sync: the row it is in (none: not a target's, terminal, or unbound). */
interface PodEntry { epoch: number; row?: Row; target: number }

export interface Fleet {
  /** Views of the nodes some target runs (or should run) a pod on, by name. */
  views: NodeView[];
  /** Each view's selection, index for index. */
  selections: NodeSelection[];
  hasNode(name: string): boolean;
}

export class PlanMemo {
  #targets: Target[] = [];
  #options?: StaticOptions;
  #uidIndex = new Map<string, number>();
  #epoch = 0;
  /** Increases with every change of any row: a version number is never seen twice. */
  #tick = 0;
  readonly #pods = new Map<Pod, PodEntry>();
  #lastPods: readonly Pod[] = [];
  #lastEntries: PodEntry[] = [];
  readonly #rows = new Map<string, Row>();
  readonly #slotOf = new Map<Node, Slot>();
  #lastNodes: readonly Node[] = [];
  #lastSlots: (Slot | undefined)[] = [];
  readonly #slots = new Map<string, Slot>();
  #order: Slot[] = [];
  #wavesKey?: string;
  #wavesEpoch = 0;
  #specs: readonly DefaultedWave[] = [];
  #selectors: (Selector | undefined)[] = [];
  /** Views reused / re-observed by the last sync (for the bench and the tests). */
  reused = 0;
  observed = 0;

  /**
   * The targets a sync observes with. When they match the memo's (same DaemonSet objects,
   * revisions, minReadySeconds, health options) the memo's own Target objects are returned, so
   * every slot — reused or new — refers to one set; otherwise the memo starts over with these.
   */
  useTargets(targets: readonly Target[], o: StaticOptions): readonly Target[] {
    const same = this.#options !== undefined && targets.length === this.#targets.length
      && targets.every((t, i) => { const m = this.#targets[i]; return m.ds === t.ds && m.name === t.name && m.to === t.to && m.minReadySeconds === t.minReadySeconds; })
      && this.#options.maxRestarts === o.maxRestarts && this.#options.podReadyTimeoutMs === o.podReadyTimeoutMs && this.#options.terminatingTooLongMs === o.terminatingTooLongMs;
    if (!same) {
      this.#pods.clear(); this.#lastPods = []; this.#lastEntries = []; this.#rows.clear(); this.#slotOf.clear(); this.#lastNodes = []; this.#lastSlots = []; this.#slots.clear(); this.#order = [];
      this.#targets = targets.map((t) => ({ ds: t.ds, name: t.name, to: t.to, minReadySeconds: t.minReadySeconds }));
      this.#options = { ...o };
      this.#uidIndex = new Map();
      this.#targets.forEach((t, i) => { if (t.ds.metadata?.uid) this.#uidIndex.set(t.ds.metadata.uid, i); });
    }
    return this.#targets;
  }

  /** Sets the waves selections are for; other waves than the last sync's drop the selections. */
  useWaves(specs: readonly DefaultedWave[]): void {
    const key = JSON.stringify(specs);
    if (key === this.#wavesKey) return;
    this.#wavesKey = key;
    this.#wavesEpoch++;
    this.#specs = specs;
    this.#selectors = waveSelectors(specs);
  }

  /** Every node's view at nowMs (name order) and selection, after useTargets and useWaves. */
  observe(nodes: readonly Node[], pods: readonly Pod[], nowMs: number): Fleet {
    const epoch = ++this.#epoch;
    this.reused = this.observed = 0;
    this.#indexPods(pods, epoch);
    this.#indexNodes(nodes, epoch);
    const views: NodeView[] = [], selections: NodeSelection[] = [];
    const o = { ...this.#options!, nowMs };
    for (const s of this.#order) {
      const row = s.row;
      if (s.viewNode === s.node && s.viewRow === row && s.viewVersion === (row?.version ?? 0) && s.fromMs <= nowMs && nowMs <= s.untilMs) this.reused++;
      else {
        this.observed++;
        const v: Validity = { untilMs: Infinity };
        s.view = observeRow(s.node, this.#targets, row && rowEntries(row), o, v);
        s.viewNode = s.node; s.viewRow = row; s.viewVersion = row?.version ?? 0; s.fromMs = nowMs; s.untilMs = v.untilMs;
      }
      if (!s.view) continue;
      if (s.selectionNode !== s.node || s.selectionEpoch !== this.#wavesEpoch) {
        s.selection = nodeSelection(this.#specs, this.#selectors, s.node);
        s.selectionNode = s.node; s.selectionEpoch = this.#wavesEpoch;
      }
      views.push(s.view);
      selections.push(s.selection!);
    }
    return { views, selections, hasNode: (name) => this.#slots.has(name) };
  }

  /** The pods' index brought up to date: new ones filed by node, vanished ones taken out. */
  #indexPods(pods: readonly Pod[], epoch: number): void {
    let live = 0;
    // Lists usually come in the same order as last time (an informer's cache keeps it), so the
    // pod at the same position is checked first: no hashing for the unchanged majority.
    const lastPods = this.#lastPods, lastEntries = this.#lastEntries;
    const entries: PodEntry[] = new Array(pods.length);
    for (let i = 0; i < pods.length; i++) {
      const p = pods[i];
      const e = lastPods[i] === p ? lastEntries[i] : this.#pods.get(p);
      if (e) { if (e.epoch !== epoch) { e.epoch = epoch; live++; } entries[i] = e; continue; }
      live++;
      const target = targetIndexOf(p, this.#uidIndex);
      // Unbound daemon pods count on the node their affinity pins them to, as podsByTargetAndNode.
      const node = targetNodeName(p);
      let entry: PodEntry;
      if (target === undefined || typeof node !== 'string' || isTerminal(p)) entry = { epoch, target: -1 };
      else {
        const row = this.#rowFor(node);
        row.pods[target].push(p);
        row.version = ++this.#tick;
        entry = { epoch, row, target };
      }
      this.#pods.set(p, entry);
      entries[i] = entry;
    }
    this.#lastPods = pods;
    this.#lastEntries = entries;
    if (this.#pods.size === live) return;
    for (const [p, e] of this.#pods) {
      if (e.epoch === epoch) continue;
      this.#pods.delete(p);
      const row = e.row;
      if (!row) continue;
      const list = row.pods[e.target];
      list.splice(list.indexOf(p), 1);
      row.version = ++this.#tick;
      this.#dropIfEmpty(row, targetNodeName(p)!);
    }
  }

  #rowFor(node: string): Row {
    let row = this.#rows.get(node);
    if (!row) {
      row = { pods: this.#targets.map(() => []), version: ++this.#tick, slot: this.#slots.get(node) };
      this.#rows.set(node, row);
      if (row.slot) row.slot.row = row;
    }
    return row;
  }

  #dropIfEmpty(row: Row, node: string): void {
    if (row.slot || row.pods.some((l) => l.length)) return;
    this.#rows.delete(node);
  }

  /** The nodes' slots brought up to date; the name order rebuilt only when names came or went. */
  #indexNodes(nodes: readonly Node[], epoch: number): void {
    let changed = false, live = 0;
    const lastNodes = this.#lastNodes, lastSlots = this.#lastSlots;
    const slots: (Slot | undefined)[] = new Array(nodes.length);
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i];
      const name = n.metadata?.name;
      if (typeof name !== 'string') continue;
      let s = lastNodes[i] === n ? lastSlots[i] : this.#slotOf.get(n);
      if (!s || s.node !== n) {
        // A new object for a known name (or a new name): several objects of one name, the last wins.
        s = this.#slots.get(name);
        if (!s) {
          s = { name, node: n, epoch: 0, row: this.#rows.get(name), viewVersion: 0, fromMs: Infinity, untilMs: -Infinity, selectionEpoch: 0 };
          if (s.row) s.row.slot = s;
          this.#slots.set(name, s);
          changed = true;
        } else if (this.#slotOf.get(s.node) === s) this.#slotOf.delete(s.node);
        s.node = n;
        this.#slotOf.set(n, s);
      }
      if (s.epoch !== epoch) { s.epoch = epoch; live++; }
      slots[i] = s;
    }
    this.#lastNodes = nodes;
    this.#lastSlots = slots;
    if (live !== this.#slots.size) {
      changed = true;
      for (const [name, s] of this.#slots) {
        if (s.epoch === epoch) continue;
        this.#slots.delete(name);
        if (this.#slotOf.get(s.node) === s) this.#slotOf.delete(s.node);
        if (s.row) { s.row.slot = undefined; this.#dropIfEmpty(s.row, name); }
      }
    }
    if (changed) this.#order = [...this.#slots.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}

/** A row as podsByTargetAndNode gives it: per target nothing, the pod, or the pods. */
function rowEntries(row: Row): (Pod | Pod[] | undefined)[] {
  return row.pods.map((l) => (l.length === 0 ? undefined : l.length === 1 ? l[0] : [...l]));
}

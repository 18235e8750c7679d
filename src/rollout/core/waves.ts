// Wave assignment: the spec's waves expanded (splitBy → one wave per label value) and each node
// placed in the first wave that selects it. Pure and independent of input order: nodes are
// considered by name, maxNodes picks by a hash of the node name (spreading canaries without
// favouring name prefixes), preferring nodes already on the new revision so that a wave's
// membership stays put as nodes join.
import { fromLabelSelector, selectorMatches, type Selector } from '../../api/selector.js';
import { fnv1a32 } from '../../controller/core/hash.js';
import type { DefaultedWave } from '../api/defaults.js';
import { scaleIntOrPercent } from '../api/intorpercent.js';
import type { Node } from '../../api/types.js';
import type { NodeView } from './observe.js';

export interface Wave {
  /** The spec wave's name, or "<name>-<value>" for a splitBy wave. */
  name: string;
  spec: DefaultedWave;
  members: NodeView[];
}

const encoder = new TextEncoder();
export const nodeHash = (name: string) => fnv1a32(encoder.encode(name));

function byHashThenName(a: NodeView, b: NodeView): number {
  if (a.updated !== b.updated) return a.updated ? -1 : 1;
  const ha = nodeHash(a.name), hb = nodeHash(b.name);
  return ha !== hb ? ha - hb : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function cap(wave: DefaultedWave, candidates: NodeView[]): NodeView[] {
  if (wave.maxNodes === undefined) return candidates;
  const max = scaleIntOrPercent(wave.maxNodes, candidates.length, true) ?? 0;
  if (candidates.length <= max) return candidates;
  return [...candidates].sort(byHashThenName).slice(0, max).sort((a, b) => (a.name < b.name ? -1 : 1));
}

function orderedValues(wave: DefaultedWave, values: Set<string>): string[] {
  const first = (wave.order ?? []).filter((v) => values.has(v));
  const rest = [...values].filter((v) => !first.includes(v)).sort();
  return [...first, ...rest];
}

/** Waves in order with their members (each node in at most one); the nodes no wave selects are returned apart. */
export function assignWaves(specs: readonly DefaultedWave[], nodes: readonly NodeView[]): { waves: Wave[]; unselected: NodeView[] } {
  let remaining = [...nodes];
  if (remaining.some((n, i) => i > 0 && remaining[i - 1].name > n.name)) remaining.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const waves: Wave[] = [];
  for (const spec of specs) {
    const parsed = fromLabelSelector(spec.nodeSelector);
    const sel: Selector | undefined = Array.isArray(parsed) ? parsed : undefined;
    // An invalid selector (only possible for an object that skipped validation) selects nothing.
    const selected = !sel ? [] : sel.length === 0 ? remaining : remaining.filter((n) => selectorMatches(sel, n.node.metadata?.labels));
    const taken = new Set<string>();
    if (spec.splitBy) {
      const key = spec.splitBy;
      const groups = new Map<string, NodeView[]>();
      for (const n of selected) {
        const v = n.node.metadata?.labels?.[key];
        if (typeof v !== 'string') continue;
        const g = groups.get(v);
        if (g) g.push(n); else groups.set(v, [n]);
      }
      for (const value of orderedValues(spec, new Set(groups.keys()))) {
        const members = cap(spec, groups.get(value)!);
        for (const m of members) taken.add(m.name);
        waves.push({ name: `${spec.name}-${value}`, spec, members });
      }
    } else {
      const members = cap(spec, selected);
      for (const m of members) taken.add(m.name);
      waves.push({ name: spec.name, spec, members });
    }
    if (taken.size) remaining = remaining.filter((n) => !taken.has(n.name));
  }
  return { waves, unselected: remaining };
}

/**
 * Which spec waves select a node, as far as its labels decide: the indices (ascending) of the
 * waves whose selector matches it (and, for splitBy, that it carries the key), with the splitBy
 * values. A function of the node object alone, so a sync can keep it while the node is unchanged.
 */
export interface NodeSelection { matches: readonly number[]; values: readonly (string | undefined)[]; hash: number }

/** Each wave's parsed selector; undefined (an invalid selector) selects nothing. */
export function waveSelectors(specs: readonly DefaultedWave[]): (Selector | undefined)[] {
  return specs.map((s) => { const p = fromLabelSelector(s.nodeSelector); return Array.isArray(p) ? p : undefined; });
}

export function nodeSelection(specs: readonly DefaultedWave[], selectors: readonly (Selector | undefined)[], node: Node): NodeSelection {
  const labels = node.metadata?.labels;
  const matches: number[] = [], values: (string | undefined)[] = [];
  for (let i = 0; i < specs.length; i++) {
    const sel = selectors[i];
    if (!sel || (sel.length > 0 && !selectorMatches(sel, labels))) continue;
    const key = specs[i].splitBy;
    if (key) {
      const v = labels?.[key];
      if (typeof v !== 'string') continue;
      values[i] = v;
    }
    matches.push(i);
  }
  return { matches, values, hash: nodeHash(node.metadata?.name ?? '') };
}

/** Two ascending index lists merged. */
function merge(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0, j = 0;
  while (i < a.length && j < b.length) out.push(a[i] < b[j] ? a[i++] : b[j++]);
  while (i < a.length) out.push(a[i++]);
  while (j < b.length) out.push(b[j++]);
  return out;
}

/**
 * assignWaves for views sorted by name (names unique), each node's selection given (index for index): the same
 * waves, members and unselected nodes, in one pass over the fleet plus the candidates of capped
 * waves — no selector evaluated, nothing sorted but a capped wave's candidates beyond its cap.
 */
export function assignWavesBy(specs: readonly DefaultedWave[], views: readonly NodeView[], sels: readonly NodeSelection[]): { waves: Wave[]; unselected: NodeView[] } {
  const next = new Int32Array(views.length); // position in sels[k].matches of node k's current candidate wave
  const buckets: number[][] = specs.map(() => []);
  const leftovers: number[][] = specs.map(() => []);
  sels.forEach((s, k) => { if (s.matches.length) buckets[s.matches[0]].push(k); });
  const taken = new Uint8Array(views.length);
  // A node a capped wave left out is a candidate of the next wave that selects it.
  const passOn = (k: number) => { const m = sels[k].matches; const p = ++next[k]; if (p < m.length) leftovers[m[p]].push(k); };
  const capped = (spec: DefaultedWave, candidates: number[]): number[] => {
    if (spec.maxNodes === undefined) return candidates;
    const max = scaleIntOrPercent(spec.maxNodes, candidates.length, true) ?? 0;
    if (candidates.length <= max) return candidates;
    const chosen = [...candidates].sort((a, b) => {
      const ua = views[a].updated, ub = views[b].updated;
      if (ua !== ub) return ua ? -1 : 1;
      const ha = sels[a].hash, hb = sels[b].hash;
      return ha !== hb ? ha - hb : a - b;
    }).slice(0, max).sort((a, b) => a - b);
    const inWave = new Set(chosen);
    for (const k of candidates) if (!inWave.has(k)) passOn(k);
    return chosen;
  };
  const waves: Wave[] = [];
  const push = (name: string, spec: DefaultedWave, members: number[]) => {
    for (const k of members) taken[k] = 1;
    waves.push({ name, spec, members: members.map((k) => views[k]) });
  };
  specs.forEach((spec, i) => {
    // Leftovers come from several waves (and a splitBy wave's groups), each run in order: sort, then merge.
    const candidates = leftovers[i].length ? merge(buckets[i], leftovers[i].sort((a, b) => a - b)) : buckets[i];
    if (!spec.splitBy) { push(spec.name, spec, capped(spec, candidates)); return; }
    const groups = new Map<string, number[]>();
    for (const k of candidates) {
      const v = sels[k].values[i]!;
      const g = groups.get(v);
      if (g) g.push(k); else groups.set(v, [k]);
    }
    for (const value of orderedValues(spec, new Set(groups.keys()))) push(`${spec.name}-${value}`, spec, capped(spec, groups.get(value)!));
  });
  const unselected: NodeView[] = [];
  views.forEach((v, k) => { if (!taken[k]) unselected.push(v); });
  return { waves, unselected };
}

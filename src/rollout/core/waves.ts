// Wave assignment: the spec's waves expanded (splitBy → one wave per label value) and each node
// placed in the first wave that selects it. Pure and independent of input order: nodes are
// considered by name, maxNodes picks by a hash of the node name (spreading canaries without
// favouring name prefixes), preferring nodes already on the new revision so that a wave's
// membership stays put as nodes join.
import { fromLabelSelector, selectorMatches, type Selector } from '../../api/selector.js';
import { fnv1a32 } from '../../controller/core/hash.js';
import type { DefaultedWave } from '../api/defaults.js';
import { scaleIntOrPercent } from '../api/intorpercent.js';
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

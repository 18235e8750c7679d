// One chaos run as data (pure): the fleet, the DaemonSets and their update strategies, and the
// timed actions — image rollouts, node faults and their healing, node deletes and adds,
// controller kills — all drawn from the run's seed, so a failing run is replayed by its seed.
import type { DaemonSet } from '../../api/types.js';
import { DEFAULT_RATES, type FaultRates } from './faults.js';
import { rng, streamSeed } from './rng.js';

export interface DaemonSetPlan {
  name: string;
  maxUnavailable: number | string;
  maxSurge: number | string;
  nodeSelector?: Record<string, string>;
}

export type NodeFault = 'notready' | 'stop';

export type Action =
  | { atMs: number; kind: 'setImage'; ds: string; image: string }
  | { atMs: number; kind: 'fault'; node: string; fault: NodeFault }
  | { atMs: number; kind: 'heal'; node: string; fault: NodeFault }
  | { atMs: number; kind: 'deleteNode'; node: string }
  | { atMs: number; kind: 'addNode'; node: string; pool: 'general' | 'edge' }
  | { atMs: number; kind: 'kill' };

export interface RunPlan {
  seed: number;
  pools: { general: number; edge: number };
  daemonSets: DaemonSetPlan[];
  /** Sorted by atMs, all within [0, chaosMs). */
  actions: Action[];
  chaosMs: number;
  rates: FaultRates;
}

export const IMAGE = 'registry.local/agent';

export interface PlanOptions { chaosMs?: number }

export function planRun(seed: number, o: PlanOptions = {}): RunPlan {
  const r = rng(streamSeed(seed, 'plan'));
  const chaosMs = o.chaosMs ?? 12_000;
  const pools = { general: r.int(8, 14), edge: r.int(4, 8) };
  const at = (from: number, to: number) => r.int(Math.round(from), Math.round(to));
  const daemonSets: DaemonSetPlan[] = [
    { name: 'agent-a', maxUnavailable: r.pick([1, 2, 3, '25%']), maxSurge: 0 },
    { name: 'agent-b', maxUnavailable: 0, maxSurge: r.pick([1, 2, '20%', '50%']), ...(r.chance(0.5) ? { nodeSelector: { tier: 'edge' } } : {}) },
  ];
  if (r.chance(0.5)) daemonSets.push({ name: 'agent-c', maxUnavailable: r.pick([1, '50%']), maxSurge: 0, nodeSelector: { tier: 'edge' } });

  const actions: Action[] = [];
  for (const ds of daemonSets) {
    const rolls = r.int(2, 4);
    for (let i = 0; i < rolls; i++) actions.push({ atMs: at(0, chaosMs * 0.8), kind: 'setImage', ds: ds.name, image: `${IMAGE}:v${i + 2}` });
  }
  // Each victim gets one fault; victims are distinct initial nodes.
  const initial = [...Array.from({ length: pools.general }, (_, i) => `general-${i}`), ...Array.from({ length: pools.edge }, (_, i) => `edge-${i}`)];
  const victims = shuffle(initial, r).slice(0, r.int(2, 5));
  for (const node of victims) {
    const start = at(0, chaosMs * 0.75);
    const kind = r.pick(['notready', 'stop', 'delete'] as const);
    if (kind === 'delete') { actions.push({ atMs: start, kind: 'deleteNode', node }); continue; }
    actions.push({ atMs: start, kind: 'fault', node, fault: kind });
    actions.push({ atMs: Math.min(chaosMs - 1, start + r.int(1_500, 5_000)), kind: 'heal', node, fault: kind });
  }
  const adds = r.int(0, 2);
  for (let i = 0; i < adds; i++) {
    const pool = r.pick(['general', 'edge'] as const);
    actions.push({ atMs: at(0, chaosMs * 0.8), kind: 'addNode', node: `${pool}-extra-${i}`, pool });
  }
  // Kills spaced at least 2.5 s apart, so each controller gets to do something before it dies.
  const kills = r.int(1, 3);
  let last = -Infinity;
  for (const t of Array.from({ length: kills }, () => at(500, chaosMs - 1_000)).sort((a, b) => a - b)) {
    if (t - last < 2_500) continue;
    actions.push({ atMs: t, kind: 'kill' });
    last = t;
  }
  // Image order within a DaemonSet follows time, so the last image is the highest version.
  const sorted = actions.sort((a, b) => a.atMs - b.atMs || order(a) - order(b));
  const versions = new Map<string, number>();
  for (const a of sorted) if (a.kind === 'setImage') { const v = (versions.get(a.ds) ?? 1) + 1; versions.set(a.ds, v); a.image = `${IMAGE}:v${v}`; }
  return { seed, pools, daemonSets, actions: sorted, chaosMs, rates: DEFAULT_RATES };
}

const ORDER: Record<Action['kind'], number> = { fault: 0, deleteNode: 1, addNode: 2, heal: 3, setImage: 4, kill: 5 };
const order = (a: Action) => ORDER[a.kind];

function shuffle<T>(xs: readonly T[], r: ReturnType<typeof rng>): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) { const j = r.int(0, i); [out[i], out[j]] = [out[j], out[i]]; }
  return out;
}

/** The cluster file for the plan's fleet: fast pods, no failing images (every unavailability is the chaos's or the controller's). */
export function clusterYaml(p: RunPlan): string {
  const pods = `    pods:\n      startupDelay: { uniform: { min: 100, max: 400 } }\n      readinessDelay: { uniform: { min: 200, max: 800 } }\n`;
  return `pools:\n  - name: general\n    count: ${p.pools.general}\n    labels: { tier: general }\n${pods}`
    + `  - name: edge\n    count: ${p.pools.edge}\n    labels: { tier: edge }\n${pods}`;
}

export function daemonSetObject(d: DaemonSetPlan, namespace: string): DaemonSet {
  const labels = { app: d.name };
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet',
    metadata: { name: d.name, namespace },
    spec: {
      selector: { matchLabels: labels },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: d.maxUnavailable, maxSurge: d.maxSurge } },
      template: {
        metadata: { labels },
        spec: {
          ...(d.nodeSelector ? { nodeSelector: d.nodeSelector } : {}),
          terminationGracePeriodSeconds: 1,
          containers: [{ name: 'agent', image: `${IMAGE}:v1` }],
        },
      },
    },
  };
}

/** The plan in one line, for the report. */
export function describePlan(p: RunPlan): string {
  const ds = p.daemonSets.map((d) => `${d.name}(${d.maxSurge ? `maxSurge ${d.maxSurge}` : `maxUnavailable ${d.maxUnavailable}`}${d.nodeSelector ? ', edge only' : ''})`).join(' ');
  return `${p.pools.general + p.pools.edge} nodes, ${ds}`;
}

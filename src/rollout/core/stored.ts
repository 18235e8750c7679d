// The last status as stored: written by us through a schema-checked subresource, but an object
// stored under an older CRD schema, restored from a backup or written straight into storage may
// carry anything. The core reads it as durable memory, so a value of the wrong shape is dropped
// here (as if never written) instead of throwing on every sync and freezing the rollout.
import type { DaemonSetRolloutStatus } from '../api/types.js';

type Shape = 'string' | 'number' | 'counts' | Record<string, 'string' | 'number' | 'counts'>;

const obj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const WAVE = { name: 'string', nodes: 'number', updated: 'number', ready: 'number', failed: 'number', quarantined: 'number', state: 'string', startedAt: 'string', completedAt: 'string', bakedAt: 'string', approvedAt: 'string' } as const;
const BLOCKED = { node: 'string', wave: 'string', reason: 'string', message: 'string', since: 'string', cause: 'string' } as const;
const TARGET = { name: 'string', fromRevision: 'string', toRevision: 'string', strategy: 'string', rollbackFrom: 'string' } as const;
const CONDITION = { type: 'string', status: 'string', reason: 'string', message: 'string', lastTransitionTime: 'string' } as const;

/** Scalars and objects of status; lists are below. Fields required by a list item's type must be present. */
const FIELDS: Record<string, Shape> = {
  phase: 'string', currentWave: 'string', fromRevision: 'string', toRevision: 'string', observedGeneration: 'number',
  blockedNodesTotal: 'number', unselectedNodes: 'number', updatedNodes: 'number', readyNodes: 'number',
  lastProgressAt: 'string', rolledBackFrom: 'string', blockedByReason: 'counts',
  baseline: { nodes: 'number', unhealthy: 'counts' },
  failure: { reason: 'string', message: 'string', at: 'string', toRevision: 'string' },
};
const LISTS: Record<string, { item: Record<string, 'string' | 'number'>; required: string[] }> = {
  waves: { item: WAVE, required: ['name'] },
  blockedNodes: { item: BLOCKED, required: ['node'] },
  targets: { item: TARGET, required: ['name'] },
  conditions: { item: CONDITION, required: ['type', 'status'] },
};

function fits(v: unknown, s: Shape): boolean {
  if (s === 'string') return typeof v === 'string';
  if (s === 'number') return typeof v === 'number' && Number.isFinite(v);
  if (s === 'counts') return obj(v) && Object.values(v).every((n) => typeof n === 'number' && Number.isFinite(n));
  return obj(v) && Object.entries(s).every(([k, t]) => fits(v[k], t));
}

function item(v: unknown, shape: Record<string, 'string' | 'number'>, required: string[]): Record<string, unknown> | undefined {
  if (!obj(v) || !required.every((k) => k in v)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, t] of Object.entries(shape)) if (k in v && fits(v[k], t)) out[k] = v[k];
  return required.every((k) => k in out) ? out : undefined;
}

export function storedStatus(raw: unknown): DaemonSetRolloutStatus {
  if (!obj(raw)) return {};
  const out: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(FIELDS)) if (k in raw && fits(raw[k], s)) out[k] = raw[k];
  for (const [k, l] of Object.entries(LISTS)) {
    if (Array.isArray(raw[k])) out[k] = (raw[k] as unknown[]).map((v) => item(v, l.item, l.required)).filter((v) => v !== undefined);
  }
  if (Array.isArray(raw.quarantinedNodes)) out.quarantinedNodes = raw.quarantinedNodes.filter((n) => typeof n === 'string');
  return out as DaemonSetRolloutStatus;
}

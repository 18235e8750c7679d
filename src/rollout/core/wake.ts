// When a rollout must be looked at again although nothing it watches changes: the deadlines its
// status implies. Every durable time lives in the status (see plan.ts), so this is a pure read.
import { parseTime } from '../../api/meta.js';
import { withDefaults } from '../api/defaults.js';
import type { DaemonSetRolloutSpec, DaemonSetRolloutStatus } from '../api/types.js';

/**
 * While pods are being replaced, a change the informers cannot see still matters: a pod becoming
 * available after minReadySeconds. Re-planning this often bounds how late that is noticed.
 */
export const ACTIVE_RESYNC_MS = 5_000;

const ACTIVE = new Set(['Progressing', 'Baking', 'RollingBack']);

/**
 * The earliest future moment (ms since the epoch) at which planRollout may decide differently
 * from the same objects: a bake ending, a blocked node reaching its ready timeout or its
 * quarantine time, the progress deadline; at most ACTIVE_RESYNC_MS away while active.
 * Undefined when only a change of some object can move the rollout (Complete, Failed, Idle…).
 */
export function nextWakeMs(status: DaemonSetRolloutStatus | undefined, rawSpec: DaemonSetRolloutSpec, nowMs: number): number | undefined {
  if (!status?.phase || !ACTIVE.has(status.phase)) return undefined;
  const spec = withDefaults(rawSpec);
  const candidates: number[] = [nowMs + ACTIVE_RESYNC_MS];
  const add = (t: number | undefined) => { if (t !== undefined && Number.isFinite(t) && t > nowMs) candidates.push(t); };
  const waveSpec = new Map(spec.waves.map((w) => [w.name, w]));
  for (const w of status.waves ?? []) {
    if (w.state !== 'Baking') continue;
    // A splitBy wave is "<name>-<value>": the longest spec name it starts with is its spec.
    const s = waveSpec.get(w.name) ?? [...waveSpec.values()].filter((x) => w.name.startsWith(`${x.name}-`)).sort((a, b) => b.name.length - a.name.length)[0];
    const done = parseTime(w.completedAt);
    if (done !== undefined) add(done + (s?.bakeSeconds ?? 0) * 1000);
  }
  for (const b of status.blockedNodes ?? []) {
    const since = parseTime(b.since);
    if (since === undefined) continue;
    add(since + spec.health.podReadyTimeoutSeconds * 1000);
    if (spec.quarantine && b.cause === 'Node') add(since + spec.quarantine.afterSeconds * 1000);
  }
  const progress = parseTime(status.lastProgressAt);
  if (status.phase === 'Progressing' && progress !== undefined) add(progress + spec.progressDeadlineSeconds * 1000 + 1);
  return Math.min(...candidates);
}

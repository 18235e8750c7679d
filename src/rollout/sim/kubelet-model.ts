// What one simulated daemon pod does over time, as a pure function of when its container was
// (re)started, its node pool's behaviour (start-up and readiness distributions, image rules) and
// a seeded draw: the status at any moment, and the next moment that status changes. The same
// rules the embedded cluster's simulated kubelets apply (src/nodes/cluster-config.ts), without
// their I/O, so a rehearsal can jump from one change to the next.
import type { Pod } from '../../api/types.js';
import { rfc3339 } from '../../api/meta.js';
import { ruleForImage, sampleDelay, type PodBehaviour } from '../../nodes/cluster-config.js';
import { rng, streamSeed } from '../../reliability/chaos/rng.js';

/** The kubelet's crash-loop back-off: 10 s doubling, at most 5 min. */
export const backoffMs = (restart: number) => Math.min(10_000 * 2 ** Math.max(0, restart - 1), 300_000);

export interface PodLife {
  /** When the current image was started (creation or in-place patch). */
  startMs: number;
  image: string;
  kind: 'ok' | 'pullError' | 'crash' | 'neverReady';
  /** Container running from here (ok, crash, neverReady). */
  runningMs: number;
  /** Ready from here (ok only). */
  readyMs: number;
  /** crash: each crash's time (first one, then after each back-off). */
  crashAfterMs: number;
  pullReason?: string;
}

/** Draws a pod's life for one start; `key` makes the draw independent of the order pods are visited. */
export function podLife(behaviour: PodBehaviour, image: string, startMs: number, seed: number, key: string): PodLife {
  const r = rng(streamSeed(seed, key));
  const rand = () => r.next();
  const runningMs = startMs + sampleDelay(behaviour.startupDelay, rand);
  const readyMs = runningMs + sampleDelay(behaviour.readinessDelay, rand);
  const rule = ruleForImage(behaviour.rules, image);
  const base = { startMs, image, runningMs, readyMs, crashAfterMs: 0 };
  if (!rule) return { ...base, kind: 'ok' };
  if (rule.pullError) return { ...base, kind: 'pullError', pullReason: rule.pullError };
  if (rule.neverReady) return { ...base, kind: 'neverReady' };
  // A daemon pod restarts always, so a container that exits, even with 0, loops too.
  const after = rule.crashLoop?.after ?? rule.exit?.after ?? { constant: 5000 };
  return { ...base, kind: 'crash', crashAfterMs: sampleDelay(after, rand) };
}

/** Restarts done by `now` and the time of the next one (crash loops only). */
function crashes(l: PodLife, now: number): { restarts: number; lastCrashMs?: number; nextMs?: number } {
  let t = l.runningMs + l.crashAfterMs;
  let restarts = 0;
  let last: number | undefined;
  // Bounded: at 5 min back-off a day holds under 300 restarts; stop counting at 50.
  while (t <= now && restarts < 50) {
    last = t;
    restarts++;
    t += backoffMs(restarts) + l.crashAfterMs;
  }
  return { restarts, lastCrashMs: last, nextMs: restarts < 50 ? t : undefined };
}

/** The pod status the kubelet reports at `now` (the node being healthy). */
export function podStatusAt(l: PodLife, containerName: string, now: number): NonNullable<Pod['status']> {
  const cs = (ready: boolean, restartCount: number, state: object) => [{ name: containerName, image: l.image, imageID: '', ready, restartCount, state }];
  const readyCond = (status: 'True' | 'False', since: number) => [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status, lastTransitionTime: rfc3339(since) }];
  if (now < l.runningMs) return { phase: 'Pending', conditions: readyCond('False', l.startMs), containerStatuses: cs(false, 0, { waiting: { reason: 'ContainerCreating' } }) };
  switch (l.kind) {
    case 'pullError':
      return { phase: 'Pending', conditions: readyCond('False', l.startMs), containerStatuses: cs(false, 0, { waiting: { reason: l.pullReason, message: `failed to pull image "${l.image}"` } }) };
    case 'neverReady':
      return { phase: 'Running', conditions: readyCond('False', l.startMs), containerStatuses: cs(false, 0, { running: {} }) };
    case 'crash': {
      const c = crashes(l, now);
      if (!c.restarts) return { phase: 'Running', conditions: readyCond('False', l.startMs), containerStatuses: cs(false, 0, { running: {} }) };
      return { phase: 'Running', conditions: readyCond('False', l.startMs), containerStatuses: cs(false, c.restarts, { waiting: { reason: 'CrashLoopBackOff' } }) };
    }
    case 'ok':
      if (now < l.readyMs) return { phase: 'Running', conditions: readyCond('False', l.startMs), containerStatuses: cs(false, 0, { running: {} }) };
      return { phase: 'Running', conditions: readyCond('True', l.readyMs), containerStatuses: cs(true, 0, { running: {} }) };
  }
}

/** The first moment after `now` at which podStatusAt changes; undefined when it never does. */
export function nextChangeAt(l: PodLife, now: number): number | undefined {
  if (now < l.runningMs) return l.runningMs;
  if (l.kind === 'ok') return now < l.readyMs ? l.readyMs : undefined;
  if (l.kind === 'crash') return crashes(l, now).nextMs;
  return undefined;
}

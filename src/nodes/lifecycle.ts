// The generic stage engine (pure): find the pod's stage and when it fires. The shell keeps one
// pending job per pod, replaced whenever a newer version of the pod arrives.
import type { Node, Pod } from '../api/types.js';
import type { PodBehaviour } from './cluster-config.js';
import { POD_STAGES, ruleForPod, type PodStage, type StageContext, type Transition } from './stages.js';

export interface TransitionOptions {
  /** Shorten graceful deletion: 0.1 deletes after a tenth of the grace period (default 1). */
  deletionFactor?: number;
  stages?: readonly PodStage[];
  /** The pod IPs other live pods on the node hold, for a sandbox set up now (see StageContext). */
  podIPsInUse?: () => Iterable<string>;
  /** The exact moments of the pod's status timestamps the shell wrote (see StageContext). */
  exactMs?: (t: string | undefined) => number | undefined;
}

/**
 * The next thing the simulated kubelet does to a pod bound to `node`, or undefined when the pod
 * is at rest (Ready, terminal, never-ready, or not bound here). `atMs` may lie in the past:
 * the shell then applies it at once. `rand` returns numbers in [0, 1).
 */
export function nextPodTransition(pod: Pod, node: Node, behaviour: PodBehaviour, nowMs: number, rand: () => number, opts: TransitionOptions = {}): Transition | undefined {
  if (!pod.spec?.nodeName || pod.spec.nodeName !== node.metadata?.name) return undefined;
  const ctx: StageContext = {
    pod, node, behaviour, rule: ruleForPod(pod, behaviour.rules), nowMs, rand, deletionFactor: opts.deletionFactor ?? 1,
    ...(opts.podIPsInUse ? { podIPsInUse: opts.podIPsInUse } : {}), ...(opts.exactMs ? { exactMs: opts.exactMs } : {}),
  };
  const stage = (opts.stages ?? POD_STAGES).find((s) => s.when(ctx));
  if (!stage) return undefined;
  const atMs = stage.at(ctx);
  // Render as of the firing time, so timestamps in the patch are when it happens, not when planned.
  const renderedAtMs = Math.max(atMs, nowMs);
  return { stage: stage.name, atMs, renderedAtMs, ...stage.render({ ...ctx, nowMs: renderedAtMs }) };
}

/** Applies a transition's status patch the way a merge patch of the status subresource would. */
export function applyTransition(pod: Pod, t: Transition): Pod {
  return t.statusPatch ? { ...pod, status: { ...pod.status, ...t.statusPatch } } : pod;
}

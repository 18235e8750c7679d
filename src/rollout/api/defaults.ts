// Defaults for DaemonSetRollout (SetDefaults_… style): a pure function the shell applies to a
// copy of the stored object before planning. The stored object is never rewritten with them.
import type { DaemonSetRolloutSpec, HealthSpec, WaveSpec } from './types.js';

export const DEFAULTS = {
  maxUnavailable: 1,
  bakeSeconds: 0,
  approval: 'Auto',
  minReadySeconds: 0,
  podReadyTimeoutSeconds: 300,
  maxRestarts: 3,
  maxFailedNodes: 0,
  onFailure: 'Pause',
  progressDeadlineSeconds: 1800,
  quarantineMaxNodes: 1,
  perNodeMaxUnavailable: 1,
  inPlace: 'Never',
} as const;

export type DefaultedWave = WaveSpec & Required<Pick<WaveSpec, 'maxUnavailable' | 'bakeSeconds' | 'approval'>>;
export type DefaultedHealth = Required<Pick<HealthSpec, 'minReadySeconds' | 'podReadyTimeoutSeconds' | 'maxRestarts' | 'maxFailedNodes'>> & Pick<HealthSpec, 'nodeRegression'>;
export type DefaultedSpec = Omit<DaemonSetRolloutSpec, 'waves' | 'health'> & {
  waves: DefaultedWave[];
  health: DefaultedHealth;
} & Required<Pick<DaemonSetRolloutSpec, 'onFailure' | 'progressDeadlineSeconds' | 'paused' | 'perNodeMaxUnavailable' | 'inPlace' | 'makeRoom' | 'manageStrategy'>>;

/** The spec with every default filled in (input is not modified). */
export function withDefaults(spec: DaemonSetRolloutSpec): DefaultedSpec {
  const h = spec.health ?? {};
  return {
    ...spec,
    waves: (spec.waves ?? []).map((w) => ({
      ...w,
      maxUnavailable: w.maxUnavailable ?? DEFAULTS.maxUnavailable,
      bakeSeconds: w.bakeSeconds ?? DEFAULTS.bakeSeconds,
      approval: w.approval ?? DEFAULTS.approval,
    })),
    health: {
      ...h,
      minReadySeconds: h.minReadySeconds ?? DEFAULTS.minReadySeconds,
      podReadyTimeoutSeconds: h.podReadyTimeoutSeconds ?? DEFAULTS.podReadyTimeoutSeconds,
      maxRestarts: h.maxRestarts ?? DEFAULTS.maxRestarts,
      maxFailedNodes: h.maxFailedNodes ?? DEFAULTS.maxFailedNodes,
    },
    onFailure: spec.onFailure ?? DEFAULTS.onFailure,
    progressDeadlineSeconds: spec.progressDeadlineSeconds ?? DEFAULTS.progressDeadlineSeconds,
    ...(spec.quarantine ? { quarantine: { ...spec.quarantine, maxNodes: spec.quarantine.maxNodes ?? DEFAULTS.quarantineMaxNodes } } : {}),
    paused: spec.paused ?? false,
    perNodeMaxUnavailable: spec.perNodeMaxUnavailable ?? DEFAULTS.perNodeMaxUnavailable,
    inPlace: spec.inPlace ?? DEFAULTS.inPlace,
    makeRoom: spec.makeRoom ?? false,
    manageStrategy: spec.manageStrategy ?? false,
  };
}

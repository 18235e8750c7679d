// policy/v1 PodDisruptionBudgets (pkg/apis/policy/validation, pkg/registry/policy/poddisruptionbudget).
import { invalid, notSupported, type FieldError } from '../../api/fielderrors.js';
import type { KObject, PodDisruptionBudget } from '../../api/types.js';
import { cloneJson, semanticEqual } from './equality.js';
import { nonNegative, notMoreThan100Percent, validatePositiveIntOrPercent } from './intstr.js';
import { setGeneration, validateLabelSelector } from './objectmeta.js';
import type { ResourceStrategy } from './types.js';

const asPDB = (o: KObject) => o as unknown as PodDisruptionBudget;
const evictionPolicies = ['AlwaysAllow', 'IfHealthyBudget'];

export function validatePDBSpec(pdb: PodDisruptionBudget): FieldError[] {
  const spec = pdb.spec ?? {};
  const errs: FieldError[] = [];
  if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) {
    errs.push(invalid('spec', spec, 'minAvailable and maxUnavailable cannot be both set'));
  }
  for (const field of ['minAvailable', 'maxUnavailable'] as const) {
    const v = spec[field];
    if (v === undefined) continue;
    errs.push(...validatePositiveIntOrPercent(v, `spec.${field}`), ...notMoreThan100Percent(v, `spec.${field}`));
  }
  errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  if (spec.unhealthyPodEvictionPolicy !== undefined && !evictionPolicies.includes(spec.unhealthyPodEvictionPolicy)) {
    errs.push(notSupported('spec.unhealthyPodEvictionPolicy', spec.unhealthyPodEvictionPolicy, evictionPolicies));
  }
  return errs;
}

const statusCounters = ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods', 'observedGeneration'] as const;

export const pdbStrategy: ResourceStrategy = {
  usesGeneration: true,
  prepareForCreate(obj) {
    // PodDisruptionBudgetStatus{} as policy/v1 serialises it (these four have no omitempty).
    obj.status = { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
    setGeneration(obj, 1);
  },
  prepareForUpdate(obj, old) {
    obj.status = cloneJson(old.status);
    const gen = old.metadata?.generation ?? 0;
    setGeneration(obj, semanticEqual(obj.spec, old.spec) ? gen : gen + 1);
  },
  prepareForStatusUpdate(obj, old) { obj.spec = cloneJson(old.spec); },
  validate: (obj) => validatePDBSpec(asPDB(obj)),
  validateStatusUpdate(obj) {
    const status = asPDB(obj).status;
    return statusCounters.flatMap((k) => nonNegative(status?.[k] as number | undefined, `status.${k}`));
  },
};

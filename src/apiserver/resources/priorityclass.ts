// scheduling.k8s.io PriorityClasses (pkg/apis/scheduling/validation, v1 defaults, and the
// PriorityClass half of plugin/pkg/admission/priority).
import { forbidden, notSupported, type FieldError } from '../../api/fielderrors.js';
import type { KObject, PriorityClass } from '../../api/types.js';
import { forbidden as forbiddenError } from '../errors.js';
import { immutable } from './objectmeta.js';
import type { ResourceStrategy } from './types.js';

export const highestUserDefinablePriority = 1_000_000_000;
export const systemPriorityClassPrefix = 'system-';

/** The classes the API server creates at startup; `system-` names are reserved for them. */
export const systemPriorityClasses: readonly PriorityClass[] = [
  { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'system-node-critical' }, value: 2_000_001_000, globalDefault: false, preemptionPolicy: 'PreemptLowerPriority', description: 'Used for system critical pods that must not be moved from their current node.' },
  { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'system-cluster-critical' }, value: 2_000_000_000, globalDefault: false, preemptionPolicy: 'PreemptLowerPriority', description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.' },
];

/** IsKnownSystemPriorityClass: undefined when fine, else the reason. */
function systemClassProblem(name: string, value: number, globalDefault: boolean): string | undefined {
  const known = systemPriorityClasses.find((c) => c.metadata?.name === name);
  if (!known) return `${name} is not a known system priority class`;
  if (known.value !== value) return `value of ${name} PriorityClass must be ${known.value}`;
  if ((known.globalDefault ?? false) !== globalDefault) return `globalDefault of ${name} PriorityClass must be ${known.globalDefault ?? false}`;
  return undefined;
}

const preemptionPolicies = ['Never', 'PreemptLowerPriority'];
const asPC = (o: KObject) => o as unknown as PriorityClass;

export function validatePriorityClass(pc: PriorityClass): FieldError[] {
  const errs: FieldError[] = [];
  const name = pc.metadata?.name ?? '';
  if (name.startsWith(systemPriorityClassPrefix)) {
    const problem = systemClassProblem(name, pc.value, pc.globalDefault ?? false);
    if (problem) errs.push(forbidden('metadata.name', `priority class names with '${systemPriorityClassPrefix}' prefix are reserved for system use only. error: ${problem}`));
  } else if (pc.value > highestUserDefinablePriority) {
    errs.push(forbidden('value', `maximum allowed value of a user defined priority is ${highestUserDefinablePriority}`));
  }
  if (pc.preemptionPolicy !== undefined && !preemptionPolicies.includes(pc.preemptionPolicy)) {
    errs.push(notSupported('preemptionPolicy', pc.preemptionPolicy, preemptionPolicies));
  }
  return errs;
}

export const priorityClassStrategy: ResourceStrategy = {
  default(obj) { asPC(obj).preemptionPolicy ??= 'PreemptLowerPriority'; },
  /**
   * Only one class may be globalDefault. Upstream refuses a second one in admission, so the
   * answer is 403 Forbidden, not 422; on update the existing default may keep its flag.
   */
  admit(obj, ctx) {
    const pc = asPC(obj);
    if (!pc.globalDefault) return;
    const name = pc.metadata?.name ?? '';
    const other = (ctx.list('scheduling.k8s.io', 'priorityclasses', '') as unknown as PriorityClass[])
      .find((c) => c.globalDefault && c.metadata?.name !== name);
    if (other) {
      throw forbiddenError(`priorityclasses.scheduling.k8s.io "${name}" is forbidden: PriorityClass ${other.metadata?.name} is already marked as default. Only one default can exist`,
        { name, group: 'scheduling.k8s.io', kind: 'priorityclasses' });
    }
  },
  validate: (obj) => validatePriorityClass(asPC(obj)),
  validateUpdate(obj, old) {
    const errs: FieldError[] = [];
    if (asPC(obj).value !== asPC(old).value) errs.push(forbidden('value', 'may not be changed in an update.'));
    errs.push(...immutable(asPC(obj).preemptionPolicy, asPC(old).preemptionPolicy, 'preemptionPolicy'));
    return errs;
  },
};

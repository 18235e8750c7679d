// Deployments (pkg/apis/apps/v1/defaults.go SetDefaults_Deployment, pkg/apis/apps/validation
// ValidateDeployment*, pkg/registry/apps/deployment/strategy.go).
import { forbidden, invalid, notSupported, required, type FieldError } from '../../api/fielderrors.js';
import type { KObject } from '../../api/types.js';
import type { Deployment, DeploymentSpec, DeploymentStrategy } from 'kubernetes-types/apps/v1.js';
import { intOrPercentValue, nonNegative, notMoreThan100Percent, validatePositiveIntOrPercent } from './intstr.js';
import { defaultTemplate, validateSelectorAndTemplate, workloadStrategy } from './replicaset.js';
import type { ResourceStrategy } from './types.js';

const asDeployment = (o: KObject) => o as unknown as Deployment;

export function defaultDeployment(d: Deployment): void {
  const spec = (d.spec ??= {} as DeploymentSpec);
  spec.replicas ??= 1;
  const strategy = (spec.strategy ??= {});
  strategy.type ||= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = (strategy.rollingUpdate ??= {});
    ru.maxUnavailable ??= '25%';
    ru.maxSurge ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  defaultTemplate(spec);
}

function validateStrategy(strategy: DeploymentStrategy | undefined): FieldError[] {
  const path = 'spec.strategy';
  switch (strategy?.type) {
    case 'Recreate':
      return strategy.rollingUpdate ? [forbidden(`${path}.rollingUpdate`, "may not be specified when strategy `type` is 'Recreate'")] : [];
    case 'RollingUpdate': {
      const ru = strategy.rollingUpdate;
      if (!ru) return [required(`${path}.rollingUpdate`, 'this should be defaulted and never be nil')];
      const p = `${path}.rollingUpdate`;
      const errs = [
        ...validatePositiveIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`),
        ...validatePositiveIntOrPercent(ru.maxSurge, `${p}.maxSurge`),
        ...notMoreThan100Percent(ru.maxUnavailable, `${p}.maxUnavailable`),
      ];
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
        errs.push(invalid(`${p}.maxUnavailable`, ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
      }
      return errs;
    }
    default:
      return [notSupported(`${path}.type`, strategy?.type ?? '', ['Recreate', 'RollingUpdate'])];
  }
}

/** ValidateDeploymentSpec. */
export function validateDeploymentSpec(spec: DeploymentSpec | undefined): FieldError[] {
  const s = spec ?? ({} as DeploymentSpec);
  const errs = [
    ...nonNegative(s.replicas, 'spec.replicas'),
    ...validateSelectorAndTemplate(s.selector, s.template, 'deployment'),
    ...validateStrategy(s.strategy),
    ...nonNegative(s.minReadySeconds, 'spec.minReadySeconds'),
    ...nonNegative(s.revisionHistoryLimit ?? undefined, 'spec.revisionHistoryLimit'),
  ];
  const deadline = s.progressDeadlineSeconds;
  if (deadline !== undefined && deadline !== null) {
    errs.push(...nonNegative(deadline, 'spec.progressDeadlineSeconds'));
    if (deadline <= (s.minReadySeconds ?? 0)) errs.push(invalid('spec.progressDeadlineSeconds', deadline, 'must be greater than minReadySeconds'));
  }
  return errs;
}

const counters = ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas', 'observedGeneration', 'collisionCount'] as const;

/** ValidateDeploymentStatus. */
export function validateDeploymentStatus(status: Deployment['status']): FieldError[] {
  const s = status ?? {};
  const errs = counters.flatMap((k) => nonNegative(s[k], `status.${k}`));
  const replicas = s.replicas ?? 0;
  if ((s.updatedReplicas ?? 0) > replicas) errs.push(invalid('status.updatedReplicas', s.updatedReplicas, 'cannot be greater than status.replicas'));
  if ((s.readyReplicas ?? 0) > replicas) errs.push(invalid('status.readyReplicas', s.readyReplicas, 'cannot be greater than status.replicas'));
  if ((s.availableReplicas ?? 0) > replicas) errs.push(invalid('status.availableReplicas', s.availableReplicas, 'cannot be greater than status.replicas'));
  if ((s.availableReplicas ?? 0) > (s.readyReplicas ?? 0)) errs.push(invalid('status.availableReplicas', s.availableReplicas, 'cannot be greater than readyReplicas'));
  return errs;
}

export const deploymentStrategy: ResourceStrategy = workloadStrategy({
  defaults: (obj) => defaultDeployment(asDeployment(obj)),
  validate: (obj) => validateDeploymentSpec(asDeployment(obj).spec),
  validateStatus: (obj) => validateDeploymentStatus(asDeployment(obj).status),
  emptyStatus: () => ({}),
  // Annotations are copied to the ReplicaSets, so a change of them is a change the controller must act on.
  bumpOnAnnotations: true,
});

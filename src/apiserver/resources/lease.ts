// coordination.k8s.io Leases (pkg/apis/coordination/validation ValidateLeaseSpec).
import { invalid, notSupported, type FieldError } from '../../api/fielderrors.js';
import type { KObject, Lease } from '../../api/types.js';
import type { ResourceStrategy } from './types.js';

export function validateLeaseSpec(lease: Lease): FieldError[] {
  const spec = lease.spec ?? {};
  const errs: FieldError[] = [];
  if (spec.leaseDurationSeconds !== undefined && spec.leaseDurationSeconds <= 0) {
    errs.push(invalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
  }
  if (spec.leaseTransitions !== undefined && spec.leaseTransitions < 0) {
    errs.push(invalid('spec.leaseTransitions', spec.leaseTransitions, 'must be greater than or equal to 0'));
  }
  const strategy = (spec as { strategy?: string }).strategy;
  if (strategy !== undefined && strategy !== 'OldestEmulationVersion') {
    errs.push(notSupported('spec.strategy', strategy, ['OldestEmulationVersion']));
  }
  return errs;
}

export const leaseStrategy: ResourceStrategy = {
  validate: (obj: KObject) => validateLeaseSpec(obj as unknown as Lease),
};

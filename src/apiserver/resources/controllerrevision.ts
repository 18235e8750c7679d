// apps/v1 ControllerRevisions (pkg/apis/apps/validation ValidateControllerRevision*).
// `revision` stays mutable on purpose: rollbacks renumber an existing revision.
import { required, type FieldError } from '../../api/fielderrors.js';
import type { ControllerRevision, KObject } from '../../api/types.js';
import { nonNegative } from './intstr.js';
import { immutable } from './objectmeta.js';
import type { ResourceStrategy } from './types.js';

const asCR = (o: KObject) => o as unknown as ControllerRevision;

export function validateControllerRevision(cr: ControllerRevision): FieldError[] {
  const errs: FieldError[] = [];
  if (cr.data === undefined || cr.data === null) errs.push(required('data', 'data is mandatory'));
  errs.push(...nonNegative(cr.revision, 'revision'));
  return errs;
}

export const controllerRevisionStrategy: ResourceStrategy = {
  validate: (obj) => validateControllerRevision(asCR(obj)),
  validateUpdate: (obj, old) => immutable(asCR(obj).data, asCR(old).data, 'data'),
};

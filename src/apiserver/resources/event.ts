// core/v1 Events (legacyValidateEvent in pkg/apis/core/validation/events.go), kept light:
// namespace consistency with the involved object and the length limits of new-style events.
import { invalid, required, type FieldError } from '../../api/fielderrors.js';
import type { Event, KObject } from '../../api/types.js';
import { isDNS1123Subdomain, isQualifiedName } from '../../api/validation.js';
import type { ResourceStrategy } from './types.js';

const notMatching = 'does not match event.namespace';

function tooLongText(path: string, value: string | undefined, max: number): FieldError[] {
  return (value ?? '').length > max ? [invalid(path, '', `can have at most ${max} characters`)] : [];
}

export function validateEvent(ev: Event): FieldError[] {
  const errs: FieldError[] = [];
  const ns = ev.metadata?.namespace ?? '';
  const involvedNs = ev.involvedObject?.namespace ?? '';
  if (!ev.eventTime) {
    // Old-style events: a cluster-scoped object's events may live in "default" (old clients).
    const ok = involvedNs ? ns === involvedNs : ns === '' || ns === 'default';
    if (!ok) errs.push(invalid('involvedObject.namespace', involvedNs, notMatching));
  } else {
    if (!involvedNs && ns !== 'default' && ns !== 'kube-system') errs.push(invalid('involvedObject.namespace', involvedNs, notMatching));
    if (!ev.reportingComponent) errs.push(required('reportingController'));
    for (const m of isQualifiedName(ev.reportingComponent ?? '')) errs.push(invalid('reportingController', ev.reportingComponent ?? '', m));
    if (!ev.reportingInstance) errs.push(required('reportingInstance'));
    errs.push(...tooLongText('reportingInstance', ev.reportingInstance, 128));
    if (!ev.action) errs.push(required('action'));
    errs.push(...tooLongText('action', ev.action, 128));
    if (!ev.reason) errs.push(required('reason'));
    errs.push(...tooLongText('reason', ev.reason, 128));
    errs.push(...tooLongText('message', ev.message, 1024));
  }
  for (const m of isDNS1123Subdomain(ns)) errs.push(invalid('namespace', ns, m));
  return errs;
}

export const eventStrategy: ResourceStrategy = {
  validate: (obj: KObject) => validateEvent(obj as unknown as Event),
};

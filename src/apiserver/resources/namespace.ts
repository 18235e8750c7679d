// Namespaces (pkg/registry/core/namespace/strategy.go, ValidateNamespace*, v1 defaults).
import { invalid, type FieldError } from '../../api/fielderrors.js';
import type { KObject, Namespace } from '../../api/types.js';
import { isQualifiedName } from '../../api/validation.js';
import { cloneJson } from './equality.js';
import type { ResourceStrategy } from './types.js';

/** Label every namespace carries with its own name (kept in sync on every write). */
export const metadataNameLabel = 'kubernetes.io/metadata.name';
export const kubernetesFinalizer = 'kubernetes';

const asNs = (o: KObject) => o as unknown as Namespace;

function labelWithName(obj: KObject): void {
  const name = obj.metadata?.name;
  if (name) obj.metadata!.labels = { ...(obj.metadata!.labels ?? {}), [metadataNameLabel]: name };
}

/** Core's finalizer-name rule: qualified, and unqualified names must be the standard "kubernetes". */
function validateSpecFinalizers(finalizers: string[] | undefined): FieldError[] {
  return (finalizers ?? []).flatMap((f) => {
    const errs = isQualifiedName(f).map((m) => invalid('spec.finalizers', f, m));
    if (!f.includes('/') && f !== kubernetesFinalizer) errs.push(invalid('spec.finalizers', f, 'name is neither a standard finalizer name nor is it fully qualified'));
    return errs;
  });
}

export const namespaceStrategy: ResourceStrategy = {
  default(obj) {
    labelWithName(obj);
    const ns = asNs(obj);
    if (ns.status && !ns.status.phase) ns.status.phase = 'Active';
  },
  prepareForCreate(obj) {
    labelWithName(obj); // again: generateName may only now have produced the name
    const ns = asNs(obj);
    obj.status = { phase: 'Active' };
    const spec = (ns.spec ??= {});
    if (!spec.finalizers?.includes(kubernetesFinalizer)) spec.finalizers = [...(spec.finalizers ?? []), kubernetesFinalizer];
  },
  prepareForUpdate(obj, old) {
    labelWithName(obj);
    const ns = asNs(obj);
    ns.spec = { ...(ns.spec ?? {}), finalizers: cloneJson(asNs(old).spec?.finalizers) };
    if (ns.spec.finalizers === undefined) delete ns.spec.finalizers;
    obj.status = cloneJson(old.status);
  },
  prepareForStatusUpdate(obj, old) { obj.spec = cloneJson(old.spec); },
  validate: (obj) => validateSpecFinalizers(asNs(obj).spec?.finalizers),
  validateStatusUpdate(obj) {
    const ns = asNs(obj);
    const phase = ns.status?.phase ?? '';
    if (!ns.metadata?.deletionTimestamp) {
      return phase === 'Active' ? [] : [invalid('status.Phase', phase, "may only be 'Active' if `deletionTimestamp` is empty")];
    }
    return phase === 'Terminating' ? [] : [invalid('status.Phase', phase, "may only be 'Terminating' if `deletionTimestamp` is not empty")];
  },
};

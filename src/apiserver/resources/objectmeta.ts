// Generic ObjectMeta validation (apimachinery api/validation/objectmeta.go) plus the name rules
// each kind uses. The REST machinery calls validateObjectMeta for every create/update; the kind
// strategies call the label/annotation helpers for embedded metadata (pod templates).
import { forbidden, invalid, required, tooLong, type FieldError } from '../../api/fielderrors.js';
import type { KObject, LabelSelector, ObjectMeta, OwnerReference } from '../../api/types.js';
import {
  isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, isValidPathSegmentName,
} from '../../api/validation.js';
import { semanticEqual } from './equality.js';
import { negativeMessage } from './intstr.js';

/** Returns problems with a name; `prefix` is true for generateName, which may end in '-'. */
export type NameValidator = (name: string, prefix: boolean) => string[];

/**
 * Upstream replaces the last two characters with "a" when a generateName prefix ends in '-', so
 * the prefix is checked as if a random suffix followed. We keep that quirk for identical answers.
 */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name;
}

export const nameIsDNSSubdomain: NameValidator = (n, prefix) => isDNS1123Subdomain(prefix ? maskTrailingDash(n) : n);
export const nameIsDNSLabel: NameValidator = (n, prefix) => isDNS1123Label(prefix ? maskTrailingDash(n) : n);
export const nameIsDNS1035Label: NameValidator = (n, prefix) => isDNS1035Label(prefix ? maskTrailingDash(n) : n);
/** RBAC objects: anything usable as one URL path segment. */
export const nameIsPathSegment: NameValidator = (n) => isValidPathSegmentName(n);

const specialNames: Record<string, NameValidator> = {
  namespaces: nameIsDNSLabel,
  services: nameIsDNS1035Label,
  roles: nameIsPathSegment, clusterroles: nameIsPathSegment,
  rolebindings: nameIsPathSegment, clusterrolebindings: nameIsPathSegment,
};

/** Name rule for a resource (plural, e.g. "namespaces"); DNS subdomain unless listed otherwise. */
export function nameValidatorFor(resource: string): NameValidator {
  return specialNames[resource] ?? nameIsDNSSubdomain;
}

export const totalAnnotationSizeLimit = 256 * 1024;

export function validateLabels(labels: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    for (const m of isQualifiedName(k)) errs.push(invalid(path, k, m));
    for (const m of isValidLabelValue(String(v))) errs.push(invalid(path, v, m));
  }
  return errs;
}

/** ValidateLabelSelector (metav1 validation). */
export function validateLabelSelector(sel: LabelSelector | undefined | null, path: string): FieldError[] {
  if (!sel) return [];
  const errs = validateLabels(sel.matchLabels, `${path}.matchLabels`);
  (sel.matchExpressions ?? []).forEach((e, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    const values = e.values ?? [];
    if (e.operator === 'In' || e.operator === 'NotIn') {
      if (values.length === 0) errs.push(required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (e.operator === 'Exists' || e.operator === 'DoesNotExist') {
      if (values.length > 0) errs.push(forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else errs.push(invalid(`${p}.operator`, e.operator, 'not a valid selector operator'));
    for (const m of isQualifiedName(e.key ?? '')) errs.push(invalid(`${p}.key`, e.key, m));
    values.forEach((v, j) => { for (const m of isValidLabelValue(v)) errs.push(invalid(`${p}.values[${j}]`, v, m)); });
  });
  return errs;
}

export function validateAnnotations(annotations: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(invalid(path, k, m));
    size += Buffer.byteLength(k) + Buffer.byteLength(String(v));
  }
  if (size > totalAnnotationSizeLimit) errs.push(tooLong(path, '', totalAnnotationSizeLimit));
  return errs;
}

export function validateOwnerReferences(refs: OwnerReference[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let firstController = '';
  for (const ref of refs ?? []) {
    const apiVersion = ref.apiVersion ?? '';
    const version = apiVersion.includes('/') ? apiVersion.split('/')[1] : apiVersion;
    if (!version) errs.push(invalid(`${path}.apiVersion`, apiVersion, 'version must not be empty'));
    if (!ref.kind) errs.push(invalid(`${path}.kind`, ref.kind ?? '', 'must not be empty'));
    if (!ref.name) errs.push(invalid(`${path}.name`, ref.name ?? '', 'must not be empty'));
    if (!ref.uid) errs.push(invalid(`${path}.uid`, ref.uid ?? '', 'must not be empty'));
    if (ref.controller === true) {
      const current = `${ref.kind}/${ref.name}`;
      if (firstController) {
        errs.push(invalid(path, refs, `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`));
      } else firstController = current;
    }
  }
  return errs;
}

export function validateFinalizers(finalizers: string[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of finalizers ?? []) for (const m of isQualifiedName(f)) errs.push(invalid(path, f, m));
  const list = finalizers ?? [];
  if (list.includes('orphan') && list.includes('foregroundDeletion')) {
    errs.push(invalid(path, list, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return errs;
}

export interface ObjectMetaRules { namespaced: boolean; nameValidator: NameValidator }

/** ValidateObjectMeta with paths under `metadata`. */
export function validateObjectMeta(obj: KObject, rules: ObjectMetaRules, path = 'metadata'): FieldError[] {
  const meta: ObjectMeta = obj.metadata ?? {};
  const errs: FieldError[] = [];
  if (meta.generateName) {
    for (const m of rules.nameValidator(meta.generateName, true)) errs.push(invalid(`${path}.generateName`, meta.generateName, m));
  }
  if (!meta.name) errs.push(required(`${path}.name`, 'name or generateName is required'));
  else for (const m of rules.nameValidator(meta.name, false)) errs.push(invalid(`${path}.name`, meta.name, m));
  if (rules.namespaced) {
    if (!meta.namespace) errs.push(required(`${path}.namespace`));
    else for (const m of isDNS1123Label(meta.namespace)) errs.push(invalid(`${path}.namespace`, meta.namespace, m));
  } else if (meta.namespace) {
    errs.push(forbidden(`${path}.namespace`, 'not allowed on this type'));
  }
  if (meta.generation !== undefined && meta.generation < 0) errs.push(invalid(`${path}.generation`, meta.generation, negativeMessage));
  errs.push(...validateLabels(meta.labels, `${path}.labels`));
  errs.push(...validateAnnotations(meta.annotations, `${path}.annotations`));
  errs.push(...validateOwnerReferences(meta.ownerReferences, `${path}.ownerReferences`));
  errs.push(...validateFinalizers(meta.finalizers, `${path}.finalizers`));
  return errs;
}

/** ValidateImmutableField: "field is immutable" when the values differ semantically. */
export function immutable(value: unknown, old: unknown, path: string): FieldError[] {
  return semanticEqual(value, old) ? [] : [invalid(path, value ?? null, 'field is immutable')];
}

/** ValidateObjectMetaUpdate: identity fields may not change; the rest is validated as on create. */
export function validateObjectMetaUpdate(obj: KObject, old: KObject, path = 'metadata'): FieldError[] {
  const m = obj.metadata ?? {}, o = old.metadata ?? {};
  return [
    ...immutable(m.name, o.name, `${path}.name`),
    ...immutable(m.namespace, o.namespace, `${path}.namespace`),
    ...immutable(m.uid, o.uid, `${path}.uid`),
    ...immutable(m.creationTimestamp, o.creationTimestamp, `${path}.creationTimestamp`),
    ...validateLabels(m.labels, `${path}.labels`),
    ...validateAnnotations(m.annotations, `${path}.annotations`),
    ...validateOwnerReferences(m.ownerReferences, `${path}.ownerReferences`),
    ...validateFinalizers(m.finalizers, `${path}.finalizers`),
  ];
}

/** metadata.generation is read-only in kubernetes-types (clients never set it); the server does. */
export function setGeneration(obj: KObject, generation: number): void {
  (obj.metadata ??= {});
  (obj.metadata as { generation?: number }).generation = generation;
}

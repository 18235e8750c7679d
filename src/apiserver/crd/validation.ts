// ValidateCustomResourceDefinition (apiextensions validation.go), the parts that decide whether
// a CRD can be served: names, group, scope, versions (exactly one storage version), structural
// schemas, printer columns and the scale subresource's paths. Pure.
import { child, duplicate, index, invalid, notSupported, required, type FieldError } from '../../api/fielderrors.js';
import { isDNS1035Label, isDNS1123Subdomain } from '../../api/validation.js';
import { parseSimpleJsonPath } from '../tables/custom.js';
import type { JSONSchemaProps } from './schema.js';
import type { CRDNames, CRDVersion, CustomResourceDefinition } from './types.js';

const printerColumnTypes = ['integer', 'number', 'string', 'boolean', 'date'];
const schemaTypes = ['array', 'boolean', 'integer', 'number', 'object', 'string'];

/** SetDefaults_CustomResourceDefinition: singular and listKind from kind, conversion None. */
export function defaultCRD(crd: CustomResourceDefinition): void {
  const spec = (crd.spec ??= {});
  const names = (spec.names ??= {});
  if (!names.singular && names.kind) names.singular = names.kind.toLowerCase();
  if (!names.listKind && names.kind) names.listKind = `${names.kind}List`;
  spec.conversion ??= { strategy: 'None' };
  spec.conversion.strategy ??= 'None';
  for (const v of spec.versions ?? []) {
    for (const c of v.additionalPrinterColumns ?? []) c.priority ??= 0;
  }
}

export function validateCRD(crd: CustomResourceDefinition): FieldError[] {
  const errs: FieldError[] = [];
  const spec = crd.spec ?? {};
  const names = spec.names ?? {};
  const group = spec.group ?? '';
  const name = crd.metadata?.name ?? '';
  if (name && name !== `${names.plural ?? ''}.${group}`) errs.push(invalid('metadata.name', name, 'must be spec.names.plural+"."+spec.group'));
  if (!group) errs.push(required('spec.group'));
  else {
    for (const m of isDNS1123Subdomain(group)) errs.push(invalid('spec.group', group, m));
    if (group.split('.').length < 2) errs.push(invalid('spec.group', group, 'should be a domain with at least one dot'));
  }
  if (isProtectedGroup(group)) {
    // Groups of the Kubernetes project need an approved API review (apihelpers.IsProtectedCommunityGroup).
    const approval = crd.metadata?.annotations?.['api-approved.kubernetes.io'];
    if (!approval) {
      errs.push(required('metadata.annotations[api-approved.kubernetes.io]', 'protected groups must have approval annotation "api-approved.kubernetes.io", see https://github.com/kubernetes/enhancements/pull/1111'));
    }
  }
  if (!spec.scope) errs.push(required('spec.scope'));
  else if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') errs.push(notSupported('spec.scope', spec.scope, ['Cluster', 'Namespaced']));
  errs.push(...validateNames(names, 'spec.names'));
  errs.push(...validateVersions(spec.versions ?? [], 'spec.versions'));
  const strategy = spec.conversion?.strategy;
  if (strategy && strategy !== 'None' && strategy !== 'Webhook') errs.push(notSupported('spec.conversion.strategy', strategy, ['None', 'Webhook']));
  if (spec.preserveUnknownFields === true) errs.push(invalid('spec.preserveUnknownFields', true, 'must be false in order to use defaults in the schema'));
  return errs;
}

/** The schema node a simple path leads to (properties only), if any. */
function schemaAt(s: JSONSchemaProps, steps: (string | number)[]): JSONSchemaProps | undefined {
  let cur: JSONSchemaProps | undefined = s;
  for (const step of steps) {
    if (typeof step !== 'string' || typeof cur?.properties !== 'object' || cur.properties === null) return undefined;
    cur = cur.properties[step];
  }
  return cur;
}

function isProtectedGroup(group: string): boolean {
  return ['k8s.io', 'kubernetes.io'].some((g) => group === g || group.endsWith(`.${g}`));
}

/** On update, storage versions already written may not disappear from status.storedVersions' versions. */
export function validateCRDUpdate(crd: CustomResourceDefinition, old: CustomResourceDefinition): FieldError[] {
  const errs: FieldError[] = [];
  if (old.spec?.scope && crd.spec?.scope !== old.spec.scope) errs.push(invalid('spec.scope', crd.spec?.scope, 'field is immutable'));
  const names = new Set((crd.spec?.versions ?? []).map((v) => v.name));
  for (const sv of old.status?.storedVersions ?? []) {
    if (!names.has(sv)) errs.push(invalid('status.storedVersions[0]', sv, 'must appear in spec.versions'));
  }
  return errs;
}

function validateNames(n: CRDNames, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const label = (field: string, v: string | undefined, lower = false) => {
    const p = child(path, field);
    if (!v) { errs.push(required(p)); return; }
    for (const m of isDNS1035Label(lower ? v.toLowerCase() : v)) errs.push(invalid(p, v, m));
  };
  label('plural', n.plural);
  label('singular', n.singular);
  label('kind', n.kind, true);
  label('listKind', n.listKind, true);
  if (n.kind && n.listKind && n.kind === n.listKind) errs.push(invalid(child(path, 'listKind'), n.listKind, 'kind and listKind may not be the same'));
  (n.shortNames ?? []).forEach((s, i) => { for (const m of isDNS1035Label(s)) errs.push(invalid(index(child(path, 'shortNames'), i), s, m)); });
  (n.categories ?? []).forEach((s, i) => { for (const m of isDNS1035Label(s)) errs.push(invalid(index(child(path, 'categories'), i), s, m)); });
  return errs;
}

function validateVersions(versions: CRDVersion[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (versions.length === 0) { errs.push(required(path, 'must have exactly one version marked as storage version')); return errs; }
  const seen = new Set<string>();
  let storage = 0;
  let served = 0;
  versions.forEach((v, i) => {
    const p = index(path, i);
    if (!v.name) errs.push(required(child(p, 'name')));
    else {
      for (const m of isDNS1035Label(v.name)) errs.push(invalid(child(p, 'name'), v.name, m));
      if (seen.has(v.name)) errs.push(duplicate(child(p, 'name'), v.name));
      seen.add(v.name);
    }
    if (v.storage) storage++;
    if (v.served) served++;
    const root = v.schema?.openAPIV3Schema;
    const sp = child(child(p, 'schema'), 'openAPIV3Schema');
    if (!root) errs.push(required(sp, 'schemas are required'));
    else errs.push(...validateStructural(root, sp, true));
    (v.additionalPrinterColumns ?? []).forEach((c, j) => {
      const cp = index(child(p, 'additionalPrinterColumns'), j);
      if (!c.name) errs.push(required(child(cp, 'name')));
      if (!c.type) errs.push(required(child(cp, 'type')));
      else if (!printerColumnTypes.includes(c.type)) errs.push(notSupported(child(cp, 'type'), c.type, printerColumnTypes));
      if (!c.jsonPath) errs.push(required(child(cp, 'JSONPath')));
      else if (!parseSimpleJsonPath(c.jsonPath)) errs.push(invalid(child(cp, 'JSONPath'), c.jsonPath, 'must be a simple json path'));
    });
    const selectable = Array.isArray(v.selectableFields) ? v.selectableFields : [];
    if (selectable.length > 8) errs.push({ type: 'FieldValueTooMany', field: child(p, 'selectableFields'), value: selectable.length, detail: 'must have at most 8 items', showValue: true });
    const seenPaths = new Set<string>();
    selectable.forEach((f, j) => {
      const fp = child(index(child(p, 'selectableFields'), j), 'jsonPath');
      if (!f?.jsonPath) { errs.push(required(fp)); return; }
      if (!parseSimpleJsonPath(f.jsonPath)) errs.push(invalid(fp, f.jsonPath, 'must be a simple json path'));
      else if (root) {
        const t = schemaAt(root, parseSimpleJsonPath(f.jsonPath)!);
        if (!t) errs.push(invalid(fp, f.jsonPath, 'is an invalid path: does not refer to a field in the schema'));
        else if (!['string', 'integer', 'boolean'].includes(t.type ?? '')) errs.push(invalid(fp, f.jsonPath, 'selectable field path must refer to a string, number, boolean or enum field'));
      }
      if (seenPaths.has(f.jsonPath)) errs.push(duplicate(fp, f.jsonPath));
      seenPaths.add(f.jsonPath);
    });
    const scale = v.subresources?.scale;
    if (scale) {
      const sc = child(child(p, 'subresources'), 'scale');
      if (!scale.specReplicasPath) errs.push(required(child(sc, 'specReplicasPath')));
      else if (!scale.specReplicasPath.startsWith('.spec.') || !parseSimpleJsonPath(scale.specReplicasPath)) {
        errs.push(invalid(child(sc, 'specReplicasPath'), scale.specReplicasPath, 'should be a json path under .spec'));
      }
      if (!scale.statusReplicasPath) errs.push(required(child(sc, 'statusReplicasPath')));
      else if (!scale.statusReplicasPath.startsWith('.status.') || !parseSimpleJsonPath(scale.statusReplicasPath)) {
        errs.push(invalid(child(sc, 'statusReplicasPath'), scale.statusReplicasPath, 'should be a json path under .status'));
      }
      if (scale.labelSelectorPath && (!/^\.(spec|status)\./.test(scale.labelSelectorPath) || !parseSimpleJsonPath(scale.labelSelectorPath))) {
        errs.push(invalid(child(sc, 'labelSelectorPath'), scale.labelSelectorPath, 'should be a json path under either .spec or .status'));
      }
    }
  });
  if (storage !== 1) errs.push(invalid(path, versions, 'must have exactly one version marked as storage version'));
  if (served === 0) errs.push(invalid(path, versions, 'must have at least one version marked as served'));
  return errs;
}

/**
 * The structural-schema rules (apiextensions structural validation) that matter for serving:
 * every specified field has a type (unless it is int-or-string or preserves unknown fields),
 * the root is an object, types are known, and list-map keys are required scalar properties.
 */
export function validateStructural(s: JSONSchemaProps, path: string, root = false): FieldError[] {
  const errs: FieldError[] = [];
  walk(s, path, root, errs);
  return errs;
}

function walk(s: JSONSchemaProps, path: string, root: boolean, errs: FieldError[]): void {
  if (typeof s !== 'object' || s === null || Array.isArray(s)) { errs.push(invalid(path, s, 'must be an object')); return; }
  const intOrString = s['x-kubernetes-int-or-string'] === true;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  if (root && s.type !== 'object') errs.push(s.type ? invalid(child(path, 'type'), s.type, 'must be object at the root') : required(child(path, 'type'), 'must not be empty at the root'));
  if (s.type && !schemaTypes.includes(s.type)) errs.push(notSupported(child(path, 'type'), s.type, schemaTypes));
  if (!s.type && !intOrString && !preserve && !root) errs.push(required(child(path, 'type'), 'must not be empty for specified object fields'));
  if (intOrString && s.type) errs.push(invalid(child(path, 'type'), s.type, 'must be empty to be structural'));
  if (s.type === 'array' && !s.items) errs.push(required(child(path, 'items'), 'must be specified'));
  if (s.pattern !== undefined) {
    try { new RegExp(s.pattern); } catch { errs.push(invalid(child(path, 'pattern'), s.pattern, 'must be a valid regular expression')); }
  }
  for (const [k, ps] of Object.entries(s.properties ?? {})) walk(ps, `${path}.properties[${k}]`, false, errs);
  if (typeof s.additionalProperties === 'object' && s.additionalProperties !== null) {
    if (s.properties && Object.keys(s.properties).length) errs.push(invalid(child(path, 'additionalProperties'), 'object', 'additionalProperties and properties are mutual exclusive'));
    walk(s.additionalProperties, child(path, 'additionalProperties'), false, errs);
  }
  if (s.items) {
    if (Array.isArray(s.items)) errs.push(invalid(child(path, 'items'), s.items, 'items must be a schema object and not an array'));
    else walk(s.items, child(path, 'items'), false, errs);
  }
  if (s['x-kubernetes-list-type'] !== undefined && !['atomic', 'set', 'map'].includes(s['x-kubernetes-list-type'])) {
    errs.push(notSupported(child(path, 'x-kubernetes-list-type'), s['x-kubernetes-list-type'], ['atomic', 'set', 'map']));
  }
  if (s['x-kubernetes-list-type'] === 'map') {
    const keys = s['x-kubernetes-list-map-keys'] ?? [];
    if (keys.length === 0) errs.push(required(child(path, 'x-kubernetes-list-map-keys'), 'must not be empty if x-kubernetes-list-type is map'));
    for (const k of keys) {
      const ks = s.items?.properties?.[k];
      if (!ks) errs.push(invalid(child(path, 'x-kubernetes-list-map-keys'), keys, `entries must all be names of item properties`));
      else if (ks.type === 'object' || ks.type === 'array') errs.push(invalid(`${path}.items.properties[${k}].type`, ks.type, 'must be a scalar type if parent array is a list map'));
    }
  }
}

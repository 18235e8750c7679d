// What a served CRD version becomes: catalog entries (ResourceDef) whose strategy gives custom
// resources upstream's semantics (customResourceStrategy): structural pruning and defaulting,
// schema validation, status subresource isolation, generation, and the scale subresource. Pure.
import type { FieldError } from '../../api/fielderrors.js';
import type { KObject } from '../../api/types.js';
import { def, type ResourceDef } from '../resources/catalog.js';
import type { ResourceStrategy } from '../resources/types.js';
import { customResourceConvertor, parseSimpleJsonPath } from '../tables/custom.js';
import type { TableConvertor } from '../tables.js';
import type { FieldGetters } from '../../api/fieldselector.js';
import { applyDefaults, prune, validateValue, type JSONSchemaProps } from './schema.js';
import { conditionOf, type CRDScale, type CRDVersion, type CustomResourceDefinition, type CustomResourceInfo } from './types.js';

export type { CustomResourceInfo } from './types.js';

const kubeVersion = /^v(\d+)(?:(alpha|beta)(\d+))?$/;

/**
 * Kubernetes version priority (version.CompareKubeAwareVersionStrings): GA before beta before
 * alpha, higher numbers first; other names after, alphabetically. Negative when a sorts first.
 */
export function compareVersions(a: string, b: string): number {
  const ma = kubeVersion.exec(a);
  const mb = kubeVersion.exec(b);
  if (!ma || !mb) return ma ? -1 : mb ? 1 : a.localeCompare(b);
  const rank = (m: RegExpExecArray) => (m[2] === undefined ? 2 : m[2] === 'beta' ? 1 : 0);
  if (rank(ma) !== rank(mb)) return rank(mb) - rank(ma);
  if (ma[1] !== mb[1]) return Number(mb[1]) - Number(ma[1]);
  return Number(mb[3] ?? 0) - Number(ma[3] ?? 0);
}

/** The catalog entries of an established CRD, one per served version, in version priority. */
export function customResourceDefs(crd: CustomResourceDefinition): ResourceDef[] {
  const spec = crd.spec ?? {};
  const names = crd.status?.acceptedNames?.plural ? crd.status.acceptedNames : spec.names ?? {};
  if (conditionOf(crd, 'Established')?.status !== 'True' || !spec.group || !names.plural || !names.kind) return [];
  const terminating = !!crd.metadata?.deletionTimestamp;
  const storage = (spec.versions ?? []).find((v) => v.storage)?.name;
  const served = (spec.versions ?? []).filter((v) => v.served && v.name).sort((a, b) => compareVersions(a.name!, b.name!));
  return served.map((v) => {
    const info = infoFor(crd.metadata?.name ?? '', v, terminating);
    const subresources = [...(v.subresources?.status ? ['status'] : []), ...(v.subresources?.scale ? ['scale'] : [])];
    const d = def({
      group: spec.group!, version: v.name!, resource: names.plural!, kind: names.kind!, singular: names.singular,
      namespaced: spec.scope !== 'Cluster', shortNames: names.shortNames, categories: names.categories, subresources,
      strategy: customResourceStrategy(info), deprecationWarning: v.deprecated ? (v.deprecationWarning ?? `${spec.group}/${v.name} ${names.kind} is deprecated`) : undefined,
    });
    d.listKind = names.listKind ?? `${names.kind}List`;
    d.custom = info;
    d.storageVersion = v.name === storage;
    return d;
  });
}

function infoFor(crdName: string, v: CRDVersion, terminating: boolean): CustomResourceInfo {
  const schema = v.schema?.openAPIV3Schema;
  return {
    crdName, schema, terminating,
    table: customResourceConvertor(v.additionalPrinterColumns),
    scale: v.subresources?.scale,
    statusEnabled: !!v.subresources?.status,
    normalize: (obj) => { if (schema) { prune(obj, schema); applyDefaults(obj, schema); } },
    fieldGetters: selectableFieldGetters(v.selectableFields ?? []),
  };
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** metadata.name, metadata.namespace, and each selectable field by its path ("spec.color"), as strings. */
function selectableFieldGetters(fields: { jsonPath?: string }[]): FieldGetters {
  const getters: Record<string, (o: KObject) => string> = {
    'metadata.name': (o) => str(o.metadata?.name),
    'metadata.namespace': (o) => str(o.metadata?.namespace),
  };
  for (const f of fields) {
    const steps = f.jsonPath ? parseSimpleJsonPath(f.jsonPath) : undefined;
    if (!steps) continue;
    getters[f.jsonPath!.slice(1)] = (o) => {
      const v = getPath(o, steps);
      // A missing field selects as the empty string; numbers and booleans by their text.
      return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
    };
  }
  return getters;
}

/** Everything but metadata (and status, when it is a subresource): what a generation counts. */
function generationPart(obj: KObject, statusEnabled: boolean): string {
  const { metadata: _meta, status, ...rest } = obj as KObject & { status?: unknown };
  return JSON.stringify(statusEnabled ? rest : { ...rest, status });
}

export function customResourceStrategy(info: CustomResourceInfo): ResourceStrategy {
  const validate = (obj: KObject): FieldError[] => {
    const errs = validateValue(obj, info.schema);
    // The replicas check adds nothing to a schema error about the same field.
    return errs.length ? errs : validateScale(obj, info.scale);
  };
  return {
    default: (obj) => info.normalize(obj),
    prepareForCreate: (obj) => {
      if (info.statusEnabled) delete (obj as { status?: unknown }).status;
      (obj.metadata as { generation?: number }).generation = 1;
    },
    prepareForUpdate: (obj, old) => {
      const meta = obj.metadata as { generation?: number };
      const prev = old.metadata?.generation ?? 1;
      meta.generation = generationPart(obj, info.statusEnabled) === generationPart(old, info.statusEnabled) ? prev : prev + 1;
    },
    prepareForStatusUpdate: (obj) => info.normalize(obj),
    validate,
    validateStatusUpdate: (obj) => validate(obj),
  };
}

/** The scale subresource's replicas field must hold a non-negative integer, when present. */
function validateScale(obj: KObject, scale: CRDScale | undefined): FieldError[] {
  if (!scale?.specReplicasPath) return [];
  const steps = parseSimpleJsonPath(scale.specReplicasPath);
  const v = steps ? getPath(obj, steps) : undefined;
  if (v === undefined) return [];
  const field = scale.specReplicasPath.slice(1);
  if (typeof v !== 'number' || !Number.isInteger(v)) return [{ type: 'FieldValueInvalid', field, value: v, detail: 'should be an integer', showValue: true }];
  if (v < 0) return [{ type: 'FieldValueInvalid', field, value: v, detail: 'should be a non-negative integer', showValue: true }];
  return [];
}

export function getPath(obj: unknown, steps: (string | number)[]): unknown {
  let cur = obj;
  for (const s of steps) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[s];
  }
  return cur;
}

/** Sets a value at a simple path, creating the objects on the way. */
export function setPath(obj: Record<string, unknown>, steps: (string | number)[], value: unknown): void {
  let cur: Record<string | number, unknown> = obj;
  steps.forEach((s, i) => {
    if (i === steps.length - 1) { cur[s] = value; return; }
    const next = cur[s];
    if (next === null || typeof next !== 'object') cur[s] = {};
    cur = cur[s] as Record<string | number, unknown>;
  });
}

// DaemonSets (pkg/apis/apps/v1/defaults.go, pkg/apis/extensions/v1beta1/defaults.go,
// pkg/apis/apps/validation, pkg/registry/apps/daemonset/strategy.go).
// Upstream keeps an internal spec.templateGeneration that apps/v1 exposes as an annotation; we
// store apps/v1 JSON, so the annotation itself is the stored form of that counter.
import { forbidden, invalid, notSupported, required, type FieldError } from '../../api/fielderrors.js';
import type { DaemonSet, DaemonSetSpec, KObject } from '../../api/types.js';
import { fromLabelSelector, selectorMatches } from '../../api/selector.js';
import { badRequest } from '../errors.js';
import { cloneJson, semanticEqual } from './equality.js';
import { intOrPercentValue, nonNegative, notMoreThan100Percent, validatePositiveIntOrPercent } from './intstr.js';
import { immutable, setGeneration, validateLabelSelector } from './objectmeta.js';
import { defaultPodSpec, validatePodTemplateSpec } from './podspec.js';
import type { ResourceStrategy } from './types.js';

export const templateGenerationAnnotation = 'deprecated.daemonset.template.generation';
export const extensionsGroupVersion = 'extensions/v1beta1';
export const extensionsDeprecationWarning =
  'extensions/v1beta1 DaemonSet is deprecated in v1.14+, unavailable in v1.16+; use apps/v1 DaemonSet';

const asDS = (o: KObject) => o as unknown as DaemonSet;

/** The annotation as a number; an unparsable value is a decode error upstream (400). */
export function templateGenerationOf(obj: KObject): number | undefined {
  const raw = obj.metadata?.annotations?.[templateGenerationAnnotation];
  if (raw === undefined) return undefined;
  if (!/^[+-]?\d+$/.test(raw)) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(raw)}: invalid syntax`);
  return Number(raw);
}

function setTemplateGeneration(obj: KObject, n: number): void {
  const meta = (obj.metadata ??= {});
  meta.annotations = { ...(meta.annotations ?? {}), [templateGenerationAnnotation]: String(n) };
}

/** Body sent to extensions/v1beta1 → apps/v1 storage shape (spec.templateGeneration → annotation). */
export function convertExtensionsDaemonSet(obj: KObject): KObject {
  const spec = obj.spec as Record<string, unknown> | undefined;
  if (spec && spec.templateGeneration !== undefined) {
    setTemplateGeneration(obj, Number(spec.templateGeneration));
    delete spec.templateGeneration;
  }
  obj.apiVersion = 'apps/v1';
  return obj;
}

/** Stored apps/v1 object → a copy in extensions/v1beta1 shape, for answering such requests. */
export function toExtensionsDaemonSet(stored: KObject): KObject {
  const out = cloneJson(stored);
  out.apiVersion = extensionsGroupVersion;
  const tg = out.metadata?.annotations?.[templateGenerationAnnotation];
  if (tg !== undefined) {
    (out.spec as Record<string, unknown>).templateGeneration = Number(tg);
    delete out.metadata!.annotations![templateGenerationAnnotation];
    if (Object.keys(out.metadata!.annotations!).length === 0) delete out.metadata!.annotations;
  }
  return out;
}

/** SetDefaults_DaemonSet for apps/v1, or for extensions/v1beta1 when `legacy`. */
export function defaultDaemonSet(ds: DaemonSet, legacy: boolean): void {
  const spec = (ds.spec ??= {} as DaemonSetSpec);
  const template = (spec.template ??= {});
  const labels = template.metadata?.labels;
  if (legacy && labels) {
    spec.selector ??= { matchLabels: { ...labels } };
    const meta = (ds.metadata ??= {});
    if (!meta.labels || Object.keys(meta.labels).length === 0) meta.labels = { ...labels };
  }
  const strategy = (spec.updateStrategy ??= {});
  strategy.type ||= legacy ? 'OnDelete' : 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = (strategy.rollingUpdate ??= {});
    ru.maxUnavailable ??= 1;
    // The extensions defaults leave maxSurge nil, which the internal type stores as int 0.
    ru.maxSurge ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
  defaultPodSpec((template.spec ??= { containers: [] }));
}

/** ValidateDaemonSetSpec. */
export function validateDaemonSetSpec(spec: DaemonSetSpec | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const s = spec ?? ({} as DaemonSetSpec);
  const selector = s.selector;
  errs.push(...validateLabelSelector(selector, 'spec.selector'));
  // A nil selector selects nothing, so it fails the template match (upstream has no Required here).
  const parsed = selector ? fromLabelSelector(selector) : undefined;
  const templateLabels = s.template?.metadata?.labels;
  if (!selector || (parsed && !('error' in parsed) && !selectorMatches(parsed, templateLabels))) {
    errs.push(invalid('spec.template.metadata.labels', templateLabels ?? {}, '`selector` does not match template `labels`'));
  }
  if (selector && Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions ?? []).length === 0) {
    errs.push(invalid('spec.selector', selector, 'empty selector is invalid for daemonset'));
  }
  errs.push(...validatePodTemplateSpec(s.template, 'spec.template'));
  const podSpec = s.template?.spec;
  if (podSpec?.restartPolicy !== 'Always') errs.push(notSupported('spec.template.spec.restartPolicy', podSpec?.restartPolicy ?? '', ['Always']));
  if (podSpec?.activeDeadlineSeconds !== undefined && podSpec.activeDeadlineSeconds !== null) {
    errs.push(forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in DaemonSet is not Supported'));
  }
  errs.push(...nonNegative(s.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...validateUpdateStrategy(s.updateStrategy));
  errs.push(...nonNegative(s.revisionHistoryLimit ?? undefined, 'spec.revisionHistoryLimit'));
  return errs;
}

function validateUpdateStrategy(strategy: DaemonSetSpec['updateStrategy']): FieldError[] {
  const path = 'spec.updateStrategy';
  switch (strategy?.type) {
    case 'OnDelete': return [];
    case 'RollingUpdate': {
      const ru = strategy.rollingUpdate;
      if (!ru) return [required(`${path}.rollingUpdate`)];
      const p = `${path}.rollingUpdate`;
      const errs = [
        ...validatePositiveIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`),
        ...validatePositiveIntOrPercent(ru.maxSurge, `${p}.maxSurge`),
        ...notMoreThan100Percent(ru.maxUnavailable, `${p}.maxUnavailable`),
        ...notMoreThan100Percent(ru.maxSurge, `${p}.maxSurge`),
      ];
      const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
      const hasSurge = intOrPercentValue(ru.maxSurge) !== 0;
      if (hasUnavailable && hasSurge) errs.push(invalid(`${p}.maxSurge`, ru.maxSurge, 'may not be set when maxUnavailable is non-zero'));
      if (!hasUnavailable && !hasSurge) errs.push(required(`${p}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
      return errs;
    }
    default: return [notSupported(path, strategy ?? {}, ['RollingUpdate', 'OnDelete'])];
  }
}

/** ValidateDaemonSetSpecUpdate: the template generation moves exactly with the template. */
function validateTemplateGeneration(obj: KObject, old: KObject): FieldError[] {
  const now = templateGenerationOf(obj) ?? 0, before = templateGenerationOf(old) ?? 0;
  const path = `metadata.annotations[${templateGenerationAnnotation}]`;
  const changed = !semanticEqual(asDS(obj).spec?.template, asDS(old).spec?.template);
  if (now < before) return [invalid(path, now, 'must not be decremented')];
  if (now === before && changed) return [invalid(path, now, 'must be incremented upon template update')];
  if (now > before && !changed) return [invalid(path, now, 'must not be incremented without template update')];
  return [];
}

const statusCounters = [
  'currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady', 'observedGeneration',
  'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable', 'collisionCount',
] as const;

/** ValidateDaemonSetStatusUpdate. */
export function validateDaemonSetStatus(obj: KObject, old: KObject): FieldError[] {
  const status = asDS(obj).status ?? ({} as NonNullable<DaemonSet['status']>);
  const errs = statusCounters.flatMap((k) => nonNegative(status[k] as number | undefined, `status.${k}`));
  const before = asDS(old).status?.collisionCount;
  if (before !== undefined && before !== null && (status.collisionCount ?? 0) < before) {
    errs.push(invalid('status.collisionCount', status.collisionCount ?? 0, 'cannot be decremented'));
  }
  return errs;
}

/** DaemonSetStatus{} as apps/v1 serialises it: the four counters without omitempty. */
const emptyStatus = () => ({ currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 });

const isLegacy = (gv: string) => gv === extensionsGroupVersion;

export const daemonSetStrategy: ResourceStrategy = {
  usesGeneration: true,
  default(obj, ctx) {
    if (isLegacy(ctx.requestGroupVersion)) convertExtensionsDaemonSet(obj);
    defaultDaemonSet(asDS(obj), isLegacy(ctx.requestGroupVersion));
    templateGenerationOf(obj); // refuse an unparsable annotation while decoding, as upstream does
  },
  prepareForCreate(obj) {
    obj.status = emptyStatus();
    setGeneration(obj, 1);
    const tg = templateGenerationOf(obj) ?? 0;
    setTemplateGeneration(obj, tg < 1 ? 1 : tg);
  },
  prepareForUpdate(obj, old) {
    obj.status = cloneJson(old.status);
    const oldGeneration = old.metadata?.generation ?? 0;
    setGeneration(obj, oldGeneration);
    // Users cannot set the template generation; it follows template changes only.
    const oldTg = templateGenerationOf(old) ?? 0;
    if (!semanticEqual(asDS(obj).spec?.template, asDS(old).spec?.template)) {
      setTemplateGeneration(obj, oldTg + 1);
      setGeneration(obj, oldGeneration + 1);
      return;
    }
    setTemplateGeneration(obj, oldTg);
    if (!semanticEqual(obj.spec, old.spec)) setGeneration(obj, oldGeneration + 1);
  },
  prepareForStatusUpdate(obj, old) {
    obj.spec = cloneJson(old.spec);
    if (old.metadata?.generation !== undefined) setGeneration(obj, old.metadata.generation);
    const oldTg = old.metadata?.annotations?.[templateGenerationAnnotation];
    if (oldTg !== undefined) setTemplateGeneration(obj, Number(oldTg));
  },
  validate(obj) {
    return validateDaemonSetSpec(asDS(obj).spec);
  },
  validateUpdate(obj, old, ctx) {
    const errs = validateTemplateGeneration(obj, old);
    // The selector may change only through extensions/v1beta1 (and when there is no request info).
    if (!isLegacy(ctx.requestGroupVersion)) errs.push(...immutable(asDS(obj).spec?.selector, asDS(old).spec?.selector, 'spec.selector'));
    return errs;
  },
  validateStatusUpdate: (obj, old) => validateDaemonSetStatus(obj, old),
  warnings: (_obj, ctx) => (isLegacy(ctx.requestGroupVersion) ? [extensionsDeprecationWarning] : []),
};

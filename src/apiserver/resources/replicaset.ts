// ReplicaSets (pkg/apis/apps/v1/defaults.go SetDefaults_ReplicaSet, pkg/apis/apps/validation
// ValidateReplicaSet*, pkg/registry/apps/replicaset/strategy.go), and the selector and template
// checks that Deployments share with them.
import { forbidden, invalid, notSupported, required, type FieldError } from '../../api/fielderrors.js';
import type { KObject, LabelSelector, PodTemplateSpec } from '../../api/types.js';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { fromLabelSelector, selectorMatches } from '../../api/selector.js';
import { cloneJson, semanticEqual } from './equality.js';
import { nonNegative } from './intstr.js';
import { immutable, setGeneration, validateLabelSelector } from './objectmeta.js';
import { defaultPodSpec, validatePodTemplateSpec } from './podspec.js';
import type { ResourceStrategy } from './types.js';

const asRS = (o: KObject) => o as unknown as ReplicaSet;

/**
 * The selector and template of a replicated workload: a selector is required and non-empty and
 * must select the template's labels (ValidateReplicaSetSpec / ValidateDeploymentSpec), and the
 * template's pods must restart Always (ValidatePodTemplateSpecForReplicaSet).
 */
export function validateSelectorAndTemplate(selector: LabelSelector | undefined, template: PodTemplateSpec | undefined, kind: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!selector) errs.push(required('spec.selector'));
  else {
    errs.push(...validateLabelSelector(selector, 'spec.selector'));
    if (Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions ?? []).length === 0) {
      errs.push(invalid('spec.selector', selector, `empty selector is invalid for ${kind}`));
    }
  }
  const parsed = selector ? fromLabelSelector(selector) : undefined;
  const labels = template?.metadata?.labels;
  if (parsed && !('error' in parsed) && !selectorMatches(parsed, labels)) {
    errs.push(invalid('spec.template.metadata.labels', labels ?? {}, '`selector` does not match template `labels`'));
  }
  if (!template) return [...errs, required('spec.template')];
  errs.push(...validatePodTemplateSpec(template, 'spec.template'));
  const podSpec = template.spec;
  if (podSpec?.restartPolicy !== 'Always') errs.push(notSupported('spec.template.spec.restartPolicy', podSpec?.restartPolicy ?? '', ['Always']));
  if (podSpec?.activeDeadlineSeconds !== undefined && podSpec.activeDeadlineSeconds !== null) {
    errs.push(forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in ReplicaSet is not Supported'));
  }
  return errs;
}

/** Defaults a pod template in place (the pod spec's SetDefaults_PodSpec and friends). */
export function defaultTemplate(spec: { template?: PodTemplateSpec }): void {
  const template = (spec.template ??= {});
  defaultPodSpec((template.spec ??= { containers: [] }));
}

export function defaultReplicaSet(rs: ReplicaSet): void {
  const spec = (rs.spec ??= {} as NonNullable<ReplicaSet['spec']>);
  spec.replicas ??= 1;
  defaultTemplate(spec);
}

export function validateReplicaSetSpec(spec: ReplicaSet['spec']): FieldError[] {
  const s = spec ?? ({} as NonNullable<ReplicaSet['spec']>);
  return [
    ...nonNegative(s.replicas, 'spec.replicas'),
    ...nonNegative(s.minReadySeconds, 'spec.minReadySeconds'),
    ...validateSelectorAndTemplate(s.selector, s.template, 'replicaset'),
  ];
}

const rsCounters = ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'] as const;

/** ValidateReplicaSetStatus: counters non-negative, and no more labelled/ready/available than replicas. */
export function validateReplicaSetStatus(status: ReplicaSet['status']): FieldError[] {
  const s = status ?? ({ replicas: 0 } as NonNullable<ReplicaSet['status']>);
  const errs = rsCounters.flatMap((k) => nonNegative(s[k] as number | undefined, `status.${k}`));
  const replicas = s.replicas ?? 0;
  if ((s.fullyLabeledReplicas ?? 0) > replicas) errs.push(invalid('status.fullyLabeledReplicas', s.fullyLabeledReplicas, 'cannot be greater than status.replicas'));
  if ((s.readyReplicas ?? 0) > replicas) errs.push(invalid('status.readyReplicas', s.readyReplicas, 'cannot be greater than status.replicas'));
  if ((s.availableReplicas ?? 0) > replicas) errs.push(invalid('status.availableReplicas', s.availableReplicas, 'cannot be greater than status.replicas'));
  if ((s.availableReplicas ?? 0) > (s.readyReplicas ?? 0)) errs.push(invalid('status.availableReplicas', s.availableReplicas, 'cannot be greater than readyReplicas'));
  return errs;
}

/**
 * The strategy of a replicated kind whose generation follows spec changes (and, for Deployments,
 * annotation changes), whose selector is immutable in apps/v1 and whose status is written apart.
 */
export function workloadStrategy(o: {
  defaults(obj: KObject): void;
  validate(obj: KObject): FieldError[];
  validateStatus(obj: KObject): FieldError[];
  emptyStatus(): Record<string, unknown>;
  bumpOnAnnotations?: boolean;
}): ResourceStrategy {
  const spec = (x: KObject) => x.spec as { selector?: unknown } | undefined;
  return {
    usesGeneration: true,
    default: (obj) => o.defaults(obj),
    prepareForCreate(obj) {
      obj.status = o.emptyStatus();
      setGeneration(obj, 1);
    },
    prepareForUpdate(obj, old) {
      obj.status = cloneJson(old.status);
      const before = old.metadata?.generation ?? 0;
      const changed = !semanticEqual(obj.spec, old.spec)
        || (o.bumpOnAnnotations === true && !semanticEqual(obj.metadata?.annotations ?? {}, old.metadata?.annotations ?? {}));
      setGeneration(obj, changed ? before + 1 : before);
    },
    prepareForStatusUpdate(obj, old) {
      obj.spec = cloneJson(old.spec);
      if (old.metadata?.generation !== undefined) setGeneration(obj, old.metadata.generation);
    },
    validate: (obj) => o.validate(obj),
    validateUpdate: (obj, old) => immutable(spec(obj)?.selector, spec(old)?.selector, 'spec.selector'),
    validateStatusUpdate: (obj) => o.validateStatus(obj),
  };
}

export const replicaSetStrategy: ResourceStrategy = workloadStrategy({
  defaults: (obj) => defaultReplicaSet(asRS(obj)),
  validate: (obj) => validateReplicaSetSpec(asRS(obj).spec),
  validateStatus: (obj) => validateReplicaSetStatus(asRS(obj).status),
  // ReplicaSetStatus.replicas has no omitempty: an empty status still says 0.
  emptyStatus: () => ({ replicas: 0 }),
});

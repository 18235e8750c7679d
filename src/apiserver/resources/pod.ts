// Pods (pkg/registry/core/pod/strategy.go, pkg/apis/core/validation ValidatePod/ValidatePodUpdate,
// plugin/pkg/admission/priority and the serviceAccountName default of the ServiceAccount plugin).
import { forbidden, invalid, type FieldError } from '../../api/fielderrors.js';
import type { KObject, Pod, PodSpec, PriorityClass, Toleration } from '../../api/types.js';
import { forbidden as forbiddenError } from '../errors.js';
import { cloneJson, semanticEqual } from './equality.js';
import { ephemeralOnCreateErrors, validateEphemeralContainersUpdate, withEphemeralContainers } from './ephemeral.js';
import { defaultPodOnlyFields, defaultPodSpec, validatePodSpec, validateTolerations } from './podspec.js';
import { parseQuantity } from './quantity.js';
import type { AdmissionContext, ResourceStrategy } from './types.js';

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const qosResources = ['cpu', 'memory'];

/** qos.GetPodQOS over containers and init containers (only cpu and memory count). */
export function computeQOS(spec: PodSpec | undefined): QOSClass {
  const requests = new Map<string, number>(), limits = new Map<string, number>();
  let guaranteed = true;
  for (const c of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
    for (const [name, q] of Object.entries(c.resources?.requests ?? {})) {
      const v = parseQuantity(q);
      if (qosResources.includes(name) && v !== undefined && v > 0) requests.set(name, (requests.get(name) ?? 0) + v);
    }
    const limitsFound = new Set<string>();
    for (const [name, q] of Object.entries(c.resources?.limits ?? {})) {
      const v = parseQuantity(q);
      if (qosResources.includes(name) && v !== undefined && v > 0) { limitsFound.add(name); limits.set(name, (limits.get(name) ?? 0) + v); }
    }
    if (!qosResources.every((r) => limitsFound.has(r))) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) for (const [name, v] of requests) if (limits.get(name) !== v) { guaranteed = false; break; }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}

/** Priority used when no class is named and none is globalDefault (scheduling.DefaultPriorityWhenNoDefaultClassExists). */
const defaultPriority = 0;

/** The globalDefault class; with several (a race upstream tolerates) the lowest value wins. */
export function globalDefaultClass(classes: PriorityClass[]): PriorityClass | undefined {
  let best: PriorityClass | undefined;
  for (const pc of classes) if (pc.globalDefault && (!best || (pc.value ?? 0) < (best.value ?? 0))) best = pc;
  return best;
}

/**
 * Pods that reached admit through an update: upstream's priority plugin only preserves the old
 * values then, it never re-resolves the class. The strategy interface gives admit no operation,
 * so prepareForUpdate marks the object here (a WeakSet, so nothing is retained).
 */
const updating = new WeakSet<object>();

/** Priority admission on create: resolve priorityClassName into spec.priority / preemptionPolicy. */
export function admitPodPriority(pod: Pod, ctx: AdmissionContext): void {
  const spec = (pod.spec ??= { containers: [] });
  const name = pod.metadata?.name ?? '';
  const refuse = (msg: string) => forbiddenError(`pods "${name}" is forbidden: ${msg}`, { name, kind: 'pods' });
  let priority: number;
  let policy: string | undefined;
  if (!spec.priorityClassName) {
    const dpc = globalDefaultClass(ctx.list('scheduling.k8s.io', 'priorityclasses', '') as unknown as PriorityClass[]);
    if (dpc) { spec.priorityClassName = dpc.metadata?.name; priority = dpc.value ?? 0; policy = dpc.preemptionPolicy; }
    else { priority = defaultPriority; policy = 'PreemptLowerPriority'; }
  } else {
    const pc = ctx.get('scheduling.k8s.io', 'priorityclasses', '', spec.priorityClassName) as PriorityClass | undefined;
    if (!pc) throw refuse(`no PriorityClass with name ${spec.priorityClassName} was found`);
    priority = pc.value ?? 0;
    policy = pc.preemptionPolicy;
  }
  if (spec.priority !== undefined && spec.priority !== null && spec.priority !== priority) {
    throw refuse(`the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`);
  }
  spec.priority = priority;
  if (policy) {
    if (spec.preemptionPolicy && spec.preemptionPolicy !== policy) {
      throw refuse(`the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${policy} from the given PriorityClass name`);
    }
    spec.preemptionPolicy = policy;
  }
}

const updatableFields = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

function onlyAddedTolerations(now: Toleration[] | undefined, before: Toleration[] | undefined, path: string): FieldError[] {
  for (const old of before ?? []) {
    const kept = (now ?? []).some((t) => semanticEqual({ ...old, tolerationSeconds: t.tolerationSeconds }, t));
    if (!kept) return [forbidden(path, 'existing toleration can not be modified except its tolerationSeconds')];
  }
  return validateTolerations(now, path);
}

/** Top-level spec fields that differ: our stand-in for upstream's cmp.Diff output. */
function specDiff(beforeSpec: PodSpec, afterSpec: PodSpec): string {
  const before = beforeSpec as unknown as Record<string, unknown>, after = afterSpec as unknown as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const changed = keys.filter((k) => !semanticEqual(before[k], after[k]));
  return changed.map((k) => `  spec.${k}: ${JSON.stringify(before[k] ?? null)} -> ${JSON.stringify(after[k] ?? null)}`).join('\n');
}

/** ValidatePodUpdate's spec rules. */
export function validatePodSpecUpdate(spec: PodSpec, old: PodSpec): FieldError[] {
  const errs: FieldError[] = [];
  const ads = spec.activeDeadlineSeconds, oldAds = old.activeDeadlineSeconds;
  if (ads !== undefined && ads !== null) {
    if (ads < 0 || ads > 2147483647) return [invalid('spec.activeDeadlineSeconds', ads, 'must be between 0 and 2147483647, inclusive')];
    if (oldAds !== undefined && oldAds !== null && oldAds < ads) return [invalid('spec.activeDeadlineSeconds', ads, 'must be less than or equal to previous value')];
  } else if (oldAds !== undefined && oldAds !== null) {
    errs.push(invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
  }
  errs.push(...onlyAddedTolerations(spec.tolerations, old.tolerations, 'spec.tolerations'));
  // Munge the allowed changes onto a copy of the new spec; anything left over is forbidden.
  const munged = cloneJson(spec);
  munged.containers?.forEach((c, i) => { if (old.containers?.[i]) c.image = old.containers[i].image; });
  munged.initContainers?.forEach((c, i) => { if (old.initContainers?.[i]) c.image = old.initContainers[i].image; });
  munged.activeDeadlineSeconds = old.activeDeadlineSeconds;
  munged.tolerations = old.tolerations;
  const oldGrace = old.terminationGracePeriodSeconds;
  if (oldGrace !== undefined && oldGrace < 0 && spec.terminationGracePeriodSeconds === 1) munged.terminationGracePeriodSeconds = oldGrace;
  // Scheduling gates may only be removed.
  const gates = new Set((old.schedulingGates ?? []).map((g) => g.name));
  if ((spec.schedulingGates ?? []).every((g) => gates.has(g.name))) munged.schedulingGates = old.schedulingGates;
  if (!semanticEqual(munged, old)) {
    errs.push(forbidden('spec', `pod updates may not change fields other than ${updatableFields.join(',')}\n${specDiff(old, munged)}`));
  }
  return errs;
}

const asPod = (o: KObject) => o as unknown as Pod;

/** Seconds a pod stays bound to a not-ready or unreachable node before the taint manager evicts it. */
export const defaultTolerationSeconds = 300;

/**
 * The DefaultTolerationSeconds admission plugin: every pod that does not say otherwise tolerates
 * the not-ready and unreachable NoExecute taints for 5 minutes, so a brief node outage does not
 * evict everything at once.
 */
export function addDefaultTolerationSeconds(spec: NonNullable<Pod['spec']>): void {
  const tolerations = [...(spec.tolerations ?? [])];
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    const covered = tolerations.some((t) => (t.operator === 'Exists' && !t.key) || (t.key === key && (!t.effect || t.effect === 'NoExecute')));
    if (!covered) tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: defaultTolerationSeconds });
  }
  (spec as { tolerations?: unknown }).tolerations = tolerations;
}

export const podStrategy: ResourceStrategy = {
  default(obj) {
    const pod = asPod(obj);
    const spec = (pod.spec ??= { containers: [] });
    defaultPodSpec(spec);
    defaultPodOnlyFields(spec);
  },
  prepareForCreate(obj) {
    const pod = asPod(obj);
    const status: Record<string, unknown> = { phase: 'Pending', qosClass: computeQOS(pod.spec) };
    if (pod.spec?.schedulingGates?.length) {
      status.conditions = [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated', message: 'Scheduling is blocked due to non-empty scheduling gates' }];
    }
    obj.status = status;
  },
  prepareForUpdate(obj, old) {
    updating.add(obj);
    const pod = asPod(obj), prev = asPod(old);
    obj.status = cloneJson(old.status);
    // The priority plugin keeps what it set on create when an update omits it.
    if (pod.spec && prev.spec) {
      if (pod.spec.priority === undefined && prev.spec.priority !== undefined) pod.spec.priority = prev.spec.priority;
      if (pod.spec.preemptionPolicy === undefined && prev.spec.preemptionPolicy !== undefined) pod.spec.preemptionPolicy = prev.spec.preemptionPolicy;
    }
  },
  prepareForStatusUpdate(obj, old) {
    const pod = asPod(obj), prev = asPod(old);
    obj.spec = cloneJson(old.spec);
    // Old kubelets corrupted ownerReferences through /status, so upstream ignores them there.
    pod.metadata = { ...(pod.metadata ?? {}), ownerReferences: cloneJson(prev.metadata?.ownerReferences) };
    if (pod.metadata.ownerReferences === undefined) delete pod.metadata.ownerReferences;
    const status = (obj.status ??= {}) as Record<string, unknown>;
    if (!status.qosClass && prev.status?.qosClass) status.qosClass = prev.status.qosClass;
  },
  admit(obj, ctx) {
    if (updating.has(obj)) return;
    const pod = asPod(obj);
    admitPodPriority(pod, ctx);
    const spec = pod.spec!;
    // ServiceAccount admission: every pod runs as some account, "default" unless named.
    if (!spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount || 'default';
    spec.serviceAccount = spec.serviceAccountName;
    addDefaultTolerationSeconds(spec);
  },
  validate(obj) {
    const spec = asPod(obj).spec ?? { containers: [] };
    return [...validatePodSpec(spec, 'spec'), ...(updating.has(obj) ? [] : ephemeralOnCreateErrors(spec))];
  },
  subresourceUpdate(subresource, body, old) {
    if (subresource !== 'ephemeralcontainers') return undefined;
    const next = withEphemeralContainers(body, old);
    return { next, errors: validateEphemeralContainersUpdate(next, old) };
  },
  validateUpdate(obj, old) {
    return validatePodSpecUpdate(asPod(obj).spec ?? { containers: [] }, asPod(old).spec ?? { containers: [] });
  },
  validateStatusUpdate(obj, old) {
    const now = asPod(obj).status?.qosClass, before = asPod(old).status?.qosClass;
    return now !== before ? [invalid('status.qosClass', now ?? '', 'field is immutable')] : [];
  },
};

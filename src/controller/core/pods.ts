// Daemon pod construction and the small pod predicates the rest of the core shares.
import type { DaemonSet, Node, NodeAffinity, OwnerReference, Pod, PodSpec, Toleration } from '../../api/types.js';
import { isDNS1123Subdomain } from '../../api/validation.js';
import { parseTime } from '../../api/meta.js';
import { deepCopy } from '../../api/clone.js';

export const REVISION_HASH_LABEL = 'controller-revision-hash';
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';

/** The automatic daemon tolerations (§3.1), in upstream order. */
export function daemonTolerations(hostNetwork: boolean): Toleration[] {
  const t = (key: string, effect: string): Toleration => ({ key, operator: 'Exists', effect });
  const out = [
    t('node.kubernetes.io/not-ready', 'NoExecute'),
    t('node.kubernetes.io/unreachable', 'NoExecute'),
    t('node.kubernetes.io/disk-pressure', 'NoSchedule'),
    t('node.kubernetes.io/memory-pressure', 'NoSchedule'),
    t('node.kubernetes.io/pid-pressure', 'NoSchedule'),
    t('node.kubernetes.io/unschedulable', 'NoSchedule'),
  ];
  if (hostNetwork) out.push(t('node.kubernetes.io/network-unavailable', 'NoSchedule'));
  return out;
}

const sameToleration = (a: Toleration, b: Toleration) =>
  (a.key ?? '') === (b.key ?? '') && (a.operator ?? '') === (b.operator ?? '') &&
  (a.value ?? '') === (b.value ?? '') && (a.effect ?? '') === (b.effect ?? '');

/**
 * "Add or update": identical key/operator/value/effect tolerations are replaced in place by the
 * automatic one (dropping any tolerationSeconds, as upstream effectively does); otherwise appended.
 */
export function withDaemonTolerations(existing: readonly Toleration[] | undefined, hostNetwork: boolean): Toleration[] {
  const out = (existing ?? []).map((t) => ({ ...t }));
  for (const auto of daemonTolerations(hostNetwork)) {
    let matched = false;
    for (let i = 0; i < out.length; i++) {
      if (sameToleration(out[i], auto)) { out[i] = { ...auto }; matched = true; }
    }
    if (!matched) out.push({ ...auto });
  }
  return out;
}

/** The DaemonSet's deprecated template generation, or undefined when absent/unparsable. */
export function templateGeneration(ds: DaemonSet): number | undefined {
  const raw = ds.metadata?.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
  if (raw === undefined || !/^[+-]?\d+$/.test(raw)) return undefined;
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : undefined;
}

export function controllerRefTo(ds: DaemonSet): OwnerReference {
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet', name: ds.metadata?.name ?? '', uid: ds.metadata?.uid ?? '',
    controller: true, blockOwnerDeletion: true,
  };
}

/** Required node affinity pinning the pod to one node; any required terms are replaced (§3.3). */
export function pinToNode(affinity: PodSpec['affinity'], nodeName: string): NonNullable<PodSpec['affinity']> {
  const term = { matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] };
  const nodeAffinity: NodeAffinity = { ...(affinity?.nodeAffinity ?? {}) };
  nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = {
    ...(nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution ?? {}), nodeSelectorTerms: [term],
  };
  return { ...(affinity ?? {}), nodeAffinity };
}

export interface NewPodOptions {
  /** everynode's `bind: direct` mode for clusters without a scheduler: also set spec.nodeName. */
  bindDirectly: boolean;
}

/** The pod the controller creates for `nodeName` (§3.1–3.3). The API server fills in the name. */
export function newDaemonPod(ds: DaemonSet, nodeName: string, hash: string, opts: NewPodOptions): Pod {
  const template = deepCopy(ds.spec?.template ?? {});
  const spec: PodSpec = template.spec ?? { containers: [] };
  spec.tolerations = withDaemonTolerations(spec.tolerations, spec.hostNetwork === true);
  spec.affinity = pinToNode(spec.affinity, nodeName);
  if (opts.bindDirectly) spec.nodeName = nodeName;

  const labels: Record<string, string> = { ...(template.metadata?.labels ?? {}) };
  const generation = templateGeneration(ds);
  if (generation !== undefined) labels[TEMPLATE_GENERATION_LABEL] = String(generation);
  if (hash) labels[REVISION_HASH_LABEL] = hash;

  const dsName = ds.metadata?.name ?? '';
  // Upstream masks the trailing dash before validating the prefix; only over-long names fail.
  const prefix = isDNS1123Subdomain(`${dsName}a`).length === 0 ? `${dsName}-` : dsName;
  const metadata: Pod['metadata'] = {
    generateName: prefix, namespace: ds.metadata?.namespace, labels,
    ownerReferences: [controllerRefTo(ds)],
  };
  if (template.metadata?.annotations) metadata.annotations = { ...template.metadata.annotations };
  if (template.metadata?.finalizers) metadata.finalizers = [...template.metadata.finalizers];
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}

/** The node a daemon pod is bound or pinned to (§3.4); undefined when it cannot be determined. */
export function targetNodeName(pod: Pod): string | undefined {
  const bound: unknown = pod.spec?.nodeName;
  if (typeof bound === 'string' && bound) return bound;
  // A pod read live (not through the sanitizing informer) may be malformed at any level.
  const terms: unknown = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  for (const term of Array.isArray(terms) ? terms as unknown[] : []) {
    const fields: unknown = (term as { matchFields?: unknown } | null)?.matchFields;
    for (const f of Array.isArray(fields) ? fields as { key?: unknown; operator?: unknown; values?: unknown }[] : []) {
      if (f?.key === 'metadata.name' && f.operator === 'In') {
        return Array.isArray(f.values) && f.values.length === 1 && typeof f.values[0] === 'string' ? f.values[0] : undefined;
      }
    }
  }
  return undefined;
}

export const isTerminating = (pod: Pod) => pod.metadata?.deletionTimestamp !== undefined && pod.metadata?.deletionTimestamp !== null;
export const isTerminal = (pod: Pod) => pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded';

function readyCondition(pod: Pod) {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

export function isPodReady(pod: Pod): boolean {
  return readyCondition(pod)?.status === 'True';
}

/** Ready, and (with minReadySeconds) Ready since strictly before now - minReadySeconds (§6.6). */
export function isPodAvailable(pod: Pod, minReadySeconds: number, nowMs: number): boolean {
  const c = readyCondition(pod);
  if (c?.status !== 'True') return false;
  if (minReadySeconds <= 0) return true;
  const since = parseTime(c.lastTransitionTime);
  return since !== undefined && since + minReadySeconds * 1000 < nowMs;
}

/** When a Ready-but-not-yet-available pod becomes available, or undefined. */
export function availableAtMs(pod: Pod, minReadySeconds: number): number | undefined {
  const c = readyCondition(pod);
  if (c?.status !== 'True' || minReadySeconds <= 0) return undefined;
  const since = parseTime(c.lastTransitionTime);
  return since === undefined ? undefined : since + minReadySeconds * 1000 + 1;
}

/** podByCreationTimestampAndPhase: scheduled first, then older creationTimestamp, then name. */
export function compareOldestFirst(a: Pod, b: Pod): number {
  const sa = a.spec?.nodeName ? 0 : 1, sb = b.spec?.nodeName ? 0 : 1;
  if (sa !== sb) return sa - sb;
  const ta = parseTime(a.metadata?.creationTimestamp) ?? 0, tb = parseTime(b.metadata?.creationTimestamp) ?? 0;
  if (ta !== tb) return ta - tb;
  const na = a.metadata?.name ?? '', nb = b.metadata?.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/** IsPodUpdated: hash label matches, or the deprecated template-generation label does (§6.2). */
export function isPodUpdated(pod: Pod, hash: string, generation: number | undefined): boolean {
  const labels = pod.metadata?.labels ?? {};
  const hashMatches = hash !== '' && labels[REVISION_HASH_LABEL] === hash;
  const generationMatches = generation !== undefined && labels[TEMPLATE_GENERATION_LABEL] === String(generation);
  return hashMatches || generationMatches;
}

/**
 * Target nodes of grouped pods that no listed node has, in the grouping's order. The set of
 * every listed name is built only when some target is unlisted (one `has` per node tells):
 * a set of every node per sync was a large part of a sync at 50,000 nodes.
 */
export function unlistedTargets(nodes: readonly Node[], podsByNode: ReadonlyMap<string, unknown>): string[] {
  let listedWithPods = 0;
  for (const n of nodes) if (podsByNode.has(n.metadata?.name ?? '')) listedWithPods++;
  if (listedWithPods >= podsByNode.size) return [];
  const listed = new Set(nodes.map((n) => n.metadata?.name ?? ''));
  return [...podsByNode.keys()].filter((n) => !listed.has(n));
}

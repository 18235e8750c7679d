// What a rollout action does to the object it names, as the API server would store it: shared by
// both simulations (fleet.ts, rehearse.ts), which differ in how they hold their world, not in this.
import type { DaemonSet, Node, Pod } from '../../api/types.js';
import { REVISION_HASH_LABEL } from '../../controller/core/pods.js';
import { QUARANTINE_ANNOTATION, UPDATED_AT_ANNOTATION } from '../api/types.js';
import type { RolloutAction } from '../core/types.js';

type Of<T extends RolloutAction['type']> = Extract<RolloutAction, { type: T }>;

/** The pod after an in-place image patch: new images, the target revision's hash, the update time. */
export function withPatchedImages(pod: Pod, a: Of<'PatchPodImages'>): Pod {
  const containers = pod.spec!.containers.map((c) => (a.images[c.name] ? { ...c, image: a.images[c.name] } : c));
  return {
    ...pod,
    metadata: { ...pod.metadata, labels: { ...pod.metadata!.labels, [REVISION_HASH_LABEL]: a.revisionHash }, annotations: { ...pod.metadata!.annotations, [UPDATED_AT_ANNOTATION]: a.updatedAt } },
    spec: { ...pod.spec!, containers },
  };
}

/** A copy of the DaemonSet with the rollback's template (as `kubectl rollout undo` writes it); the caller bumps generations. */
export function withTemplate(ds: DaemonSet, a: Of<'RollbackTemplate'>): DaemonSet {
  const copy = structuredClone(ds);
  copy.spec!.template = structuredClone(a.template);
  delete (copy.spec!.template.metadata as { creationTimestamp?: unknown } | undefined)?.creationTimestamp;
  return copy;
}

/** The node with the quarantine annotation set or removed. */
export function withQuarantine(node: Node, a: Of<'QuarantineNode' | 'ReleaseNode'>): Node {
  const annotations = { ...(node.metadata!.annotations ?? {}) };
  if (a.type === 'QuarantineNode') annotations[QUARANTINE_ANNOTATION] = a.value; else delete annotations[QUARANTINE_ANNOTATION];
  return { ...node, metadata: { ...node.metadata, annotations } };
}

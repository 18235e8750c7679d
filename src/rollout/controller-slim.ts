// What the rollout controller keeps of each pod in its cache (the informer's transform, as
// client-go's SetTransform): only the fields the core (core/observe.ts, core/targets.ts), the
// expectations, the triggers and make-room read. A pod of a 5,000-node fleet is a few KB as
// stored; this keeps a few hundred bytes.
import type { Container, ContainerStatus, KObject, Pod } from '../api/types.js';
import { REVISION_HASH_LABEL } from '../controller/core/pods.js';
import { UPDATED_AT_ANNOTATION } from './api/types.js';
import { MIRROR_POD_ANNOTATION } from './makeroom.js';

type Obj = Record<string, unknown>;
const pick = <T extends Obj>(o: T | undefined, keys: readonly (keyof T)[]): Partial<T> | undefined => {
  if (!o) return undefined;
  const out: Partial<T> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
};

/** Name, image, and what counts toward the node's room (requests, limits standing in, sidecar restartPolicy). */
function slimContainer(c: Container): Container {
  const r = c.resources;
  return {
    name: c.name, ...(c.image !== undefined ? { image: c.image } : {}),
    ...(r?.requests || r?.limits ? { resources: { ...(r.requests ? { requests: r.requests } : {}), ...(r.limits ? { limits: r.limits } : {}) } } : {}),
    ...(c.restartPolicy !== undefined ? { restartPolicy: c.restartPolicy } : {}),
  };
}

function slimStatus(s: ContainerStatus): ContainerStatus {
  const waiting = s.state?.waiting;
  return {
    name: s.name, image: s.image, restartCount: s.restartCount, ready: s.ready,
    ...(waiting ? { state: { waiting: pick(waiting as unknown as Obj, ['reason', 'message']) } } : {}),
  } as ContainerStatus;
}

const isDaemonPod = (p: Pod) => p.metadata?.ownerReferences?.some((o) => o?.controller === true && o.kind === 'DaemonSet') === true;

export function slimPod<T extends Pod & KObject>(p: T): T {
  const m = p.metadata ?? {};
  const daemon = isDaemonPod(p);
  // A daemon pod's labels matter only for its revision; another pod's for the
  // PodDisruptionBudgets that guard it (make-room).
  const labels = daemon ? (m.labels?.[REVISION_HASH_LABEL] !== undefined ? { [REVISION_HASH_LABEL]: m.labels[REVISION_HASH_LABEL] } : undefined) : m.labels;
  const annotations: Record<string, string> = {};
  for (const k of [UPDATED_AT_ANNOTATION, MIRROR_POD_ANNOTATION]) if (m.annotations?.[k] !== undefined) annotations[k] = m.annotations[k];
  const spec = p.spec;
  const status = p.status;
  return {
    apiVersion: p.apiVersion, kind: p.kind,
    metadata: {
      ...pick(m as unknown as Obj, ['name', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'ownerReferences']),
      ...(labels ? { labels } : {}),
      ...(Object.keys(annotations).length ? { annotations } : {}),
    },
    ...(spec ? {
      spec: {
        ...pick(spec as unknown as Obj, ['nodeName', 'priority', 'overhead']),
        // An unbound daemon pod's node is in its required node affinity (targetNodeName).
        ...(daemon && !spec.nodeName && spec.affinity ? { affinity: spec.affinity } : {}),
        containers: (spec.containers ?? []).map(slimContainer),
        ...(spec.initContainers ? { initContainers: spec.initContainers.map(slimContainer) } : {}),
      },
    } : {}),
    ...(status ? {
      status: {
        ...pick(status as unknown as Obj, ['phase', 'reason', 'message']),
        ...(status.conditions ? { conditions: status.conditions.map((c) => pick(c as unknown as Obj, ['type', 'status', 'reason', 'message', 'lastTransitionTime'])) } : {}),
        ...(status.containerStatuses ? { containerStatuses: status.containerStatuses.map(slimStatus) } : {}),
        ...(status.initContainerStatuses ? { initContainerStatuses: status.initContainerStatuses.map(slimStatus) } : {}),
      },
    } : {}),
  } as T;
}

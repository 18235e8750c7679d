// The scale subresource of Deployments and ReplicaSets (their registries' ScaleREST): spec.replicas,
// status.replicas and the selector as a string, in an autoscaling/v1 Scale.
import type { KObject, LabelSelector } from '../../api/types.js';
import { labelSelectorToString } from '../../api/selector.js';
import type { Scale, ScaleView } from '../crd/scale.js';
import { cloneJson } from './equality.js';

interface Replicated extends KObject { spec?: { replicas?: number; selector?: LabelSelector }; status?: { replicas?: number } }

export const builtinScaleView: ScaleView = {
  read(obj): Scale {
    const o = obj as Replicated;
    const m = o.metadata ?? {};
    const selector = selectorText(o.spec?.selector);
    return {
      kind: 'Scale', apiVersion: 'autoscaling/v1',
      metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
      spec: { replicas: o.spec?.replicas ?? 0 },
      status: { replicas: o.status?.replicas ?? 0, ...(selector ? { selector } : {}) },
    };
  },
  write(obj, replicas) {
    const next = cloneJson(obj) as Replicated;
    next.spec = { ...(next.spec ?? {}), replicas };
    return next;
  },
};

/** A stored selector is valid (validation saw it); should one not be, the Scale says no selector. */
function selectorText(ls: LabelSelector | undefined): string {
  try { return ls ? labelSelectorToString(ls) : ''; } catch { return ''; }
}

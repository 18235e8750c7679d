// The API writes of one rollout sync: each RolloutAction as the request a user's tool would
// send, made idempotent so that a re-sync or a second replica repeating it changes nothing twice.
import type { DaemonSet, DaemonSetUpdateStrategy, KObject, Node } from '../api/types.js';
import { ApiStatusError, isConflict, isNotFound, type RawClient } from '../kube/client.js';
import type { RolloutAction } from './core/types.js';
import { ORIGINAL_STRATEGY_ANNOTATION, QUARANTINE_ANNOTATION, UPDATED_AT_ANNOTATION } from './api/types.js';

const MERGE = 'application/merge-patch+json';
const JSON_PATCH = 'application/json-patch+json';
const STRATEGIC = 'application/strategic-merge-patch+json';

const seg = encodeURIComponent;
export const podPath = (ns: string, name: string) => `/api/v1/namespaces/${seg(ns)}/pods/${seg(name)}`;
export const daemonSetPath = (ns: string, name: string) => `/apis/apps/v1/namespaces/${seg(ns)}/daemonsets/${seg(name)}`;
export const nodePath = (name: string) => `/api/v1/nodes/${seg(name)}`;

/** What applying one action did: 'done', or 'gone' when its object (that UID) no longer exists. */
export type ActionResult = 'done' | 'gone';

/** A 404, or a 409 from a UID precondition: the pod planned on is gone; nothing to do. */
const gone = (err: unknown) => isNotFound(err) || (isConflict(err) && /precondition|uid/i.test((err as ApiStatusError).message));

export async function applyAction(client: RawClient, ns: string, a: RolloutAction, signal?: AbortSignal): Promise<ActionResult> {
  const call = { signal };
  try {
    switch (a.type) {
      case 'DeletePod':
        // The UID precondition makes a second replica's (or a re-sync's) delete of the same old
        // pod fail instead of deleting the new pod the DaemonSet controller made under that name.
        await client.delete(podPath(a.namespace, a.name), a.uid ? { preconditions: { uid: a.uid } } : {}, call);
        return 'done';
      case 'PatchPodImages': {
        // A strategic merge keyed by container name; metadata.uid in a patch is a precondition
        // (a mismatch is a 409), so an old plan never patches a recreated pod.
        const containers = Object.entries(a.images).map(([name, image]) => ({ name, image }));
        const initContainers = Object.entries(a.initImages).map(([name, image]) => ({ name, image }));
        const patch = {
          metadata: { ...(a.uid ? { uid: a.uid } : {}), labels: { 'controller-revision-hash': a.revisionHash }, annotations: { [UPDATED_AT_ANNOTATION]: a.updatedAt } },
          spec: { ...(containers.length ? { containers } : {}), ...(initContainers.length ? { initContainers } : {}) },
        };
        await client.request('PATCH', podPath(a.namespace, a.name), patch, STRATEGIC, call);
        return 'done';
      }
      case 'RollbackTemplate':
        // As `kubectl rollout undo`: the stored revision's template replaces the current one whole.
        await client.request('PATCH', daemonSetPath(ns, a.daemonSet), [{ op: 'replace', path: '/spec/template', value: a.template }], JSON_PATCH, call);
        return 'done';
      case 'SetOnDelete': {
        const ds = await client.request<DaemonSet & KObject>('GET', daemonSetPath(ns, a.daemonSet), undefined, undefined, call);
        if (ds.spec?.updateStrategy?.type === 'OnDelete') return 'done';
        // Kept only the first time: a repeated switch must not record OnDelete as the original.
        const keep = ds.metadata?.annotations?.[ORIGINAL_STRATEGY_ANNOTATION] ?? JSON.stringify(a.original);
        await client.request('PATCH', daemonSetPath(ns, a.daemonSet), {
          metadata: { resourceVersion: ds.metadata?.resourceVersion, annotations: { [ORIGINAL_STRATEGY_ANNOTATION]: keep } },
          spec: { updateStrategy: { type: 'OnDelete', rollingUpdate: null } },
        }, MERGE, call);
        return 'done';
      }
      case 'QuarantineNode':
        await client.request('PATCH', nodePath(a.node), { metadata: { annotations: { [QUARANTINE_ANNOTATION]: a.value } } }, MERGE, call);
        return 'done';
      case 'ReleaseNode':
        await client.request('PATCH', nodePath(a.node), { metadata: { annotations: { [QUARANTINE_ANNOTATION]: null } } }, MERGE, call);
        return 'done';
    }
  } catch (err) {
    if (gone(err)) return 'gone';
    throw err;
  }
}

/**
 * Puts back the updateStrategy that manageStrategy replaced (the annotation's JSON) and drops the
 * annotation. A malformed annotation is dropped too, leaving the strategy as it is: restoring a
 * guess would be worse than leaving OnDelete.
 */
export async function restoreStrategy(client: RawClient, ds: DaemonSet & KObject, signal?: AbortSignal): Promise<boolean> {
  const raw = ds.metadata?.annotations?.[ORIGINAL_STRATEGY_ANNOTATION];
  if (raw === undefined) return false;
  let original: DaemonSetUpdateStrategy | undefined;
  try { const v = JSON.parse(raw) as unknown; if (v && typeof v === 'object' && !Array.isArray(v)) original = v as DaemonSetUpdateStrategy; } catch { /* see above */ }
  const ns = ds.metadata?.namespace ?? 'default';
  const ops: object[] = [
    { op: 'test', path: '/metadata/resourceVersion', value: ds.metadata?.resourceVersion },
    { op: 'remove', path: `/metadata/annotations/${ORIGINAL_STRATEGY_ANNOTATION.replace(/~/g, '~0').replace(/\//g, '~1')}` },
    ...(original ? [{ op: 'add', path: '/spec/updateStrategy', value: original }] : []),
  ];
  try {
    await client.request('PATCH', daemonSetPath(ns, ds.metadata?.name ?? ''), ops, JSON_PATCH, { signal });
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
  return true;
}

/** Removes the quarantine annotation this rollout put on a node (value `<ns>/<name>`). */
export async function releaseNode(client: RawClient, node: Node & KObject, owner: string, signal?: AbortSignal): Promise<boolean> {
  if (node.metadata?.annotations?.[QUARANTINE_ANNOTATION] !== owner) return false;
  return (await applyAction(client, '', { type: 'ReleaseNode', node: node.metadata?.name ?? '' }, signal)) === 'done';
}

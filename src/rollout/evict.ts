// The one I/O step of make-room: evict a pod through the Eviction API (pods/eviction), which
// refuses with 429 when the pod's PodDisruptionBudget has no disruption left. The rollout
// controller calls it for each pod planMakeRoom (makeroom.ts) picked.
import { ApiStatusError, type RawClient, type CallOptions } from '../kube/client.js';

export type EvictionResult = 'Evicted' | 'Blocked' | 'Gone';

export interface EvictTarget { namespace: string; name: string; uid?: string }

/**
 * POST policy/v1 Eviction for the pod, with a UID precondition so a pod recreated under the same
 * name is never the one evicted. Evicted: accepted (the pod is terminating); Blocked: a 429 from
 * its disruption budget (try again later); Gone: the pod (with that UID) no longer exists.
 * Any other failure is thrown (ApiStatusError), for the caller's retry.
 */
export async function evictPod(client: RawClient, pod: EvictTarget, call: CallOptions = {}): Promise<EvictionResult> {
  const path = `/api/v1/namespaces/${encodeURIComponent(pod.namespace)}/pods/${encodeURIComponent(pod.name)}/eviction`;
  const body = {
    apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod.name, namespace: pod.namespace },
    ...(pod.uid ? { deleteOptions: { preconditions: { uid: pod.uid } } } : {}),
  };
  try {
    await client.request('POST', path, body, 'application/json', call);
    return 'Evicted';
  } catch (err) {
    if (err instanceof ApiStatusError && err.code === 429) return 'Blocked';
    if (err instanceof ApiStatusError && (err.code === 404 || (err.code === 409 && /UID/i.test(err.message)))) return 'Gone';
    throw err;
  }
}

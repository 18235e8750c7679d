// The one I/O step of make-room: evict a pod through the Eviction API (pods/eviction), which
// refuses with 429 when the pod's PodDisruptionBudget has no disruption left. The rollout
// controller calls it for each pod planMakeRoom (makeroom.ts) picked.
import { ApiStatusError, type RawClient, type CallOptions } from '../kube/client.js';

/** Evicted: accepted (the pod is terminating); Blocked: refused by a disruption budget, with the server's words; Gone: no such pod (with that UID). */
export type EvictionResult = { result: 'Evicted' } | { result: 'Blocked'; message: string } | { result: 'Gone' };

export interface EvictTarget { namespace: string; name: string; uid?: string }

/** The 429's explanation: its DisruptionBudget causes ("The disruption budget web needs 2 healthy pods …"), else its message. */
function refusal(err: ApiStatusError): string {
  const causes = (err.body as { details?: { causes?: { message?: unknown }[] } } | undefined)?.details?.causes;
  const said = Array.isArray(causes) ? causes.map((c) => c?.message).filter((m): m is string => typeof m === 'string' && m !== '') : [];
  return said.length ? `${err.message} ${said.join('; ')}` : err.message;
}

/**
 * POST policy/v1 Eviction for the pod, with a UID precondition so a pod recreated under the same
 * name is never the one evicted. Any failure other than a 429, a 404 or a UID conflict is thrown
 * (ApiStatusError), for the caller's retry.
 */
export async function evictPod(client: RawClient, pod: EvictTarget, call: CallOptions = {}): Promise<EvictionResult> {
  const path = `/api/v1/namespaces/${encodeURIComponent(pod.namespace)}/pods/${encodeURIComponent(pod.name)}/eviction`;
  const body = {
    apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod.name, namespace: pod.namespace },
    ...(pod.uid ? { deleteOptions: { preconditions: { uid: pod.uid } } } : {}),
  };
  try {
    await client.request('POST', path, body, 'application/json', call);
    return { result: 'Evicted' };
  } catch (err) {
    if (err instanceof ApiStatusError && err.code === 429) return { result: 'Blocked', message: refusal(err) };
    if (err instanceof ApiStatusError && (err.code === 404 || (err.code === 409 && /UID/i.test(err.message)))) return { result: 'Gone' };
    throw err;
  }
}

// Refuses to start rather than loop silently: what `everynode controller` checks before it runs.
import { ApiStatusError, isNotFound, type RawClient } from '../kube/client.js';

/**
 * Refuses to start rather than loop silently: the API must answer and we must be allowed to
 * read everything the controller watches (and read its Lease, when it elects a leader).
 */
export async function preflight(client: RawClient, namespace: string | undefined, lease?: { namespace: string; name: string }): Promise<void> {
  const ns = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  try {
    await client.request('GET', '/version');
  } catch (err) {
    throw new Error(`cannot reach the API server at ${client.server}: ${err instanceof Error ? err.message : String(err)}`);
  }
  for (const path of [`/apis/apps/v1${ns}/daemonsets`, `/api/v1${ns}/pods`, '/api/v1/nodes', `/apis/apps/v1${ns}/controllerrevisions`]) {
    try {
      await client.request('GET', `${path}?limit=1`);
    } catch (err) {
      throw new Error(`cannot list ${path} (${why(err)}); the controller needs get/list/watch on daemonsets, pods, nodes and controllerrevisions`);
    }
  }
  if (lease) {
    const path = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(lease.namespace)}/leases/${encodeURIComponent(lease.name)}`;
    try {
      await client.request('GET', path);
    } catch (err) {
      if (!isNotFound(err)) throw new Error(`cannot read lease ${lease.namespace}/${lease.name} (${why(err)}); leader election needs get/create/update on leases in ${lease.namespace}`);
    }
  }
}

const why = (err: unknown) => (err instanceof ApiStatusError ? `${err.code} ${err.reason}: ${err.message}` : err instanceof Error ? err.message : String(err));


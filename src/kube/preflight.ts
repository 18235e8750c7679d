// What the DaemonSet controller may need to do, as data, and the start-up check that it may:
// one SelfSubjectAccessReview per (verb, resource), as `kubectl auth can-i` asks. The list is
// the single source of truth for config/rbac/role.yaml and leader_election_role.yaml (a test
// asserts they grant exactly this, no more); a missing grant refuses the start with one line
// naming what is missing, instead of a controller that starts and then fails every sync.
import { ApiStatusError, RawClient } from './client.js';

export interface Permission {
  group: string;
  resource: string;
  subresource?: string;
  verbs: string[];
  /** Where it is needed: the managed namespaces (all when the controller watches all), the cluster, or the Lease's namespace. */
  scope: 'managed' | 'cluster' | 'lease';
  /** Why: the call site, for the reader of the manifests. */
  why: string;
}

export const controllerPermissions: readonly Permission[] = [
  { group: 'apps', resource: 'daemonsets', verbs: ['get', 'list', 'watch'], scope: 'managed', why: 'informer; live re-read before adopting or releasing pods' },
  { group: 'apps', resource: 'daemonsets', subresource: 'status', verbs: ['update'], scope: 'managed', why: 'the status write' },
  { group: 'apps', resource: 'daemonsets', subresource: 'finalizers', verbs: ['update'], scope: 'managed', why: 'blockOwnerDeletion on daemon pods (OwnerReferencesPermissionEnforcement)' },
  { group: '', resource: 'pods', verbs: ['list', 'watch', 'create', 'delete', 'patch'], scope: 'managed', why: 'informer; create, delete, adopt, release and relabel daemon pods' },
  { group: '', resource: 'nodes', verbs: ['list', 'watch'], scope: 'cluster', why: 'informer: eligibility reads labels and taints' },
  { group: 'apps', resource: 'controllerrevisions', verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'], scope: 'managed', why: 'rollout history' },
  { group: '', resource: 'events', verbs: ['create'], scope: 'managed', why: 'SuccessfulCreate, FailedCreate, ... events' },
  { group: 'coordination.k8s.io', resource: 'leases', verbs: ['get', 'create', 'update'], scope: 'lease', why: 'leader election (client-go LeaseLock)' },
];

/**
 * What the DaemonSetRollout controller (src/rollout/controller*.ts) needs besides, or in a process
 * without the DaemonSet controller, instead: it reads what the DaemonSet controller reads, deletes
 * and patches daemon pods, patches DaemonSets (rollback, manageStrategy) and nodes (quarantine).
 */
export const rolloutPermissions: readonly Permission[] = [
  { group: 'everynode.dev', resource: 'daemonsetrollouts', verbs: ['list', 'watch', 'patch'], scope: 'managed', why: 'informer; the cleanup finalizer' },
  { group: 'everynode.dev', resource: 'daemonsetrollouts', subresource: 'status', verbs: ['update'], scope: 'managed', why: 'the status write' },
  { group: 'apps', resource: 'daemonsets', verbs: ['get', 'list', 'watch', 'patch'], scope: 'managed', why: 'informer; rollback of the template, manageStrategy switch and restore' },
  { group: 'apps', resource: 'controllerrevisions', verbs: ['list', 'watch'], scope: 'managed', why: 'informer: the revisions to roll from and back to' },
  { group: '', resource: 'pods', verbs: ['list', 'watch', 'delete', 'patch'], scope: 'managed', why: 'informer; delete old pods (UID precondition); in-place image patches' },
  { group: '', resource: 'nodes', verbs: ['list', 'watch', 'patch'], scope: 'cluster', why: 'informer; the quarantine annotation' },
  { group: '', resource: 'events', verbs: ['create'], scope: 'managed', why: 'RolloutStarted, WaveStarted, HealthGate, ... events' },
  { group: '', resource: 'pods', subresource: 'eviction', verbs: ['create'], scope: 'managed', why: 'make-room: evict lower-priority pods through the Eviction API' },
  { group: 'policy', resource: 'poddisruptionbudgets', verbs: ['list', 'watch'], scope: 'managed', why: 'make-room: informer of the budgets it respects' },
];

/** The permissions of a process running these controllers (each verb once). */
export function permissionsFor(o: { daemonSets: boolean; rollouts: boolean }): Permission[] {
  const lists = [...(o.daemonSets ? controllerPermissions : controllerPermissions.filter((p) => p.scope === 'lease')), ...(o.rollouts ? rolloutPermissions : [])];
  const seen = new Set<string>();
  const out: Permission[] = [];
  for (const p of lists) {
    const verbs = p.verbs.filter((v) => { const k = `${p.group}/${p.resource}/${p.subresource ?? ''} ${v}`; if (seen.has(k)) return false; seen.add(k); return true; });
    if (verbs.length) out.push({ ...p, verbs });
  }
  return out;
}

export interface Check { verb: string; group: string; resource: string; subresource: string; namespace: string }

/** One check per verb, in the namespace each needs ('' = cluster-wide); no lease checks without leader election. */
export function permissionChecks(perms: readonly Permission[], o: { namespace?: string; leaseNamespace?: string }): Check[] {
  return perms.flatMap((p) => {
    if (p.scope === 'lease' && o.leaseNamespace === undefined) return [];
    const namespace = p.scope === 'cluster' ? '' : p.scope === 'lease' ? o.leaseNamespace! : o.namespace ?? '';
    return p.verbs.map((verb) => ({ verb, group: p.group, resource: p.resource, subresource: p.subresource ?? '', namespace }));
  });
}

const describeCheck = (c: Check) => {
  const r = `${c.resource}${c.subresource ? `/${c.subresource}` : ''}${c.group ? `.${c.group}` : ''}`;
  return `${c.verb} ${r} ${c.namespace ? `in namespace ${c.namespace}` : 'cluster-wide'}`;
};

/** The one-line refusal for the checks that were denied (undefined when none were). */
export function refusal(denied: Check[]): string | undefined {
  if (!denied.length) return undefined;
  return `the controller may not ${denied.map(describeCheck).join(', ')}; grant what config/rbac/ grants (SelfSubjectAccessReview denied)`;
}

/**
 * Refuses to start (throws one line) when the API does not answer or any needed permission is
 * denied. Every check is made, so the line names everything that is missing at once.
 */
export async function preflightAccess(client: RawClient, o: { namespace?: string; lease?: { namespace: string }; daemonSets?: boolean; rollouts?: boolean }): Promise<void> {
  try {
    await client.request('GET', '/version');
  } catch (err) {
    throw new Error(`cannot reach the API server at ${client.server}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (o.rollouts === true) {
    // Without the CRD the rollouts' informer never syncs, and no controller of the process would
    // start (the manager waits for every cache): say so now, in one line.
    try {
      await client.request('GET', '/apis/everynode.dev/v1alpha1');
    } catch (err) {
      if (err instanceof ApiStatusError && err.code === 404) throw new Error('the DaemonSetRollout CRD is not installed (kubectl apply -k config/crd), or run with --rollouts=false');
      throw new Error(`cannot check for the DaemonSetRollout CRD: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const perms = permissionsFor({ daemonSets: o.daemonSets !== false, rollouts: o.rollouts === true });
  const checks = permissionChecks(perms, { namespace: o.namespace, leaseNamespace: o.lease?.namespace });
  const answers = await Promise.all(checks.map(async (c) => {
    try {
      const r = await client.request<{ status?: { allowed?: boolean } }>('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
        apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { verb: c.verb, group: c.group, resource: c.resource, subresource: c.subresource, namespace: c.namespace } },
      });
      return r.status?.allowed === true;
    } catch (err) {
      const why = err instanceof ApiStatusError ? `${err.code} ${err.reason}: ${err.message}` : err instanceof Error ? err.message : String(err);
      throw new Error(`cannot check the controller's permissions (SelfSubjectAccessReview: ${why})`);
    }
  }));
  const line = refusal(checks.filter((_, i) => !answers[i]));
  if (line) throw new Error(line);
}

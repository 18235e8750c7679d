// One valid object per served kind, the starting point every body mutation changes. Kinds whose
// validation needs more than metadata get a known-good body here; any other kind (a new one in
// the catalog) starts from its metadata alone, and the fuzzer reports when the server refuses it.
// (CustomResourceDefinition is left so: a valid one must be named after its group and plural, and
// every one created would add a served kind mid-run.)
import type { ResourceDef } from '../../apiserver/resources/catalog.js';
import type { KObject } from '../../api/types.js';

const labels = { app: 'fuzz' };
const podSpec = { containers: [{ name: 'c', image: 'busybox:1.36', ports: [{ containerPort: 80 }], resources: { requests: { cpu: '10m' } } }] };

const bodies: Record<string, (name: string, namespace: string) => Record<string, unknown>> = {
  Pod: () => ({ spec: podSpec }),
  DaemonSet: () => ({ spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec } } }),
  Deployment: () => ({ spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec } } }),
  ReplicaSet: () => ({ spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec } } }),
  ControllerRevision: () => ({ revision: 1, data: { spec: { template: { spec: podSpec } } } }),
  Service: () => ({ spec: { selector: labels, ports: [{ port: 80, targetPort: 8080 }] } }),
  Event: (name, namespace) => ({ involvedObject: { kind: 'Pod', name, namespace, apiVersion: 'v1' }, reason: 'Fuzz', message: 'fuzz', type: 'Normal' }),
  ConfigMap: () => ({ data: { a: 'b' } }),
  Secret: () => ({ type: 'Opaque', data: { a: 'Yg==' } }),
  Lease: () => ({ spec: { holderIdentity: 'fuzz', leaseDurationSeconds: 10 } }),
  PriorityClass: () => ({ value: 1000 }),
  PodDisruptionBudget: () => ({ spec: { minAvailable: 1, selector: { matchLabels: labels } } }),
  Role: () => ({ rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }),
  ClusterRole: () => ({ rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }),
  RoleBinding: () => ({ roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: 'default' }] }),
  ClusterRoleBinding: () => ({ roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: 'default' }] }),
  Node: () => ({ metadata: { labels: { 'kubernetes.io/hostname': 'fuzz' } }, spec: { taints: [{ key: 'fuzz', effect: 'NoSchedule' }] } }),
  // The access reviews: answered, never stored.
  SelfSubjectAccessReview: () => ({ spec: { resourceAttributes: { verb: 'get', resource: 'pods', namespace: 'default' } } }),
  SelfSubjectRulesReview: () => ({ spec: { namespace: 'default' } }),
  SubjectAccessReview: () => ({ spec: { user: 'fuzz', resourceAttributes: { verb: 'get', resource: 'pods' } } }),
  TokenReview: () => ({ spec: { token: 'not-a-token', audiences: ['https://kubernetes.default.svc'] } }),
  LocalSubjectAccessReview: (_name: string, namespace: string) => ({ spec: { user: 'fuzz', resourceAttributes: { verb: 'get', resource: 'pods', namespace } } }),
};

export function apiVersionOf(d: ResourceDef): string { return d.group ? `${d.group}/${d.version}` : d.version; }

/** A valid object of the kind named `name` in `namespace` ('' for cluster-scoped kinds). */
export function sampleObject(d: ResourceDef, name: string, namespace: string): KObject {
  const body = bodies[d.kind]?.(name, namespace) ?? {};
  const meta = { ...(body.metadata as object | undefined), name, ...(d.namespaced ? { namespace } : {}), labels };
  return { apiVersion: apiVersionOf(d), kind: d.kind, ...body, metadata: meta } as KObject;
}

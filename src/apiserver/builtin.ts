// The built-in kinds the embedded server serves, with the discovery facts of a stock
// kube-apiserver 1.32 (wire-protocol §2.1) and the strategies that give them their semantics.
import { Catalog, def } from './resources/catalog.js';
import type { ResourceStrategy } from './resources/types.js';
import * as S from './strategies.js';
import { crdStrategy } from './crd/strategy.js';
import { reviewKinds } from './auth/reviews.js';

const legacyDaemonSetWarning = 'extensions/v1beta1 DaemonSet is deprecated in v1.14+, unavailable in v1.16+; use apps/v1 DaemonSet';

export function builtinCatalog(): Catalog {
  const c = new Catalog();
  const core = (resource: string, kind: string, namespaced: boolean, strategy: ResourceStrategy, extra: Partial<Parameters<typeof def>[0]> = {}) =>
    c.add(def({ group: '', version: 'v1', resource, kind, namespaced, strategy, ...extra }));
  core('namespaces', 'Namespace', false, S.namespaceStrategy, { shortNames: ['ns'], subresources: ['status', 'finalize'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] });
  core('nodes', 'Node', false, S.nodeStrategy, { shortNames: ['no'], subresources: ['status'] });
  core('pods', 'Pod', true, S.podStrategy, { shortNames: ['po'], categories: ['all'], subresources: ['status', 'ephemeralcontainers', 'binding', 'eviction', 'log', 'exec', 'attach', 'portforward'] });
  core('events', 'Event', true, S.eventStrategy, { shortNames: ['ev'] });
  core('configmaps', 'ConfigMap', true, S.configMapStrategy, { shortNames: ['cm'] });
  core('secrets', 'Secret', true, S.secretStrategy);
  core('serviceaccounts', 'ServiceAccount', true, S.serviceAccountStrategy, { shortNames: ['sa'], subresources: ['token'] });
  core('services', 'Service', true, S.serviceStrategy, { shortNames: ['svc'], categories: ['all'], subresources: ['status'] });

  c.add(def({ group: 'apps', version: 'v1', resource: 'daemonsets', kind: 'DaemonSet', namespaced: true, shortNames: ['ds'], categories: ['all'], subresources: ['status'], strategy: S.daemonSetStrategy }));
  c.add(def({ group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', namespaced: true, shortNames: ['deploy'], categories: ['all'], subresources: ['status', 'scale'], strategy: S.deploymentStrategy }));
  c.add(def({ group: 'apps', version: 'v1', resource: 'replicasets', kind: 'ReplicaSet', namespaced: true, shortNames: ['rs'], categories: ['all'], subresources: ['status', 'scale'], strategy: S.replicaSetStrategy }));
  c.add(def({ group: 'apps', version: 'v1', resource: 'controllerrevisions', kind: 'ControllerRevision', namespaced: true, strategy: S.controllerRevisionStrategy }));
  c.add(def({ group: 'coordination.k8s.io', version: 'v1', resource: 'leases', kind: 'Lease', namespaced: true, strategy: S.leaseStrategy }));
  c.add(def({ group: 'scheduling.k8s.io', version: 'v1', resource: 'priorityclasses', kind: 'PriorityClass', namespaced: false, shortNames: ['pc'], strategy: S.priorityClassStrategy }));
  c.add(def({ group: 'policy', version: 'v1', resource: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', namespaced: true, shortNames: ['pdb'], subresources: ['status'], strategy: S.podDisruptionBudgetStrategy }));
  const rbac = (resource: string, kind: string, namespaced: boolean, strategy: ResourceStrategy) =>
    c.add(def({ group: 'rbac.authorization.k8s.io', version: 'v1', resource, kind, namespaced, strategy }));
  rbac('roles', 'Role', true, S.roleStrategy);
  rbac('clusterroles', 'ClusterRole', false, S.clusterRoleStrategy);
  rbac('rolebindings', 'RoleBinding', true, S.roleBindingStrategy);
  rbac('clusterrolebindings', 'ClusterRoleBinding', false, S.clusterRoleBindingStrategy);
  c.add(def({
    group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions', kind: 'CustomResourceDefinition', namespaced: false,
    shortNames: ['crd', 'crds'], categories: ['api-extensions'], subresources: ['status'], strategy: crdStrategy(),
  }));
  // Create-only kinds answered by auth/reviews.ts from the asking user and the policy; never stored.
  for (const [resource, k] of Object.entries(reviewKinds)) c.add(def({ group: k.group, version: 'v1', resource, kind: k.kind, namespaced: k.namespaced, verbs: ['create'] }));
  // Removed upstream in 1.16; served so that old manifests such as the seed's example apply unchanged.
  c.add(def({
    group: 'extensions', version: 'v1beta1', resource: 'daemonsets', kind: 'DaemonSet', namespaced: true,
    subresources: ['status'], storageGroup: 'apps', strategy: S.daemonSetStrategy, deprecationWarning: legacyDaemonSetWarning,
  }));
  return c.freeze();
}

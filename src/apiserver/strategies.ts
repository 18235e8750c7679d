// One import point for every kind's strategy (they live one file per kind in resources/).
export { podStrategy } from './resources/pod.js';
export { daemonSetStrategy } from './resources/daemonset.js';
export { deploymentStrategy } from './resources/deployment.js';
export { replicaSetStrategy } from './resources/replicaset.js';
export { namespaceStrategy } from './resources/namespace.js';
export { nodeStrategy } from './resources/node.js';
export { eventStrategy } from './resources/event.js';
export { controllerRevisionStrategy } from './resources/controllerrevision.js';
export { leaseStrategy } from './resources/lease.js';
export { priorityClassStrategy } from './resources/priorityclass.js';
export { pdbStrategy as podDisruptionBudgetStrategy } from './resources/pdb.js';

export { configMapStrategy } from './resources/configmap.js';
export { secretStrategy } from './resources/secret.js';
export { serviceAccountStrategy } from './resources/serviceaccount.js';
export { serviceStrategy } from './resources/service.js';
export { roleStrategy, clusterRoleStrategy, roleBindingStrategy, clusterRoleBindingStrategy } from './resources/rbac.js';

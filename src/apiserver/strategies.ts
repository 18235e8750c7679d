// One import point for every kind's strategy (they live one file per kind in resources/).
import type { ResourceStrategy } from './resources/types.js';
export { podStrategy } from './resources/pod.js';
export { daemonSetStrategy } from './resources/daemonset.js';

// Kinds whose strategies are still being written get the generic behaviour only.
const generic: ResourceStrategy = {};
export const namespaceStrategy = generic;
export const nodeStrategy = generic;
export const eventStrategy = generic;
export const configMapStrategy = generic;
export const secretStrategy = generic;
export const serviceAccountStrategy = generic;
export const serviceStrategy = generic;
export const controllerRevisionStrategy = generic;
export const leaseStrategy = generic;
export const priorityClassStrategy = generic;
export const podDisruptionBudgetStrategy = generic;
export const roleStrategy = generic;
export const clusterRoleStrategy = generic;
export const roleBindingStrategy = generic;
export const clusterRoleBindingStrategy = generic;

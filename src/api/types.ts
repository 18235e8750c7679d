// Kubernetes object shapes as they travel on the wire (timestamps are strings).
// kubernetes-types is declarations only, so importing it costs nothing at run time.
export type { ObjectMeta, OwnerReference, LabelSelector, LabelSelectorRequirement, Status, StatusCause } from 'kubernetes-types/meta/v1.js';
export type {
  Pod, PodSpec, PodStatus, PodCondition, PodTemplateSpec, Container, ContainerStatus,
  Node, NodeSpec, NodeStatus, NodeCondition, Taint, Toleration, NodeSelector, NodeSelectorTerm,
  NodeSelectorRequirement, Affinity, NodeAffinity, Namespace, Event, Binding, ResourceRequirements,
} from 'kubernetes-types/core/v1.js';
export type { DaemonSet, DaemonSetSpec, DaemonSetStatus, DaemonSetUpdateStrategy, ControllerRevision } from 'kubernetes-types/apps/v1.js';
export type { Lease } from 'kubernetes-types/coordination/v1.js';
export type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
export type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';

import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';

/** Any Kubernetes object: the fields every kind has, the rest left open. */
export interface KObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [field: string]: unknown;
}

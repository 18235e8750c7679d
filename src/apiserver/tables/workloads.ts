// Table columns of Deployments and ReplicaSets, as upstream's printers (printDeployment,
// printReplicaSet) give `kubectl get`.
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { KObject } from '../../api/types.js';
import { translateTimestampSince } from '../../api/duration.js';
import type { TableConvertor } from './types.js';
import { AGE_COLUMN, NAME_COLUMN, col, containerCells, formatLabelSelector, int } from './format.js';

const age = (obj: KObject, nowMs: number) => translateTimestampSince(obj.metadata?.creationTimestamp, nowMs);
const wide = [
  col('Containers', 'string', 'Names of each container in the template.', 1),
  col('Images', 'string', 'Images referenced by each container in the template.', 1),
  col('Selector', 'string', 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.', 1),
];

export const deploymentConvertor: TableConvertor = {
  columns: [
    NAME_COLUMN,
    col('Ready', 'string', 'Number of the pod with ready state'),
    col('Up-to-date', 'string', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
    col('Available', 'string', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
    AGE_COLUMN,
    ...wide,
  ],
  cells(obj, nowMs) {
    const d = obj as Deployment;
    const [names, images] = containerCells(d.spec?.template?.spec?.containers);
    return [
      d.metadata?.name ?? '', `${int(d.status?.readyReplicas)}/${int(d.spec?.replicas)}`, int(d.status?.updatedReplicas),
      int(d.status?.availableReplicas), age(obj, nowMs), names, images, formatLabelSelector(d.spec?.selector),
    ];
  },
};

export const replicaSetConvertor: TableConvertor = {
  columns: [
    NAME_COLUMN,
    col('Desired', 'integer', 'Number of desired pods.'),
    col('Current', 'integer', 'Number of actual replicas.'),
    col('Ready', 'integer', 'The number of ready replicas for this replica set.'),
    AGE_COLUMN,
    ...wide.slice(0, 2),
    col('Selector', 'string', 'A label query over pods that should match the replica count.', 1),
  ],
  cells(obj, nowMs) {
    const rs = obj as ReplicaSet;
    const [names, images] = containerCells(rs.spec?.template?.spec?.containers);
    return [
      rs.metadata?.name ?? '', int(rs.spec?.replicas), int(rs.status?.replicas), int(rs.status?.readyReplicas),
      age(obj, nowMs), names, images, formatLabelSelector(rs.spec?.selector),
    ];
  },
};

// Table responses for `kubectl get` (meta.k8s.io/v1 Table). kubectl asks for a Table on every
// get/list/watch and prints the server's cells verbatim, so the columns and cell strings here
// follow upstream's printers (pkg/printers/internalversion) for each served kind. Everything is
// pure: the clock is the nowMs argument.
import type { KObject } from '../api/types.js';
import { podConvertor } from './tables/pods.js';
import { eventConvertor } from './tables/events.js';
import {
  configMapConvertor, namespaceConvertor, nodeConvertor, secretConvertor, serviceAccountConvertor, serviceConvertor,
} from './tables/core.js';
import {
  clusterRoleBindingConvertor, controllerRevisionConvertor, daemonSetConvertor, leaseConvertor,
  podDisruptionBudgetConvertor, priorityClassConvertor, roleBindingConvertor,
} from './tables/apigroups.js';
import { deploymentConvertor, replicaSetConvertor } from './tables/workloads.js';
import { col } from './tables/format.js';
import type { TableConvertor } from './tables/types.js';

export { customResourceConvertor, type PrinterColumn } from './tables/custom.js';

export type { ColumnDefinition, RowCondition, TableConvertor } from './tables/types.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableOptions {
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
  includeObject: IncludeObject;
  /** false for watch events after the first: kubectl reuses the columns it already has. */
  includeColumns: boolean;
}

/**
 * The generic apiserver convertor for kinds without printers (CRDs, roles, custom resources
 * without printer columns in our setup): Name and the RFC 3339 creation time.
 */
export const defaultConvertor: TableConvertor = {
  columns: [
    col('Name', 'string', 'Name must be unique within a namespace.'),
    col('Created At', 'date', 'Time the object was created (RFC 3339).'),
  ],
  // Go formats an unset metav1.Time as its zero value, so a missing timestamp prints that way too.
  cells: (obj) => [obj.metadata?.name ?? '', obj.metadata?.creationTimestamp ?? '0001-01-01T00:00:00Z'],
};

const convertors: Record<string, TableConvertor> = {
  '/pods': podConvertor,
  '/nodes': nodeConvertor,
  '/namespaces': namespaceConvertor,
  '/events': eventConvertor,
  // events.k8s.io Events share storage and printer with core events upstream.
  'events.k8s.io/events': eventConvertor,
  '/configmaps': configMapConvertor,
  '/secrets': secretConvertor,
  '/serviceaccounts': serviceAccountConvertor,
  '/services': serviceConvertor,
  'apps/daemonsets': daemonSetConvertor,
  'extensions/daemonsets': daemonSetConvertor,
  'apps/controllerrevisions': controllerRevisionConvertor,
  'apps/deployments': deploymentConvertor,
  'apps/replicasets': replicaSetConvertor,
  'coordination.k8s.io/leases': leaseConvertor,
  'scheduling.k8s.io/priorityclasses': priorityClassConvertor,
  'policy/poddisruptionbudgets': podDisruptionBudgetConvertor,
  'rbac.authorization.k8s.io/rolebindings': roleBindingConvertor,
  'rbac.authorization.k8s.io/clusterrolebindings': clusterRoleBindingConvertor,
};

/** The convertor for a resource ("" is the core group); unknown resources get Name, Created At. */
export function tableConvertorFor(group: string, resource: string): TableConvertor {
  return convertors[`${group}/${resource}`] ?? defaultConvertor;
}

/** Builds a full meta.k8s.io/v1 Table for a list (or a single object as a one-item list). */
export function toTable(conv: TableConvertor, objs: KObject[], nowMs: number, opts: TableOptions): Record<string, unknown> {
  const metadata: Record<string, unknown> = { resourceVersion: opts.resourceVersion };
  if (opts.continue) metadata.continue = opts.continue;
  if (opts.remainingItemCount !== undefined) metadata.remainingItemCount = opts.remainingItemCount;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    // Upstream's watch encoder sends null here after the first event; kubectl keeps its columns.
    columnDefinitions: opts.includeColumns ? conv.columns.map((c) => ({ ...c })) : null,
    rows: objs.map((obj) => toRow(conv, obj, nowMs, opts.includeObject)),
  };
}

function toRow(conv: TableConvertor, obj: KObject, nowMs: number, include: IncludeObject): Record<string, unknown> {
  const row: Record<string, unknown> = { cells: conv.cells(obj, nowMs) };
  const conditions = conv.conditions?.(obj) ?? [];
  if (conditions.length > 0) row.conditions = conditions;
  if (include === 'Object') row.object = obj;
  else if (include === 'Metadata') {
    row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata ?? {} };
  }
  return row;
}

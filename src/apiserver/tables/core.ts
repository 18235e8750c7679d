// Table columns for core/v1 kinds other than pods and events: nodes, namespaces, configmaps,
// secrets, serviceaccounts and services (printNode, printNamespace, printService, ...).
import type { KObject, Node } from '../../api/types.js';
import { translateTimestampSince } from '../../api/duration.js';
import type { TableConvertor } from './types.js';
import { AGE_COLUMN, NAME_COLUMN, col, field, formatLabels, int, str } from './format.js';

const age = (obj: KObject, nowMs: number) => translateTimestampSince(obj.metadata?.creationTimestamp, nowMs);
const nameOf = (obj: KObject) => obj.metadata?.name ?? '';
const countKeys = (...maps: unknown[]) => new Set(maps.flatMap((m) => Object.keys((m as object | undefined) ?? {}))).size;

const NODE_ROLE_PREFIX = 'node-role.kubernetes.io/';
const NODE_ROLE_LABEL = 'kubernetes.io/role';

/** Sorted, de-duplicated roles from node-role.kubernetes.io/<role> and kubernetes.io/role=<role>. */
export function nodeRoles(node: Node): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata?.labels ?? {})) {
    if (k.startsWith(NODE_ROLE_PREFIX)) {
      const role = k.slice(NODE_ROLE_PREFIX.length);
      if (role) roles.add(role);
    } else if (k === NODE_ROLE_LABEL && v !== '') roles.add(v);
  }
  return [...roles].sort();
}

/** "Ready" / "NotReady" from the Ready condition ("Unknown" without one), plus SchedulingDisabled. */
export function nodeStatus(node: Node): string {
  // Upstream keeps the last condition of each type; with one Ready condition that is the same.
  const readyConds = (node.status?.conditions ?? []).filter((c) => c.type === 'Ready');
  const ready = readyConds[readyConds.length - 1];
  const parts = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (node.spec?.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

const nodeAddress = (node: Node, type: string) => node.status?.addresses?.find((a) => a.type === type)?.address ?? '<none>';

export const nodeConvertor: TableConvertor = {
  columns: [
    NAME_COLUMN,
    col('Status', 'string', 'The status of the node'),
    col('Roles', 'string', 'The roles of the node'),
    AGE_COLUMN,
    col('Version', 'string', 'Kubelet version reported by the node.'),
    col('Internal-IP', 'string', 'First InternalIP address of the node.', 1),
    col('External-IP', 'string', 'First ExternalIP address of the node.', 1),
    col('OS-Image', 'string', 'OS image reported by the node.', 1),
    col('Kernel-Version', 'string', 'Kernel version reported by the node.', 1),
    col('Container-Runtime', 'string', 'Container runtime version reported by the node.', 1),
  ],
  cells(obj, nowMs) {
    const node = obj as Node;
    const info = node.status?.nodeInfo;
    return [
      nameOf(obj), nodeStatus(node), nodeRoles(node).join(',') || '<none>', age(obj, nowMs), info?.kubeletVersion ?? '',
      nodeAddress(node, 'InternalIP'), nodeAddress(node, 'ExternalIP'),
      info?.osImage || '<unknown>', info?.kernelVersion || '<unknown>', info?.containerRuntimeVersion || '<unknown>',
    ];
  },
};

export const namespaceConvertor: TableConvertor = {
  columns: [NAME_COLUMN, col('Status', 'string', 'The status of the namespace'), AGE_COLUMN],
  cells: (obj, nowMs) => [nameOf(obj), str(field(obj, 'status', 'phase')), age(obj, nowMs)],
};

export const configMapConvertor: TableConvertor = {
  columns: [NAME_COLUMN, col('Data', 'string', 'Number of data and binaryData keys.'), AGE_COLUMN],
  cells: (obj, nowMs) => [nameOf(obj), Object.keys(obj.data ?? {}).length + Object.keys(obj.binaryData ?? {}).length, age(obj, nowMs)],
};

export const secretConvertor: TableConvertor = {
  columns: [NAME_COLUMN, col('Type', 'string', 'Used to facilitate programmatic handling of secret data.'), col('Data', 'string', 'Number of data keys.'), AGE_COLUMN],
  // stringData is write-only upstream (merged into data on write); count its keys too in case it was stored as sent.
  cells: (obj, nowMs) => [nameOf(obj), str(obj.type), countKeys(obj.data, obj.stringData), age(obj, nowMs)],
};

export const serviceAccountConvertor: TableConvertor = {
  columns: [NAME_COLUMN, col('Secrets', 'string', 'Number of secrets listed for this service account.'), AGE_COLUMN],
  cells: (obj, nowMs) => [nameOf(obj), (field<unknown[]>(obj, 'secrets') ?? []).length, age(obj, nowMs)],
};

interface ServiceSpecView {
  type?: string; clusterIP?: string; clusterIPs?: string[]; externalIPs?: string[]; externalName?: string;
  ports?: { port?: number; nodePort?: number; protocol?: string }[]; selector?: Record<string, string>;
}

/** EXTERNAL-IP as getServiceExternalIP prints it with wide output (no clipping). */
function serviceExternalIP(obj: KObject): string {
  const spec = (obj.spec ?? {}) as ServiceSpecView;
  const externalIPs = spec.externalIPs ?? [];
  switch (spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const ingress = field<{ ip?: string; hostname?: string }[]>(obj, 'status', 'loadBalancer', 'ingress') ?? [];
      const lb = [...new Set(ingress.map((i) => i.ip || i.hostname || '').filter((s) => s !== ''))].sort();
      const all = [...lb, ...externalIPs];
      return all.length > 0 ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

function servicePorts(spec: ServiceSpecView): string {
  const pieces = (spec.ports ?? []).map((p) => {
    const protocol = p.protocol ?? 'TCP'; // defaulted on write; kept for hand-made objects
    return p.nodePort && p.nodePort > 0 ? `${int(p.port)}:${p.nodePort}/${protocol}` : `${int(p.port)}/${protocol}`;
  });
  return pieces.length > 0 ? pieces.join(',') : '<none>';
}

export const serviceConvertor: TableConvertor = {
  columns: [
    NAME_COLUMN,
    col('Type', 'string', 'How the service is exposed.'),
    col('Cluster-IP', 'string', 'The IP address of the service inside the cluster.'),
    col('External-IP', 'string', 'External addresses of the service.'),
    col('Port(s)', 'string', 'Ports exposed by the service.'),
    AGE_COLUMN,
    col('Selector', 'string', 'Pods selected by this service.', 1),
  ],
  cells(obj, nowMs) {
    const spec = (obj.spec ?? {}) as ServiceSpecView;
    const clusterIP = spec.clusterIPs?.[0] || spec.clusterIP || '<none>';
    return [nameOf(obj), spec.type ?? '', clusterIP, serviceExternalIP(obj), servicePorts(spec), age(obj, nowMs), formatLabels(spec.selector)];
  },
};

// Table columns for kinds of the named API groups: apps (daemonsets, controllerrevisions),
// coordination (leases), scheduling (priorityclasses), policy (poddisruptionbudgets) and rbac
// bindings. Roles, cluster roles and CRDs have no printer upstream and use the default table.
import type { DaemonSet, KObject } from '../../api/types.js';
import { translateTimestampSince } from '../../api/duration.js';
import { controllerRefOf } from '../../api/meta.js';
import type { TableConvertor } from './types.js';
import { AGE_COLUMN, NAME_COLUMN, col, containerCells, field, formatLabelSelector, formatLabels, int, str } from './format.js';

const age = (obj: KObject, nowMs: number) => translateTimestampSince(obj.metadata?.creationTimestamp, nowMs);
const nameOf = (obj: KObject) => obj.metadata?.name ?? '';

export const daemonSetConvertor: TableConvertor = {
  columns: [
    NAME_COLUMN,
    col('Desired', 'integer', 'Nodes that should be running the daemon pod.'),
    col('Current', 'integer', 'Nodes running at least one daemon pod that should.'),
    col('Ready', 'integer', 'Nodes whose daemon pod is ready.'),
    col('Up-to-date', 'integer', 'Nodes running the updated daemon pod.'),
    col('Available', 'integer', 'Nodes whose daemon pod is available.'),
    col('Node Selector', 'string', 'The pod template nodeSelector.'),
    AGE_COLUMN,
    col('Containers', 'string', 'Names of each container in the template.', 1),
    col('Images', 'string', 'Images referenced by each container in the template.', 1),
    col('Selector', 'string', 'Label selector for the daemon pods.', 1),
  ],
  cells(obj, nowMs) {
    const ds = obj as DaemonSet;
    const s = ds.status;
    const podSpec = ds.spec?.template?.spec;
    const [names, images] = containerCells(podSpec?.containers);
    return [
      nameOf(obj), int(s?.desiredNumberScheduled), int(s?.currentNumberScheduled), int(s?.numberReady),
      int(s?.updatedNumberScheduled), int(s?.numberAvailable), formatLabels(podSpec?.nodeSelector), age(obj, nowMs),
      names, images, formatLabelSelector(ds.spec?.selector),
    ];
  },
};

/** `<kind>.<group>/<name>` lower-cased (just `<kind>/<name>` for the core group), or `<none>`. */
export function controllerName(obj: KObject): string {
  const ref = controllerRefOf(obj);
  if (!ref) return '<none>';
  const slash = ref.apiVersion.indexOf('/');
  const group = slash < 0 ? '' : ref.apiVersion.slice(0, slash);
  if (!group && !ref.kind) return ref.name;
  return `${(group ? `${ref.kind}.${group}` : ref.kind).toLowerCase()}/${ref.name}`;
}

export const controllerRevisionConvertor: TableConvertor = {
  columns: [
    NAME_COLUMN,
    col('Controller', 'string', 'Controller of the object'),
    col('Revision', 'string', 'Revision number of the stored state.'),
    AGE_COLUMN,
  ],
  cells: (obj, nowMs) => [nameOf(obj), controllerName(obj), int(obj.revision), age(obj, nowMs)],
};

export const leaseConvertor: TableConvertor = {
  columns: [NAME_COLUMN, col('Holder', 'string', 'Identity of the current lease holder.'), AGE_COLUMN],
  cells: (obj, nowMs) => [nameOf(obj), str(field(obj, 'spec', 'holderIdentity')), age(obj, nowMs)],
};

export const priorityClassConvertor: TableConvertor = {
  columns: [
    NAME_COLUMN,
    col('Value', 'integer', 'Priority value of pods using this class.'),
    col('Global-Default', 'boolean', 'Whether this is the default class for pods without one.'),
    AGE_COLUMN,
    col('PreemptionPolicy', 'string', 'Whether pods of this class may preempt others.'),
  ],
  cells: (obj, nowMs) => [nameOf(obj), int(obj.value), obj.globalDefault === true, age(obj, nowMs), str(obj.preemptionPolicy)],
};

/** IntOrString as its String(): numbers in decimal, strings (percentages) as written. */
const intOrString = (v: unknown) => (v === undefined || v === null ? 'N/A' : String(v));

export const podDisruptionBudgetConvertor: TableConvertor = {
  columns: [
    NAME_COLUMN,
    col('Min Available', 'string', 'The minimum number of pods that must be available.'),
    col('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
    col('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
    AGE_COLUMN,
  ],
  cells: (obj, nowMs) => [
    nameOf(obj), intOrString(field(obj, 'spec', 'minAvailable')), intOrString(field(obj, 'spec', 'maxUnavailable')),
    int(field(obj, 'status', 'disruptionsAllowed')), age(obj, nowMs),
  ],
};

interface Subject { kind?: string; name?: string; namespace?: string }

function bindingConvertor(what: string): TableConvertor {
  return {
    columns: [
      NAME_COLUMN,
      col('Role', 'string', 'The role this binding grants, as Kind/name.'),
      AGE_COLUMN,
      col('Users', 'string', `Users in the ${what}`, 1),
      col('Groups', 'string', `Groups in the ${what}`, 1),
      col('ServiceAccounts', 'string', `ServiceAccounts in the ${what}`, 1),
    ],
    cells(obj, nowMs) {
      const subjects = (field<Subject[]>(obj, 'subjects') ?? []);
      const names = (kind: string, fmt: (s: Subject) => string) => subjects.filter((s) => s.kind === kind).map(fmt).join(', ');
      return [
        nameOf(obj), `${str(field(obj, 'roleRef', 'kind'))}/${str(field(obj, 'roleRef', 'name'))}`, age(obj, nowMs),
        names('User', (s) => str(s.name)), names('Group', (s) => str(s.name)),
        names('ServiceAccount', (s) => `${str(s.namespace)}/${str(s.name)}`),
      ];
    },
  };
}

export const roleBindingConvertor = bindingConvertor('roleBinding');
export const clusterRoleBindingConvertor = bindingConvertor('clusterRoleBinding');

// Strategic-merge-patch metadata for the built-in kinds we serve: which lists merge (and by
// which key) instead of being replaced. Upstream reads this from Go struct tags
// (patchStrategy / patchMergeKey); we keep the same facts as a table. Fields not listed here
// behave as plain JSON: objects merge key by key, lists are replaced whole.

export interface SmpField {
  /** patchStrategy "merge": the list merges (by mergeKey for objects, as a set for primitives). */
  readonly merge?: true;
  /** patchMergeKey: the field identifying an element of a merging list of objects. */
  readonly mergeKey?: string;
  /** patchStrategy "retainKeys" (informational; the `$retainKeys` directive does the work). */
  readonly retainKeys?: true;
  /** Schema of the nested object, or of each element of the list. */
  readonly schema?: SmpSchema;
}

export interface SmpSchema { readonly [field: string]: SmpField }

const byType: SmpField = { merge: true, mergeKey: 'type' };
const conditions: SmpSchema = { conditions: byType };

export const objectMetaSchema: SmpSchema = {
  finalizers: { merge: true },
  ownerReferences: { merge: true, mergeKey: 'uid' },
};

const containerSchema: SmpSchema = {
  ports: { merge: true, mergeKey: 'containerPort' },
  env: { merge: true, mergeKey: 'name' },
  volumeMounts: { merge: true, mergeKey: 'mountPath' },
  volumeDevices: { merge: true, mergeKey: 'devicePath' },
};

const containers: SmpField = { merge: true, mergeKey: 'name', schema: containerSchema };

export const podSpecSchema: SmpSchema = {
  containers,
  initContainers: containers,
  ephemeralContainers: containers,
  volumes: { merge: true, mergeKey: 'name', retainKeys: true },
  imagePullSecrets: { merge: true, mergeKey: 'name' },
  hostAliases: { merge: true, mergeKey: 'ip' },
  topologySpreadConstraints: { merge: true, mergeKey: 'topologyKey' },
  schedulingGates: { merge: true, mergeKey: 'name' },
  resourceClaims: { merge: true, mergeKey: 'name', retainKeys: true },
};

const podStatusSchema: SmpSchema = {
  conditions: byType,
  podIPs: { merge: true, mergeKey: 'ip' },
  hostIPs: { merge: true, mergeKey: 'ip' },
  resourceClaimStatuses: { merge: true, mergeKey: 'name', retainKeys: true },
};

export const podTemplateSpecSchema: SmpSchema = {
  metadata: { schema: objectMetaSchema },
  spec: { schema: podSpecSchema },
};

/** A kind whose only strategic fields are those of its ObjectMeta. */
const metaOnly = (extra: SmpSchema = {}): SmpSchema => ({ metadata: { schema: objectMetaSchema }, ...extra });

const schemas: Readonly<Record<string, SmpSchema>> = {
  Pod: metaOnly({ spec: { schema: podSpecSchema }, status: { schema: podStatusSchema } }),
  PodTemplate: metaOnly({ template: { schema: podTemplateSpecSchema } }),
  DaemonSet: metaOnly({
    spec: { schema: { template: { schema: podTemplateSpecSchema } } },
    status: { schema: conditions },
  }),
  Deployment: metaOnly({
    spec: { schema: { template: { schema: podTemplateSpecSchema }, strategy: { retainKeys: true } } },
    status: { schema: conditions },
  }),
  ReplicaSet: metaOnly({
    spec: { schema: { template: { schema: podTemplateSpecSchema } } },
    status: { schema: conditions },
  }),
  Node: metaOnly({
    // taints carry no strategy: `kubectl taint` sends the whole list and it replaces.
    spec: { schema: { podCIDRs: { merge: true } } },
    status: { schema: { conditions: byType, addresses: byType } },
  }),
  Namespace: metaOnly({ status: { schema: conditions } }),
  ControllerRevision: metaOnly(),
  Event: metaOnly(),
  Lease: metaOnly(),
  PriorityClass: metaOnly(),
  PodDisruptionBudget: metaOnly({ status: { schema: conditions } }),
  ConfigMap: metaOnly(),
  Secret: metaOnly(),
  ServiceAccount: metaOnly({ secrets: { merge: true, mergeKey: 'name' } }),
  Service: metaOnly({
    spec: { schema: { ports: { merge: true, mergeKey: 'port' } } },
    status: { schema: conditions },
  }),
  // Role rules and binding subjects have no strategy: they are replaced whole.
  Role: metaOnly(),
  ClusterRole: metaOnly(),
  RoleBinding: metaOnly(),
  ClusterRoleBinding: metaOnly(),
  // CRDs are a built-in type upstream, so they accept strategic merge patches too.
  CustomResourceDefinition: metaOnly(),
};

/** The strategic-merge schema of a built-in kind, or undefined (the server then answers 415). */
export function smpSchemaFor(kind: string): SmpSchema | undefined {
  return Object.prototype.hasOwnProperty.call(schemas, kind) ? schemas[kind] : undefined;
}

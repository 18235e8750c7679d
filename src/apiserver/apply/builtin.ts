// The apply schema of the built-in kinds: their OpenAPI schemas plus the list and map types that
// upstream's Go types declare with markers (+listType, +listMapKey, +mapType, +structType) and
// patch tags, which our generated schemas.json does not carry. Lists with neither are atomic, as
// upstream's are.
import { builtinSchemas } from '../openapi/index.js';
import { schemaNameFor } from '../fieldvalidation.js';
import { fromOpenAPI, type FieldType, type OpenAPISchema } from './schema.js';

const map = (...keys: string[]): OpenAPISchema => ({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': keys });
/** A list keyed by a port and its protocol, which defaults to TCP in the key. */
const portsMap = (port: string): OpenAPISchema => ({ ...map(port, 'protocol'), 'x-key-defaults': { protocol: 'TCP' } });
const set: OpenAPISchema = { 'x-kubernetes-list-type': 'set' };
const atomicMap: OpenAPISchema = { 'x-kubernetes-map-type': 'atomic' };
const byType = map('type');
const core = (s: string) => `io.k8s.api.core.v1.${s}`;

const container: Record<string, OpenAPISchema> = {
  ports: portsMap('containerPort'),
  env: map('name'),
  volumeMounts: map('mountPath'),
  volumeDevices: map('devicePath'),
  resizePolicy: map('resourceName'),
};

const overlays: Readonly<Record<string, Readonly<Record<string, OpenAPISchema>>>> = {
  'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': { finalizers: set, ownerReferences: map('uid') },
  [core('PodSpec')]: {
    containers: map('name'), initContainers: map('name'), ephemeralContainers: map('name'),
    volumes: map('name'), imagePullSecrets: map('name'), hostAliases: map('ip'),
    topologySpreadConstraints: map('topologyKey', 'whenUnsatisfiable'),
    schedulingGates: map('name'), resourceClaims: map('name'), nodeSelector: atomicMap,
  },
  [core('Container')]: container,
  [core('EphemeralContainer')]: container,
  [core('PodStatus')]: { conditions: byType, podIPs: map('ip'), hostIPs: map('ip'), resourceClaimStatuses: map('name') },
  'io.k8s.api.apps.v1.DaemonSetStatus': { conditions: byType },
  'io.k8s.api.extensions.v1beta1.DaemonSetStatus': { conditions: byType },
  'io.k8s.api.apps.v1.DeploymentStatus': { conditions: byType },
  'io.k8s.api.apps.v1.ReplicaSetStatus': { conditions: byType },
  [core('NodeSpec')]: { podCIDRs: set },
  [core('NodeStatus')]: { conditions: byType, addresses: byType },
  [core('NamespaceStatus')]: { conditions: byType },
  [core('ServiceSpec')]: { ports: portsMap('port') },
  [core('ServiceStatus')]: { conditions: byType },
  [core('ServiceAccount')]: { secrets: map('name') },
  'io.k8s.api.policy.v1.PodDisruptionBudgetStatus': { conditions: byType },
};

/** Structs marked +structType=atomic upstream: a selector or reference is owned and replaced whole. */
const atomicStructs = new Set([
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector',
  core('NodeSelector'), core('LocalObjectReference'), core('ObjectReference'), core('TypedLocalObjectReference'),
  core('TypedObjectReference'), core('ConfigMapKeySelector'), core('SecretKeySelector'), core('ObjectFieldSelector'),
  core('ResourceFieldSelector'),
]);

/** Go value-struct fields (not pointers): the zero object of a kind carries them as `{}`. */
const zeroFields: Readonly<Record<string, readonly string[]>> = {
  'io.k8s.api.apps.v1.DaemonSetSpec': ['template', 'updateStrategy'],
  'io.k8s.api.extensions.v1beta1.DaemonSetSpec': ['template', 'updateStrategy'],
  'io.k8s.api.apps.v1.DeploymentSpec': ['template', 'strategy'],
  'io.k8s.api.apps.v1.ReplicaSetSpec': ['template'],
  [core('PodTemplateSpec')]: ['metadata', 'spec'],
  [core('ServiceStatus')]: ['loadBalancer'],
  [core('NodeStatus')]: ['daemonEndpoints', 'nodeInfo'],
  [core('NodeDaemonEndpoints')]: ['kubeletEndpoint'],
};

const cache = new Map<string, FieldType | undefined>();

/** The apply schema of a built-in kind, or undefined when the kind has no schema here. */
export function builtinApplyType(group: string, version: string, kind: string): FieldType | undefined {
  const key = `${group}/${version}/${kind}`;
  if (cache.has(key)) return cache.get(key);
  const name = schemaNameFor(builtinSchemas, group, version, kind);
  const root = name ? builtinSchemas[name] : undefined;
  const t = root && fromOpenAPI({ $ref: `#/components/schemas/${name}` }, {
    resolveRef: (n) => builtinSchemas[n],
    overlay: (n) => overlays[n],
    atomicStruct: (n) => atomicStructs.has(n),
    // A kind's own metadata, spec and status are value structs too.
    zeroFields: (n) => zeroFields[n] ?? (n === name ? ['metadata', 'spec', 'status'].filter((f) => f in ((root.properties ?? {}) as object)) : undefined),
  });
  cache.set(key, t);
  return t;
}

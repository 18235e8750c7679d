// Component schemas of the kinds this folder adds (CustomResourceDefinition, autoscaling/v1
// Scale), upstream-named, in the form of schemas.json. They let the decoder type-check CRD
// bodies (a wrongly typed field is a 400, as decoding into Go structs gives) and give
// `kubectl explain crd` its fields. Written by hand rather than generated: the generator reads
// kubernetes-types, whose JSONSchemaProps is recursive through a free-form JSON alias.
import type { Schema } from '../openapi/paths.js';

const P = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const ref = (name: string, description?: string): Schema =>
  description ? { description, allOf: [{ $ref: `#/components/schemas/${name}` }] } : { $ref: `#/components/schemas/${name}` };
const str = (description = ''): Schema => ({ type: 'string', description });
const bool = (description = ''): Schema => ({ type: 'boolean', description });
const int = (description = '', format = 'int64'): Schema => ({ type: 'integer', format, description });
const strs = (description = ''): Schema => ({ type: 'array', items: { type: 'string', default: '' }, description });
const arr = (item: string, description = ''): Schema => ({ type: 'array', items: ref(item), description });
const free = (description = ''): Schema => ({ description, 'x-kubernetes-preserve-unknown-fields': true });
const struct = (description: string, properties: Record<string, Schema>, required?: string[]): Schema =>
  ({ description, type: 'object', properties, ...(required ? { required } : {}) });
const gvk = (group: string, version: string, kind: string) => ({ 'x-kubernetes-group-version-kind': [{ group, version, kind }] });

const typeMeta = {
  apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
  kind: str('Kind is a string value representing the REST resource this object represents.'),
};

export const crdComponentSchemas: Record<string, Schema> = {
  [`${P}.CustomResourceDefinition`]: {
    ...struct('CustomResourceDefinition represents a resource that should be exposed on the API server.  Its name MUST be in the format <.spec.name>.<.spec.group>.', {
      ...typeMeta,
      metadata: ref(`${META}.ObjectMeta`, "Standard object's metadata."),
      spec: ref(`${P}.CustomResourceDefinitionSpec`, 'spec describes how the user wants the resources to appear'),
      status: ref(`${P}.CustomResourceDefinitionStatus`, 'status indicates the actual state of the CustomResourceDefinition'),
    }, ['spec']),
    ...gvk('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition'),
  },
  [`${P}.CustomResourceDefinitionList`]: {
    ...struct('CustomResourceDefinitionList is a list of CustomResourceDefinition objects.', {
      ...typeMeta, metadata: ref(`${META}.ListMeta`), items: arr(`${P}.CustomResourceDefinition`, 'items list individual CustomResourceDefinition objects'),
    }, ['items']),
    ...gvk('apiextensions.k8s.io', 'v1', 'CustomResourceDefinitionList'),
  },
  [`${P}.CustomResourceDefinitionSpec`]: struct('CustomResourceDefinitionSpec describes how a user wants their resource to appear', {
    group: str('group is the API group of the defined custom resource.'),
    names: ref(`${P}.CustomResourceDefinitionNames`, 'names specify the resource and kind names for the custom resource.'),
    scope: str('scope indicates whether the defined custom resource is cluster- or namespace-scoped. Allowed values are `Cluster` and `Namespaced`.'),
    versions: arr(`${P}.CustomResourceDefinitionVersion`, 'versions is the list of all API versions of the defined custom resource.'),
    conversion: ref(`${P}.CustomResourceConversion`, 'conversion defines conversion settings for the CRD.'),
    preserveUnknownFields: bool('preserveUnknownFields indicates that object fields which are not specified in the OpenAPI schema should be preserved when persisting to storage.'),
  }, ['group', 'names', 'scope', 'versions']),
  [`${P}.CustomResourceDefinitionNames`]: struct('CustomResourceDefinitionNames indicates the names to serve this CustomResourceDefinition', {
    plural: str('plural is the plural name of the resource to serve.'),
    singular: str('singular is the singular name of the resource. It must be all lowercase. Defaults to lowercased `kind`.'),
    shortNames: strs('shortNames are short names for the resource, exposed in API discovery documents.'),
    kind: str('kind is the serialized kind of the resource. It is normally CamelCase and singular.'),
    listKind: str('listKind is the serialized kind of the list for this resource. Defaults to "`kind`List".'),
    categories: strs('categories is a list of grouped resources this custom resource belongs to (e.g. \'all\').'),
  }, ['plural', 'kind']),
  [`${P}.CustomResourceDefinitionVersion`]: struct('CustomResourceDefinitionVersion describes a version for CRD.', {
    name: str('name is the version name, e.g. “v1”, “v2beta1”, etc.'),
    served: bool('served is a flag enabling/disabling this version from being served via REST APIs'),
    storage: bool('storage indicates this version should be used when persisting custom resources to storage. There must be exactly one version with storage=true.'),
    deprecated: bool('deprecated indicates this version of the custom resource API is deprecated.'),
    deprecationWarning: str('deprecationWarning overrides the default warning returned to API clients.'),
    schema: ref(`${P}.CustomResourceValidation`, 'schema describes the schema used for validation, pruning, and defaulting of this version of the custom resource.'),
    subresources: ref(`${P}.CustomResourceSubresources`, 'subresources specify what subresources this version of the defined custom resource have.'),
    additionalPrinterColumns: arr(`${P}.CustomResourceColumnDefinition`, 'additionalPrinterColumns specifies additional columns returned in Table output.'),
    selectableFields: { type: 'array', items: free(), description: 'selectableFields specifies paths to fields that may be used as field selectors.' },
  }, ['name', 'served', 'storage']),
  [`${P}.CustomResourceValidation`]: struct('CustomResourceValidation is a list of validation methods for CustomResources.', {
    openAPIV3Schema: ref(`${P}.JSONSchemaProps`, 'openAPIV3Schema is the OpenAPI v3 schema to use for validation and pruning.'),
  }),
  [`${P}.CustomResourceSubresources`]: struct('CustomResourceSubresources defines the status and scale subresources for CustomResources.', {
    status: { type: 'object', description: 'status indicates the custom resource should serve a `/status` subresource.', 'x-kubernetes-preserve-unknown-fields': true },
    scale: ref(`${P}.CustomResourceSubresourceScale`, 'scale indicates the custom resource should serve a `/scale` subresource that returns an `autoscaling/v1` Scale object.'),
  }),
  [`${P}.CustomResourceSubresourceScale`]: struct('CustomResourceSubresourceScale defines how to serve the scale subresource for CustomResources.', {
    specReplicasPath: str('specReplicasPath defines the JSON path inside of a custom resource that corresponds to Scale `spec.replicas`.'),
    statusReplicasPath: str('statusReplicasPath defines the JSON path inside of a custom resource that corresponds to Scale `status.replicas`.'),
    labelSelectorPath: str('labelSelectorPath defines the JSON path inside of a custom resource that corresponds to Scale `status.selector`.'),
  }, ['specReplicasPath', 'statusReplicasPath']),
  [`${P}.CustomResourceColumnDefinition`]: struct('CustomResourceColumnDefinition specifies a column for server side printing.', {
    name: str('name is a human readable name for the column.'),
    type: str('type is an OpenAPI type definition for this column.'),
    format: str('format is an optional OpenAPI type definition for this column.'),
    description: str('description is a human readable description of this column.'),
    priority: int('priority is an integer defining the relative importance of this column compared to others.', 'int32'),
    jsonPath: str('jsonPath is a simple JSON path (i.e. with array notation) which is evaluated against each custom resource to produce the value for this column.'),
  }, ['name', 'type', 'jsonPath']),
  [`${P}.CustomResourceConversion`]: struct('CustomResourceConversion describes how to convert different versions of a CR.', {
    strategy: str('strategy specifies how custom resources are converted between versions. Allowed values are: - `"None"` - `"Webhook"`.'),
    webhook: free('webhook describes how to call the conversion webhook. Conversion webhooks are not supported by this server.'),
  }, ['strategy']),
  [`${P}.CustomResourceDefinitionStatus`]: struct('CustomResourceDefinitionStatus indicates the state of the CustomResourceDefinition', {
    conditions: arr(`${P}.CustomResourceDefinitionCondition`, 'conditions indicate state for particular aspects of a CustomResourceDefinition'),
    acceptedNames: ref(`${P}.CustomResourceDefinitionNames`, 'acceptedNames are the names that are actually being used to serve discovery.'),
    storedVersions: strs('storedVersions lists all versions of CustomResources that were ever persisted.'),
  }),
  [`${P}.CustomResourceDefinitionCondition`]: struct('CustomResourceDefinitionCondition contains details for the current condition of this pod.', {
    type: str('type is the type of the condition. Types include Established, NamesAccepted and Terminating.'),
    status: str('status is the status of the condition. Can be True, False, Unknown.'),
    lastTransitionTime: ref(`${META}.Time`, 'lastTransitionTime last time the condition transitioned from one status to another.'),
    reason: str('reason is a unique, one-word, CamelCase reason for the condition\'s last transition.'),
    message: str('message is a human-readable message indicating details about last transition.'),
  }, ['type', 'status']),
  [`${P}.JSONSchemaProps`]: {
    description: 'JSONSchemaProps is a JSON-Schema following Specification Draft 4 (http://json-schema.org/).',
    type: 'object',
    // Recursive and partly free-form (default, enum, items as schema or array): kept as sent.
    'x-kubernetes-preserve-unknown-fields': true,
  },
  // What every custom resource is to the decoder: type meta and a typed ObjectMeta (objectmeta.Coerce).
  [`${META}.PartialObjectMetadata`]: struct('PartialObjectMetadata is a generic representation of any object with ObjectMeta.', {
    ...typeMeta, metadata: ref(`${META}.ObjectMeta`, "Standard object's metadata."),
  }),
  'io.k8s.api.autoscaling.v1.Scale': {
    ...struct('Scale represents a scaling request for a resource.', {
      ...typeMeta,
      metadata: ref(`${META}.ObjectMeta`, "Standard object metadata."),
      spec: ref('io.k8s.api.autoscaling.v1.ScaleSpec', 'spec defines the behavior of the scale.'),
      status: ref('io.k8s.api.autoscaling.v1.ScaleStatus', 'status is the current status of the scale.'),
    }),
    ...gvk('autoscaling', 'v1', 'Scale'),
  },
  'io.k8s.api.autoscaling.v1.ScaleSpec': struct('ScaleSpec describes the attributes of a scale subresource.', {
    replicas: int('replicas is the desired number of instances for the scaled object.', 'int32'),
  }),
  'io.k8s.api.autoscaling.v1.ScaleStatus': struct('ScaleStatus represents the current status of a scale subresource.', {
    replicas: int('replicas is the actual number of observed instances of the scaled object.', 'int32'),
    selector: str('selector is the label query over pods that should match the replicas count.'),
  }, ['replicas']),
};

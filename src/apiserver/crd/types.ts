// apiextensions.k8s.io/v1 CustomResourceDefinition, the fields the server acts on.
import type { KObject } from '../../api/types.js';
import type { JSONSchemaProps } from './schema.js';
import type { PrinterColumn } from '../tables/custom.js';
import type { TableConvertor } from '../tables.js';
import type { FieldGetters } from '../../api/fieldselector.js';

export interface CRDNames {
  plural?: string;
  singular?: string;
  kind?: string;
  listKind?: string;
  shortNames?: string[];
  categories?: string[];
}

export interface CRDScale { specReplicasPath?: string; statusReplicasPath?: string; labelSelectorPath?: string }

export interface CRDVersion {
  name?: string;
  served?: boolean;
  storage?: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  schema?: { openAPIV3Schema?: JSONSchemaProps };
  subresources?: { status?: object; scale?: CRDScale };
  additionalPrinterColumns?: PrinterColumn[];
  /** Extra fields for field selectors (GA in 1.32). */
  selectableFields?: { jsonPath?: string }[];
}

export interface CRDCondition { type: string; status: string; lastTransitionTime?: string; reason?: string; message?: string }

export interface CustomResourceDefinition extends KObject {
  spec?: {
    group?: string;
    names?: CRDNames;
    scope?: string;
    versions?: CRDVersion[];
    conversion?: { strategy?: string };
    preserveUnknownFields?: boolean;
  };
  status?: { acceptedNames?: CRDNames; conditions?: CRDCondition[]; storedVersions?: string[] };
}

export const crdGroup = 'apiextensions.k8s.io';
export const crdResource = 'customresourcedefinitions';
export const cleanupFinalizer = 'customresourcecleanup.apiextensions.k8s.io';

export function conditionOf(crd: CustomResourceDefinition, type: string): CRDCondition | undefined {
  return crd.status?.conditions?.find((c) => c.type === type);
}

/** The CRD facts a custom resource's REST handling needs, per served version. */
export interface CustomResourceInfo {
  crdName: string;
  schema?: JSONSchemaProps;
  table: TableConvertor;
  scale?: CRDScale;
  statusEnabled: boolean;
  /** The CRD is being deleted: its objects may be read and deleted, not created. */
  terminating: boolean;
  /** Prunes and defaults an object read from storage, as upstream does when decoding from etcd. */
  normalize(obj: KObject): void;
  /** Field selector getters: metadata.name, metadata.namespace and the version's selectableFields. */
  fieldGetters?: FieldGetters;
}


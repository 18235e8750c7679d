// What the generic REST machinery needs to know about one served kind. Each kind's file in this
// folder exports a ResourceStrategy (pure: defaulting, validation, create/update preparation);
// catalog.ts combines them with discovery facts, tables and field selectors.
import type { FieldError } from '../../api/fielderrors.js';
import type { KObject } from '../../api/types.js';

/** Read-only view of other stored objects that some admission steps need (e.g. PriorityClass lookup). */
export interface AdmissionContext {
  /** Returns a stored object by group/resource/namespace/name, or undefined. */
  get(group: string, resource: string, namespace: string, name: string): KObject | undefined;
  /** Lists stored objects of a resource (all namespaces when namespace is ''). */
  list(group: string, resource: string, namespace: string): KObject[];
  /** The API version the request came in on (e.g. 'extensions/v1beta1' vs 'apps/v1'). */
  requestGroupVersion: string;
}

export interface ResourceStrategy {
  /**
   * Fills defaults in place (SetDefaults_*). Runs on every create and update body, as the real
   * server defaults while decoding. Must be idempotent.
   */
  default?(obj: KObject, ctx: AdmissionContext): void;
  /** Create-only preparation in place: reset status, set generation, ... (PrepareForCreate). */
  prepareForCreate?(obj: KObject, ctx: AdmissionContext): void;
  /** Update preparation in place: keep old status, bump generation, ... (PrepareForUpdate). */
  prepareForUpdate?(obj: KObject, old: KObject, ctx: AdmissionContext): void;
  /** Status-subresource update preparation in place: keep old spec, ... */
  prepareForStatusUpdate?(obj: KObject, old: KObject, ctx: AdmissionContext): void;
  /**
   * DELETE preparation in place, before finalizers are looked at: e.g. a CRD adds its cleanup
   * finalizer so it waits for its objects (the CRD registry's Delete).
   */
  prepareForDelete?(obj: KObject): void;
  /** Validation on create. Paths as upstream prints them (metadata.name, spec.template.spec.containers[0].image). */
  validate?(obj: KObject, ctx: AdmissionContext): FieldError[];
  /** Validation on update (in addition to validate()). */
  validateUpdate?(obj: KObject, old: KObject, ctx: AdmissionContext): FieldError[];
  /** Validation on status update. */
  validateStatusUpdate?(obj: KObject, old: KObject, ctx: AdmissionContext): FieldError[];
  /**
   * A write through another subresource that stores part of the object (pods/ephemeralcontainers):
   * the object it would store and its validation errors; undefined when the kind has no such
   * subresource.
   */
  subresourceUpdate?(subresource: string, body: KObject, old: KObject): { next: KObject; errors: FieldError[] } | undefined;
  /**
   * Admission that answers with a non-422 error (e.g. 403 for an unknown priorityClassName).
   * Throw an ApiError to refuse.
   */
  admit?(obj: KObject, ctx: AdmissionContext): void;
  /** Warnings to send as `Warning: 299` headers on create/update. */
  warnings?(obj: KObject, ctx: AdmissionContext): string[];
  /** Kind uses metadata.generation (set 1 on create, bumped by prepareForUpdate). */
  readonly usesGeneration?: boolean;
  /** PUT without metadata.resourceVersion is allowed (AllowUnconditionalUpdate). Default true. */
  readonly allowUnconditionalUpdate?: boolean;
}

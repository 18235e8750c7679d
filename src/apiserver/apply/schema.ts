// The schema server-side apply needs, and nothing more: for every node whether it is a scalar,
// a map (struct fields and/or arbitrary keys) or a list, and how it merges: atomic (replaced
// whole), granular maps (key by key), associative lists keyed by some fields ("map") or sets of
// scalars ("set"). It is an interface so that custom resources bring their own (from their
// structural schema) and the built-in kinds theirs (builtin.ts); fromOpenAPI reads the
// x-kubernetes-list-type / -list-map-keys / -map-type extensions either way.

export type FieldType = ScalarType | MapType | ListType | UntypedType;

export interface ScalarType { readonly kind: 'scalar' }

/** Anything: typed by its value as structured-merge-diff's "deduced" type is (lists atomic, maps granular). */
export interface UntypedType { readonly kind: 'untyped' }

export interface MapType {
  readonly kind: 'map';
  /** x-kubernetes-map-type: atomic (or a struct marked +structType=atomic): replaced whole. */
  readonly atomic: boolean;
  /** A declared (struct) field's type, or undefined. */
  field(name: string): FieldType | undefined;
  /** The type of keys that are not declared fields (additionalProperties); undefined for a struct. */
  readonly elements: FieldType | undefined;
  /**
   * Declared fields that a Go value struct always carries as `{}`: the zero object of the kind
   * (which a create is compared against) has them. Only the shape of managedFields depends on it.
   */
  readonly zeroFields?: readonly string[];
}

export interface ListType {
  readonly kind: 'list';
  readonly list: 'atomic' | 'set' | 'map';
  /** x-kubernetes-list-map-keys, for list: map. */
  readonly keys: readonly string[];
  /** Defaults of key fields (a port's protocol is "TCP" when omitted). */
  readonly keyDefaults: Readonly<Record<string, unknown>>;
  readonly elements: FieldType;
}

export const scalar: ScalarType = { kind: 'scalar' };
export const untyped: UntypedType = { kind: 'untyped' };

/** The type a value takes where its schema says nothing (or says "anything"). */
export function deduced(value: unknown): ScalarType | MapType | ListType {
  if (Array.isArray(value)) return untypedList;
  if (typeof value === 'object' && value !== null) return untypedMap;
  return scalar;
}

const untypedList: ListType = { kind: 'list', list: 'atomic', keys: [], keyDefaults: {}, elements: untyped };
const untypedMap: MapType = { kind: 'map', atomic: false, field: () => undefined, elements: untyped };

/** The type to walk `value` with: untyped resolves by value, a value of the wrong shape is a leaf. */
export function resolve(t: FieldType | undefined, value: unknown): ScalarType | MapType | ListType {
  if (!t || t.kind === 'untyped') return deduced(value);
  if (value === undefined || value === null) return t;
  if (t.kind === 'map' && (typeof value !== 'object' || Array.isArray(value))) return scalar;
  if (t.kind === 'list' && !Array.isArray(value)) return scalar;
  if (t.kind === 'scalar' && typeof value === 'object') return deduced(value);
  return t;
}

/** The type of a map's key: its declared field, else its element type, else untyped. */
export function fieldType(t: MapType, name: string): FieldType {
  return t.field(name) ?? t.elements ?? untyped;
}

export type OpenAPISchema = Record<string, unknown>;

export interface OpenAPIOptions {
  /** Resolves a `$ref` target name (after `#/components/schemas/` or `#/definitions/`). */
  resolveRef?: (name: string) => OpenAPISchema | undefined;
  /**
   * Extensions to add to a named schema's properties (for schemas generated without them):
   * schema name → property → extension fields merged into that property's schema.
   */
  overlay?: (schemaName: string) => Readonly<Record<string, OpenAPISchema>> | undefined;
  /** The zeroFields of a named schema (see MapType). */
  zeroFields?: (schemaName: string) => readonly string[] | undefined;
  /** Whether a named schema is a struct replaced whole (+structType=atomic). */
  atomicStruct?: (schemaName: string) => boolean;
}

/**
 * A FieldType from an OpenAPI v3 (or structural CRD) schema. Lazy: a named schema is converted
 * once and its fields on first use, so recursive schemas (JSONSchemaProps) are fine.
 */
export function fromOpenAPI(root: OpenAPISchema, options: OpenAPIOptions = {}): FieldType {
  const named = new Map<string, FieldType>();
  const refName = (s: OpenAPISchema): string | undefined => {
    let ref = s.$ref;
    const allOf = s.allOf;
    if (typeof ref !== 'string' && Array.isArray(allOf) && allOf.length === 1) ref = (allOf[0] as OpenAPISchema).$ref;
    return typeof ref === 'string' ? ref.replace(/^#\/(components\/schemas|definitions)\//, '') : undefined;
  };
  const convert = (s: OpenAPISchema, name?: string, extra?: OpenAPISchema): FieldType => {
    const ref = refName(s);
    if (ref !== undefined) {
      // Extensions on the referring property (a list type on a $ref'd array is rare, but a
      // map type on a $ref'd struct is how +structType=atomic fields show) apply to the target.
      const target = options.resolveRef?.(ref);
      if (!target) return untyped;
      const ext = { ...extensionsOf(s), ...extra };
      if (Object.keys(ext).length) return convert(target, ref, ext);
      let t = named.get(ref);
      if (!t) { named.set(ref, untyped); t = convert(target, ref); named.set(ref, t); }
      return t;
    }
    const x = { ...s, ...extra };
    if (x['x-kubernetes-int-or-string'] === true) return scalar;
    const type = x.type;
    if (type === 'array' || (type === undefined && x.items !== undefined)) {
      const items = (x.items ?? {}) as OpenAPISchema;
      const elements = convert(items);
      const declared = x['x-kubernetes-list-type'];
      const mergeKey = x['x-kubernetes-patch-merge-key'];
      const strategy = String(x['x-kubernetes-patch-strategy'] ?? '');
      let list: ListType['list'] = 'atomic';
      let keys: string[] = [];
      if (declared === 'map' || declared === 'set' || declared === 'atomic') {
        list = declared;
        if (declared === 'map') keys = Array.isArray(x['x-kubernetes-list-map-keys']) ? (x['x-kubernetes-list-map-keys'] as unknown[]).map(String) : [];
      } else if (strategy.split(',').includes('merge')) {
        // What upstream's OpenAPI-to-schema conversion does for lists with only patch metadata.
        if (typeof mergeKey === 'string') { list = 'map'; keys = [mergeKey]; } else list = 'set';
      }
      if (list === 'map' && keys.length === 0) list = 'atomic';
      // x-key-defaults: key defaults supplied by an overlay for schemas without `default`.
      const keyDefaults = { ...keyDefaultsOf(items, keys, options), ...(x['x-key-defaults'] as Record<string, unknown> | undefined) };
      return { kind: 'list', list, keys, keyDefaults, elements };
    }
    const props = x.properties as Record<string, OpenAPISchema> | undefined;
    const additional = x.additionalProperties;
    if (type === 'object' || props || additional !== undefined || x['x-kubernetes-preserve-unknown-fields'] === true) {
      const overlay = name ? options.overlay?.(name) : undefined;
      const fields = new Map<string, FieldType>();
      const field = (f: string): FieldType | undefined => {
        if (!props || !Object.prototype.hasOwnProperty.call(props, f)) return undefined;
        let t = fields.get(f);
        if (!t) { t = convert(props[f]!, undefined, overlay?.[f]); fields.set(f, t); }
        return t;
      };
      let elements: FieldType | undefined;
      if (typeof additional === 'object' && additional !== null) elements = convert(additional as OpenAPISchema);
      else if (additional === true || x['x-kubernetes-preserve-unknown-fields'] === true || !props) elements = untyped;
      const atomic = x['x-kubernetes-map-type'] === 'atomic' || (!!name && !!options.atomicStruct?.(name));
      const zeroFields = name ? options.zeroFields?.(name) : undefined;
      return { kind: 'map', atomic, field, elements, ...(zeroFields ? { zeroFields } : {}) };
    }
    if (type === undefined && !props) return untyped;
    return scalar;
  };
  return convert(root);
}

function extensionsOf(s: OpenAPISchema): OpenAPISchema {
  const out: OpenAPISchema = {};
  for (const [k, v] of Object.entries(s)) if (k.startsWith('x-kubernetes-') && k !== 'x-kubernetes-group-version-kind') out[k] = v;
  return out;
}

function keyDefaultsOf(items: OpenAPISchema, keys: string[], options: OpenAPIOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let s: OpenAPISchema | undefined = items;
  const ref = typeof items.$ref === 'string' ? items.$ref : Array.isArray(items.allOf) && items.allOf.length === 1 ? (items.allOf[0] as OpenAPISchema).$ref : undefined;
  if (typeof ref === 'string') s = options.resolveRef?.(ref.replace(/^#\/(components\/schemas|definitions)\//, ''));
  const props = (s?.properties ?? {}) as Record<string, OpenAPISchema>;
  for (const k of keys) if (props[k] && props[k]!.default !== undefined) out[k] = props[k]!.default;
  return out;
}

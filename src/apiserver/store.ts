// The generic REST semantics of the API server over the revisioned KV backend: system fields,
// optimistic concurrency, strategies (defaulting, validation), status subresources, graceful
// deletion, finalizers and propagation policies. HTTP lives in server.ts; this file has no sockets.
import { randomUUID, randomInt } from 'node:crypto';
import type { Backend, KV } from '../storage/backend.js';
import type { KObject } from '../api/types.js';
import { rfc3339 } from '../api/meta.js';
import type { FieldError } from '../api/fielderrors.js';
import * as E from './errors.js';
import type { Catalog, ResourceDef } from './resources/catalog.js';
import type { AdmissionContext } from './resources/types.js';
import { collectionPrefix, objectKey } from './keys.js';
import { nameIsDNSSubdomain, nameValidatorFor, validateObjectMeta } from './resources/objectmeta.js';
import type { ObjectMeta } from '../api/types.js';
import { deepCopy } from '../api/clone.js';
import { stampResourceVersion } from './watch.js';
import { trackManagedFields } from './apply/index.js';

/** kubernetes-types marks ObjectMeta read-only; the server is the one place that writes system fields. */
type Meta = { -readonly [K in keyof ObjectMeta]: ObjectMeta[K] };
const mut = (o: KObject): Meta => (o.metadata ??= {}) as Meta;

export interface WriteOptions {
  dryRun?: boolean;
  /** Warnings collected for the Warning header. */
  warnings?: string[];
  /** The caller hands the body over (it parsed it for this request): the store may change it instead of copying it. */
  owned?: boolean;
  /** For update: the stored kv and its decoding, when the caller already read them (PATCH); used only while still current. */
  current?: { kv: KV; obj: KObject };
  /**
   * The request's field manager: the write is recorded in metadata.managedFields. Without one
   * (the server's own writes) the object keeps the managedFields it had.
   */
  fieldManager?: string;
  /** Server-side apply computed the object's managedFields itself: they are stored as they are. */
  applied?: boolean;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
}

export interface ListResult { items: KObject[]; resourceVersion: string; continue?: string; remainingItemCount?: number }

/** Kinds whose DELETE answers with the deleted object rather than a Status (ReturnDeletedObject upstream). */
const returnsDeletedObject = new Set(['pods', 'namespaces', 'services']);
const undeletableNamespaces = new Set(['default', 'kube-system', 'kube-public']);
const generateNameAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

export class Store {
  constructor(
    readonly backend: Backend,
    readonly catalog: Catalog,
    private readonly now: () => number = Date.now,
    /** The 5 random characters generateName appends (injectable so tests can force collisions). */
    private readonly nameSuffix: () => string = randomSuffix,
  ) {}

  // ---- reading -------------------------------------------------------------------------------

  /** Decodes a stored value, stamping its resourceVersion and the requested group/version. */
  decode(def: ResourceDef, kv: { value: string; modRev: number }): KObject {
    const obj = JSON.parse(kv.value) as KObject;
    obj.metadata = { ...obj.metadata, resourceVersion: String(kv.modRev) };
    // Custom resources are pruned and defaulted on read too: the schema may have changed since.
    def.custom?.normalize(obj);
    return this.asVersion(def, obj);
  }

  /** Sets apiVersion/kind of the requested group-version (legacy extensions/v1beta1 shares storage). */
  asVersion(def: ResourceDef, obj: KObject): KObject {
    obj.apiVersion = def.group ? `${def.group}/${def.version}` : def.version;
    obj.kind = def.kind;
    return obj;
  }

  getKV(def: ResourceDef, namespace: string, name: string): KV | undefined {
    return this.backend.get(objectKey(def.storageGroup, def.storageResource, def.namespaced ? namespace : '', name));
  }

  get(def: ResourceDef, namespace: string, name: string): KObject {
    const kv = this.getKV(def, namespace, name);
    if (!kv) throw E.notFound(def.resource, def.group, name);
    return this.decode(def, kv);
  }

  /** Lists objects in key order, filtered, with limit/continue pagination over the filtered stream. */
  list(def: ResourceDef, namespace: string, filter: (o: KObject) => boolean, limit = 0, continueToken = ''): ListResult {
    const prefix = collectionPrefix(def.storageGroup, def.storageResource, def.namespaced ? namespace : '');
    let after: string | undefined;
    let rv: number | undefined;
    if (continueToken) {
      const c = decodeContinue(continueToken);
      if (!c || !c.start.startsWith(prefix)) throw E.badRequest('invalid continue token');
      after = c.start; rv = c.rv;
    }
    const items: KObject[] = [];
    const page = 1000;
    let lastKey: string | undefined;
    let listRev = 0;
    for (;;) {
      const r = this.backend.list(prefix, { after, limit: page });
      listRev = r.rev;
      for (const kv of r.kvs) {
        after = kv.key;
        const obj = this.decode(def, kv);
        if (!filter(obj)) continue;
        if (limit > 0 && items.length === limit) {
          return { items, resourceVersion: String(rv ?? listRev), continue: encodeContinue(rv ?? listRev, lastKey!) };
        }
        items.push(obj);
        lastKey = kv.key;
      }
      if (!r.more) break;
    }
    return { items, resourceVersion: String(rv ?? listRev) };
  }

  admissionContext(requestGroupVersion: string): AdmissionContext {
    return {
      requestGroupVersion,
      get: (group, resource, namespace, name) => {
        const def = this.catalog.storageDef(group, resource);
        if (!def) return undefined;
        const kv = this.getKV(def, namespace, name);
        return kv ? this.decode(def, kv) : undefined;
      },
      list: (group, resource, namespace) => {
        const def = this.catalog.storageDef(group, resource);
        return def ? this.list(def, namespace, () => true).items : [];
      },
    };
  }

  // ---- writing -------------------------------------------------------------------------------

  create(def: ResourceDef, namespace: string, body: KObject, opts: WriteOptions = {}): KObject {
    if (def.custom?.terminating) throw new E.ApiError(405, 'MethodNotAllowed', `create not allowed while custom resource definition is terminating`, {});
    const obj = opts.owned ? body : deepCopy(body);
    this.checkTypeMeta(def, obj);
    const meta = mut(obj);
    if (def.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace) {
        throw E.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = namespace || meta.namespace;
      if (!meta.namespace) throw E.badRequest('the namespace of the object must be set');
      this.checkNamespaceWritable(meta.namespace);
    } else {
      delete meta.namespace;
    }
    // Decided before the name is filled in: with an owned body, `body` is the object being changed.
    const generated = !meta.name && !!meta.generateName;
    if (generated) meta.name = this.generateName(meta.generateName!);
    meta.uid = randomUUID();
    meta.creationTimestamp = rfc3339(this.now());
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete (meta as Record<string, unknown>).selfLink;
    const requestedManagedFields = meta.managedFields;
    delete meta.managedFields;

    const ctx = this.admissionContext(apiVersionOf(def));
    const s = def.strategy;
    s.default?.(obj, ctx);
    this.trackFields(def, undefined, obj, requestedManagedFields, '', opts);
    s.prepareForCreate?.(obj, ctx);
    s.admit?.(obj, ctx);
    const errs: FieldError[] = [...validateObjectMeta(obj, { namespaced: def.namespaced, nameValidator: def.custom ? nameIsDNSSubdomain : nameValidatorFor(def.resource) }), ...(s.validate?.(obj, ctx) ?? [])];
    if (errs.length) throw E.invalid(def.kind, def.group, meta.name ?? '', errs);
    opts.warnings?.push(...(s.warnings?.(obj, ctx) ?? []));

    const key = objectKey(def.storageGroup, def.storageResource, meta.namespace ?? '', meta.name!);
    if (opts.dryRun) {
      if (this.backend.get(key)) throw E.alreadyExists(def.resource, def.group, meta.name!);
      return this.asVersion(def, obj);
    }
    // A generated name can collide (5 characters: 1 in 14 million per pair, likely somewhere
    // among thousands of daemon pods); like kube-apiserver's RetryGenerateName, try new names
    // a few times before answering 409.
    let r = this.backend.create(key, this.toStorage(def, obj));
    for (let attempt = 0; !r.ok && generated && attempt < 7; attempt++) {
      meta.name = this.generateName(meta.generateName!);
      r = this.backend.create(objectKey(def.storageGroup, def.storageResource, meta.namespace ?? '', meta.name), this.toStorage(def, obj));
    }
    if (!r.ok) {
      const err = E.alreadyExists(def.resource, def.group, meta.name!);
      if (generated) throw new E.ApiError(409, 'AlreadyExists', `${err.message}, the server was not able to generate a unique name for the object`, { ...err.details, retryAfterSeconds: 1 });
      throw err;
    }
    return this.written(def, obj, r.kv);
  }

  /**
   * The object just stored, as a read would return it, without parsing back what was just
   * serialised: the store owns `obj`, and toStorage only drops resourceVersion (restamped here)
   * and undefined values (which no encoding shows).
   */
  private written(def: ResourceDef, obj: KObject, kv: KV): KObject {
    obj.metadata = { ...obj.metadata, resourceVersion: String(kv.modRev) };
    const out = this.asVersion(def, obj);
    if (apiVersionOf(def) === apiVersionOf(this.catalog.storageDef(def.storageGroup, def.storageResource) ?? def)) this.#encoded.set(out, kv);
    return out;
  }

  /** Objects just written in their storage version → their stored kv, whose text is the response body once stamped. */
  readonly #encoded = new WeakMap<KObject, KV>();

  /**
   * The JSON text of an object create/update just returned, when it is the stored text (storage
   * version): the response then needs no second serialisation. Undefined for anything else.
   */
  encodedWrite(obj: KObject): string | undefined {
    const kv = this.#encoded.get(obj);
    return kv && stampResourceVersion(kv.value, kv.modRev);
  }

  /**
   * PUT semantics for the main resource or a subresource ("status", "finalize"). `fromPatch` marks
   * updates computed by PATCH: their resourceVersion is a precondition only if the patch set it.
   */
  update(def: ResourceDef, namespace: string, name: string, body: KObject, subresource: string, opts: WriteOptions = {}): { obj: KObject; created: boolean } {
    const obj = opts.owned ? body : deepCopy(body);
    this.checkTypeMeta(def, obj);
    const meta = mut(obj);
    if (meta.name !== undefined && meta.name !== name) {
      throw E.badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
    }
    if (def.namespaced && meta.namespace && meta.namespace !== namespace) {
      throw E.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    meta.name = name;
    if (def.namespaced) meta.namespace = namespace; else delete meta.namespace;

    const kv = this.getKV(def, namespace, name);
    if (!kv) throw E.notFound(def.resource, def.group, name);
    // PATCH has just decoded this very revision; decoding it again is a second parse per write.
    const old = opts.current && opts.current.kv.modRev === kv.modRev && opts.current.kv.key === kv.key ? opts.current.obj : this.decode(def, kv);
    const oldMeta = old.metadata!;
    if (meta.resourceVersion) {
      if (meta.resourceVersion !== oldMeta.resourceVersion) throw E.conflict(def.resource, def.group, name);
    } else if (def.strategy.allowUnconditionalUpdate === false) {
      throw E.invalid(def.kind, def.group, name, [{ type: 'FieldValueInvalid', field: 'metadata.resourceVersion', value: 0, detail: 'must be specified for an update', showValue: true }]);
    }
    if (meta.uid && meta.uid !== oldMeta.uid) {
      throw E.conflict(def.resource, def.group, name, `Precondition failed: UID in precondition: ${meta.uid}, UID in object meta: ${oldMeta.uid}`);
    }
    const ctx = this.admissionContext(apiVersionOf(def));
    let next: KObject;
    if (subresource === 'status') {
      // Status writes change .status only; everything else is kept as stored (ResetObjectMetaForStatus).
      next = { ...deepCopy(old), status: obj.status };
      this.trackFields(def, old, next, obj.metadata?.managedFields, subresource, opts);
      def.strategy.prepareForStatusUpdate?.(next, old, ctx);
      const errs = def.strategy.validateStatusUpdate?.(next, old, ctx) ?? [];
      if (errs.length) throw E.invalid(def.kind, def.group, name, errs);
    } else if (subresource && subresource !== 'finalize') {
      const r = def.strategy.subresourceUpdate?.(subresource, obj, old);
      if (!r) throw E.pathNotFound();
      next = r.next;
      this.trackFields(def, old, next, obj.metadata?.managedFields, subresource, opts);
      if (r.errors.length) throw E.invalid(def.kind, def.group, name, r.errors);
    } else if (subresource === 'finalize') {
      next = deepCopy(old);
      (next as { spec?: Record<string, unknown> }).spec = { ...(old.spec as object), finalizers: (obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [] };
      this.trackFields(def, old, next, obj.metadata?.managedFields, subresource, opts);
    } else {
      next = obj;
      const nm = mut(next);
      nm.uid = oldMeta.uid;
      nm.creationTimestamp = oldMeta.creationTimestamp;
      nm.deletionTimestamp = oldMeta.deletionTimestamp;
      nm.deletionGracePeriodSeconds = oldMeta.deletionGracePeriodSeconds;
      if (oldMeta.generation !== undefined) nm.generation = oldMeta.generation; else delete nm.generation;
      if (nm.deletionTimestamp === undefined) delete nm.deletionTimestamp;
      if (nm.deletionGracePeriodSeconds === undefined) delete nm.deletionGracePeriodSeconds;
      const requestedManagedFields = nm.managedFields;
      delete nm.managedFields;
      if (def.subresources.includes('status') && old.status !== undefined) next.status = deepCopy(old.status);
      else if (def.subresources.includes('status')) delete next.status;
      const s = def.strategy;
      s.default?.(next, ctx);
      this.trackFields(def, old, next, requestedManagedFields, '', opts);
      s.prepareForUpdate?.(next, old, ctx);
      s.admit?.(next, ctx);
      const errs: FieldError[] = [
        ...validateObjectMeta(next, { namespaced: def.namespaced, nameValidator: def.custom ? nameIsDNSSubdomain : nameValidatorFor(def.resource) }),
        ...(s.validate?.(next, ctx) ?? []),
        ...(s.validateUpdate?.(next, old, ctx) ?? []),
      ];
      if (oldMeta.deletionTimestamp) {
        const added = (nm.finalizers ?? []).filter((f) => !(oldMeta.finalizers ?? []).includes(f));
        if (added.length) errs.push({ type: 'FieldValueForbidden', field: 'metadata.finalizers', detail: 'no new finalizers can be added if the object is being deleted', showValue: false });
      }
      if (errs.length) throw E.invalid(def.kind, def.group, name, errs);
      opts.warnings?.push(...(s.warnings?.(next, ctx) ?? []));
    }
    return { obj: this.commit(def, kv, next, opts), created: false };
  }

  /** Writes `next` over the stored kv (CAS), skipping no-op writes, and completes deletions whose finalizers are gone. */
  commit(def: ResourceDef, kv: KV, next: KObject, opts: WriteOptions = {}): KObject {
    const stored = this.toStorage(def, next);
    const meta = next.metadata!;
    // An update completes a deletion only once nothing holds it: no finalizers and no grace
    // period still running (ShouldDeleteDuringUpdate). A terminating pod's status writes must not
    // cut its graceful termination short; the kubelet's final DELETE ends it.
    const finished = meta.deletionTimestamp && (meta.finalizers ?? []).length === 0 && !this.hasSpecFinalizers(def, next) &&
      (meta.deletionGracePeriodSeconds ?? 0) === 0;
    if (opts.dryRun) return this.decode(def, { value: stored, modRev: kv.modRev });
    if (finished) {
      const r = this.backend.delete(kv.key, kv.modRev);
      if (!r.ok) throw E.conflict(def.resource, def.group, meta.name!);
      return this.decode(def, { value: stored, modRev: r.rev });
    }
    if (stored === kv.value) return this.decode(def, kv); // no-op: same RV, no watch event
    const r = this.backend.update(kv.key, stored, kv.modRev);
    if (!r.ok) throw E.conflict(def.resource, def.group, meta.name!);
    return this.written(def, next, r.kv);
  }

  delete(def: ResourceDef, namespace: string, name: string, options: DeleteOptions, requestGroupVersion: string): { obj?: KObject; status?: object } {
    const kv = this.getKV(def, namespace, name);
    if (!kv) throw E.notFound(def.resource, def.group, name);
    const obj = this.decode(def, kv);
    const meta = obj.metadata!;
    const pre = options.preconditions;
    if (pre?.uid && pre.uid !== meta.uid) {
      throw E.conflict(def.resource, def.group, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid}`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== meta.resourceVersion) {
      throw E.conflict(def.resource, def.group, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion}`);
    }
    if (!def.group && def.resource === 'namespaces' && undeletableNamespaces.has(name)) {
      throw E.forbidden(`namespaces "${name}" is forbidden: this namespace may not be deleted`, { name, kind: 'namespaces' });
    }
    const dryRun = (options.dryRun ?? []).includes('All');
    const next = deepCopy(obj);
    if (!meta.deletionTimestamp) def.strategy.prepareForDelete?.(next);
    const nm = mut(next);
    const nowMs = this.now();
    let pending = false;

    // Propagation: Orphan and Foreground are carried out by the garbage collector via finalizers.
    const policy = options.propagationPolicy ?? (options.orphanDependents === true ? 'Orphan' : options.orphanDependents === false ? 'Background' : defaultPropagation(requestGroupVersion));
    const finalizers = new Set(nm.finalizers ?? []);
    if (policy === 'Orphan') { finalizers.add('orphan'); finalizers.delete('foregroundDeletion'); }
    if (policy === 'Foreground') { finalizers.add('foregroundDeletion'); finalizers.delete('orphan'); }
    if (finalizers.size) nm.finalizers = [...finalizers];

    // Graceful deletion for pods bound to a node: the kubelet (simulated node) finishes it.
    if (!def.group && def.resource === 'pods') {
      const spec = (next.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
      const phase = (next.status as { phase?: string } | undefined)?.phase;
      let grace = options.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
      if (grace < 0) grace = 1;
      if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') grace = 0;
      if (grace > 0) {
        const deadline = nowMs + grace * 1000;
        const current = meta.deletionTimestamp ? Date.parse(meta.deletionTimestamp) : Infinity;
        if (deadline < current) {
          nm.deletionTimestamp = rfc3339(deadline);
          nm.deletionGracePeriodSeconds = grace;
        }
        pending = true;
      }
    }
    if (!def.group && def.resource === 'namespaces') {
      // Namespaces always terminate through the namespace controller (spec.finalizers "kubernetes").
      (next.status as Record<string, unknown>) = { ...(next.status as object), phase: 'Terminating' };
      if (this.hasSpecFinalizers(def, next)) pending = true;
    }
    if ((nm.finalizers ?? []).length) pending = true;

    if (pending) {
      if (!nm.deletionTimestamp) {
        nm.deletionTimestamp = rfc3339(nowMs);
        nm.deletionGracePeriodSeconds = nm.deletionGracePeriodSeconds ?? 0;
      }
      if (meta.generation !== undefined && !meta.deletionTimestamp) nm.generation = (meta.generation ?? 0) + 1;
      if (dryRun) return { obj: next };
      const stored = this.toStorage(def, next);
      if (stored === kv.value) return { obj };
      const r = this.backend.update(kv.key, stored, kv.modRev);
      if (!r.ok) throw E.conflict(def.resource, def.group, name);
      return { obj: this.decode(def, r.kv) };
    }
    if (!dryRun) {
      const r = this.backend.delete(kv.key, kv.modRev);
      if (!r.ok) throw E.conflict(def.resource, def.group, name);
      mut(obj).resourceVersion = String(r.rev);
    }
    if (returnsDeletedObject.has(def.resource) && !def.group) return { obj };
    return {
      status: {
        kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success',
        details: { name, group: def.group || undefined, kind: def.resource, uid: meta.uid },
      },
    };
  }

  // ---- helpers -------------------------------------------------------------------------------

  /**
   * The one managedFields hook of every write path: `next` gets the managedFields of this write
   * (see trackManagedFields), computed after defaulting (as upstream, whose decoder defaults
   * the request body before the field manager sees it) and before the strategy resets fields.
   */
  private trackFields(def: ResourceDef, old: KObject | undefined, next: KObject, requested: unknown, subresource: string, opts: WriteOptions): void {
    const meta = mut(next);
    const entries = opts.applied ? requested
      : opts.fieldManager === undefined ? old?.metadata?.managedFields
      : trackManagedFields(def, old, next, requested, opts.fieldManager, subresource, this.now());
    if (entries === undefined) delete meta.managedFields;
    else meta.managedFields = entries as Meta['managedFields'];
  }

  private generateName(prefix: string): string {
    return (prefix.length > 58 ? prefix.slice(0, 58) : prefix) + this.nameSuffix();
  }

  private hasSpecFinalizers(def: ResourceDef, obj: KObject): boolean {
    return !def.group && def.resource === 'namespaces' && ((obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []).length > 0;
  }

  private checkTypeMeta(def: ResourceDef, obj: KObject): void {
    const want = apiVersionOf(def);
    if (obj.apiVersion !== undefined && obj.apiVersion !== want) {
      throw E.badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${want})`);
    }
    if (obj.kind !== undefined && obj.kind !== def.kind) {
      throw E.badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${def.kind})`);
    }
    if (typeof obj.metadata !== 'object' && obj.metadata !== undefined) throw E.badRequest('metadata must be an object');
  }

  private checkNamespaceWritable(namespace: string): void {
    const nsDef = this.catalog.storageDef('', 'namespaces');
    if (!nsDef) return;
    const kv = this.getKV(nsDef, '', namespace);
    if (!kv) throw E.notFound('namespaces', '', namespace);
    const ns = JSON.parse(kv.value) as KObject;
    if (ns.metadata?.deletionTimestamp) {
      throw new E.ApiError(403, 'Forbidden', `unable to create new content in namespace ${namespace} because it is being terminated`, {
        name: namespace, kind: 'namespaces',
        causes: [{ reason: 'NamespaceTerminating' as never, message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }],
      });
    }
  }

  /** Stored form: storage group-version, no resourceVersion (it is the key's modRev). */
  private toStorage(def: ResourceDef, obj: KObject): string {
    const storage = this.catalog.storageDef(def.storageGroup, def.storageResource) ?? def;
    const { metadata, apiVersion: _a, kind: _k, ...rest } = obj;
    // managedFields last, as ObjectMeta serialises: where a write path set them must not make a
    // byte-different (so not no-op) value of the same object.
    const { resourceVersion: _rv, managedFields, ...meta } = metadata ?? {};
    const stored = managedFields === undefined ? meta : { ...meta, managedFields };
    return JSON.stringify({ apiVersion: apiVersionOf(storage), kind: storage.kind, metadata: stored, ...rest });
  }
}

export function apiVersionOf(def: { group: string; version: string }): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}

/** apps/v1 cascades by default; the legacy extensions/v1beta1 API orphans (daemonset-controller.md §8.3). */
function defaultPropagation(requestGroupVersion: string): 'Background' | 'Orphan' {
  return requestGroupVersion === 'extensions/v1beta1' || requestGroupVersion === 'apps/v1beta2' ? 'Orphan' : 'Background';
}

function randomSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += generateNameAlphabet[randomInt(generateNameAlphabet.length)];
  return s;
}

function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64url');
}

function decodeContinue(token: string): { rv: number; start: string } | undefined {
  try {
    const c = JSON.parse(Buffer.from(token, 'base64url').toString()) as { rv?: unknown; start?: unknown };
    return typeof c.rv === 'number' && typeof c.start === 'string' ? { rv: c.rv, start: c.start } : undefined;
  } catch { return undefined; }
}

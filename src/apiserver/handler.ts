// The API server core: an ApiRequest in, an ApiResponse or a watch stream out. It knows the
// Kubernetes REST conventions (verbs, subresources, query options, content negotiation) but no
// sockets, so it is tested without a network; server.ts adapts it to node:http.
import { parseYamlText } from './yamltext.js';
import { deepCopy } from '../api/clone.js';
import type { KObject } from '../api/types.js';
import { parseFieldSelector, parseSelector, selectorMatches, SelectorParseError } from '../api/selector.js';
import { fieldGetters, fieldSelectorMatches } from '../api/fieldselector.js';
import * as E from './errors.js';
import type { Catalog, ResourceDef } from './resources/catalog.js';
import { apiVersionOf, Store, type DeleteOptions } from './store.js';
import { parseResourcePath, parseRequestTarget, isTruthyParam, decodeListParams, resourceVersionError, watchTimeoutMs, type ListParams, type RequestInfo } from './routes.js';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, serverVersion } from './discovery.js';
import { translate, translateEncoded, type ApiWatchEvent } from './watch.js';
import { tableConvertorFor, toTable } from './tables.js';
import { healthAnswer, isHealthEndpoint, standardHealthChecks } from './health.js';
import { decodeProtobufObject, ProtobufFormatError, protobufRefusalMediaTypes } from './protobuf.js';
import { applyPatchBody, patchTypes } from './patching.js';
import { collectionPrefix } from './keys.js';
import { builtinSchemas, openapiV3Index } from './openapi/index.js';
import { crdComponentSchemas } from './crd/openapi-schemas.js';
import { OpenAPIDocuments } from './openapi/documents.js';
import { encodeSwaggerProtobuf, OPENAPI_V2_PROTOBUF } from './openapi/v2proto.js';
import { prune } from './crd/schema.js';
import { scaleSubresource } from './crd/scale.js';
import type { TableConvertor } from './tables.js';
import { fieldValidationOutcome, parseFieldValidation, schemaNameFor } from './fieldvalidation.js';
import { podSubresource } from './subresources.js';
import { builtinScaleView } from './resources/scale.js';
import { checkTypes, decodeErrorMessage, exceedsDepth, type TypeMismatch } from './typecheck.js';
import { invalid as invalidField, tooLong, forbidden as forbiddenField, type FieldError } from '../api/fielderrors.js';
import { managerFor, serverSideApply } from './apply/index.js';

/** Every component schema bodies are decoded against: the generated built-ins and the CRD kind's. */
const servedSchemas: Readonly<Record<string, Record<string, unknown>>> = { ...builtinSchemas, ...crdComponentSchemas };

/** The table printer of a served kind: a CRD version's printer columns, else the built-in printer. */
function convertorOf(def: ResourceDef): TableConvertor {
  return def.custom?.table ?? tableConvertorFor(def.storageGroup, def.storageResource);
}

export type { ApiRequest, ApiResponse, ApiResult, WatchResponse, WatchSink } from './exchange.js';
import type { ApiRequest, ApiResponse, ApiResult, WatchResponse, SubresourceHost } from './exchange.js';

const ok = (status: number, body: unknown, warnings: string[] = [], contentType?: string): ApiResponse =>
  ({ kind: 'response', status, body, warnings, contentType });

/** Subresources that read and write part of the stored object itself (the rest are actions). */
const storedSubresources = ['status', 'finalize', 'ephemeralcontainers'];

export class ApiHandler implements SubresourceHost {
  constructor(
    readonly store: Store,
    readonly catalog: Catalog,
    private readonly serverAddress: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** The storage check reads one key, as upstream's etcd check does. */
  private readonly healthChecks = standardHealthChecks(() => { this.store.backend.get('/registry/health'); });

  handle(req: ApiRequest): ApiResult {
    try {
      return this.route(req);
    } catch (err) {
      if (err instanceof E.ApiError) return ok(err.code, err.toStatus());
      const e = E.internal(err);
      return ok(500, e.toStatus());
    }
  }

  private route(req: ApiRequest): ApiResult {
    // Segments are decoded one by one, never the whole path first: "%2e%2e" and "%2F" are names.
    const target = parseRequestTarget(req.path);
    if (target instanceof E.ApiError) throw target;
    const parts = target.segments;
    const p = `/${parts.join('/')}`;
    if (parts.length <= 2 && !parts.some((s) => s.includes('/'))) {
      if (p === '/version') return ok(200, serverVersion);
      if (p === '/api') return ok(200, apiVersions(this.serverAddress));
      if (p === '/apis') return ok(200, apiGroupList(this.catalog));
      if (isHealthEndpoint(parts[0])) {
        const answer = healthAnswer(parts[0], parts[1], req.query, this.healthChecks[parts[0]]);
        if (!answer) throw E.pathNotFound();
        return ok(answer.status, answer.body, [], 'text/plain');
      }
      if (p === '/openapi/v3') return ok(200, this.openapiIndex());
      if (p === '/openapi/v2') {
        // client-go reads only the protobuf form; browsers and curl get JSON.
        if (req.accept.includes('application/com.github.proto-openapi.spec.v2')) {
          return ok(200, this.docs.cached('v2pb', () => encodeSwaggerProtobuf(this.docs.v2() as Record<string, unknown>)), [], OPENAPI_V2_PROTOBUF);
        }
        return ok(200, this.docs.v2());
      }
    }
    if (parts[0] === 'openapi' && parts[1] === 'v3' && parts.length > 2) return this.openapi(parts.slice(2));
    if (parts[0] === 'api' && parts.length === 2) return this.discoveryList('', parts[1]);
    if (parts[0] === 'apis' && parts.length === 2) {
      const g = apiGroup(this.catalog, parts[1]);
      if (!g) throw E.pathNotFound();
      return ok(200, g);
    }
    if (parts[0] === 'apis' && parts.length === 3) return this.discoveryList(parts[1], parts[2]);
    const parsed = parseResourcePath(req.method, { segments: parts, trailingSlash: target.trailingSlash, query: req.query });
    if (!parsed) throw E.pathNotFound();
    if ('error' in parsed) throw parsed.error;
    const info = parsed.info;
    // HEAD is a bodiless GET, but a watch never ends, so it has no bodiless form.
    if (req.method === 'HEAD' && info.verb === 'watch') throw E.methodNotSupported();
    const def = this.catalog.lookup(info.group, info.version, info.resource);
    if (!def) throw E.pathNotFound();
    if (!def.namespaced && info.namespace) throw E.pathNotFound();
    if (info.subresource && !def.subresources.includes(info.subresource)) throw E.pathNotFound();
    const warnings: string[] = def.deprecationWarning ? [def.deprecationWarning] : [];
    return this.resource(req, info, def, warnings);
  }

  private groupVersions(): string[] {
    return [...this.catalog.groups()].flatMap(([g, vs]) => vs.map((v) => (g ? `apis/${g}/${v}` : `api/${v}`)));
  }

  /** OpenAPI documents built from the catalog, rebuilt when it changes (a CRD came or went). */
  #docs: OpenAPIDocuments | undefined;
  private get docs(): OpenAPIDocuments { return (this.#docs ??= new OpenAPIDocuments(this.catalog)); }

  /** kubectl fetches the index before every apply; its hashes are kept until the catalog changes. */
  private openapiIndex(): unknown {
    return this.docs.cached('index', () => openapiV3Index(this.groupVersions().map((x) => x.replace(/^apis?\//, '')), (gv) => this.openapiDoc(gv)));
  }

  private openapiDoc(gv: string): unknown {
    return this.docs.v3(gv);
  }

  private openapi(parts: string[]): ApiResponse {
    const gv = parts[0] === 'api' && parts.length === 2 ? parts[1] : parts[0] === 'apis' && parts.length === 3 ? `${parts[1]}/${parts[2]}` : undefined;
    const doc = this.openapiDoc(gv ?? '');
    if (doc === undefined) throw E.pathNotFound();
    return ok(200, doc);
  }

  private discoveryList(group: string, version: string): ApiResponse {
    const l = apiResourceList(this.catalog, group, version);
    if (!l) throw E.pathNotFound();
    return ok(200, l);
  }

  private resource(req: ApiRequest, info: RequestInfo, def: ResourceDef, warnings: string[]): ApiResult {
    const q = req.query;
    const gv = apiVersionOf(def);
    const dryRun = this.dryRun(def, q);
    const ns = def.namespaced ? info.namespace : '';
    const verb = info.verb;
    if (info.subresource === 'scale') return scaleSubresource(this, req, info, def, warnings, def.custom ? undefined : builtinScaleView);
    if (info.subresource && !storedSubresources.includes(info.subresource)) {
      return podSubresource(this, req, info, def, warnings);
    }
    const allowed = info.subresource === 'status' || info.subresource === 'ephemeralcontainers' ? ['get', 'update', 'patch'] : info.subresource === 'finalize' ? ['update'] : def.verbs;
    if (!allowed.includes(verb)) throw E.methodNotAllowed(verb, info.subresource ? `${def.resource}/${info.subresource}` : def.resource);
    switch (verb) {
      case 'get': {
        const rvError = resourceVersionError(q.get('resourceVersion'));
        if (rvError) throw rvError;
        return this.maybeTable(req, def, [this.store.get(def, ns, info.name)], undefined, warnings, true);
      }
      case 'list': {
        const { limit } = this.checkListOptions(q);
        const res = this.store.list(def, ns, this.filter(def, q), limit, q.get('continue') ?? '');
        return this.maybeTable(req, def, res.items, res, warnings, false);
      }
      case 'watch': return this.watch(req, info, def, warnings);
      case 'create': {
        if (info.name && !info.subresource) throw E.methodNotAllowed('create', def.resource);
        const fieldManager = this.fieldManager(req, 'CreateOptions');
        const body = this.decodeBody(req, def, warnings);
        const obj = this.store.create(def, ns, body, { dryRun, warnings, owned: true, fieldManager });
        return this.written(201, obj, warnings);
      }
      case 'update': {
        const fieldManager = this.fieldManager(req, 'UpdateOptions');
        const body = this.decodeBody(req, def, warnings);
        const { obj } = this.store.update(def, ns, info.name, body, info.subresource, { dryRun, warnings, owned: true, fieldManager });
        return this.written(200, obj, warnings);
      }
      case 'patch': return this.patch(req, info, def, ns, dryRun, warnings);
      case 'delete': {
        const opts = this.deleteOptions(req, q);
        if (dryRun) opts.dryRun = ['All'];
        const r = this.store.delete(def, ns, info.name, opts, gv);
        return ok(200, r.obj ?? r.status, warnings);
      }
      case 'deletecollection': {
        this.checkListOptions(q);
        const opts = this.deleteOptions(req, q);
        if (dryRun) opts.dryRun = ['All'];
        const { items } = this.store.list(def, ns, this.filter(def, q));
        const deleted: KObject[] = [];
        for (const o of items) {
          try {
            const r = this.store.delete(def, o.metadata!.namespace ?? '', o.metadata!.name!, opts, gv);
            deleted.push(r.obj ?? o);
          } catch (err) {
            if (!(err instanceof E.ApiError && err.code === 404)) throw err;
          }
        }
        return ok(200, { kind: def.listKind, apiVersion: gv, metadata: { resourceVersion: String(this.store.backend.currentRevision()) }, items: deleted }, warnings);
      }
    }
  }

  // ---- query and body decoding ---------------------------------------------------------------

  private dryRun(def: ResourceDef, q: URLSearchParams): boolean {
    const vals = q.getAll('dryRun');
    if (vals.length === 0) return false;
    for (const v of vals) {
      if (v !== 'All') throw E.invalid(def.kind, def.group, '', [{ type: 'FieldValueNotSupported', field: 'dryRun', value: v, detail: 'supported values: "All"', showValue: true }]);
    }
    return true;
  }

  /** ListOptions checks shared by list, watch and deletecollection; returns the decoded integers. */
  private checkListOptions(q: URLSearchParams): ListParams {
    const params = decodeListParams(q);
    if (params instanceof E.ApiError) throw params;
    const rvError = resourceVersionError(q.get('resourceVersion'));
    if (rvError) throw rvError;
    const rvm = q.get('resourceVersionMatch');
    if (rvm && !q.get('resourceVersion')) {
      throw new E.ApiError(422, 'Invalid', `ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided`, { kind: 'ListOptions', group: 'meta.k8s.io' });
    }
    if (rvm && q.get('continue')) {
      throw new E.ApiError(422, 'Invalid', `ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for continue`, { kind: 'ListOptions', group: 'meta.k8s.io' });
    }
    return params;
  }

  /** Label and field selector filter for list, watch and deletecollection; bad selectors are 400. */
  filter(def: ResourceDef, q: URLSearchParams): (o: KObject) => boolean {
    return this.selectorFilter(def, q) ?? (() => true);
  }

  /** The request's label and field selectors as a predicate; undefined when there are none. */
  selectorFilter(def: ResourceDef, q: URLSearchParams): ((o: KObject) => boolean) | undefined {
    let labelSel: ReturnType<typeof parseSelector>;
    let fieldReqs: ReturnType<typeof parseFieldSelector>;
    try {
      labelSel = parseSelector(q.get('labelSelector') ?? '');
      fieldReqs = parseFieldSelector(q.get('fieldSelector') ?? '');
    } catch (err) {
      if (err instanceof SelectorParseError) throw E.badRequest(err.message);
      throw err;
    }
    const getters = def.custom?.fieldGetters ?? fieldGetters(def.storageGroup, def.storageResource);
    for (const r of fieldReqs) if (!(r.field in getters)) throw E.badRequest(`field label not supported: ${r.field}`);
    if (labelSel.length === 0 && fieldReqs.length === 0) return undefined;
    return (o) => selectorMatches(labelSel, o.metadata?.labels) && fieldSelectorMatches(fieldReqs, getters, o);
  }

  decodeBody(req: ApiRequest, def: ResourceDef, warnings: string[]): KObject {
    const ct = mediaType(req.contentType);
    let obj: unknown;
    if (ct === 'application/vnd.kubernetes.protobuf') {
      try { obj = decodeProtobufObject(req.body); } catch (err) {
        // Bytes that are not a protobuf message are a bad request; a kind we cannot decode is ours to refuse.
        if (err instanceof ProtobufFormatError) throw E.badRequest(err.message);
        throw E.unsupportedMediaType(protobufRefusalMediaTypes(def));
      }
      if (exceedsDepth(obj)) throw E.badRequest(tooDeep);
    } else if (ct === 'application/json' || ct === '' ) {
      obj = parseJson(req.body);
    } else if (ct === 'application/yaml') {
      obj = parseYaml(req.body);
    } else {
      throw E.unsupportedMediaType(['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']);
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw E.badRequest('Object \'Kind\' is missing in request body');
    this.checkFields(def, obj as KObject, req.query, warnings);
    return obj as KObject;
  }

  /**
   * Decodes `obj` as kube-apiserver decodes a body into its Go struct: a wrongly typed field is
   * refused (how depends on where the object came from, see `typeMismatch`), nulls are
   * normalised, and with fieldValidation=Strict|Warn|Ignore unknown fields are refused, warned
   * about, or dropped silently.
   */
  checkFields(def: ResourceDef, obj: KObject, q: URLSearchParams, warnings: string[], source: BodySource = { from: 'body' }): void {
    const mode = parseFieldValidation(q.get('fieldValidation'));
    if (!mode) {
      throw E.badRequest(`fieldValidation parameter unsupported: ${q.get('fieldValidation')}, expected one of Ignore, Warn, Strict`);
    }
    if (def.custom) {
      // Custom resources: metadata is a typed ObjectMeta (a wrongly typed field is refused, unknown
      // ones dropped, as objectmeta.Coerce does); other fields the schema does not specify are
      // pruned (structural pruning). fieldValidation decides whether dropping is silent, a warning or an error.
      const unknown: string[] = [];
      const m = checkTypes(servedSchemas, 'io.k8s.apimachinery.pkg.apis.meta.v1.PartialObjectMetadata', { metadata: obj.metadata }, (path, parent, key) => { unknown.push(path); delete parent[key]; });
      if (m) throw E.invalid(def.kind, def.group, typeof obj.metadata?.name === 'string' ? obj.metadata.name : '', [{ type: 'FieldValueInvalid', field: 'metadata', detail: m.message, showValue: false }]);
      unknown.push(...(def.custom.schema ? prune(obj, def.custom.schema) : []));
      const outcome = fieldValidationOutcome(mode, unknown);
      if (outcome.error) throw E.badRequest(outcome.error);
      warnings.push(...outcome.warnings);
      return;
    }
    // Subresource bodies (Binding, Eviction) name their own kind in the resource's group-version.
    const kind = typeof obj.kind === 'string' && obj.kind ? obj.kind : def.kind;
    const schema = this.schemaName(def.group, def.version, kind);
    if (!schema) return;
    // One walk: type errors, and unknown fields dropped as decoding into structs drops them.
    const unknown: string[] = [];
    const mismatch = checkTypes(servedSchemas, schema, obj, (path, parent, key) => { unknown.push(path); delete parent[key]; });
    if (mismatch) throw typeMismatch(def, kind, obj, mismatch, source);
    const outcome = fieldValidationOutcome(mode, unknown);
    if (outcome.error) throw E.badRequest(outcome.error);
    warnings.push(...outcome.warnings);
  }

  private readonly schemaNames = new Map<string, string | undefined>();

  private schemaName(group: string, version: string, kind: string): string | undefined {
    const key = `${group}/${version}/${kind}`;
    if (!this.schemaNames.has(key)) this.schemaNames.set(key, schemaNameFor(servedSchemas, group, version, kind));
    return this.schemaNames.get(key);
  }

  private deleteOptions(req: ApiRequest, q: URLSearchParams): DeleteOptions {
    let o: DeleteOptions = {};
    if (req.body.length) {
      const ct = mediaType(req.contentType);
      let body: unknown;
      if (ct === 'application/vnd.kubernetes.protobuf') {
        try { body = decodeProtobufObject(req.body); } catch (err) {
          if (err instanceof ProtobufFormatError) throw E.badRequest(err.message);
          throw E.unsupportedMediaType(['application/json', 'application/vnd.kubernetes.protobuf']);
        }
      } else body = parseJson(req.body);
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw E.badRequest('invalid DeleteOptions');
      // Decoded as kube-apiserver decodes it into metav1.DeleteOptions: a wrongly typed field
      // (dryRun: {}, gracePeriodSeconds: "x") is a 400, never a value the store trips over.
      const mismatch = checkTypes(builtinSchemas, 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions', body);
      if (mismatch) throw E.badRequest(decodeErrorMessage('DeleteOptions', 'v1', mismatch));
      o = body as DeleteOptions;
    }
    const g = q.get('gracePeriodSeconds');
    if (g !== null && o.gracePeriodSeconds === undefined) o.gracePeriodSeconds = Number(g);
    const pp = q.get('propagationPolicy');
    if (pp && !o.propagationPolicy) o.propagationPolicy = pp as DeleteOptions['propagationPolicy'];
    if (o.propagationPolicy && !['Background', 'Foreground', 'Orphan'].includes(o.propagationPolicy)) {
      throw new E.ApiError(422, 'Invalid', `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${o.propagationPolicy}": supported values: "Foreground", "Background", "Orphan", "nil"`, { kind: 'DeleteOptions', group: 'meta.k8s.io' });
    }
    if (q.get('orphanDependents') !== null && o.orphanDependents === undefined) o.orphanDependents = isTruthyParam(q.get('orphanDependents'));
    return o;
  }

  /**
   * The request's field manager (managerOrUserAgent), after ValidateFieldManager; `extra` are
   * the other option errors (PatchOptions' force and fieldManager rules).
   */
  private fieldManager(req: ApiRequest, optionsKind: string, extra: FieldError[] = []): string {
    const given = req.query.get('fieldManager') ?? '';
    const errs = [...extra];
    if (Buffer.byteLength(given) > 128) errs.push(tooLong('fieldManager', given, 128));
    // unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
    const bad = [...given].findIndex((ch) => !/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch));
    if (bad >= 0) {
      const ch = [...given][bad]!;
      const cp = ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
      errs.push(invalidField('fieldManager', given, `invalid character U+${cp} (at position ${Buffer.byteLength([...given].slice(0, bad).join(''))})`));
    }
    if (errs.length) throw E.invalid(optionsKind, 'meta.k8s.io', '', errs);
    return managerFor(given, req.userAgent);
  }

  // ---- patch ---------------------------------------------------------------------------------

  private patch(req: ApiRequest, info: RequestInfo, def: ResourceDef, ns: string, dryRun: boolean, warnings: string[]): ApiResponse {
    const ct = mediaType(req.contentType);
    if (!patchTypes.includes(ct)) throw E.unsupportedMediaType(patchTypes);
    // Custom resources have no Go struct to carry patch strategies, so upstream refuses strategic merge.
    if (def.custom && ct === 'application/strategic-merge-patch+json') throw E.unsupportedMediaType(patchTypes.filter((t) => !t.includes('strategic')));
    // ValidatePatchOptions: server-side apply has to know whose fields these are, and only it may force.
    const isApply = ct === 'application/apply-patch+yaml';
    const optionErrors: FieldError[] = [];
    if (isApply && !req.query.get('fieldManager')) optionErrors.push({ type: 'FieldValueRequired', field: 'fieldManager', detail: 'is required for apply patch', showValue: false });
    if (!isApply && req.query.get('force') !== null) optionErrors.push(forbiddenField('force', 'may not be specified for non-apply patch'));
    const fieldManager = this.fieldManager(req, 'PatchOptions', optionErrors);
    const kv = this.store.getKV(def, ns, info.name);
    if (!kv) {
      if (isApply && !info.subresource) {
        const body = this.patchBodyAsObject(req);
        this.checkFields(def, body, req.query, warnings, { from: 'apply', namespace: ns, name: info.name });
        const applied = this.apply(def, undefined, body, req, info, ns, fieldManager);
        const obj = this.store.create(def, ns, { ...applied, metadata: { ...applied.metadata, name: info.name } }, { dryRun, warnings, owned: true, applied: true });
        return ok(201, obj, warnings);
      }
      throw E.notFound(def.resource, def.group, info.name);
    }
    const current = this.store.decode(def, kv);
    if (ct === 'application/apply-patch+yaml' || ct === 'application/strategic-merge-patch+json') {
      // Both bodies are partial objects of the kind. The field manager converts an applied
      // configuration to a typed object before merging it (a wrongly typed field is a 400), and
      // the strategic merge assumes lists and maps are typed as the schema says; so check first,
      // on a copy: nulls keep their meaning ("remove this field") for the merge. A body that
      // does not parse, or nests too deep, is left to applyPatchBody to refuse in its own words.
      const partial = ct === 'application/apply-patch+yaml' ? this.patchBodyAsObject(req) : parsedOrUndefined(req.body);
      if (typeof partial === 'object' && partial !== null && !Array.isArray(partial) && !exceedsDepth(partial)) {
        const body = partial as KObject;
        const kind = typeof body.kind === 'string' && body.kind ? body.kind : def.kind;
        const schema = this.schemaName(def.group, def.version, kind);
        const m = schema ? checkTypes(servedSchemas, schema, deepCopy(body), undefined, 'refuse') : undefined;
        if (m) {
          throw typeMismatch(def, kind, body, m, ct === 'application/apply-patch+yaml'
            ? { from: 'apply', namespace: ns, name: info.name }
            : { from: 'patch', patch: req.body.toString('utf8') });
        }
      }
    }
    const patched = isApply ? this.apply(def, current, this.patchBodyAsObject(req), req, info, ns, fieldManager) : applyPatchBody(ct, current, req.body, def.custom ? '' : def.kind);
    if (exceedsDepth(patched)) throw E.badRequest(tooDeep);
    this.checkFields(def, patched, req.query, warnings, ct === 'application/apply-patch+yaml'
      ? { from: 'apply', namespace: ns, name: info.name }
      : { from: 'patch', patch: ct === 'application/strategic-merge-patch+json' ? req.body.toString('utf8') : undefined });
    // A patch that sets metadata.resourceVersion makes it a precondition; otherwise it applies to the latest.
    const meta = (patched.metadata ??= {}) as { resourceVersion?: string };
    if (meta.resourceVersion && meta.resourceVersion !== current.metadata!.resourceVersion) throw E.conflict(def.resource, def.group, info.name);
    meta.resourceVersion = current.metadata!.resourceVersion;
    const { obj } = this.store.update(def, ns, info.name, patched, info.subresource, { dryRun, warnings, current: { kv, obj: current }, fieldManager, applied: isApply });
    return this.written(200, obj, warnings);
  }

  /** Server-side apply of an applied configuration (already type-checked) to `live`, or a create. */
  private apply(def: ResourceDef, live: KObject | undefined, config: KObject, req: ApiRequest, info: RequestInfo, ns: string, manager: string): KObject {
    const force = req.query.get('force');
    if (force !== null && force !== 'true' && force !== 'false') throw E.badRequest(`strconv.ParseBool: parsing ${JSON.stringify(force)}: invalid syntax`);
    return serverSideApply(def, live, config, { manager, force: force === 'true', subresource: info.subresource, namespace: ns, name: info.name, nowMs: this.now() });
  }

  /** A create/update response: the stored text when the store has it, so the object is not serialised twice. */
  private written(status: number, obj: KObject, warnings: string[]): ApiResponse {
    return { ...ok(status, obj, warnings), encoded: this.store.encodedWrite(obj) };
  }

  private patchBodyAsObject(req: ApiRequest): KObject {
    const obj = parseYaml(req.body);
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw E.badRequest('invalid apply patch');
    return obj as KObject;
  }

  // ---- output --------------------------------------------------------------------------------

  private wantsTable(req: ApiRequest): boolean {
    return /as=Table/.test(req.accept) && /g=meta\.k8s\.io/.test(req.accept);
  }

  private maybeTable(req: ApiRequest, def: ResourceDef, items: KObject[], list: { resourceVersion: string; continue?: string; remainingItemCount?: number } | undefined, warnings: string[], single: boolean): ApiResponse {
    if (this.wantsTable(req)) {
      const include = (req.query.get('includeObject') ?? 'Metadata') as 'None' | 'Metadata' | 'Object';
      const rv = list?.resourceVersion ?? items[0]?.metadata?.resourceVersion ?? '';
      return ok(200, toTable(convertorOf(def), items, this.now(), {
        resourceVersion: rv, continue: list?.continue, remainingItemCount: list?.remainingItemCount, includeObject: include, includeColumns: true,
      }), warnings);
    }
    if (single) return ok(200, items[0], warnings);
    const meta: Record<string, unknown> = { resourceVersion: list!.resourceVersion };
    if (list!.continue) meta.continue = list!.continue;
    return ok(200, { kind: def.listKind, apiVersion: apiVersionOf(def), metadata: meta, items }, warnings);
  }

  // ---- watch ---------------------------------------------------------------------------------

  private watch(req: ApiRequest, info: RequestInfo, def: ResourceDef, warnings: string[]): WatchResponse {
    const q = req.query;
    const ns = def.namespaced ? info.namespace : '';
    let filter = this.selectorFilter(def, q);
    if (info.name) { const f = filter; filter = (o) => o.metadata?.name === info.name && (!f || f(o)); }
    const rvParam = q.get('resourceVersion') ?? '';
    const { timeoutSeconds } = this.checkListOptions(q);
    if (isTruthyParam(q.get('sendInitialEvents'))) {
      throw new E.ApiError(422, 'Invalid', 'ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is not supported by this server', { kind: 'ListOptions', group: 'meta.k8s.io' });
    }
    const timeoutMs = watchTimeoutMs(timeoutSeconds, Math.random());
    const table = this.wantsTable(req);
    const conv = table ? convertorOf(def) : undefined;
    let columnsSent = false;
    const wrap = (ev: ApiWatchEvent): ApiWatchEvent => {
      if (!conv || ev.type === 'ERROR' || ev.type === 'BOOKMARK') return ev;
      const t = toTable(conv, [ev.object], this.now(), {
        resourceVersion: ev.object.metadata?.resourceVersion ?? '', includeObject: (q.get('includeObject') ?? 'Metadata') as 'Metadata', includeColumns: !columnsSent,
      });
      columnsSent = true;
      return { type: ev.type, object: t as KObject };
    };
    const store = this.store;
    const catalog = this.catalog;
    const prefix = collectionPrefix(def.storageGroup, def.storageResource, ns);
    return {
      kind: 'watch', warnings, timeoutMs, bookmarks: isTruthyParam(q.get('allowWatchBookmarks')),
      bookmark: () => ({ type: 'BOOKMARK', object: { kind: def.kind, apiVersion: apiVersionOf(def), metadata: { resourceVersion: String(store.backend.currentRevision()) } } }),
      start(sink) {
        let from: number;
        let stopped = false;
        const send = (ev: ApiWatchEvent, initial = false) => { if (!stopped && !sink.send(wrap(ev), initial)) { stopped = true; sink.end(); } };
        if (rvParam === '' || rvParam === '0') {
          const { items, resourceVersion } = store.list(def, ns, filter ?? (() => true));
          for (const o of items) send({ type: 'ADDED', object: o }, true);
          from = Number(resourceVersion);
        } else {
          from = Number(rvParam);
        }
        const decode = (value: string, rev: number) => store.decode(def, { value, modRev: rev });
        // Plain JSON in the storage version needs no per-watcher parse or encode (watch.ts).
        const shareable = !conv && def.group === def.storageGroup && !def.custom;
        const w = store.backend.watch(prefix, from, (events) => {
          for (const ev of events) {
            if (stopped) return;
            if (shareable) {
              const out = translateEncoded(ev, filter);
              if (out && !sink.send(out.line)) { stopped = true; sink.end(); }
            } else {
              const out = translate(ev, filter, decode);
              if (out) send(out);
            }
          }
        });
        if ('compacted' in w) {
          const status = E.expired(`too old resource version: ${from} (${w.compacted})`).toStatus();
          sink.send({ type: 'ERROR', object: status as KObject });
          sink.end();
          return () => {};
        }
        // A custom resource's watch ends when its CRD stops being served, as upstream tears its storage down.
        const unsubscribe = def.custom ? catalog.onChange(() => {
          if (stopped || catalog.lookup(def.group, def.version, def.resource)) return;
          stopped = true; w.stop(); unsubscribe?.(); sink.end();
        }) : undefined;
        return () => { stopped = true; w.stop(); unsubscribe?.(); };
      },
    };
  }
}

export function mediaType(ct: string): string {
  return (ct.split(';')[0] ?? '').trim().toLowerCase();
}

/** Where a body being type-checked came from: upstream words a decode error differently for each. */
export type BodySource =
  | { from: 'body' }
  | { from: 'patch'; /** the strategic merge patch as sent (upstream quotes it); else the patched object is quoted */ patch?: string }
  | { from: 'apply'; namespace: string; name: string };

/**
 * The error for a wrongly typed field. A create/update body fails in the decoder (400, as
 * transformDecodeError words it); a JSON/merge/strategic patch result fails to decode into the
 * object (422 on field "patch", as the patcher's applyPatchToCurrentObject reports it); an
 * applied configuration fails to convert to a typed object (400, as the field manager's Apply
 * reports it).
 */
function typeMismatch(def: ResourceDef, kind: string, obj: KObject, m: TypeMismatch, source: BodySource): E.ApiError {
  switch (source.from) {
    case 'body': return E.badRequest(decodeErrorMessage(kind, def.version, m));
    case 'patch': return E.invalid('', '', '', [invalidField('patch', source.patch ?? JSON.stringify(obj), m.message)]);
    case 'apply': {
      const gv = def.group ? `${def.group}/${def.version}` : def.version;
      const nn = source.namespace ? `${source.namespace}/${source.name}` : source.name;
      return E.badRequest(`failed to create typed patch object (${nn}; ${gv}, Kind=${kind}): .${m.path}: ${m.message}`);
    }
  }
}

/** The body as JSON, or undefined when it is not JSON (the caller reports that elsewhere). */
function parsedOrUndefined(body: Buffer): unknown {
  try { return JSON.parse(body.toString('utf8')); } catch { return undefined; }
}

/** encoding/json's nesting limit error, as FindKind reports it for a body that cannot even be scanned. */
export { parseJson } from './bodies.js';
import { parseJson, tooDeep } from './bodies.js';

/**
 * YAML to a JSON value. The yaml package counts alias expansions (maxAliasCount), which stops
 * billion-laughs documents as go-yaml's "excessive aliasing" check does; what it lets through
 * still shares nodes between aliases, so the result is copied into a plain tree (after the
 * depth check, which bounds the copy) before anything mutates it in place.
 */
export function parseYaml(body: Buffer): unknown {
  let v: unknown;
  try { v = parseYamlText(body.toString('utf8')); } catch (err) {
    if (err instanceof ReferenceError && /alias/i.test(err.message)) throw E.badRequest('error converting YAML to JSON: yaml: document contains excessive aliasing');
    // The parser recurses per nesting level; it reports the stack overflow wrapped in its own error.
    if (err instanceof RangeError || /Maximum call stack/.test(String((err as Error).message))) throw E.badRequest('error converting YAML to JSON: yaml: exceeded max depth');
    throw E.badRequest(`error converting YAML to JSON: ${(err as Error).message}`);
  }
  if (exceedsDepth(v)) throw E.badRequest('error converting YAML to JSON: yaml: exceeded max depth');
  return deepCopy(v);
}


// Generates src/apiserver/openapi/schemas.json: OpenAPI v3 component schemas, named the way
// kube-apiserver names them, for the kinds the embedded server serves and every type they reach.
//
// Why we generate instead of vendoring: no npm package ships the upstream OpenAPI documents
// (node20-stack.md §9), but kubernetes-types carries every field's upstream description as a doc
// comment plus literal apiVersion/kind types, which is all `kubectl explain` needs. Integer formats
// (int32/int64) are absent from the .d.ts, so we borrow them from @kubernetes/client-node's model
// metadata (attributeTypeMap) when a matching model class exists.
//
// Run: npx tsx scripts/gen-openapi.ts
import { writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import * as clientNode from '@kubernetes/client-node';

type Schema = Record<string, unknown>;

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..');
const typesDir = dirname(createRequire(import.meta.url).resolve('kubernetes-types/package.json'));
const outFile = join(repo, 'src/apiserver/openapi/schemas.json');

/** kubernetes-types module (path without .d.ts) → upstream OpenAPI name prefix. */
const MODULE_PREFIX: Record<string, string> = {
  'core/v1': 'io.k8s.api.core.v1',
  'apps/v1': 'io.k8s.api.apps.v1',
  'coordination/v1': 'io.k8s.api.coordination.v1',
  'autoscaling/v1': 'io.k8s.api.autoscaling.v1',
  'scheduling/v1': 'io.k8s.api.scheduling.v1',
  'policy/v1': 'io.k8s.api.policy.v1',
  'rbac/v1': 'io.k8s.api.rbac.v1',
  'authentication/v1': 'io.k8s.api.authentication.v1',
  'authorization/v1': 'io.k8s.api.authorization.v1',
  'meta/v1': 'io.k8s.apimachinery.pkg.apis.meta.v1',
  'api/resource': 'io.k8s.apimachinery.pkg.api.resource',
  runtime: 'io.k8s.apimachinery.pkg.runtime',
};

/** Kinds served (and their list kinds), plus meta types the operations refer to. */
const ROOTS: Array<[module: string, names: string[]]> = [
  ['core/v1', ['Namespace', 'Node', 'Pod', 'Event', 'ConfigMap', 'Secret', 'ServiceAccount', 'Service', 'Binding']],
  ['apps/v1', ['DaemonSet', 'ControllerRevision', 'Deployment', 'ReplicaSet']],
  ['autoscaling/v1', ['Scale']],
  ['coordination/v1', ['Lease']],
  ['scheduling/v1', ['PriorityClass']],
  ['policy/v1', ['PodDisruptionBudget', 'Eviction']],
  ['rbac/v1', ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']],
  ['authentication/v1', ['TokenRequest', 'TokenReview', 'SelfSubjectReview']],
  ['authorization/v1', ['SelfSubjectAccessReview', 'SelfSubjectRulesReview', 'SubjectAccessReview', 'LocalSubjectAccessReview']],
  ['meta/v1', ['Status', 'DeleteOptions']],
];

const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

/** Types whose wire form is not what their TypeScript alias says; described by hand. */
const SPECIAL: Record<string, Schema> = {
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': { type: 'string', format: 'date-time' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': { type: 'string', format: 'date-time' },
  // YAML lets users write `cpu: 1` or `cpu: 0.5`, so a Quantity may arrive as a number.
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { oneOf: [{ type: 'string' }, { type: 'number' }] },
  // Empty interfaces in the .d.ts are free-form JSON objects on the wire.
  'io.k8s.apimachinery.pkg.runtime.RawExtension': { type: 'object' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1': { type: 'object' },
};

const INT_OR_STRING_SCHEMA: Schema = {
  description:
    'IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.',
  // No `type`, like upstream's oneOf: `kubectl explain` then shows the name <IntOrString>.
  oneOf: [{ type: 'integer' }, { type: 'string' }],
  format: 'int-or-string',
  'x-kubernetes-int-or-string': true,
};

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

class Generator {
  readonly schemas: Record<string, Schema> = {};
  readonly #decls = new Map<string, ts.InterfaceDeclaration | ts.TypeAliasDeclaration>();
  readonly #pending: string[] = [];

  constructor(private readonly program: ts.Program, private readonly checker: ts.TypeChecker) {
    for (const sf of program.getSourceFiles()) {
      const prefix = this.#prefixOf(sf.fileName);
      if (!prefix) continue;
      for (const st of sf.statements) {
        if (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) this.#decls.set(`${prefix}.${st.name.text}`, st);
      }
    }
  }

  #prefixOf(fileName: string): string | undefined {
    const rel = relative(typesDir, fileName).replace(/\\/g, '/').replace(/\.d\.ts$/, '');
    return MODULE_PREFIX[rel];
  }

  /** Upstream name of the declaration a type reference points at (following imports). */
  #nameOf(node: ts.EntityName): string {
    let sym = this.checker.getSymbolAtLocation(node);
    if (sym && sym.flags & ts.SymbolFlags.Alias) sym = this.checker.getAliasedSymbol(sym);
    const decl = sym?.declarations?.[0];
    const prefix = decl && this.#prefixOf(decl.getSourceFile().fileName);
    if (!sym || !prefix) throw new Error(`unmapped type reference ${node.getText()} in ${node.getSourceFile().fileName}`);
    return `${prefix}.${sym.name}`;
  }

  add(name: string): void {
    if (name in this.schemas || this.#pending.includes(name)) return;
    this.#pending.push(name);
  }

  run(): void {
    for (let name = this.#pending.shift(); name !== undefined; name = this.#pending.shift()) {
      if (name in this.schemas) continue;
      this.schemas[name] = this.#build(name);
    }
  }

  #build(name: string): Schema {
    if (name === INT_OR_STRING) return INT_OR_STRING_SCHEMA;
    const decl = this.#decls.get(name);
    if (!decl) throw new Error(`no declaration for ${name}`);
    const description = this.#doc(decl.name);
    if (SPECIAL[name]) return withDescription(SPECIAL[name], description);
    if (!ts.isInterfaceDeclaration(decl)) throw new Error(`unsupported type alias ${name}`);
    const properties: Record<string, Schema> = {};
    const required: string[] = [];
    let apiVersion: string | undefined;
    let kind: string | undefined;
    for (const member of decl.members) {
      if (!ts.isPropertySignature(member) || !member.type) continue;
      const prop = propertyName(member.name);
      if (!member.questionToken) required.push(prop);
      if (prop === 'apiVersion') apiVersion = stringLiteralOf(member.type);
      if (prop === 'kind') kind = stringLiteralOf(member.type);
      const schema = this.#schemaOf(member.type, `${name}.${prop}`);
      properties[prop] = withDescription(schema, this.#doc(member.name));
    }
    const out: Schema = { description, type: 'object', properties };
    if (required.length) out.required = required.sort();
    if (apiVersion && kind) out['x-kubernetes-group-version-kind'] = [gvkOf(apiVersion, kind)];
    return out;
  }

  /** Schema for a property's type. A $ref is wrapped in allOf, as upstream v3 does, so the
   * sibling `description` is not ignored (OpenAPI 3.0 ignores siblings of a bare $ref). */
  #schemaOf(node: ts.TypeNode, where: string): Schema {
    if (node.kind === ts.SyntaxKind.StringKeyword) return { type: 'string' };
    if (node.kind === ts.SyntaxKind.BooleanKeyword) return { type: 'boolean' };
    if (node.kind === ts.SyntaxKind.NumberKeyword) return { type: 'integer', ...this.#intFormat(where) };
    if (ts.isLiteralTypeNode(node) && ts.isStringLiteral(node.literal)) return { type: 'string' };
    if (ts.isUnionTypeNode(node)) {
      const kinds = node.types.map((t) => t.kind).sort();
      if (kinds.length === 2 && kinds[0] === ts.SyntaxKind.NumberKeyword && kinds[1] === ts.SyntaxKind.StringKeyword) {
        this.add(INT_OR_STRING);
        return { allOf: [ref(INT_OR_STRING)] };
      }
      throw new Error(`unsupported union at ${where}`);
    }
    if (ts.isArrayTypeNode(node)) return { type: 'array', items: this.#itemOf(node.elementType, where) };
    if (ts.isTypeReferenceNode(node)) {
      if (ts.isIdentifier(node.typeName) && node.typeName.text === 'Array' && node.typeArguments?.length === 1) {
        return { type: 'array', items: this.#itemOf(node.typeArguments[0], where) };
      }
      const target = this.#nameOf(node.typeName);
      this.add(target);
      return { allOf: [ref(target)] };
    }
    if (ts.isTypeLiteralNode(node)) {
      const index = node.members.find(ts.isIndexSignatureDeclaration);
      if (index?.type && node.members.length === 1) return { type: 'object', additionalProperties: this.#itemOf(index.type, where) };
    }
    throw new Error(`unsupported type ${ts.SyntaxKind[node.kind]} at ${where}`);
  }

  /** Array items and map values: a bare $ref is fine there (no description to keep). */
  #itemOf(node: ts.TypeNode, where: string): Schema {
    const s = this.#schemaOf(node, where);
    const all = s.allOf as Schema[] | undefined;
    return all && Object.keys(s).length === 1 ? all[0] : s;
  }

  #doc(node: ts.Node): string | undefined {
    const sym = this.checker.getSymbolAtLocation(node);
    const text = sym ? ts.displayPartsToString(sym.getDocumentationComment(this.checker)).trim() : '';
    return text || undefined;
  }

  /** int32/int64 from @kubernetes/client-node's attributeTypeMap, when the model exists. */
  #intFormat(where: string): { format?: string } {
    const parts = where.split('.');
    const prop = parts.pop()!;
    const type = parts.pop()!;
    const group = parts.at(-2) ?? '';
    const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
    const models = clientNode as unknown as Record<string, { attributeTypeMap?: Array<{ baseName: string; format: string }> }>;
    for (const cls of [`V1${type}`, `${cap(group)}V1${type}`]) {
      const attr = models[cls]?.attributeTypeMap?.find((a) => a.baseName === prop);
      if (attr?.format) return { format: attr.format };
    }
    return {};
  }
}

function propertyName(name: ts.PropertyName): string {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name)) return name.text;
  throw new Error(`unsupported property name ${name.getText()}`);
}

function stringLiteralOf(node: ts.TypeNode): string | undefined {
  return ts.isLiteralTypeNode(node) && ts.isStringLiteral(node.literal) ? node.literal.text : undefined;
}

function gvkOf(apiVersion: string, kind: string): { group: string; version: string; kind: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion, kind } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1), kind };
}

function withDescription(schema: Schema, description: string | undefined): Schema {
  return description ? { description, ...schema } : { ...schema };
}

/**
 * The legacy extensions/v1beta1 DaemonSet family: a copy of apps/v1's, renamed, with the old
 * `spec.templateGeneration` field. Refs inside the family point at the copies.
 */
function legacyDaemonSet(schemas: Record<string, Schema>): Record<string, Schema> {
  const from = 'io.k8s.api.apps.v1.';
  const to = 'io.k8s.api.extensions.v1beta1.';
  const family = new Set(Object.keys(schemas).filter((n) => /^io\.k8s\.api\.apps\.v1\.(DaemonSet|RollingUpdateDaemonSet)/.test(n)));
  const rename = (n: string) => to + n.slice(from.length);
  const rewrite = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(rewrite);
    if (v === null || typeof v !== 'object') return v;
    const out: Schema = {};
    for (const [k, x] of Object.entries(v)) {
      const target = k === '$ref' && typeof x === 'string' ? x.slice('#/components/schemas/'.length) : undefined;
      if (target && family.has(target)) out[k] = ref(rename(target)).$ref;
      else if (k === 'x-kubernetes-group-version-kind') out[k] = (x as Array<{ kind: string }>).map((g) => ({ group: 'extensions', version: 'v1beta1', kind: g.kind }));
      else out[k] = rewrite(x);
    }
    return out;
  };
  const copied: Record<string, Schema> = {};
  for (const n of family) copied[rename(n)] = rewrite(schemas[n]) as Schema;
  const spec = copied[`${to}DaemonSetSpec`].properties as Record<string, Schema>;
  spec.templateGeneration = {
    description: 'DEPRECATED. A sequence number representing a specific generation of the template. Populated by the system. It can be set only during the creation.',
    type: 'integer',
    format: 'int64',
  };
  return copied;
}

function main(): void {
  const rootFiles = Object.keys(MODULE_PREFIX).map((m) => join(typesDir, `${m}.d.ts`));
  const program = ts.createProgram(rootFiles, { noEmit: true, skipLibCheck: true });
  const gen = new Generator(program, program.getTypeChecker());
  for (const [module, names] of ROOTS) {
    for (const n of names) {
      gen.add(`${MODULE_PREFIX[module]}.${n}`);
      // List kinds let the list operation name its response type, like upstream.
      if (program.getSourceFile(join(typesDir, `${module}.d.ts`))?.statements.some((s) => ts.isInterfaceDeclaration(s) && s.name.text === `${n}List`)) {
        gen.add(`${MODULE_PREFIX[module]}.${n}List`);
      }
    }
  }
  gen.run();
  const all = { ...gen.schemas, ...legacyDaemonSet(gen.schemas) };
  const sorted = Object.fromEntries(Object.keys(all).sort().map((k) => [k, all[k]]));
  const json = JSON.stringify(sorted);
  writeFileSync(outFile, json + '\n');
  console.log(`wrote ${relative(repo, outFile)}: ${Object.keys(sorted).length} schemas, ${json.length} bytes`);
}

main();

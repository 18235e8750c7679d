// Generates src/apiserver/protobuf/schema.generated.ts: the field-number table the protobuf body
// decoder walks, for every kind the embedded server accepts and every message those kinds reach.
//
// Why generated: field numbers are facts of upstream's generated.proto files; copying them by hand
// for PodSpec and friends is how a number ends up wrong. The .proto gives the wire shape (number,
// scalar type, repeated, map); the Go structs of the same package give what the JSON form needs
// and the .proto cannot say: the JSON name, whether a zero value on the wire must survive (Go
// pointers and fields without `omitempty`) and whether the field is inlined (`json:",inline"`).
// Nothing upstream is vendored: the script reads a local clone of k8s.io/api and
// k8s.io/apimachinery at the tag matching the kubectl we target.
//
// Run: npx tsx scripts/gen-protobuf-schema.ts --api <k8s.io/api git dir> --apimachinery <git dir> [--ref v0.32.9] [--check true]
// (--check true compares with the checked-in table instead of writing it, exiting 1 on a difference.)
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outFile = join(resolve(here, '..'), 'src/apiserver/protobuf/schema.generated.ts');

const args = new Map<string, string>();
for (let i = 2; i + 1 < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1]!);
const ref = args.get('ref') ?? 'v0.32.9';
const repos = { api: args.get('api'), apimachinery: args.get('apimachinery') };
if (!repos.api || !repos.apimachinery) {
  console.error('usage: gen-protobuf-schema.ts --api <git dir> --apimachinery <git dir> [--ref v0.32.9]');
  process.exit(2);
}

/** The kinds a client may POST/PUT as protobuf, keyed "apiVersion/kind" (core: "v1/Kind"). */
const ROOTS: Record<string, string> = {
  'v1/Namespace': 'k8s.io.api.core.v1.Namespace',
  'v1/Node': 'k8s.io.api.core.v1.Node',
  'v1/Pod': 'k8s.io.api.core.v1.Pod',
  'v1/Binding': 'k8s.io.api.core.v1.Binding',
  'v1/Event': 'k8s.io.api.core.v1.Event',
  'v1/ConfigMap': 'k8s.io.api.core.v1.ConfigMap',
  'v1/Secret': 'k8s.io.api.core.v1.Secret',
  'v1/ServiceAccount': 'k8s.io.api.core.v1.ServiceAccount',
  'v1/Service': 'k8s.io.api.core.v1.Service',
  'apps/v1/DaemonSet': 'k8s.io.api.apps.v1.DaemonSet',
  'apps/v1/ControllerRevision': 'k8s.io.api.apps.v1.ControllerRevision',
  'apps/v1/Deployment': 'k8s.io.api.apps.v1.Deployment',
  'apps/v1/ReplicaSet': 'k8s.io.api.apps.v1.ReplicaSet',
  'extensions/v1beta1/DaemonSet': 'k8s.io.api.extensions.v1beta1.DaemonSet',
  'coordination.k8s.io/v1/Lease': 'k8s.io.api.coordination.v1.Lease',
  'scheduling.k8s.io/v1/PriorityClass': 'k8s.io.api.scheduling.v1.PriorityClass',
  'policy/v1/PodDisruptionBudget': 'k8s.io.api.policy.v1.PodDisruptionBudget',
  'policy/v1/Eviction': 'k8s.io.api.policy.v1.Eviction',
  'rbac.authorization.k8s.io/v1/Role': 'k8s.io.api.rbac.v1.Role',
  'rbac.authorization.k8s.io/v1/ClusterRole': 'k8s.io.api.rbac.v1.ClusterRole',
  'rbac.authorization.k8s.io/v1/RoleBinding': 'k8s.io.api.rbac.v1.RoleBinding',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': 'k8s.io.api.rbac.v1.ClusterRoleBinding',
  'authentication.k8s.io/v1/TokenRequest': 'k8s.io.api.authentication.v1.TokenRequest',
  'authentication.k8s.io/v1/TokenReview': 'k8s.io.api.authentication.v1.TokenReview',
  'authentication.k8s.io/v1/SelfSubjectReview': 'k8s.io.api.authentication.v1.SelfSubjectReview',
  'authorization.k8s.io/v1/SelfSubjectAccessReview': 'k8s.io.api.authorization.v1.SelfSubjectAccessReview',
  'authorization.k8s.io/v1/SelfSubjectRulesReview': 'k8s.io.api.authorization.v1.SelfSubjectRulesReview',
  'authorization.k8s.io/v1/SubjectAccessReview': 'k8s.io.api.authorization.v1.SubjectAccessReview',
  'authorization.k8s.io/v1/LocalSubjectAccessReview': 'k8s.io.api.authorization.v1.LocalSubjectAccessReview',
  'autoscaling/v1/Scale': 'k8s.io.api.autoscaling.v1.Scale',
  // Registered in every group-version; the decoder accepts it under any apiVersion.
  '*/DeleteOptions': 'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions',
};

/** Messages with a JSON form of their own (custom MarshalJSON); the decoder knows each by name. */
const WELL_KNOWN = new Set([
  'k8s.io.apimachinery.pkg.apis.meta.v1.Time', 'k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime',
  'k8s.io.apimachinery.pkg.apis.meta.v1.Duration', 'k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1',
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString', 'k8s.io.apimachinery.pkg.api.resource.Quantity',
  'k8s.io.apimachinery.pkg.runtime.RawExtension',
]);

interface ProtoField { no: number; name: string; type: string; repeated: boolean; map?: [string, string] }
interface GoField { json: string; omitempty: boolean; pointer: boolean; inline: boolean }

const SCALARS = new Set(['string', 'bytes', 'bool', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'double', 'float', 'fixed32', 'fixed64']);

function git(repo: string, ...a: string[]): string {
  return execFileSync('git', ['--git-dir', repo, ...a], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

/** Proto package → [git dir, directory inside it]. */
function locate(pkg: string): [string, string] {
  if (pkg.startsWith('k8s.io.api.')) return [repos.api!, pkg.slice('k8s.io.api.'.length).replaceAll('.', '/')];
  if (pkg.startsWith('k8s.io.apimachinery.')) return [repos.apimachinery!, pkg.slice('k8s.io.apimachinery.'.length).replaceAll('.', '/')];
  throw new Error(`no repository for package ${pkg}`);
}

const protoCache = new Map<string, Map<string, ProtoField[]>>();
function protoMessages(pkg: string): Map<string, ProtoField[]> {
  const cached = protoCache.get(pkg);
  if (cached) return cached;
  const [repo, dir] = locate(pkg);
  const text = git(repo, 'show', `${ref}:${dir}/generated.proto`);
  const out = new Map<string, ProtoField[]>();
  let current: ProtoField[] | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    let m: RegExpMatchArray | null;
    if ((m = line.match(/^message (\w+) \{$/))) out.set(m[1]!, current = []);
    else if (line === '}') current = undefined;
    else if (current && (m = line.match(/^map<(\S+), (\S+)> (\w+) = (\d+);$/))) {
      current.push({ no: Number(m[4]), name: m[3]!, type: 'map', repeated: false, map: [qualify(pkg, m[1]!), qualify(pkg, m[2]!)] });
    } else if (current && (m = line.match(/^(optional|repeated|required) (\S+) (\w+) = (\d+);$/))) {
      current.push({ no: Number(m[4]), name: m[3]!, type: qualify(pkg, m[2]!), repeated: m[1] === 'repeated' });
    } else if (current && line) throw new Error(`${pkg}: cannot parse proto line: ${raw}`);
  }
  protoCache.set(pkg, out);
  return out;
}

function qualify(pkg: string, type: string): string {
  if (SCALARS.has(type)) return type;
  return type.startsWith('.') ? type.slice(1) : `${pkg}.${type}`;
}

const goCache = new Map<string, Map<string, Map<number, GoField>>>();
/** Go struct name → protobuf field number → JSON facts, from every non-test .go file of the package. */
function goStructs(pkg: string): Map<string, Map<number, GoField>> {
  const cached = goCache.get(pkg);
  if (cached) return cached;
  const [repo, dir] = locate(pkg);
  const files = git(repo, 'ls-tree', '--name-only', `${ref}:${dir}`).split('\n')
    .filter((f) => f.endsWith('.go') && !f.endsWith('_test.go') && !f.startsWith('zz_') && f !== 'generated.pb.go');
  const out = new Map<string, Map<number, GoField>>();
  for (const f of files) {
    let current: Map<number, GoField> | undefined;
    for (const line of git(repo, 'show', `${ref}:${dir}/${f}`).split('\n')) {
      let m: RegExpMatchArray | null;
      if ((m = line.match(/^type (\w+) struct \{/))) out.set(m[1]!, current = new Map());
      else if (line.startsWith('}')) current = undefined;
      else if (current && (m = line.match(/^\t(\*?[\w.]+)(?:\s+([^\s`]+))?\s+`([^`]*)`/))) {
        const goType = m[2] ?? m[1]!;
        const tag = m[3]!;
        const pb = tag.match(/protobuf:"[a-z0-9]+,(\d+),/);
        const json = tag.match(/json:"([^"]*)"/);
        if (!pb || !json) continue;
        const [name = '', ...opts] = json[1]!.split(',');
        current.set(Number(pb[1]), { json: name, omitempty: opts.includes('omitempty'), pointer: goType.startsWith('*'), inline: opts.includes('inline') });
      }
    }
  }
  goCache.set(pkg, out);
  return out;
}

/** Short names keep the generated table readable: k8s.io.api.core.v1.Pod → core.v1.Pod. */
function short(full: string): string {
  return full.replace(/^k8s\.io\.api\./, '').replace(/^k8s\.io\.apimachinery\.pkg\.(apis\.)?/, '');
}

function split(full: string): [string, string] {
  const i = full.lastIndexOf('.');
  return [full.slice(0, i), full.slice(i + 1)];
}

// Flags: 1 repeated, 2 keep a zero value, 4 inline (its fields belong to the parent in JSON).
type Row = [number, string, string, number];
const tables = new Map<string, Row[]>();
const lists = new Set<string>();
const queue = [...Object.values(ROOTS)];
while (queue.length) {
  const full = queue.shift()!;
  if (tables.has(short(full)) || lists.has(short(full)) || WELL_KNOWN.has(full)) continue;
  const [pkg, name] = split(full);
  const fields = protoMessages(pkg).get(name);
  if (!fields) throw new Error(`message ${full} not found`);
  const go = goStructs(pkg).get(name);
  if (!go) {
    // A named slice type (e.g. authentication ExtraValue []string): go-to-protobuf wraps it in a
    // message of one repeated `items` field, while its JSON is the bare array.
    if (fields.length === 1 && fields[0]!.name === 'items' && fields[0]!.repeated) { lists.add(short(full)); continue; }
    throw new Error(`no Go struct for ${full}`);
  }
  const rows: Row[] = [];
  for (const f of fields) {
    const g = go.get(f.no);
    if (!g) throw new Error(`${full}.${f.name} (${f.no}) has no Go field`);
    const typeName = (t: string) => (SCALARS.has(t) ? t : short(t));
    let type: string;
    if (f.map) {
      type = `map:${typeName(f.map[0])}:${typeName(f.map[1])}`;
      if (!SCALARS.has(f.map[1])) queue.push(f.map[1]);
    } else {
      type = typeName(f.type);
      if (!SCALARS.has(f.type)) queue.push(f.type);
    }
    const flags = (f.repeated ? 1 : 0) | (g.pointer || !g.omitempty ? 2 : 0) | (g.inline ? 4 : 0);
    rows.push([f.no, g.inline ? f.name : g.json, type, flags]);
  }
  tables.set(short(full), rows);
}

const kinds = Object.fromEntries(Object.entries(ROOTS).map(([k, v]) => [k, short(v)]));
const body = [...tables.keys()].sort().map((k) => `  '${k}': [${tables.get(k)!.map((r) => JSON.stringify(r).replaceAll('"', "'")).join(', ')}],`);
const generated = `// Generated by scripts/gen-protobuf-schema.ts from k8s.io/api and k8s.io/apimachinery ${ref}. Do not edit.
// Row: [field number, JSON name, type, flags]; flags: 1 repeated, 2 keep zero value, 4 inline.
// type: a scalar, a message name (a key below or a well-known type), or map:<key type>:<value type>.
export type FieldRow = readonly [number, string, string, number];

export const SOURCE_REF = '${ref}';

export const KINDS: Readonly<Record<string, string>> = ${JSON.stringify(kinds, null, 2).replaceAll('"', "'")};

/** Named slice types whose JSON is the bare array of their \`items\`. */
export const LISTS: ReadonlySet<string> = new Set(${JSON.stringify([...lists].sort()).replaceAll('"', "'")});

export const MESSAGES: Readonly<Record<string, readonly FieldRow[]>> = {
${body.join('\n')}
};
`;
if (args.get('check') === 'true') {
  const same = readFileSync(outFile, 'utf8') === generated;
  console.log(same ? `${outFile} is up to date` : `${outFile} differs from what ${ref} generates; rerun without --check`);
  process.exit(same ? 0 : 1);
}
writeFileSync(outFile, generated);
console.log(`wrote ${outFile}: ${tables.size} messages, ${Object.keys(kinds).length} kinds`);

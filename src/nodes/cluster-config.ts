// The cluster file (`everynode up --config cluster.yaml`): node pools and how their pods behave.
// Parsed with yaml, validated with zod; every error is one line naming the file position and field path.
import { readFileSync } from 'node:fs';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { parseQuantity } from '../api/quantity.js';
import { isDNS1123Label, isQualifiedName, isValidLabelValue } from '../api/validation.js';
import { hostAddress, hostCount, overlaps, parseIPv4Cidr, type Cidr } from '../kcm/ipam/cidr.js';
import { maskSizeProblem } from '../kcm/ipam/cidrset.js';

const quantity = z.union([z.string(), z.number()]).transform((v) => String(v))
  .refine((v) => parseQuantity(v) !== undefined && !v.startsWith('-'), { error: (i) => `invalid quantity ${JSON.stringify(String(i.input))}` });

const ms = z.number().nonnegative();
/** A delay distribution in milliseconds; a bare number means a constant. */
export const DelaySchema = z.union([
  ms.transform((constant) => ({ constant })),
  z.strictObject({ constant: ms }),
  z.strictObject({ uniform: z.strictObject({ min: ms, max: ms }).refine((u) => u.max >= u.min, { error: 'max must be >= min' }) }),
  z.strictObject({ normal: z.strictObject({ mean: ms, stddev: ms }) }),
]);
export type Delay = { constant: number } | { uniform: { min: number; max: number } } | { normal: { mean: number; stddev: number } };

const labels = z.record(z.string(), z.string()).superRefine((m, ctx) => {
  for (const [k, v] of Object.entries(m)) {
    const errs = [...isQualifiedName(k).map((e) => `key ${JSON.stringify(k)}: ${e}`), ...isValidLabelValue(v).map((e) => `value ${JSON.stringify(v)}: ${e}`)];
    if (errs.length) ctx.addIssue({ code: 'custom', path: [k], message: errs[0] });
  }
});

const TaintSchema = z.strictObject({
  key: z.string().refine((k) => isQualifiedName(k).length === 0, { error: 'invalid taint key' }),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
});

const ipv4Cidr = z.string().superRefine((v, ctx) => {
  const c = parseIPv4Cidr(v);
  if ('error' in c) ctx.addIssue({ code: 'custom', message: c.error });
});

const regex = z.string().refine((r) => { try { new RegExp(r); return true; } catch { return false; } }, { error: 'invalid regular expression' });

/** One behaviour rule: which images it applies to and what their containers do. */
const RuleSchema = z.strictObject({
  image: z.string().min(1).optional(),            // glob: * matches any run, ? one character
  imageRegex: regex.optional(),
  pullError: z.enum(['ErrImagePull', 'InvalidImageName']).optional(),
  crashLoop: z.strictObject({ after: DelaySchema.default({ constant: 5000 }), exitCode: z.number().int().min(1).max(255).default(1) }).optional(),
  exit: z.strictObject({ after: DelaySchema.default({ constant: 5000 }), exitCode: z.number().int().min(0).max(255).default(0) }).optional(),
  neverReady: z.literal(true).optional(),
}).superRefine((r, ctx) => {
  if ((r.image === undefined) === (r.imageRegex === undefined)) ctx.addIssue({ code: 'custom', message: 'exactly one of image or imageRegex is required' });
  const actions = (['pullError', 'crashLoop', 'exit', 'neverReady'] as const).filter((a) => r[a] !== undefined);
  if (actions.length !== 1) ctx.addIssue({ code: 'custom', message: 'exactly one of pullError, crashLoop, exit or neverReady is required' });
});
export type BehaviourRule = z.infer<typeof RuleSchema>;

const BehaviourSchema = z.strictObject({
  startupDelay: DelaySchema.default({ uniform: { min: 500, max: 1500 } }),
  readinessDelay: DelaySchema.default({ uniform: { min: 1000, max: 3000 } }),
  rules: z.array(RuleSchema).default([]),
});
export type PodBehaviour = z.infer<typeof BehaviourSchema>;

const CapacitySchema = z.strictObject({
  cpu: quantity.default('4'),
  memory: quantity.default('16Gi'),
  pods: quantity.default('110'),
  'ephemeral-storage': quantity.default('100Gi'),
}).catchall(quantity); // extended resources, e.g. example.com/gpu

const PoolSchema = z.strictObject({
  name: z.string().refine((n) => isDNS1123Label(n).length === 0, { error: 'must be a DNS label (lowercase letters, digits, -)' }),
  // No cap of its own: the fleet is bounded by nodeAddressCIDR (checked below) and memory.
  count: z.number().int().min(0),
  namePrefix: z.string().optional(),
  labels: labels.default({}),
  annotations: z.record(z.string(), z.string()).default({}),
  taints: z.array(TaintSchema).default([]),
  capacity: CapacitySchema.default({ cpu: '4', memory: '16Gi', pods: '110', 'ephemeral-storage': '100Gi' }),
  os: z.string().default('linux'),
  arch: z.string().default('amd64'),
  pods: BehaviourSchema.default({ startupDelay: { uniform: { min: 500, max: 1500 } }, readinessDelay: { uniform: { min: 1000, max: 3000 } }, rules: [] }),
}).transform((p) => ({ ...p, namePrefix: p.namePrefix ?? p.name }));
export type Pool = z.infer<typeof PoolSchema>;

export const ClusterConfigSchema = z.strictObject({
  apiVersion: z.literal('everynode.dev/v1alpha1').optional(),
  kind: z.literal('Cluster').optional(),
  /** How often simulated kubelets renew their Lease (jittered by the shell). */
  heartbeatIntervalMs: ms.default(10_000),
  /** kube-controller-manager --node-monitor-grace-period. */
  nodeMonitorGracePeriodMs: ms.default(40_000),
  /**
   * Cap on the whole fleet's Lease renewals per second. Beyond it a large fleet renews less often
   * and the grace period grows with it, so that thousands of idle simulated nodes stay cheap.
   */
  maxLeaseRenewalsPerSecond: z.number().positive().default(100),
  /**
   * kube-controller-manager --cluster-cidr: the range the node IPAM controller cuts into one pod
   * CIDR per node. The default's 65,536 /24 blocks (upstream's default mask) fit 65,536 nodes.
   */
  clusterCIDR: ipv4Cidr.default('10.0.0.0/8'),
  /** kube-controller-manager --node-cidr-mask-size: the prefix length of each node's pod CIDR. */
  nodeCIDRMaskSize: z.number().int().min(1).max(32).default(24),
  /** Where simulated nodes' InternalIPs come from, one host address per node in plan order. */
  nodeAddressCIDR: ipv4Cidr.default('172.16.0.0/12'),
  /**
   * kube-controller-manager --terminated-pod-gc-threshold: finished (Succeeded/Failed) pods kept
   * before PodGC deletes the oldest; 0 keeps them all.
   */
  terminatedPodGCThreshold: z.number().int().min(0).default(12_500),
  /** How long PodGC waits after a node vanished before deleting its pods (upstream's fixed 40 s; tests shorten it). */
  podGCQuarantineMs: ms.default(40_000),
  /** How often PodGC looks (upstream's fixed 20 s; tests shorten it). */
  podGCCheckPeriodMs: z.number().positive().default(20_000),
  pools: z.array(PoolSchema).min(1),
}).superRefine((c, ctx) => {
  const seen = new Set<string>();
  c.pools.forEach((p, i) => {
    if (seen.has(p.namePrefix)) ctx.addIssue({ code: 'custom', path: ['pools', i, 'namePrefix'], message: `duplicate node name prefix "${p.namePrefix}"` });
    seen.add(p.namePrefix);
  });
  const cluster = parseIPv4Cidr(c.clusterCIDR), nodes = parseIPv4Cidr(c.nodeAddressCIDR);
  if ('error' in cluster || 'error' in nodes) return; // already reported on the field
  const maskProblem = maskSizeProblem(c.clusterCIDR, cluster, c.nodeCIDRMaskSize);
  if (maskProblem) ctx.addIssue({ code: 'custom', path: ['nodeCIDRMaskSize'], message: maskProblem });
  if (overlaps(cluster, nodes)) ctx.addIssue({ code: 'custom', path: ['nodeAddressCIDR'], message: `${c.nodeAddressCIDR} overlaps clusterCIDR ${c.clusterCIDR}: node and pod addresses must not collide` });
  const planned = c.pools.reduce((n, p) => n + p.count, 0);
  if (planned > hostCount(nodes)) ctx.addIssue({ code: 'custom', path: ['nodeAddressCIDR'], message: `${c.nodeAddressCIDR} holds ${hostCount(nodes)} node addresses but the pools plan ${planned} nodes` });
});
export type ClusterConfig = z.infer<typeof ClusterConfigSchema>;

/** `pools[1].capacity.cpu` from zod's path array. */
function pathString(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');
}

type Issue = z.core.$ZodIssue;

/** The one line for a schema issue: unknown fields and missing ones said plainly, the field always named. */
function issueLine(issue: Issue): { path: PropertyKey[]; message: string } {
  if (issue.code === 'unrecognized_keys') {
    return { path: [...issue.path, issue.keys[0]!], message: `unknown field${issue.keys.length > 1 ? ` (also ${issue.keys.slice(1).map((k) => JSON.stringify(k)).join(', ')})` : ''}` };
  }
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) return { path: issue.path, message: `required field missing (expected ${issue.expected})` };
  return { path: issue.path, message: issue.message.split('\n')[0]! };
}

/** `file:line:col` of the YAML node at `path` (or of the nearest ancestor that exists). */
function where(fileName: string, doc: Document, lines: LineCounter, path: PropertyKey[], atKey: boolean): string {
  for (let n = path.length; n >= 0; n--) {
    const prefix = path.slice(0, n);
    const last = prefix[prefix.length - 1];
    // An unknown field points at its key; a bad value, or a value missing a field, at the value.
    const parent = atKey && n === path.length ? doc.getIn(prefix.slice(0, -1), true) : undefined;
    const pair = isMap(parent) ? parent.items.find((i) => isScalar(i.key) && i.key.value === last) : undefined;
    const node = (pair && isScalar(pair.key) ? pair.key : undefined) ?? (n === 0 ? doc.contents : doc.getIn(prefix, true));
    const offset = (node as { range?: [number, number, number] } | null | undefined)?.range?.[0];
    if (offset !== undefined) {
      const { line, col } = lines.linePos(offset);
      return `${fileName}:${line}:${col}`;
    }
  }
  return fileName;
}

/**
 * Parses and validates the cluster file; throws an Error with a single line
 * `file:line:col: path: problem` (YAML syntax errors and schema errors alike).
 */
export function parseClusterConfig(yamlText: string, fileName = 'cluster.yaml'): ClusterConfig {
  const lines = new LineCounter();
  const doc = parseDocument(yamlText, { prettyErrors: false, lineCounter: lines });
  const syntax = doc.errors[0];
  if (syntax) {
    const { line, col } = lines.linePos(syntax.pos[0]);
    throw new Error(`${fileName}:${line}:${col}: ${syntax.message.split('\n')[0]}`);
  }
  let input: unknown;
  try {
    input = doc.toJS();
  } catch (e) {
    throw new Error(`${fileName}: ${(e as Error).message.split('\n')[0]}`);
  }
  return validated(input ?? {}, (issue) => {
    const { path, message } = issueLine(issue);
    const field = pathString(path);
    return `${where(fileName, doc, lines, path, issue.code === 'unrecognized_keys')}: ${field ? `${field}: ` : ''}${message}`;
  });
}

function validated(input: unknown, describe: (issue: Issue) => string): ClusterConfig {
  const r = ClusterConfigSchema.safeParse(input);
  if (r.success) return r.data;
  // A misspelt key is the cause of the "required field missing" it also produces: name it first.
  const unknown = r.error.issues.find((i) => i.code === 'unrecognized_keys');
  throw new Error(describe(unknown ?? r.error.issues[0]!));
}

/**
 * The cluster `--config FILE` and `--nodes N` describe together: the file's pools plus a general
 * pool of N nodes, validated again as a whole (the extra pool can collide with a pool's name
 * prefix or overflow nodeAddressCIDR, which neither input shows alone).
 */
export function withExtraNodes(c: ClusterConfig, nodes: number, fileName = 'cluster.yaml'): ClusterConfig {
  if (!nodes) return c;
  // The raw pool, not defaultConfig's: that one alone may already overflow the default range.
  return validated({ ...c, pools: [...c.pools, { name: 'node', count: nodes }] }, (issue) => {
    const { path, message } = issueLine(issue);
    return `--nodes ${nodes} with --config ${fileName}: ${pathString(path)}${path[0] === 'pools' && path[1] === c.pools.length ? ' (the --nodes pool)' : ''}: ${message}`;
  });
}

/** Reads, parses and validates `--config` (with `--nodes`); every failure is one line. */
export function loadClusterConfig(file: string, nodes = 0): ClusterConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read --config ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  return withExtraNodes(parseClusterConfig(text, file), nodes, file);
}

/**
 * The config `--nodes N` stands for: one general pool of N identical nodes. Validated like a
 * file (N can overflow the default nodeAddressCIDR), failing in one line that names `--nodes`.
 */
export function defaultConfig(n: number): ClusterConfig {
  return validated({ pools: [{ name: 'node', count: n }] }, (issue) => {
    const { path, message } = issueLine(issue);
    return `--nodes ${n}: ${pathString(path)}: ${message}`;
  });
}

/**
 * The cluster `up` runs: `--config` (plus a `--nodes` pool when both are given) or `--nodes`
 * alone. Every failure is one line, so `up` can refuse before it starts or announces anything.
 */
export function clusterConfigFor(file: string | undefined, nodes = 0): ClusterConfig {
  return file ? loadClusterConfig(file, nodes) : defaultConfig(nodes);
}

export interface PlannedNode { pool: Pool; name: string; ordinal: number; address: string }

/**
 * Deterministic node names for a config: `${namePrefix}-${i}` per pool, with a cluster-wide
 * ordinal and the InternalIP it gives: the ordinal-th host of nodeAddressCIDR.
 */
export function plannedNodes(c: ClusterConfig): PlannedNode[] {
  const out: PlannedNode[] = [];
  const addresses = nodeAddressRange(c);
  for (const pool of c.pools) {
    for (let i = 0; i < pool.count; i++) out.push({ pool, name: `${pool.namePrefix}-${i}`, ordinal: out.length, address: hostAddress(addresses, out.length) });
  }
  return out;
}

/** nodeAddressCIDR, parsed (the schema has validated it). */
export function nodeAddressRange(c: ClusterConfig): Cidr {
  const r = parseIPv4Cidr(c.nodeAddressCIDR);
  if ('error' in r) throw new Error(`nodeAddressCIDR: ${r.error}`); // unreachable for a parsed config
  return r;
}

/** Glob for images: `*` any run, `?` one character, everything else literal. */
export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** The first rule whose image pattern matches, if any. */
export function ruleForImage(rules: readonly BehaviourRule[], image: string): BehaviourRule | undefined {
  return rules.find((r) => (r.image !== undefined ? globToRegExp(r.image).test(image) : new RegExp(r.imageRegex!).test(image)));
}

/** Samples a delay; `rand` returns values in [0, 1). Normal uses Box-Muller and is clamped at 0. */
export function sampleDelay(d: Delay, rand: () => number): number {
  if ('constant' in d) return d.constant;
  if ('uniform' in d) return d.uniform.min + (d.uniform.max - d.uniform.min) * rand();
  const u1 = 1 - rand(); // in (0, 1], so log is finite
  const u2 = rand();
  const z0 = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  return Math.max(0, d.normal.mean + d.normal.stddev * z0);
}

export interface HeartbeatTiming { heartbeatMs: number; graceMs: number }

/**
 * Lease renewal interval and node-monitor grace period for a fleet. The interval stretches so
 * the fleet renews at most maxLeaseRenewalsPerSecond times a second (10,000 nodes at the kubelet's
 * 10 s would be 1,000 writes/s); the grace period stays at least 4 renewals, as the kubelet's
 * 10 s renewals of a 40 s lease. A grace period given explicitly (tests) wins, and the interval
 * then shrinks to a quarter of it so healthy nodes never flap to Unknown.
 */
export function heartbeatTiming(c: ClusterConfig, graceOverrideMs?: number): HeartbeatTiming {
  const fleet = c.pools.reduce((n, p) => n + p.count, 0);
  const stretched = Math.max(c.heartbeatIntervalMs, Math.ceil((fleet * 1000) / c.maxLeaseRenewalsPerSecond));
  const graceMs = graceOverrideMs ?? Math.max(c.nodeMonitorGracePeriodMs, 4 * stretched);
  return { heartbeatMs: Math.min(stretched, graceMs / 4), graceMs };
}

// RBAC's privilege-escalation prevention (pkg/registry/rbac/validation ConfirmNoEscalation and
// the role and binding storages): a user may write a Role or ClusterRole only with rules they
// already hold (or the `escalate` verb on it), and bind a role only when they hold its rules
// (or the `bind` verb on it). Pure.
import type { PolicyRule } from 'kubernetes-types/rbac/v1.js';
import type { UserInfo } from './user.js';

const has = (set: readonly string[] | undefined, v: string) => (set ?? []).includes(v);
const hasAll = (set: readonly string[] | undefined, vs: readonly string[] | undefined) => (vs ?? []).every((v) => has(set, v));

/** BreakdownRule: one rule per verb × group × resource × name (or per verb × URL). */
export function breakdownRule(r: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const g of r.apiGroups ?? []) {
    for (const res of r.resources ?? []) {
      for (const v of r.verbs) {
        if (r.resourceNames?.length) for (const n of r.resourceNames) out.push({ apiGroups: [g], resources: [res], verbs: [v], resourceNames: [n] });
        else out.push({ apiGroups: [g], resources: [res], verbs: [v] });
      }
    }
  }
  for (const u of r.nonResourceURLs ?? []) for (const v of r.verbs) out.push({ nonResourceURLs: [u], verbs: [v] });
  return out;
}

function resourceCoversAll(set: readonly string[] | undefined, covers: readonly string[] | undefined): boolean {
  if (has(set, '*') || hasAll(set, covers)) return true;
  return (covers ?? []).every((path) => has(set, path) || (path.includes('/') && has(set, `*/${path.slice(path.indexOf('/') + 1)}`)));
}

const urlCovers = (owner: string, sub: string) => owner === sub || (owner.endsWith('*') && sub.startsWith(owner.replace(/\*+$/, '')));

/** ruleCovers. */
export function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const verbs = has(owner.verbs, '*') || hasAll(owner.verbs, sub.verbs);
  const groups = has(owner.apiGroups, '*') || hasAll(owner.apiGroups, sub.apiGroups);
  const resources = resourceCoversAll(owner.resources, sub.resources);
  const urls = (sub.nonResourceURLs ?? []).every((u) => (owner.nonResourceURLs ?? []).some((o) => urlCovers(o, u)));
  const names = !owner.resourceNames?.length || (!!sub.resourceNames?.length && hasAll(owner.resourceNames, sub.resourceNames));
  return verbs && groups && resources && urls && names;
}

/** Covers: whether the owner's rules cover every rule, and the atomic rules they do not. */
export function covers(owner: readonly PolicyRule[], rules: readonly PolicyRule[]): { covered: boolean; missing: PolicyRule[] } {
  const missing = rules.flatMap(breakdownRule).filter((sub) => !owner.some((o) => ruleCovers(o, sub)));
  return { covered: missing.length === 0, missing };
}

const q = (vs: readonly string[]) => `[${vs.map((v) => JSON.stringify(v)).join(' ')}]`;

/** CompactString of one rule: {APIGroups:[""], Resources:["pods"], Verbs:["get"]}. */
function compactString(r: PolicyRule): string {
  const parts: string[] = [];
  if (r.apiGroups?.length) parts.push(`APIGroups:${q(r.apiGroups)}`);
  if (r.resources?.length) parts.push(`Resources:${q(r.resources)}`);
  if (r.resourceNames?.length) parts.push(`ResourceNames:${q(r.resourceNames)}`);
  if (r.nonResourceURLs?.length) parts.push(`NonResourceURLs:${q(r.nonResourceURLs)}`);
  parts.push(`Verbs:${q(r.verbs)}`);
  return `{${parts.join(', ')}}`;
}

/** CompactRules: atomic resource rules without names that differ only in their verb become one. */
function compactRules(rules: PolicyRule[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const byKey = new Map<string, PolicyRule>();
  for (const r of rules) {
    if (r.resourceNames?.length || r.nonResourceURLs?.length || r.apiGroups?.length !== 1 || r.resources?.length !== 1) { out.push(r); continue; }
    const key = `${r.apiGroups[0]}\0${r.resources[0]}`;
    const seen = byKey.get(key);
    if (seen) { if (!seen.verbs.includes(r.verbs[0])) (seen.verbs as string[]).push(r.verbs[0]); continue; }
    const copy = { apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs] };
    byKey.set(key, copy);
    out.push(copy);
  }
  return out;
}

/** ConfirmNoEscalation's refusal, or undefined when the owner's rules cover the rules granted. */
export function escalationError(user: UserInfo, ownerRules: readonly PolicyRule[], granted: readonly PolicyRule[], resolutionErrors = ''): string | undefined {
  const { covered, missing } = covers(ownerRules, granted);
  if (covered) return undefined;
  const lines = [...new Set(compactRules(missing).map(compactString))].sort();
  let msg = `user ${JSON.stringify(user.name)} (groups=${q(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${lines.join('\n')}`;
  if (resolutionErrors) msg += `; resolution errors: ${resolutionErrors}`;
  return msg;
}

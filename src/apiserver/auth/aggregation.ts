// ClusterRole aggregation, as the clusterrole-aggregation controller computes it: a ClusterRole
// with an aggregationRule gets the rules of every ClusterRole matched by one of its selectors,
// in name order, without duplicates. Pure.
import type { PolicyRule } from 'kubernetes-types/rbac/v1.js';
import type { KObject } from '../../api/types.js';
import { labelSelectorMatches } from '../../api/selector.js';
import { semanticEqual } from '../resources/equality.js';
import { sanitizeRule } from './policy.js';

interface Selectors { clusterRoleSelectors?: unknown }

/** The rules an aggregated ClusterRole should have, or undefined when it is not aggregated. */
export function aggregatedRules(role: KObject, all: readonly KObject[]): PolicyRule[] | undefined {
  const rule = role.aggregationRule as Selectors | undefined;
  if (!rule || !Array.isArray(rule.clusterRoleSelectors)) return undefined;
  const selectors = rule.clusterRoleSelectors;
  const out: PolicyRule[] = [];
  const sorted = [...all].sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1));
  for (const other of sorted) {
    if (other.metadata?.name === role.metadata?.name) continue;
    if (!selectors.some((s) => labelSelectorMatches(s as Parameters<typeof labelSelectorMatches>[0], other.metadata?.labels ?? {}))) continue;
    for (const r of Array.isArray(other.rules) ? other.rules : []) {
      const clean = sanitizeRule(r);
      if (clean && !out.some((x) => semanticEqual(x, clean))) out.push(clean);
    }
  }
  return out;
}

// Label selectors (metav1.LabelSelector objects and the string syntax) and field selectors.
// No npm library implements Kubernetes selectors, so this is our own, kept pure and small.
import type { LabelSelector } from './types.js';

export type Labels = Readonly<Record<string, string>> | undefined;

export type Operator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
export interface Requirement { key: string; operator: Operator; values: string[] }

/** A parsed label selector: all requirements must hold. An empty list matches everything. */
export type Selector = readonly Requirement[];

export function requirementMatches(r: Requirement, labels: Labels): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
  const v = has ? labels![r.key] : undefined;
  switch (r.operator) {
    case 'In': return has && r.values.includes(v!);
    case 'NotIn': return !has || !r.values.includes(v!);
    case 'Exists': return has;
    case 'DoesNotExist': return !has;
    case 'Gt': case 'Lt': {
      if (!has || !/^-?\d+$/.test(v!) || r.values.length !== 1) return false;
      const a = BigInt(v!), b = BigInt(r.values[0]);
      return r.operator === 'Gt' ? a > b : a < b;
    }
  }
}

export function selectorMatches(sel: Selector, labels: Labels): boolean {
  return sel.every((r) => requirementMatches(r, labels));
}

/**
 * Converts a metav1.LabelSelector to requirements (LabelSelectorAsSelector).
 * Returns an error string for an invalid operator or value count, as upstream does.
 */
export function fromLabelSelector(ls: LabelSelector | undefined | null): Selector | { error: string } {
  if (!ls) return [];
  const out: Requirement[] = [];
  for (const [key, value] of Object.entries(ls.matchLabels ?? {})) out.push({ key, operator: 'In', values: [value] });
  for (const e of ls.matchExpressions ?? []) {
    const op = e.operator as Operator;
    const values = e.values ?? [];
    if (op === 'In' || op === 'NotIn') {
      if (values.length === 0) return { error: `for '${op}', 'NotIn' operators, values set can't be empty` };
    } else if (op === 'Exists' || op === 'DoesNotExist') {
      if (values.length !== 0) return { error: `values set must be empty for exists and does not exist` };
    } else {
      return { error: `"${e.operator}" is not a valid label selector operator` };
    }
    out.push({ key: e.key, operator: op, values: [...values] });
  }
  return out;
}

/**
 * Does a metav1.LabelSelector match these labels? A nil selector matches nothing and an
 * empty one matches everything, as for controllers (upstream treats nil as "nothing").
 */
export function labelSelectorMatches(ls: LabelSelector | undefined | null, labels: Labels): boolean {
  if (!ls) return false;
  const sel = fromLabelSelector(ls);
  return !('error' in sel) && selectorMatches(sel, labels);
}

/** True when the selector has no matchLabels and no matchExpressions. */
export function isEmptyLabelSelector(ls: LabelSelector | undefined | null): boolean {
  return !ls || (Object.keys(ls.matchLabels ?? {}).length === 0 && (ls.matchExpressions ?? []).length === 0);
}

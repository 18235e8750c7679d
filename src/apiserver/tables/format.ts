// Small cell formatters shared by the per-kind table printers. They reproduce the exact strings
// upstream's printers emit (labels.FormatLabels, metav1.FormatLabelSelector, ...), because
// kubectl prints the cells verbatim.
import type { Container, LabelSelector } from '../../api/types.js';
import { fromLabelSelector } from '../../api/selector.js';
import type { ColumnDefinition } from './types.js';

/** `k1=v1,k2=v2` sorted by key, or `<none>` (labels.FormatLabels). */
export function formatLabels(labels: Record<string, string> | undefined | null): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length === 0 ? '<none>' : keys.map((k) => `${k}=${labels![k]}`).join(',');
}

/**
 * A LabelSelector in the string syntax, requirements sorted by key, `<none>` when it selects
 * everything or nothing, `<error>` when it cannot be converted (metav1.FormatLabelSelector).
 */
export function formatLabelSelector(ls: LabelSelector | undefined | null): string {
  const parsed = fromLabelSelector(ls);
  if ('error' in parsed) return '<error>';
  const parts: { key: string; text: string }[] = [];
  for (const [key, value] of Object.entries(ls?.matchLabels ?? {})) parts.push({ key, text: `${key}=${value}` });
  for (const e of ls?.matchExpressions ?? []) {
    const values = [...(e.values ?? [])].sort().join(',');
    const text =
      e.operator === 'In' ? `${e.key} in (${values})`
      : e.operator === 'NotIn' ? `${e.key} notin (${values})`
      : e.operator === 'Exists' ? e.key
      : `!${e.key}`;
    parts.push({ key: e.key, text });
  }
  // Array.prototype.sort is stable, so equal keys keep matchLabels before matchExpressions.
  parts.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return parts.length === 0 ? '<none>' : parts.map((p) => p.text).join(',');
}

/** Comma-joined container names and images (layoutContainerCells). */
export function containerCells(containers: readonly Container[] | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name ?? '').join(','), list.map((c) => c.image ?? '').join(',')];
}

/** Builds a column definition; only the Name column carries format "name". */
export function col(name: string, type: string, description: string, priority = 0): ColumnDefinition {
  return { name, type, format: name === 'Name' ? 'name' : '', description, priority };
}

export const NAME_COLUMN = col('Name', 'string', 'Name must be unique within a namespace.');
export const AGE_COLUMN = col('Age', 'string', 'Time since the object was created.');

/** Reads a nested field without caring about the declared type (objects arrive as plain JSON). */
export function field<T = unknown>(obj: unknown, ...path: string[]): T | undefined {
  let cur: unknown = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur as T | undefined;
}

/** An int32/int64 field as a number cell; absent means 0, as Go's zero value does. */
export function int(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}

/** A string field; absent means "", as Go's zero value does. */
export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

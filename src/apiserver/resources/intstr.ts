// IntOrString checks shared by DaemonSet rolling updates and PodDisruptionBudgets
// (apps validation ValidatePositiveIntOrPercent / IsNotMoreThan100Percent).
import { invalid, type FieldError } from '../../api/fielderrors.js';
import { isValidPercent } from '../../api/validation.js';

export const negativeMessage = 'must be greater than or equal to 0';

/** ValidateNonnegativeField. */
export function nonNegative(value: number | undefined, path: string): FieldError[] {
  return value !== undefined && value < 0 ? [invalid(path, value, negativeMessage)] : [];
}

function percentValue(v: unknown): number | undefined {
  return typeof v === 'string' && isValidPercent(v).length === 0 ? Number(v.slice(0, -1)) : undefined;
}

/** The number an int-or-percent carries (a percent counts as its number, junk as 0). */
export function intOrPercentValue(v: unknown): number {
  const p = percentValue(v);
  if (p !== undefined) return p;
  return typeof v === 'number' ? v : 0;
}

export function validatePositiveIntOrPercent(v: unknown, path: string): FieldError[] {
  if (typeof v === 'string') return isValidPercent(v).map((m) => invalid(path, v, m));
  if (typeof v === 'number') return nonNegative(v, path);
  if (v === undefined || v === null) return [];
  return [invalid(path, v, "must be an integer or percentage (e.g '5%')")];
}

export function notMoreThan100Percent(v: unknown, path: string): FieldError[] {
  const p = percentValue(v);
  return p !== undefined && p > 100 ? [invalid(path, v, 'must not be greater than 100%')] : [];
}

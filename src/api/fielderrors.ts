// Field errors as the API server reports them in a 422 Invalid Status (apimachinery's field.Error).
// Pure: validation functions return lists of these; the server turns them into a Status.

export type CauseType =
  | 'FieldValueNotFound' | 'FieldValueRequired' | 'FieldValueDuplicate' | 'FieldValueInvalid'
  | 'FieldValueNotSupported' | 'FieldValueForbidden' | 'FieldValueTooLong' | 'FieldValueTooMany'
  | 'InternalError' | 'FieldValueTypeInvalid';

export interface FieldError {
  type: CauseType;
  field: string;
  value?: unknown;
  detail?: string;
  /** false when the value is not worth printing (Required, Forbidden, ...). */
  showValue: boolean;
}

const typeText: Record<CauseType, string> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  InternalError: 'Internal error',
  FieldValueTypeInvalid: 'Invalid value',
};

export const required = (field: string, detail = ''): FieldError => ({ type: 'FieldValueRequired', field, detail, showValue: false });
export const invalid = (field: string, value: unknown, detail: string): FieldError => ({ type: 'FieldValueInvalid', field, value, detail, showValue: true });
export const forbidden = (field: string, detail: string): FieldError => ({ type: 'FieldValueForbidden', field, detail, showValue: false });
export const duplicate = (field: string, value: unknown): FieldError => ({ type: 'FieldValueDuplicate', field, value, showValue: true });
export const notFound = (field: string, value: unknown): FieldError => ({ type: 'FieldValueNotFound', field, value, showValue: true });
export const tooLong = (field: string, value: unknown, max: number): FieldError =>
  ({ type: 'FieldValueTooLong', field, value, detail: `must have at most ${max} bytes`, showValue: false });
export const notSupported = (field: string, value: unknown, valid: string[]): FieldError => ({
  type: 'FieldValueNotSupported', field, value, showValue: true,
  detail: valid.length ? `supported values: ${valid.map((v) => JSON.stringify(v)).join(', ')}` : '',
});

/** Go's %#v-ish rendering of a value, close enough for messages users read. */
function renderValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null || v === undefined) return 'null';
  return JSON.stringify(v);
}

/** "spec.selector: Required value" / "metadata.name: Invalid value: \"A\": a lowercase RFC 1123 ..." */
export function fieldErrorMessage(e: FieldError): string {
  let s = `${e.field}: ${typeText[e.type]}`;
  if (e.showValue && e.value !== undefined) s += `: ${renderValue(e.value)}`;
  if (e.detail) s += `: ${e.detail}`;
  return s;
}

/** Joins a path the way field.Path prints: a.b[0].c, with map keys as [key]. */
export function child(path: string, name: string): string { return path ? `${path}.${name}` : name; }
export function index(path: string, i: number | string): string { return `${path}[${i}]`; }

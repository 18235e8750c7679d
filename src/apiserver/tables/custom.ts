// Tables for custom resources: Name plus the CRD version's additionalPrinterColumns, or a single
// Age column when it declares none (apiextensions tableconvertor). CRD validation only admits
// "simple" JSONPaths (.a.b, .a[0].b), so a tiny evaluator does instead of a JSONPath library.
import type { KObject } from '../../api/types.js';
import { translateTimestampSince } from '../../api/duration.js';
import type { ColumnDefinition, TableConvertor } from './types.js';
import { NAME_COLUMN } from './format.js';

/** One entry of spec.versions[].additionalPrinterColumns. */
export interface PrinterColumn {
  name: string; type: string; jsonPath: string; format?: string; description?: string; priority?: number;
}

const DEFAULT_COLUMNS: PrinterColumn[] = [
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Time since the object was created.' },
];

/** Splits ".spec.items[0].name" into ["spec", "items", 0, "name"]; undefined when not simple. */
export function parseSimpleJsonPath(path: string): (string | number)[] | undefined {
  const steps: (string | number)[] = [];
  const re = /\.([^.[\]]+)|\[(\d+)\]/y;
  let m: RegExpExecArray | null;
  while (re.lastIndex < path.length && (m = re.exec(path))) steps.push(m[1] !== undefined ? m[1] : Number(m[2]));
  return re.lastIndex === path.length && steps.length > 0 ? steps : undefined;
}

function lookup(obj: unknown, steps: (string | number)[]): unknown {
  let cur = obj;
  for (const s of steps) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[s];
  }
  return cur;
}

/** A cell value by column type; null prints as "<none>" in kubectl. */
function cell(type: string, value: unknown, nowMs: number): unknown {
  if (value === undefined || value === null) return null;
  switch (type) {
    case 'date': return typeof value === 'string' ? translateTimestampSince(value, nowMs) : null;
    case 'integer': return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number': return typeof value === 'number' ? value : null;
    case 'boolean': return typeof value === 'boolean' ? value : null;
    default: return typeof value === 'string' ? value : JSON.stringify(value);
  }
}

/** The table convertor for one served version of a CRD. */
export function customResourceConvertor(printerColumns: readonly PrinterColumn[] | undefined): TableConvertor {
  const cols = printerColumns && printerColumns.length > 0 ? printerColumns : DEFAULT_COLUMNS;
  const paths = cols.map((c) => parseSimpleJsonPath(c.jsonPath));
  const columns: ColumnDefinition[] = [
    NAME_COLUMN,
    ...cols.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0 })),
  ];
  return {
    columns,
    cells: (obj: KObject, nowMs: number) => [
      obj.metadata?.name ?? '',
      ...cols.map((c, i) => (paths[i] ? cell(c.type, lookup(obj, paths[i]!), nowMs) : null)),
    ],
  };
}

// The shapes every table convertor shares (metav1.TableColumnDefinition, TableRowCondition), kept
// apart from tables.ts so the per-kind printers below it do not import their own dispatcher.
import type { KObject } from '../../api/types.js';

export interface ColumnDefinition { name: string; type: string; format: string; description: string; priority: number }

/** metav1.TableRowCondition; kubectl hides rows with Completed=True unless --show-all semantics apply. */
export interface RowCondition { type: string; status: string; reason?: string; message?: string }

export interface TableConvertor {
  /** All columns, wide ones with priority 1; every row carries a cell for each of them. */
  columns: ColumnDefinition[];
  cells(obj: KObject, nowMs: number): unknown[];
  conditions?(obj: KObject): RowCondition[];
}

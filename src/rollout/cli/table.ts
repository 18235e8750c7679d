// Tables as kubectl prints them (its printers use a tabwriter with 3 spaces of padding): an
// upper-case header row, left-aligned columns, no trailing spaces.

export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [headers.map((h) => h.toUpperCase()), ...rows.map((r) => headers.map((_, i) => clean(r[i])))];
  const widths = headers.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  return all.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] + 3))).join('').trimEnd()).join('\n');
}

/** A cell never breaks the table: newlines and tabs from stored messages become spaces. */
function clean(s: unknown): string {
  return (s === undefined || s === null ? '' : String(s)).replace(/[\r\n\t]+/g, ' ');
}

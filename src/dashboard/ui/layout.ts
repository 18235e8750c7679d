// Where each heat-map cell goes: nodes (already in heat-map order: zone, pool, name) in one block
// per zone/pool group, each block a caption line and then rows of square cells. Pure, so that the
// drawing and the click hit-test agree and can be tested without a browser.
import type { NodeView } from '../types.js';

export const CAPTION_PX = 18;
export const GROUP_GAP_PX = 8;

export interface GroupBox { label: string; zone: string; pool: string; y: number; first: number; count: number; rows: number }
export interface Layout { cell: number; perRow: number; groups: GroupBox[]; height: number }

/** A cell size that fits the fleet: large for a few nodes, 5 px for ten thousand and more. */
export function cellSize(n: number): number {
  return n <= 300 ? 16 : n <= 1500 ? 11 : n <= 5000 ? 8 : n <= 12000 ? 6 : 4;
}

export const groupLabel = (zone: string, pool: string) => `${zone || 'no zone'} / ${pool || 'no pool'}`;

export function layout(nodes: readonly NodeView[], width: number): Layout {
  const cell = cellSize(nodes.length);
  const perRow = Math.max(1, Math.floor(width / cell));
  const groups: GroupBox[] = [];
  let y = 0;
  for (let i = 0; i < nodes.length;) {
    const { zone, pool } = nodes[i]!;
    let j = i;
    while (j < nodes.length && nodes[j]!.zone === zone && nodes[j]!.pool === pool) j++;
    const rows = Math.ceil((j - i) / perRow);
    groups.push({ label: groupLabel(zone, pool), zone, pool, y, first: i, count: j - i, rows });
    y += CAPTION_PX + rows * cell + GROUP_GAP_PX;
    i = j;
  }
  return { cell, perRow, groups, height: Math.max(y, 40) };
}

/** The top-left corner of cell `index` of group `g`. */
export function cellOrigin(l: Layout, g: GroupBox, index: number): { x: number; y: number } {
  const k = index - g.first;
  return { x: (k % l.perRow) * l.cell, y: g.y + CAPTION_PX + Math.floor(k / l.perRow) * l.cell };
}

/** The index (into the nodes laid out) of the cell at (x, y), or -1 when there is none. */
export function hitTest(l: Layout, x: number, y: number): number {
  if (x < 0 || y < 0) return -1;
  for (const g of l.groups) {
    const top = g.y + CAPTION_PX;
    if (y < top || y >= top + g.rows * l.cell) continue;
    const col = Math.floor(x / l.cell), row = Math.floor((y - top) / l.cell);
    if (col >= l.perRow) return -1;
    const k = row * l.perRow + col;
    return k < g.count ? g.first + k : -1;
  }
  return -1;
}

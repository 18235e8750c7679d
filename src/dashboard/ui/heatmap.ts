// The heat-map: one cell per node on a 2D canvas, redrawn at most once per animation frame and
// only when something changed. Drawing is batched by colour (one fillStyle per state), which is
// what keeps 10,000 cells well within a frame.
import type { NodeState, NodeView } from '../types.js';
import { NODE_STATES } from '../types.js';
import { CAPTION_PX, cellOrigin, hitTest, layout, type Layout } from './layout.js';

export const STATE_COLOURS: Record<NodeState, string> = {
  done: '#2ea043', updating: '#388bfd', waiting: '#6e7681', blocked: '#f85149', quarantined: '#a371f7', 'not-ready': '#d29922',
};

/** What the bench and the browser test read: frames drawn and when the first one with data was. */
export interface PaintStats { frames: number; draws: number; firstPaintMs: number | undefined }

export class Heatmap {
  readonly stats: PaintStats = { frames: 0, draws: 0, firstPaintMs: undefined };
  #nodes: readonly NodeView[] = [];
  #layout: Layout | undefined;
  #dirty = true;
  #selected = '';
  #raf = 0;
  #width = 0;

  constructor(private readonly canvas: HTMLCanvasElement, private readonly onPick: (name: string) => void) {
    canvas.addEventListener('click', (e) => {
      const r = canvas.getBoundingClientRect();
      const i = this.#layout ? hitTest(this.#layout, e.clientX - r.left, e.clientY - r.top) : -1;
      if (i >= 0) this.onPick(this.#nodes[i]!.name);
    });
    const tick = () => {
      this.stats.frames++;
      const w = Math.floor(canvas.parentElement?.clientWidth ?? 800);
      if (w !== this.#width) { this.#width = w; this.#layout = undefined; this.#dirty = true; }
      if (this.#dirty) this.#draw();
      this.#raf = requestAnimationFrame(tick);
    };
    this.#raf = requestAnimationFrame(tick);
  }

  set(nodes: readonly NodeView[], layoutChanged: boolean): void {
    this.#nodes = nodes;
    if (layoutChanged) this.#layout = undefined;
    this.#dirty = true;
  }

  select(name: string): void { this.#selected = name; this.#dirty = true; }

  /** Where a node's cell is, in CSS pixels relative to the canvas (for tests and tooltips). */
  cellOf(name: string): { x: number; y: number; size: number } | undefined {
    const l = this.#layout;
    const i = this.#nodes.findIndex((n) => n.name === name);
    if (!l || i < 0) return undefined;
    const g = l.groups.find((g) => i >= g.first && i < g.first + g.count)!;
    const o = cellOrigin(l, g, i);
    return { x: o.x + l.cell / 2, y: o.y + l.cell / 2, size: l.cell };
  }

  stop(): void { cancelAnimationFrame(this.#raf); }

  #draw(): void {
    this.#dirty = false;
    const l = (this.#layout ??= layout(this.#nodes, this.#width));
    const dpr = window.devicePixelRatio || 1;
    const c = this.canvas;
    if (c.width !== Math.floor(this.#width * dpr) || c.height !== Math.floor(l.height * dpr)) {
      c.width = Math.floor(this.#width * dpr); c.height = Math.floor(l.height * dpr);
      c.style.height = `${l.height}px`;
    }
    const ctx = c.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, this.#width, l.height);
    ctx.font = '12px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    ctx.fillStyle = '#8b949e';
    for (const g of l.groups) ctx.fillText(`${g.label} (${g.count})`, 0, g.y + CAPTION_PX / 2);
    const gap = l.cell >= 8 ? 2 : 1;
    for (const state of NODE_STATES) {
      ctx.fillStyle = STATE_COLOURS[state];
      for (const g of l.groups) {
        for (let i = g.first; i < g.first + g.count; i++) {
          if (this.#nodes[i]!.state !== state) continue;
          const o = cellOrigin(l, g, i);
          ctx.fillRect(o.x, o.y, l.cell - gap, l.cell - gap);
        }
      }
    }
    const sel = this.#selected ? this.cellOf(this.#selected) : undefined;
    if (sel) {
      ctx.strokeStyle = '#ffffff'; ctx.lineWidth = 2;
      ctx.strokeRect(sel.x - sel.size / 2 - 1, sel.y - sel.size / 2 - 1, sel.size + 1, sel.size + 1);
    }
    this.stats.draws++;
    if (this.stats.firstPaintMs === undefined && this.#nodes.length) this.stats.firstPaintMs = performance.now();
  }
}

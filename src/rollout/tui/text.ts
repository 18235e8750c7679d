// Lines of the live view as styled segments, cut to the terminal's width before any escape code is
// added, so a line never wraps (a wrapped line breaks the in-place redraw) and never ends inside
// an escape sequence. Colours come from node's util.styleText; whether to use them at all is the
// caller's decision (tty.WriteStream.hasColors honours NO_COLOR, FORCE_COLOR and TERM).
import { stripVTControlCharacters, styleText } from 'node:util';
import type { CellState } from './snapshot.js';

export type Style = 'bold' | 'dim' | 'green' | 'yellow' | 'red' | 'magenta' | 'cyan' | 'gray';
export interface Segment { text: string; style?: Style }
export type Line = Segment[];

export interface Look {
  color: boolean;
  /** Block characters for the grid and bars; false: ASCII only (a terminal without UTF-8). */
  unicode: boolean;
}

const GLYPHS: Record<'unicode' | 'ascii', Record<CellState, string>> = {
  unicode: { done: '█', updating: '▓', waiting: '░', blocked: 'X', quarantined: 'Q' },
  ascii: { done: '#', updating: '+', waiting: '.', blocked: 'X', quarantined: 'Q' },
};
export const CELL_STYLE: Record<CellState, Style> = { done: 'green', updating: 'yellow', waiting: 'gray', blocked: 'red', quarantined: 'magenta' };

export const glyph = (state: CellState, look: Look) => GLYPHS[look.unicode ? 'unicode' : 'ascii'][state];

/** Columns a string takes on screen: escape codes take none; every character the view prints takes one. */
export const visibleWidth = (s: string) => [...stripVTControlCharacters(s)].length;

/** Control characters from stored strings (a message with a newline, an escape) would break the layout or the terminal. */
export const sanitize = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ');

/** The line cut to `width` columns ("…" or "~" marks a cut), then painted. */
export function renderLine(line: Line, width: number, look: Look): string {
  let left = Math.max(0, width);
  const out: string[] = [];
  const total = line.reduce((n, s) => n + [...sanitize(s.text)].length, 0);
  const cut = total > left;
  if (cut) left -= 1;
  for (const seg of line) {
    if (left <= 0) break;
    const chars = [...sanitize(seg.text)];
    const text = chars.slice(0, left).join('');
    left -= Math.min(left, chars.length);
    // validateStream off: the caller has decided (Node 22 would otherwise judge process.stdout itself).
    out.push(look.color && seg.style && text ? styleText(seg.style, text, { validateStream: false }) : text);
  }
  if (cut && width > 0) out.push(look.unicode ? '…' : '~');
  return out.join('').trimEnd();
}

export const plainLength = (line: Line) => line.reduce((n, s) => n + [...sanitize(s.text)].length, 0);

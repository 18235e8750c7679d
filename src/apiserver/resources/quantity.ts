// Quantities as validation and QoS use them: a syntax check and a numeric value for
// comparisons. The grammar lives once, in src/api/quantity.ts (exact, bigint-based).
import { parseQuantity as parseExact } from '../../api/quantity.js';

/** The message the decoder gives for an unparsable quantity. */
export const quantityFormatMessage = `quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`;

/** Numeric value of a quantity (number or string form), or undefined when it does not parse. */
export function parseQuantity(q: unknown): number | undefined {
  if (typeof q === 'number') return Number.isFinite(q) ? q : undefined;
  if (typeof q !== 'string') return undefined;
  const exact = parseExact(q);
  return exact ? Number(exact.num) / Number(exact.den) : undefined;
}

// Prefix matching as a key range. SQLite compares TEXT with the BINARY collation, i.e. memcmp over
// UTF-8, which orders well-formed strings by code point. We turn a prefix into the half-open range
// [prefix, prefixEnd(prefix)) instead of using LIKE, because '%' and '_' in a key would act as
// wildcards there, and because a range can walk the primary-key index.

const MAX_CODE_POINT = 0x10ffff;
const SURROGATES_START = 0xd800;
const SURROGATES_END = 0xdfff;

/**
 * The smallest string greater than every string that starts with `prefix` (code point order), or
 * undefined when there is none (empty prefix, or one made only of U+10FFFF): then the range has
 * no upper bound. Bumping the last code point works because UTF-8 is prefix-free and preserves
 * code point order, so `prefix + anything` sorts below it byte-wise too.
 */
export function prefixEnd(prefix: string): string | undefined {
  const codePoints = Array.from(prefix);
  while (codePoints.length > 0) {
    const last = codePoints.pop()!.codePointAt(0)!;
    if (last < MAX_CODE_POINT) {
      let next = last + 1;
      // No scalar values live in the surrogate block; the next one after U+D7FF is U+E000.
      if (next >= SURROGATES_START && next <= SURROGATES_END) next = SURROGATES_END + 1;
      codePoints.push(String.fromCodePoint(next));
      return codePoints.join('');
    }
  }
  return undefined;
}

/**
 * Compares keys the way SQLite does (UTF-8 bytes). JavaScript's `<` compares UTF-16 code units,
 * which disagrees for astral characters against U+E000..U+FFFF.
 */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Lone surrogates cannot be encoded as UTF-8; SQLite would store U+FFFD and the key would change. */
export function isWellFormedKey(key: string): boolean {
  return !/\p{Surrogate}/u.test(key);
}

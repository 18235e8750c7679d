// Label selectors (metav1.LabelSelector objects and the string syntax) and field selectors.
// No npm library implements Kubernetes selectors, so this is our own, kept pure and small.
import type { LabelSelector } from './types.js';
import { isQualifiedName, isValidLabelValue } from './validation.js';

export type Labels = Readonly<Record<string, string>> | undefined;

export type Operator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
export interface Requirement { key: string; operator: Operator; values: string[] }

/** A parsed label selector: all requirements must hold. An empty list matches everything. */
export type Selector = readonly Requirement[];

export function requirementMatches(r: Requirement, labels: Labels): boolean {
  // Labels come from stored objects, which may be malformed (null, a string, a number value):
  // anything but a map of strings holds no labels, and a non-string value is no value.
  const map = isPlainObject(labels) ? labels : undefined;
  const raw = map !== undefined && Object.prototype.hasOwnProperty.call(map, r.key) ? (map as Record<string, unknown>)[r.key] : undefined;
  const has = typeof raw === 'string';
  const v = has ? raw : '';
  const values: readonly unknown[] = Array.isArray(r.values) ? r.values : [];
  switch (r.operator) {
    case 'In': return has && values.includes(v);
    case 'NotIn': return !has || !values.includes(v);
    case 'Exists': return has;
    case 'DoesNotExist': return !has;
    case 'Gt': case 'Lt': {
      // Upstream (labels.Requirement.Matches, NodeSelectorRequirementsAsSelector) parses both
      // sides with strconv.ParseInt(s, 10, 64): no hex, no empty string; an unparsable bound
      // makes the requirement (so its node selector term) match nothing.
      const bound = values.length === 1 ? values[0] : undefined;
      if (!has || typeof bound !== 'string' || !isInt64(v) || !isInt64(bound)) return false;
      const a = BigInt(v), b = BigInt(bound);
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default: return false;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function selectorMatches(sel: Selector, labels: Labels): boolean {
  return sel.every((r) => requirementMatches(r, labels));
}

/**
 * Converts a metav1.LabelSelector to requirements (LabelSelectorAsSelector).
 * Returns an error string for an invalid operator or value count, as upstream does.
 */
export function fromLabelSelector(ls: LabelSelector | undefined | null): Selector | { error: string } {
  if (!ls) return [];
  // A selector read from a stored object may be malformed; a malformed one is an invalid one
  // (it matches nothing), never an exception.
  if (!isPlainObject(ls)) return { error: 'selector must be an object' };
  const matchLabels: unknown = ls.matchLabels ?? {};
  const matchExpressions: unknown = ls.matchExpressions ?? [];
  if (!isPlainObject(matchLabels)) return { error: 'matchLabels must be a map of strings' };
  if (!Array.isArray(matchExpressions)) return { error: 'matchExpressions must be a list' };
  const out: Requirement[] = [];
  for (const [key, value] of Object.entries(matchLabels)) {
    if (typeof value !== 'string') return { error: `matchLabels[${key}] must be a string` };
    out.push({ key, operator: 'In', values: [value] });
  }
  for (const e of matchExpressions as unknown[]) {
    if (!isPlainObject(e) || typeof e.key !== 'string') return { error: 'matchExpressions entries need a string key' };
    const op = e.operator as Operator;
    const values: unknown = e.values ?? [];
    if (!Array.isArray(values) || !values.every((v) => typeof v === 'string')) return { error: `matchExpressions[${e.key}].values must be a list of strings` };
    if (op === 'In' || op === 'NotIn') {
      if (values.length === 0) return { error: `for '${op}', 'NotIn' operators, values set can't be empty` };
    } else if (op === 'Exists' || op === 'DoesNotExist') {
      if (values.length !== 0) return { error: `values set must be empty for exists and does not exist` };
    } else {
      return { error: `"${String(e.operator)}" is not a valid label selector operator` };
    }
    out.push({ key: e.key, operator: op, values: [...values] as string[] });
  }
  return out;
}

/**
 * Does a metav1.LabelSelector match these labels? A nil selector matches nothing and an
 * empty one matches everything, as for controllers (upstream treats nil as "nothing").
 */
export function labelSelectorMatches(ls: LabelSelector | undefined | null, labels: Labels): boolean {
  if (!ls) return false;
  const sel = fromLabelSelector(ls);
  return !('error' in sel) && selectorMatches(sel, labels);
}

/** True when the selector has no matchLabels and no matchExpressions. */
export function isEmptyLabelSelector(ls: LabelSelector | undefined | null): boolean {
  if (!isPlainObject(ls)) return true;
  const { matchLabels, matchExpressions } = ls as { matchLabels?: unknown; matchExpressions?: unknown };
  return (!isPlainObject(matchLabels) || Object.keys(matchLabels).length === 0) && (!Array.isArray(matchExpressions) || matchExpressions.length === 0);
}

// ---------------------------------------------------------------------------------------------
// String syntax (apimachinery pkg/labels): "a=b,c in (x,y),!d,e>5". Our own lexer and parser;
// error texts follow upstream's so kubectl users see familiar messages.

/** A selector string (label or field) that does not parse; the server answers 400 BadRequest. */
export class SelectorParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectorParseError';
  }
}

type Tok =
  | { t: 'id'; s: string } | { t: 'in' } | { t: 'notin' } | { t: 'end' }
  | { t: '!' | '!=' | '=' | '==' | '(' | ')' | ',' | '<' | '>' };

const SPECIAL = new Set(['=', '!', '(', ')', ',', '<', '>']);
const SYMBOLS = new Set(['!', '!=', '=', '==', '(', ')', ',', '<', '>']);
const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const BINARY_OPERATORS = 'in, notin, =, ==, !=, gt, lt';

function lex(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  for (;;) {
    while (i < s.length && isSpace(s[i])) i++;
    if (i >= s.length) { out.push({ t: 'end' }); return out; }
    if (SPECIAL.has(s[i])) {
      // Longest run of special characters that still forms a known symbol ("!=", "==").
      let sym = s[i++];
      if (i < s.length && SYMBOLS.has(sym + s[i])) sym += s[i++];
      out.push({ t: sym } as Tok);
      continue;
    }
    let j = i;
    while (j < s.length && !SPECIAL.has(s[j]) && !isSpace(s[j])) j++;
    const word = s.slice(i, j);
    i = j;
    out.push(word === 'in' ? { t: 'in' } : word === 'notin' ? { t: 'notin' } : { t: 'id', s: word });
  }
}

/** The literal text of a token, as upstream quotes it in messages. */
function lit(tok: Tok): string {
  if (tok.t === 'id') return tok.s;
  return tok.t === 'end' ? '' : tok.t;
}

/** In value position the keywords are plain identifiers ("x in (in)"). */
function asValue(tok: Tok): Tok {
  return tok.t === 'in' || tok.t === 'notin' ? { t: 'id', s: tok.t } : tok;
}

const quote = (v: string) => JSON.stringify(v);

function keyError(key: string): string | undefined {
  const errs = isQualifiedName(key);
  // Upstream validates the key against a nil field path, hence the "<nil>".
  return errs.length ? `<nil>: Invalid value: ${quote(key)}: ${errs.join('; ')}` : undefined;
}

/** strconv.ParseInt(v, 10, 64) acceptance. */
function isInt64(v: string): boolean {
  if (!/^[+-]?\d+$/.test(v)) return false;
  const n = BigInt(v);
  return n >= -(2n ** 63n) && n < 2n ** 63n;
}

function valueErrors(key: string, op: Operator, values: string[]): string[] {
  const errs: string[] = [];
  values.forEach((v, i) => {
    if ((op === 'Gt' || op === 'Lt') && !isInt64(v)) {
      errs.push(`values[${i}]: Invalid value: ${quote(v)}: for 'Gt', 'Lt' operators, the value must be an integer`);
    }
  });
  values.forEach((v, i) => {
    const bad = isValidLabelValue(v);
    if (bad.length) errs.push(`values[${i}][${key}]: Invalid value: ${quote(v)}: ${bad.join('; ')}`);
  });
  return [...new Set(errs)];
}

class LabelParser {
  private pos = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(): Tok { return this.toks[this.pos]; }
  private next(): Tok { return this.toks[this.pos++]; }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const tok = asValue(this.peek());
      if (tok.t === 'end') return reqs;
      if (tok.t !== 'id' && tok.t !== '!') {
        throw new SelectorParseError(`found '${lit(tok)}', expected: !, identifier, or 'end of string'`);
      }
      reqs.push(this.requirement());
      const after = asValue(this.next());
      if (after.t === 'end') return reqs;
      if (after.t !== ',') throw new SelectorParseError(`found '${lit(after)}', expected: ',' or 'end of string'`);
      const following = asValue(this.peek());
      if (following.t !== 'id' && following.t !== '!') {
        throw new SelectorParseError(`found '${lit(following)}', expected: identifier after ','`);
      }
    }
  }

  private requirement(): Requirement {
    const fail = (msg: string): never => { throw new SelectorParseError(`unable to parse requirement: ${msg}`); };
    let tok = asValue(this.next());
    const negated = tok.t === '!';
    if (negated) tok = asValue(this.next());
    if (tok.t !== 'id') return fail(`found '${lit(tok)}', expected: identifier`);
    const key = tok.s;
    const bad = keyError(key);
    if (bad) fail(bad);
    const ahead = asValue(this.peek()).t;
    if (negated || ahead === 'end' || ahead === ',') {
      // "!k" is complete even when something follows; the caller then reports the stray token.
      return { key, operator: negated ? 'DoesNotExist' : 'Exists', values: [] };
    }
    const opTok = this.next();
    let operator: Operator;
    let values: string[];
    switch (opTok.t) {
      case 'in': case 'notin':
        operator = opTok.t === 'in' ? 'In' : 'NotIn';
        values = this.setValues(fail);
        break;
      case '=': case '==': case '!=': case '>': case '<':
        operator = opTok.t === '!=' ? 'NotIn' : opTok.t === '>' ? 'Gt' : opTok.t === '<' ? 'Lt' : 'In';
        values = [this.exactValue(fail)];
        break;
      default:
        return fail(`found '${lit(opTok)}', expected: ${BINARY_OPERATORS}`);
    }
    const errs = valueErrors(key, operator, values);
    if (errs.length === 1) fail(errs[0]);
    if (errs.length > 1) fail(`[${errs.join(', ')}]`);
    return { key, operator, values };
  }

  private exactValue(fail: (m: string) => never): string {
    const ahead = asValue(this.peek());
    if (ahead.t === 'end' || ahead.t === ',') return '';
    const tok = asValue(this.next());
    return tok.t === 'id' ? tok.s : fail(`found '${lit(tok)}', expected: identifier`);
  }

  /** "(a,b)", "()", "(,a)", "(a,,b)": empty entries mean the empty value, as upstream. */
  private setValues(fail: (m: string) => never): string[] {
    const open = asValue(this.next());
    if (open.t !== '(') fail(`found '${lit(open)}' expected: '('`);
    const first = asValue(this.peek());
    if (first.t === ')') { this.next(); return ['']; }
    if (first.t !== 'id' && first.t !== ',') fail(`found '${lit(first)}', expected: ',', ')' or identifier`);
    const values = new Set<string>();
    for (;;) {
      const tok = asValue(this.next());
      if (tok.t === 'id') {
        values.add(tok.s);
        const ahead = asValue(this.peek());
        if (ahead.t === ')') break;
        if (ahead.t !== ',') fail(`found '${lit(ahead)}', expected: ',' or ')'`);
      } else if (tok.t === ',') {
        if (values.size === 0) values.add('');
        const ahead = asValue(this.peek());
        if (ahead.t === ')') { values.add(''); break; }
        if (ahead.t === ',') { this.next(); values.add(''); }
      } else {
        fail(`found '${lit(tok)}', expected: ',', or identifier`);
      }
    }
    this.next(); // the ')' seen above
    return [...values].sort(compareStrings);
  }
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorted by key (stable), as upstream sorts parsed requirements. */
function byKey<T extends { key: string }>(reqs: T[]): T[] {
  return [...reqs].sort((a, b) => compareStrings(a.key, b.key));
}

/**
 * Parses the label selector string syntax (labels.Parse). The empty string is the empty
 * selector (matches everything). `=`/`==` become In [v] and `!=` becomes NotIn [v].
 */
export function parseSelector(s: string): Selector {
  return byKey(new LabelParser(lex(s)).parse());
}

function requirementToString(r: Requirement): string {
  const vals = [...r.values].sort(compareStrings);
  switch (r.operator) {
    case 'Exists': return r.key;
    case 'DoesNotExist': return `!${r.key}`;
    case 'Gt': return `${r.key}>${vals[0] ?? ''}`;
    case 'Lt': return `${r.key}<${vals[0] ?? ''}`;
    case 'In': return vals.length === 1 ? `${r.key}=${vals[0]}` : `${r.key} in (${vals.join(',')})`;
    case 'NotIn': return vals.length === 1 ? `${r.key}!=${vals[0]}` : `${r.key} notin (${vals.join(',')})`;
  }
}

/** Canonical text of a selector: requirements sorted by key, values sorted, single values as `k=v`/`k!=v`. */
export function selectorToString(sel: Selector): string {
  return byKey([...sel]).map(requirementToString).join(',');
}

/**
 * The string kubectl sends for a metav1.LabelSelector (LabelSelectorAsSelector().String()):
 * matchLabels print as `k=v`, matchExpressions keep their set form even with one value
 * (`k in (v)`), everything sorted by key. Throws SelectorParseError for an invalid operator.
 */
export function labelSelectorToString(ls: LabelSelector | undefined | null): string {
  const converted = fromLabelSelector(ls);
  if ('error' in converted) throw new SelectorParseError(converted.error);
  const parts: { key: string; text: string }[] = [];
  for (const [key, value] of Object.entries(ls?.matchLabels ?? {})) parts.push({ key, text: `${key}=${value}` });
  for (const e of ls?.matchExpressions ?? []) {
    const vals = [...(e.values ?? [])].sort(compareStrings).join(',');
    const text = e.operator === 'In' ? `${e.key} in (${vals})`
      : e.operator === 'NotIn' ? `${e.key} notin (${vals})`
      : e.operator === 'Exists' ? e.key : `!${e.key}`;
    parts.push({ key: e.key, text });
  }
  return byKey(parts).map((p) => p.text).join(',');
}

// ---------------------------------------------------------------------------------------------
// Field selector syntax (apimachinery pkg/fields): "f=v,g!=w" with `\` escaping `\`, `,`, `=`.

export interface FieldRequirement { field: string; op: '=' | '!='; value: string }

/** Splits on commas not preceded by an escaping backslash; the backslashes stay in the terms. */
function splitFieldTerms(s: string): string[] {
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < s.length; i++) {
    if (escaped) escaped = false;
    else if (s[i] === '\\') escaped = true;
    else if (s[i] === ',') { terms.push(s.slice(start, i)); start = i + 1; }
  }
  terms.push(s.slice(start));
  return terms;
}

function unescapeFieldValue(v: string): string {
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (c === '\\') {
      const n = v[i + 1];
      if (n === undefined) throw new SelectorParseError('invalid field selector: invalid escape sequence: \\');
      if (n !== '\\' && n !== ',' && n !== '=') throw new SelectorParseError(`invalid field selector: invalid escape sequence: \\${n}`);
      out += n;
      i++;
    } else if (c === ',' || c === '=') {
      // Upstream prints the rune as a number here.
      throw new SelectorParseError(`invalid field selector: unescapedRune character in value: ${c.codePointAt(0)}`);
    } else {
      out += c;
    }
  }
  return out;
}

/**
 * Parses a field selector (fields.ParseSelector). Terms come back sorted by their text, as
 * upstream sorts them; `==` is the same as `=`. Empty terms are skipped.
 */
export function parseFieldSelector(s: string): FieldRequirement[] {
  if (s === '') return [];
  const reqs: FieldRequirement[] = [];
  for (const term of splitFieldTerms(s).sort(compareStrings)) {
    if (term === '') continue;
    // The field name cannot be escaped, so the first operator found splits the term.
    const m = /^(.*?)(!=|==|=)(.*)$/s.exec(term);
    if (!m) throw new SelectorParseError(`invalid selector: '${s}'; can't understand '${term}'`);
    reqs.push({ field: m[1], op: m[2] === '!=' ? '!=' : '=', value: unescapeFieldValue(m[3]) });
  }
  return reqs;
}

/** Escapes a value for a field selector term (fields.EscapeValue). */
export function escapeFieldValue(v: string): string {
  return v.replace(/[\\,=]/g, (c) => `\\${c}`);
}

// A small subset of CEL for `x-kubernetes-validations` rules: enough for the rules CRDs most often
// carry (presence, sizes, comparisons, boolean logic, e.g. `has(self.a) != has(self.b)` or
// `!has(self.x) || size(self.y) > 0`). Pure. A rule outside the subset does not compile, and one
// that fails at run time (a missing field, a type mismatch) cannot be decided: both are skipped,
// never reported as a violation. Transition rules (those using `oldSelf`) are skipped too.
//
// Subset: literals (int, double, string, bool, null, lists), `self`, field selection (`a.b`),
// indexing (`a[0]`, `a["k"]`), `has(a.b)`, `size(x)` / `x.size()`, `x.startsWith/endsWith/contains(s)`,
// `! - * / % + - < <= > >= == != in && ||` and `c ? a : b`.

type Value = unknown;

type Node =
  | { k: 'lit'; v: Value }
  | { k: 'ident'; name: string }
  | { k: 'list'; items: Node[] }
  | { k: 'select'; target: Node; field: string }
  | { k: 'index'; target: Node; index: Node }
  | { k: 'call'; fn: string; target?: Node; args: Node[] }
  | { k: 'unary'; op: string; arg: Node }
  | { k: 'binary'; op: string; left: Node; right: Node }
  | { k: 'cond'; test: Node; then: Node; else: Node };

class CelUnsupported extends Error {}
/** A run-time error: the rule cannot be decided for this value. */
class CelEvalError extends Error {}

const tokenRe = /\s*(?:(\d+\.\d+(?:[eE][+-]?\d+)?)|(\d+)[uU]?|"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([A-Za-z_][A-Za-z0-9_]*)|(&&|\|\||==|!=|<=|>=|[-+*/%!<>()[\].,?:]))/y;

type Token = { t: 'num' | 'int' | 'str' | 'id' | 'op'; v: string };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  tokenRe.lastIndex = 0;
  let pos = 0;
  while (pos < src.length) {
    if (/^\s*$/.test(src.slice(pos))) break;
    tokenRe.lastIndex = pos;
    const m = tokenRe.exec(src);
    if (!m) throw new CelUnsupported(`unexpected input at ${pos}`);
    pos = tokenRe.lastIndex;
    if (m[1] !== undefined) out.push({ t: 'num', v: m[1] });
    else if (m[2] !== undefined) out.push({ t: 'int', v: m[2] });
    else if (m[3] !== undefined || m[4] !== undefined) out.push({ t: 'str', v: JSON.parse(`"${(m[3] ?? m[4]!).replace(/\\'/g, "'").replace(/(?<!\\)"/g, '\\"')}"`) as string });
    else if (m[5] !== undefined) out.push({ t: 'id', v: m[5] });
    else out.push({ t: 'op', v: m[6]! });
  }
  return out;
}

class Parser {
  private i = 0;
  constructor(private readonly toks: Token[]) {}

  parse(): Node {
    const n = this.expr();
    if (this.i !== this.toks.length) throw new CelUnsupported('trailing input');
    return n;
  }

  private peek(v?: string): boolean { const t = this.toks[this.i]; return !!t && (v === undefined || (t.t === 'op' && t.v === v)); }
  private eat(v: string): boolean { if (this.peek(v)) { this.i++; return true; } return false; }
  private expect(v: string): void { if (!this.eat(v)) throw new CelUnsupported(`expected ${v}`); }

  private expr(): Node {
    const test = this.binary(0);
    if (!this.eat('?')) return test;
    const then = this.expr();
    this.expect(':');
    return { k: 'cond', test, then, else: this.expr() };
  }

  private static readonly levels = [['||'], ['&&'], ['==', '!=', '<', '<=', '>', '>=', 'in'], ['+', '-'], ['*', '/', '%']];

  private binary(level: number): Node {
    if (level === Parser.levels.length) return this.unary();
    let left = this.binary(level + 1);
    for (;;) {
      const t = this.toks[this.i];
      const op = t && (t.t === 'op' || (t.t === 'id' && t.v === 'in')) ? t.v : undefined;
      if (!op || !Parser.levels[level]!.includes(op)) return left;
      this.i++;
      left = { k: 'binary', op, left, right: this.binary(level + 1) };
    }
  }

  private unary(): Node {
    if (this.eat('!')) return { k: 'unary', op: '!', arg: this.unary() };
    if (this.eat('-')) return { k: 'unary', op: '-', arg: this.unary() };
    return this.postfix(this.primary());
  }

  private args(): Node[] {
    const out: Node[] = [];
    if (this.eat(')')) return out;
    do out.push(this.expr()); while (this.eat(','));
    this.expect(')');
    return out;
  }

  private postfix(n: Node): Node {
    for (;;) {
      if (this.eat('.')) {
        const t = this.toks[this.i++];
        if (!t || t.t !== 'id') throw new CelUnsupported('expected a field name');
        n = this.eat('(') ? { k: 'call', fn: t.v, target: n, args: this.args() } : { k: 'select', target: n, field: t.v };
      } else if (this.eat('[')) {
        const index = this.expr();
        this.expect(']');
        n = { k: 'index', target: n, index };
      } else return n;
    }
  }

  private primary(): Node {
    const t = this.toks[this.i++];
    if (!t) throw new CelUnsupported('unexpected end');
    if (t.t === 'int') return { k: 'lit', v: Number(t.v) };
    if (t.t === 'num') return { k: 'lit', v: Number(t.v) };
    if (t.t === 'str') return { k: 'lit', v: t.v };
    if (t.t === 'id') {
      if (t.v === 'true' || t.v === 'false') return { k: 'lit', v: t.v === 'true' };
      if (t.v === 'null') return { k: 'lit', v: null };
      if (this.eat('(')) return { k: 'call', fn: t.v, args: this.args() };
      return { k: 'ident', name: t.v };
    }
    if (t.v === '(') { const n = this.expr(); this.expect(')'); return n; }
    if (t.v === '[') {
      const items: Node[] = [];
      if (!this.eat(']')) { do items.push(this.expr()); while (this.eat(',')); this.expect(']'); }
      return { k: 'list', items };
    }
    throw new CelUnsupported(`unexpected ${t.v}`);
  }
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function equal(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

function num(v: Value): number {
  if (typeof v !== 'number') throw new CelEvalError('no such overload');
  return v;
}

function evaluate(n: Node, self: Value): Value {
  switch (n.k) {
    case 'lit': return n.v;
    case 'list': return n.items.map((x) => evaluate(x, self));
    case 'ident':
      if (n.name === 'self') return self;
      throw new CelUnsupported(`undeclared reference to '${n.name}'`);
    case 'select': {
      const t = evaluate(n.target, self);
      if (!isMap(t) || !(n.field in t)) throw new CelEvalError(`no such key: ${n.field}`);
      return t[n.field];
    }
    case 'index': {
      const t = evaluate(n.target, self);
      const i = evaluate(n.index, self);
      if (Array.isArray(t) && typeof i === 'number' && Number.isInteger(i) && i >= 0 && i < t.length) return t[i];
      if (isMap(t) && typeof i === 'string' && i in t) return t[i];
      throw new CelEvalError('no such key');
    }
    case 'call': return call(n, self);
    case 'unary': {
      const v = evaluate(n.arg, self);
      if (n.op === '!') { if (typeof v !== 'boolean') throw new CelEvalError('no such overload'); return !v; }
      return -num(v);
    }
    case 'cond': {
      const c = evaluate(n.test, self);
      if (typeof c !== 'boolean') throw new CelEvalError('no such overload');
      return evaluate(c ? n.then : n.else, self);
    }
    case 'binary': return binary(n.op, n.left, n.right, self);
  }
}

function call(n: Extract<Node, { k: 'call' }>, self: Value): Value {
  if (n.fn === 'has' && !n.target) {
    const arg = n.args[0];
    if (n.args.length !== 1 || arg?.k !== 'select') throw new CelUnsupported('has() takes a field selection');
    const t = evaluate(arg.target, self);
    if (!isMap(t)) throw new CelEvalError('no such overload');
    return arg.field in t;
  }
  const target = n.target ? evaluate(n.target, self) : undefined;
  const args = n.args.map((a) => evaluate(a, self));
  const sizeOf = (v: Value) => {
    if (typeof v === 'string') return [...v].length;
    if (Array.isArray(v)) return v.length;
    if (isMap(v)) return Object.keys(v).length;
    throw new CelEvalError('no such overload');
  };
  if (n.fn === 'size') {
    if (n.target) { if (args.length) throw new CelUnsupported('size() takes no arguments'); return sizeOf(target); }
    if (args.length !== 1) throw new CelUnsupported('size() takes one argument');
    return sizeOf(args[0]);
  }
  if (n.target && (n.fn === 'startsWith' || n.fn === 'endsWith' || n.fn === 'contains') && args.length === 1) {
    if (typeof target !== 'string' || typeof args[0] !== 'string') throw new CelEvalError('no such overload');
    return n.fn === 'startsWith' ? target.startsWith(args[0]) : n.fn === 'endsWith' ? target.endsWith(args[0]) : target.includes(args[0]);
  }
  throw new CelUnsupported(`undeclared function ${n.fn}`);
}

function binary(op: string, l: Node, r: Node, self: Value): Value {
  if (op === '&&' || op === '||') {
    // CEL's logical operators absorb an error on one side when the other side decides.
    let a: Value; let aErr: unknown;
    try { a = evaluate(l, self); } catch (err) { if (err instanceof CelUnsupported) throw err; aErr = err; }
    if (aErr === undefined && typeof a !== 'boolean') throw new CelEvalError('no such overload');
    if (aErr === undefined && a === (op === '||')) return a;
    const b = evaluate(r, self);
    if (typeof b !== 'boolean') throw new CelEvalError('no such overload');
    if (b === (op === '||')) return b;
    if (aErr !== undefined) throw aErr;
    return b;
  }
  const a = evaluate(l, self);
  const b = evaluate(r, self);
  switch (op) {
    case '==': return equal(a, b);
    case '!=': return !equal(a, b);
    case 'in':
      if (Array.isArray(b)) return b.some((x) => equal(x, a));
      if (isMap(b) && typeof a === 'string') return a in b;
      throw new CelEvalError('no such overload');
    case '+':
      if (typeof a === 'string' && typeof b === 'string') return a + b;
      if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
      return num(a) + num(b);
    case '-': return num(a) - num(b);
    case '*': return num(a) * num(b);
    case '/': case '%': {
      if (num(b) === 0) throw new CelEvalError('division by zero');
      return op === '/' ? (Number.isInteger(a) && Number.isInteger(b) ? Math.trunc(num(a) / num(b)) : num(a) / num(b)) : num(a) % num(b);
    }
    default: {
      const cmp = typeof a === 'string' && typeof b === 'string' ? (a < b ? -1 : a > b ? 1 : 0) : num(a) - num(b);
      return op === '<' ? cmp < 0 : op === '<=' ? cmp <= 0 : op === '>' ? cmp > 0 : cmp >= 0;
    }
  }
}

const methods = new Set(['size', 'startsWith', 'endsWith', 'contains']);

/** Static check, as CEL's type checker would refuse: only `self`, and only the functions above. */
function check(n: Node): void {
  switch (n.k) {
    case 'lit': return;
    case 'ident': if (n.name !== 'self') throw new CelUnsupported(`undeclared reference to '${n.name}'`); return;
    case 'list': n.items.forEach(check); return;
    case 'select': check(n.target); return;
    case 'index': check(n.target); check(n.index); return;
    case 'unary': check(n.arg); return;
    case 'binary': check(n.left); check(n.right); return;
    case 'cond': check(n.test); check(n.then); check(n.else); return;
    case 'call':
      if (n.fn === 'has' && !n.target) { if (n.args.length !== 1 || n.args[0]!.k !== 'select') throw new CelUnsupported('has() takes a field selection'); check(n.args[0]!); return; }
      if (n.fn === 'size' && !n.target && n.args.length === 1) { check(n.args[0]!); return; }
      if (!n.target || !methods.has(n.fn)) throw new CelUnsupported(`undeclared function ${n.fn}`);
      check(n.target); n.args.forEach(check);
  }
}

export type CompiledRule = ((self: Value) => boolean | undefined) | undefined;

const compiledRules = new Map<string, CompiledRule>();

/**
 * Compiles a rule once; undefined when it is outside the subset. The result answers true/false,
 * or undefined when the rule cannot be decided for that value.
 */
export function compileRule(rule: string): CompiledRule {
  if (compiledRules.has(rule)) return compiledRules.get(rule);
  let out: CompiledRule;
  try {
    if (/\boldSelf\b/.test(rule)) throw new CelUnsupported('transition rules are not evaluated');
    const ast = new Parser(tokenize(rule)).parse();
    check(ast);
    out = (self) => {
      try {
        const v = evaluate(ast, self);
        return typeof v === 'boolean' ? v : undefined;
      } catch { return undefined; }
    };
  } catch { out = undefined; }
  if (compiledRules.size > 2000) compiledRules.clear();
  compiledRules.set(rule, out);
  return out;
}

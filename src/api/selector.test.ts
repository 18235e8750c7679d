import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  parseSelector, selectorToString, labelSelectorToString, selectorMatches, labelSelectorMatches,
  parseFieldSelector, escapeFieldValue, SelectorParseError, type Requirement, type Selector,
} from './selector.js';

const req = (key: string, operator: Requirement['operator'], values: string[] = []): Requirement => ({ key, operator, values });

describe('parseSelector', () => {
  const cases: [string, Selector][] = [
    ['', []],
    ['   ', []],
    ['a=b', [req('a', 'In', ['b'])]],
    ['a==b', [req('a', 'In', ['b'])]],
    ['a!=b', [req('a', 'NotIn', ['b'])]],
    ['a=', [req('a', 'In', [''])]],
    ['a in (y, x)', [req('a', 'In', ['x', 'y'])]],
    ['a notin (x)', [req('a', 'NotIn', ['x'])]],
    ['a', [req('a', 'Exists')]],
    ['!a', [req('a', 'DoesNotExist')]],
    ['a>5', [req('a', 'Gt', ['5'])]],
    ['a<5', [req('a', 'Lt', ['5'])]],
    ['  a = b ,\tc in ( x , y ) ', [req('a', 'In', ['b']), req('c', 'In', ['x', 'y'])]],
    ['x in (foo,,baz),y,z notin ()', [req('x', 'In', ['', 'baz', 'foo']), req('y', 'Exists'), req('z', 'NotIn', [''])]],
    ['x in (a,a,b)', [req('x', 'In', ['a', 'b'])]],
    ['x in (,a)', [req('x', 'In', ['', 'a'])]],
    ['x in (,)', [req('x', 'In', [''])]],
    ['value in (in, notin)', [req('value', 'In', ['in', 'notin'])]],
    ['b=1,a=2', [req('a', 'In', ['2']), req('b', 'In', ['1'])]],
    ['example.com/app=web', [req('example.com/app', 'In', ['web'])]],
  ];
  for (const [input, want] of cases) {
    it(`parses ${JSON.stringify(input)}`, () => assert.deepEqual(parseSelector(input), want));
  }

  const errors: [string, string][] = [
    ['=a', "found '=', expected: !, identifier, or 'end of string'"],
    ['a,', "found '', expected: identifier after ','"],
    ['a=b c', "found 'c', expected: ',' or 'end of string'"],
    ['a=b=c', "found '=', expected: ',' or 'end of string'"],
    ['!a=b', "found '=', expected: ',' or 'end of string'"],
    ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ['a in b', "unable to parse requirement: found 'b' expected: '('"],
    ['a in (x', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['a in (=)', "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
    ['a=(', "unable to parse requirement: found '(', expected: identifier"],
    ['!', "unable to parse requirement: found '', expected: identifier"],
    // Upstream's set parser cannot read three empty entries either.
    ['a in (,,)', "unable to parse requirement: found ')', expected: ',', or identifier"],
    ['a>b', `unable to parse requirement: values[0]: Invalid value: "b": for 'Gt', 'Lt' operators, the value must be an integer`],
    ['a>99999999999999999999', `unable to parse requirement: values[0]: Invalid value: "99999999999999999999": for 'Gt', 'Lt' operators, the value must be an integer`],
  ];
  for (const [input, message] of errors) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      assert.throws(() => parseSelector(input), (e: unknown) => e instanceof SelectorParseError && e.message === message);
    });
  }

  it('validates keys and values like upstream', () => {
    assert.throws(() => parseSelector('-a=b'), (e: Error) => e instanceof SelectorParseError
      && e.message.startsWith('unable to parse requirement: <nil>: Invalid value: "-a": name part must consist of'));
    assert.throws(() => parseSelector(`a=${'x'.repeat(64)}`), (e: Error) =>
      e.message.startsWith(`unable to parse requirement: values[0][a]: Invalid value: "${'x'.repeat(64)}": must be no more than 63 characters`));
    // Two problems at once are reported as a bracketed list.
    assert.throws(() => parseSelector('a>-1x'), (e: Error) => /^unable to parse requirement: \[values\[0\]: .*, values\[0\]\[a\]: .*\]$/.test(e.message));
  });
});

describe('selectorToString', () => {
  it('prints the canonical form', () => {
    assert.equal(selectorToString(parseSelector('b in (y,x),a,!c,d>3,e==1,f!=2,g in (z),h notin (p,q)')),
      'a,b in (x,y),!c,d>3,e=1,f!=2,g=z,h notin (p,q)');
    assert.equal(selectorToString([]), '');
  });
});

describe('labelSelectorToString', () => {
  it('prints what kubectl sends', () => {
    assert.equal(labelSelectorToString({
      matchLabels: { tier: 'x', app: 'web' },
      matchExpressions: [
        { key: 'env', operator: 'In', values: ['prod'] },
        { key: 'z', operator: 'DoesNotExist' },
        { key: 'b', operator: 'NotIn', values: ['2', '1'] },
        { key: 'c', operator: 'Exists' },
      ],
    }), 'app=web,b notin (1,2),c,env in (prod),tier=x,!z');
    assert.equal(labelSelectorToString(undefined), '');
    assert.equal(labelSelectorToString({}), '');
  });

  it('rejects an invalid operator', () => {
    assert.throws(() => labelSelectorToString({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }), SelectorParseError);
  });

  it('parses back to a selector that matches the same label sets', () => {
    const ls = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev', 'qa'] }] };
    const sel = parseSelector(labelSelectorToString(ls));
    const sets: Record<string, string>[] = [{ app: 'web' }, { app: 'web', env: 'dev' }, { app: 'db' }, { app: 'web', env: 'prod' }];
    for (const labels of sets) {
      assert.equal(selectorMatches(sel, labels), labelSelectorMatches(ls, labels), JSON.stringify(labels));
    }
  });
});

// --- properties ---------------------------------------------------------------------------

const name = fc.stringMatching(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,8}[A-Za-z0-9])?$/);
const key = fc.tuple(fc.option(fc.stringMatching(/^[a-z0-9]{1,5}(\.[a-z0-9]{1,5}){0,2}$/), { nil: undefined }), name)
  .map(([prefix, n]) => (prefix ? `${prefix}/${n}` : n));
const value = fc.oneof(fc.constant(''), name);
const int = fc.bigInt(0n, 2n ** 63n - 1n).map(String);

const requirement: fc.Arbitrary<Requirement> = fc.oneof(
  fc.record({ key, operator: fc.constantFrom('In' as const, 'NotIn' as const), values: fc.uniqueArray(value, { minLength: 1, maxLength: 4 }) }),
  fc.record({ key, operator: fc.constantFrom('Exists' as const, 'DoesNotExist' as const), values: fc.constant<string[]>([]) }),
  fc.record({ key, operator: fc.constantFrom('Gt' as const, 'Lt' as const), values: int.map((v) => [v]) }),
);

function normalize(sel: Requirement[]): Selector {
  return sel.map((r) => ({ ...r, values: [...r.values].sort() })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

describe('selector properties', () => {
  it('parse(print(selector)) round-trips', () => {
    fc.assert(fc.property(fc.array(requirement, { maxLength: 6 }), (reqs) => {
      const sel = normalize(reqs);
      assert.deepEqual(parseSelector(selectorToString(sel)), sel);
    }));
  });

  // A reference model evaluates a requirement written in any accepted spelling.
  type Spec = { key: string; op: '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | '>' | '<'; values: string[] };
  const smallKey = fc.constantFrom<string>('a', 'b', 'x.io/c');
  const smallValue = fc.constantFrom<string>('', '1', '5', '10', 'v', 'w');
  const spec: fc.Arbitrary<Spec> = fc.oneof(
    fc.record({ key: smallKey, op: fc.constantFrom('=' as const, '==' as const, '!=' as const), values: smallValue.map((v) => [v]) }),
    fc.record({ key: smallKey, op: fc.constantFrom('in' as const, 'notin' as const), values: fc.uniqueArray(smallValue, { minLength: 1, maxLength: 3 }) }),
    fc.record({ key: smallKey, op: fc.constantFrom('exists' as const, '!' as const), values: fc.constant<string[]>([]) }),
    fc.record({ key: smallKey, op: fc.constantFrom('>' as const, '<' as const), values: fc.constantFrom('0', '5', '7').map((v) => [v]) }),
  );
  const space = fc.constantFrom('', ' ', '  ', '\t');
  const render = (s: Spec, sp: string): string => {
    switch (s.op) {
      case 'exists': return `${sp}${s.key}${sp}`;
      case '!': return `${sp}!${s.key}${sp}`;
      case 'in': case 'notin': return `${sp}${s.key} ${s.op}${sp}(${s.values.join(`${sp},${sp}`)})${sp}`;
      default: return `${sp}${s.key}${sp}${s.op}${sp}${s.values[0]}${sp}`;
    }
  };
  const model = (s: Spec, labels: Record<string, string>): boolean => {
    const has = Object.prototype.hasOwnProperty.call(labels, s.key);
    const v = labels[s.key];
    switch (s.op) {
      case '=': case '==': case 'in': return has && s.values.includes(v);
      case '!=': case 'notin': return !has || !s.values.includes(v);
      case 'exists': return has;
      case '!': return !has;
      case '>': case '<': {
        if (!has || !/^\d+$/.test(v)) return false;
        return s.op === '>' ? Number(v) > Number(s.values[0]) : Number(v) < Number(s.values[0]);
      }
    }
  };
  const labels = fc.dictionary(smallKey, smallValue, { maxKeys: 3 });

  it('parsed selectors match exactly when the reference model does', () => {
    fc.assert(fc.property(fc.array(spec, { maxLength: 4 }), space, labels, (specs, sp, ls) => {
      const text = specs.map((s) => render(s, sp)).join(',');
      assert.equal(selectorMatches(parseSelector(text), ls), specs.every((s) => model(s, ls)), text);
    }), { numRuns: 500 });
  });
});

describe('parseFieldSelector', () => {
  it('parses terms sorted, with == as =', () => {
    assert.deepEqual(parseFieldSelector('spec.nodeName=n1,status.phase!=Succeeded,metadata.name==x'), [
      { field: 'metadata.name', op: '=', value: 'x' },
      { field: 'spec.nodeName', op: '=', value: 'n1' },
      { field: 'status.phase', op: '!=', value: 'Succeeded' },
    ]);
  });
  it('accepts empty values and skips empty terms', () => {
    assert.deepEqual(parseFieldSelector('involvedObject.namespace=,'), [{ field: 'involvedObject.namespace', op: '=', value: '' }]);
    assert.deepEqual(parseFieldSelector(''), []);
  });
  it('unescapes \\\\, \\, and \\=', () => {
    assert.deepEqual(parseFieldSelector('a=x\\,y\\=z\\\\w'), [{ field: 'a', op: '=', value: 'x,y=z\\w' }]);
  });
  it('rejects malformed terms with upstream messages', () => {
    const bad: [string, string][] = [
      ['a', "invalid selector: 'a'; can't understand 'a'"],
      ['a=b,c', "invalid selector: 'a=b,c'; can't understand 'c'"],
      ['a=b\\q', 'invalid field selector: invalid escape sequence: \\q'],
      ['a=b\\', 'invalid field selector: invalid escape sequence: \\'],
      ['a=b=c', 'invalid field selector: unescapedRune character in value: 61'],
    ];
    for (const [input, message] of bad) {
      assert.throws(() => parseFieldSelector(input), (e: unknown) => e instanceof SelectorParseError && e.message === message, input);
    }
  });
  it('escapeFieldValue round-trips any value', () => {
    fc.assert(fc.property(fc.string(), (v) => {
      assert.deepEqual(parseFieldSelector(`f=${escapeFieldValue(v)}`), [{ field: 'f', op: '=', value: v }]);
    }));
  });
});

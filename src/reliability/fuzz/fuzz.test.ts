// The fuzzer's pure parts: reproducibility from the seed, schema-derived coverage of every kind,
// the hostile encodings, and how outcomes become (deduplicated) defects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from './prng.js';
import { fuzzContext, generators, nextRequest } from './generators.js';
import { describeRequest, type FuzzRequest } from './request.js';
import { fieldPaths, pathString, schemaFor } from './schema.js';
import { encodeJson } from './encode.js';
import { deep, huge } from './values.js';
import { mutateObject, setAt } from './mutate.js';
import { classify, normalise, Tally } from './report.js';
import { builtinCatalog } from '../../apiserver/builtin.js';

const ctx = () => fuzzContext(['fuzz-a', 'fuzz-b'], ['o0', 'o1']);
const draw = (seed: number, n: number) => { const rng = new Rng(seed); const c = ctx(); return Array.from({ length: n }, () => describeRequest(nextRequest(rng, c))); };

test('the same seed draws the same requests; another seed draws others', () => {
  assert.deepEqual(draw(7, 300), draw(7, 300));
  assert.notDeepEqual(draw(7, 300), draw(8, 300));
});

test('every served kind has a schema and field paths, down to the fields of the issue', () => {
  for (const d of builtinCatalog().all()) assert.ok(schemaFor(d.group, d.version, d.kind), `${d.kind} in ${d.group}/${d.version}`);
  const paths = (kind: string) => fieldPaths(schemaFor('', 'v1', kind)!).map((p) => pathString(p.segments));
  assert.ok(paths('Pod').includes('metadata.ownerReferences'));
  assert.ok(paths('Pod').includes('spec.containers'));
  assert.ok(paths('Node').includes('status.conditions[]'));
  assert.ok(paths('ConfigMap').includes('data{}'));
});

test('every generator is drawn, and body generators reach every kind', () => {
  const rng = new Rng(1);
  const c = ctx();
  const seen = new Set<string>();
  const created = new Set<string>();
  for (let i = 0; i < 4000; i++) {
    const r: FuzzRequest = nextRequest(rng, c);
    seen.add(r.generator);
    if (r.generator === 'create-mutated' && r.kind === 'http') created.add(r.path.split('?')[0].replace(/\/namespaces\/[^/]+/, ''));
  }
  assert.deepEqual([...seen].sort(), generators.map(([, n]) => n).sort());
  assert.equal(created.size, builtinCatalog().all().length);
});

test('encodeJson expands deep and huge placeholders and can repeat a key', () => {
  assert.equal(encodeJson({ a: deep(3, false) }), '{"a":[[[]]]}');
  assert.equal(encodeJson({ a: deep(2, true) }), '{"a":{"a":{"a":{}}}}');
  assert.equal(encodeJson({ s: huge(5) }), '{"s":"xxxxx"}');
  const dup = encodeJson({ name: 'x' }, new Rng(3), true);
  assert.match(dup, /^\{"name":[^,]+,"name":"x"\}$/);
});

test('a 5xx or a hang is a defect, a 4xx is not; defects are deduplicated by their normalised message', () => {
  const r: FuzzRequest = { kind: 'http', generator: 'g', method: 'POST', path: '/api/v1/namespaces/fuzz-a/pods', headers: {} };
  assert.equal(classify(r, { status: 422 }), undefined);
  assert.equal(classify(r, { status: 0, error: 'ECONNRESET' }), undefined);
  assert.equal(classify(r, { status: 500, message: 'boom' })?.type, '5xx');
  assert.equal(classify(r, { status: 0, hang: true })?.type, 'hang');
  // The 500s kube-apiserver gives too (strategic merge patch errors it does not map to a 4xx).
  assert.equal(classify(r, { status: 500, message: 'cannot merge lists without merge key for map[string]interface {}' }), undefined);
  assert.equal(classify(r, { status: 500, message: 'list element types are not identical: [[a] [map[b:1]]]' }), undefined);
  assert.equal(normalise('map: {"a":1} does not contain declared merge key: uid'), normalise('map: {"b":[2]} does not contain declared merge key: uid'));
  const t = new Tally();
  assert.ok(t.record(r, { status: 500, message: 'pods "a" is 5' }));
  assert.equal(t.record(r, { status: 500, message: 'pods "b" is 6' }), undefined);
  t.record(r, { status: 201 });
  assert.deepEqual(t.byStatus, { 500: 2, 201: 1 });
  assert.equal(t.defects().length, 1);
  assert.equal(t.defects()[0].count, 2);
});

test('a __proto__ key becomes an own key of the body and never pollutes Object.prototype', () => {
  const body: Record<string, unknown> = { metadata: { name: 'x' } };
  setAt(body, ['metadata', 'labels', '__proto__', 0], 'polluted');
  setAt(body, ['metadata', '__proto__'], 'v');
  assert.equal(({} as Record<number, unknown>)[0], undefined);
  assert.equal(Object.getPrototypeOf(body.metadata), Object.prototype);
  assert.equal(JSON.stringify(body), '{"metadata":{"name":"x","labels":{"__proto__":["polluted"]},"__proto__":"v"}}');
  const rng = new Rng(5);
  for (let i = 0; i < 300; i++) mutateObject(rng, { metadata: { labels: { a: 'b' } } }, [{ segments: ['metadata', 'labels', '{}', '[]'], type: 'string' }, { segments: ['metadata', '{}'], type: 'object' }]);
  assert.deepEqual(Object.keys(Object.prototype), []);
  for (const k in process.env) assert.ok(Object.prototype.hasOwnProperty.call(process.env, k), k);
});

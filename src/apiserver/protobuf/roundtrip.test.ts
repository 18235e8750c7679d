// Every decodable kind, round-tripped: random JSON objects drawn from the generated table are
// encoded the way Go's generated marshaller encodes them (every non-pointer field written, zeros
// included) by an encoder written here, then decoded; the decoder must give back the JSON object.
// Field numbers themselves are checked against real kubectl bytes in ../protobuf.test.ts.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import { KINDS, LISTS, MESSAGES, type FieldRow } from './schema.generated.js';
import { decodeMessage, isKnownType } from './decode.js';
import { decodeProtobufObject, protobufMessageFor, ProtobufFormatError } from '../protobuf.js';
import { builtinCatalog } from '../builtin.js';

const REPEATED = 1;
const KEEP_ZERO = 2;
const INLINE = 4;
type Json = unknown;
type Obj = Record<string, Json>;

// ---- An encoder of our own: protobufjs's Writer for the wire primitives, the table for the layout.

function encodeMessage(message: string, obj: Obj, packed: boolean): Uint8Array {
  const w = protobuf.Writer.create();
  for (const [no, name, type, flags] of MESSAGES[message]!) {
    if (flags & INLINE) { field(w, no, type, obj, packed); continue; }
    const v = obj[name];
    if (type.startsWith('map:')) {
      const [, kt, vt] = type.split(':') as [string, string, string];
      for (const [k, x] of Object.entries((v ?? {}) as Obj)) {
        const e = protobuf.Writer.create();
        writeValue(e, 1, kt, k, packed);
        writeValue(e, 2, vt, x, packed);
        w.uint32((no << 3) | 2).bytes(e.finish());
      }
    } else if (flags & REPEATED) {
      const list = (v ?? []) as Json[];
      if (packed && list.length && isNumeric(type)) {
        const p = protobuf.Writer.create();
        for (const x of list) writeBare(p, type, x);
        w.uint32((no << 3) | 2).bytes(p.finish());
      } else for (const x of list) writeValue(w, no, type, x, packed);
    } else if (v !== undefined) {
      field(w, no, type, v, packed);
    } else if (!(flags & KEEP_ZERO)) {
      // A non-pointer field that JSON left out (omitempty): Go still writes its zero value.
      field(w, no, type, zero(type), packed);
    }
  }
  return w.finish();
}

function field(w: protobuf.Writer, no: number, type: string, v: Json, packed: boolean): void {
  writeValue(w, no, type, v, packed);
}

const NUMERIC = new Set(['bool', 'int32', 'int64', 'uint32', 'uint64', 'double', 'float']);
const isNumeric = (t: string) => NUMERIC.has(t);

function writeBare(w: protobuf.Writer, type: string, v: Json): void {
  switch (type) {
    case 'bool': w.bool(v as boolean); return;
    // Go writes a negative int32 as its 64-bit two's complement: ten bytes.
    case 'int32': case 'int64': w.int64(v as number); return;
    case 'uint32': case 'uint64': w.uint64(v as number); return;
    case 'double': w.double(v as number); return;
    case 'float': w.float(v as number); return;
    default: throw new Error(`not numeric: ${type}`);
  }
}

const wireOf = (type: string) => (type === 'double' ? 1 : type === 'float' ? 5 : isNumeric(type) ? 0 : 2);

function writeValue(w: protobuf.Writer, no: number, type: string, v: Json, packed: boolean): void {
  w.uint32((no << 3) | wireOf(type));
  if (isNumeric(type)) return writeBare(w, type, v);
  if (type === 'string') { w.string(v as string); return; }
  if (type === 'bytes') { w.bytes(Buffer.from(v as string, 'base64')); return; }
  w.bytes(encodeNested(type, v, packed));
}

function encodeNested(type: string, v: Json, packed: boolean): Uint8Array {
  const w = protobuf.Writer.create();
  switch (type) {
    case 'meta.v1.Time': case 'meta.v1.MicroTime': {
      if (v === undefined) return w.finish();
      const ms = Date.parse(v as string);
      const micros = type === 'meta.v1.MicroTime' ? Number((v as string).slice(20, 26)) : 0;
      w.uint32(1 << 3).int64(Math.floor(ms / 1000));
      if (micros) w.uint32(2 << 3).int32(micros * 1000);
      return w.finish();
    }
    case 'util.intstr.IntOrString':
      if (typeof v === 'string') w.uint32(1 << 3).int64(1).uint32(2 << 3).int32(0).uint32((3 << 3) | 2).string(v);
      else w.uint32(1 << 3).int64(0).uint32(2 << 3).int32(v as number).uint32((3 << 3) | 2).string('');
      return w.finish();
    case 'api.resource.Quantity': w.uint32((1 << 3) | 2).string(v as string); return w.finish();
    case 'runtime.RawExtension': case 'meta.v1.FieldsV1':
      if (v !== undefined) w.uint32((1 << 3) | 2).bytes(Buffer.from(JSON.stringify(v)));
      return w.finish();
  }
  if (LISTS.has(type)) { for (const s of v as string[]) w.uint32((1 << 3) | 2).string(s); return w.finish(); }
  return encodeMessage(type, v as Obj, packed);
}

function zero(type: string): Json {
  if (type === 'string' || type === 'bytes') return '';
  if (type === 'bool') return false;
  if (isNumeric(type)) return 0;
  if (type === 'meta.v1.Time' || type === 'meta.v1.MicroTime' || type === 'runtime.RawExtension' || type === 'meta.v1.FieldsV1') return undefined;
  if (type === 'util.intstr.IntOrString') return 0;
  if (type === 'api.resource.Quantity') return '';
  return {};
}

// ---- Random JSON objects in the shape the decoder must produce.

const MAX_DEPTH = 3;
const text = fc.string({ unit: 'grapheme', maxLength: 8 });
const seconds = fc.integer({ min: 1, max: 253402300799 });

function arbitrary(type: string, depth: number): fc.Arbitrary<Json> {
  switch (type) {
    case 'string': return text;
    case 'bytes': return fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b).toString('base64'));
    case 'bool': return fc.boolean();
    case 'int32': return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    case 'int64': return fc.maxSafeInteger();
    case 'uint32': return fc.integer({ min: 0, max: 2 ** 32 - 1 });
    case 'uint64': return fc.maxSafeNat();
    case 'double': return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'float': return fc.float({ noNaN: true, noDefaultInfinity: true }).map(Math.fround);
    case 'meta.v1.Time': return seconds.map((s) => new Date(s * 1000).toISOString().slice(0, 19) + 'Z');
    case 'meta.v1.MicroTime': return fc.tuple(seconds, fc.integer({ min: 0, max: 999_999 }))
      .map(([s, us]) => `${new Date(s * 1000).toISOString().slice(0, 19)}.${String(us).padStart(6, '0')}Z`);
    case 'util.intstr.IntOrString': return fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), text);
    case 'api.resource.Quantity': return fc.constantFrom('0', '1', '100m', '1.5Gi', '2e3');
    case 'runtime.RawExtension': case 'meta.v1.FieldsV1':
      return fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.boolean()), { maxKeys: 3, noNullPrototype: true });
  }
  if (LISTS.has(type)) return fc.array(text, { maxLength: 3 });
  return message(type, depth);
}

const messageArbs = new Map<string, fc.Arbitrary<Obj>>();
function message(type: string, depth: number): fc.Arbitrary<Obj> {
  const key = `${type}@${depth}`;
  const cached = messageArbs.get(key);
  if (cached) return cached;
  const parts: Record<string, fc.Arbitrary<Json>> = {};
  const inline: fc.Arbitrary<Obj>[] = [];
  for (const [, name, t, flags] of MESSAGES[type]!) {
    const nested = !t.startsWith('map:') && t in MESSAGES;
    if (nested && depth >= MAX_DEPTH) continue;
    if (flags & INLINE) { inline.push(message(t, depth + 1)); continue; }
    let a: fc.Arbitrary<Json>;
    if (t.startsWith('map:')) {
      const [, , vt] = t.split(':') as [string, string, string];
      a = fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }).filter((k) => k !== '__proto__'), arbitrary(vt, depth + 1), { maxKeys: 2, noNullPrototype: true });
    } else if (flags & REPEATED) a = fc.array(arbitrary(t, depth + 1), { maxLength: 2 });
    else a = arbitrary(t, depth + 1);
    parts[name] = a.map((v) => (keepsValue(v, t, flags) ? v : undefined));
  }
  const arb = fc.tuple(fc.record(parts, { requiredKeys: [] }), ...inline).map(([own, ...inl]) => {
    const out: Obj = {};
    for (const o of inl) Object.assign(out, o);
    for (const [k, v] of Object.entries(own)) if (v !== undefined) out[k] = v;
    return out;
  });
  messageArbs.set(key, arb);
  return arb;
}

/** What survives decoding: zeros only where Go keeps them (pointers, no omitempty); never an empty list or map. */
function keepsValue(v: Json, type: string, flags: number): boolean {
  if (Array.isArray(v) || type.startsWith('map:')) return Object.keys(v as object).length > 0;
  if (v === undefined) return false;
  const isZero = v === '' || v === 0 || v === false || (typeof v === 'object' && v !== null && Object.keys(v).length === 0);
  return !isZero || (flags & KEEP_ZERO) !== 0;
}

describe('protobuf round trip through a Go-style encoder', () => {
  for (const [key, msg] of Object.entries(KINDS)) {
    test(key, () => {
      fc.assert(fc.property(message(msg, 0), fc.boolean(), (obj, packed) => {
        assert.deepEqual(decodeMessage(msg, encodeMessage(msg, obj, packed)), obj);
      }), { numRuns: 25 });
    });
  }
});

describe('the generated table', () => {
  test('every kind the catalog serves decodes', () => {
    for (const d of builtinCatalog().all()) {
      // Not yet in the table (k8s.io/apiextensions-apiserver's generated.proto is not read by
      // scripts/gen-protobuf-schema.ts): a protobuf CRD body is a 415; kubectl sends CRDs as JSON.
      if (d.kind === 'CustomResourceDefinition') continue;
      const apiVersion = d.group ? `${d.group}/${d.version}` : d.version;
      assert.ok(protobufMessageFor(apiVersion, d.kind), `${apiVersion} ${d.kind}`);
    }
  });

  test('every type a row names is a scalar, a well-known type, a list or a message in the table', () => {
    for (const [name, rows] of Object.entries(MESSAGES)) {
      for (const [no, field, type] of rows as readonly FieldRow[]) {
        const types = type.startsWith('map:') ? type.split(':').slice(1) : [type];
        for (const t of types) assert.ok(isKnownType(t), `${name}.${field} (${no}): ${t}`);
      }
    }
  });

  test('field numbers and JSON names are unique within each message', () => {
    for (const [name, rows] of Object.entries(MESSAGES)) {
      assert.equal(new Set(rows.map((r) => r[0])).size, rows.length, `${name}: numbers`);
      assert.equal(new Set(rows.map((r) => r[1])).size, rows.length, `${name}: names`);
    }
  });

  test('a whole envelope decodes for every kind, with its apiVersion and kind', () => {
    for (const key of Object.keys(KINDS)) {
      const i = key.lastIndexOf('/');
      const apiVersion = key.slice(0, i) === '*' ? 'apps/v1' : key.slice(0, i);
      const kind = key.slice(i + 1);
      const typeMeta = protobuf.Writer.create().uint32(10).string(apiVersion).uint32(18).string(kind).finish();
      const body = protobuf.Writer.create().uint32(10).bytes(typeMeta).uint32(18).bytes(new Uint8Array()).finish();
      const obj = decodeProtobufObject(Buffer.concat([Buffer.from('k8s\0'), body]));
      assert.equal(obj.apiVersion, apiVersion);
      assert.equal(obj.kind, kind);
    }
  });
});

describe('hostile bytes', () => {
  test('any payload under any kind decodes or is a ProtobufFormatError, never another exception', () => {
    const kinds = Object.keys(KINDS);
    fc.assert(fc.property(fc.constantFrom(...kinds), fc.uint8Array({ maxLength: 200 }), (key, raw) => {
      const i = key.lastIndexOf('/');
      const apiVersion = key.slice(0, i) === '*' ? 'v1' : key.slice(0, i);
      const typeMeta = protobuf.Writer.create().uint32(10).string(apiVersion).uint32(18).string(key.slice(i + 1)).finish();
      const body = protobuf.Writer.create().uint32(10).bytes(typeMeta).uint32(18).bytes(raw).finish();
      try {
        decodeProtobufObject(Buffer.concat([Buffer.from('k8s\0'), body]));
      } catch (err) {
        assert.ok(err instanceof ProtobufFormatError, String(err));
      }
    }), { numRuns: 2000 });
  });

  test('a time beyond year 9999 is a format error, as Go cannot marshal it either', () => {
    const time = protobuf.Writer.create().uint32(8).int64(1e15).finish();
    const meta = protobuf.Writer.create().uint32((8 << 3) | 2).bytes(time).finish();
    const raw = protobuf.Writer.create().uint32(10).bytes(meta).finish();
    assert.throws(() => decodeMessage('core.v1.Pod', raw), /outside years 0000-9999/);
  });
});

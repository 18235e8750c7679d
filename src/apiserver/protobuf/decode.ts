// Walks a protobuf message with the generated field-number table and builds the JSON object the
// same Go struct would have marshalled to: JSON names, inlined structs, metav1.Time as RFC 3339,
// IntOrString as a number or string, Quantity as its string, RawExtension/FieldsV1 as embedded JSON.
import { MESSAGES, LISTS, type FieldRow } from './schema.generated.js';
import { Reader, WireError, WireType } from './wire.js';

const REPEATED = 1;
const KEEP_ZERO = 2;
const INLINE = 4;

/** Far deeper than any served kind nests (their types are not recursive); a guard, not a limit users meet. */
const MAX_DEPTH = 64;

type Json = unknown;

const rowsByNumber = new Map<string, Map<number, FieldRow>>();
function rows(message: string): Map<number, FieldRow> {
  let m = rowsByNumber.get(message);
  if (!m) {
    const table = MESSAGES[message];
    if (!table) throw new Error(`protobuf schema has no message ${message}`);
    m = new Map(table.map((r) => [r[0], r]));
    rowsByNumber.set(message, m);
  }
  return m;
}

/** Messages whose JSON form is their own (custom MarshalJSON upstream), by generated short name. */
const WELL_KNOWN: Record<string, (bytes: Uint8Array) => Json> = {
  'meta.v1.Time': (b) => timeJson(b, 0),
  'meta.v1.MicroTime': (b) => timeJson(b, 6),
  'util.intstr.IntOrString': intOrString,
  'api.resource.Quantity': (b) => stringField(b, 1) ?? '',
  'runtime.RawExtension': (b) => embeddedJson(b),
  'meta.v1.FieldsV1': (b) => embeddedJson(b),
};

export function isKnownType(type: string): boolean {
  return SCALAR_TYPES.has(type) || type in WELL_KNOWN || LISTS.has(type) || type in MESSAGES;
}

export function decodeMessage(message: string, bytes: Uint8Array, depth = 0): Record<string, Json> {
  if (depth > MAX_DEPTH) throw new WireError(`messages nested more than ${MAX_DEPTH} deep`);
  const table = rows(message);
  const values = new Map<FieldRow, Json>();
  const r = new Reader(bytes);
  while (!r.done) {
    const { field, wire } = r.tag();
    const row = table.get(field);
    if (!row) { r.skip(wire); continue; }
    const [, , type, flags] = row;
    if (type.startsWith('map:')) {
      const map = (values.get(row) as Record<string, Json> | undefined) ?? {};
      expectWire(wire, WireType.Bytes, type);
      const [key, val] = mapEntry(r.bytes(), type, depth);
      // defineProperty: a key such as "__proto__" is data, never the object's prototype.
      Object.defineProperty(map, key, { value: val, enumerable: true, writable: true, configurable: true });
      values.set(row, map);
    } else if (flags & REPEATED) {
      const list = (values.get(row) as Json[] | undefined) ?? [];
      if (wire === WireType.Bytes && SCALAR_TYPES.has(type) && type !== 'string' && type !== 'bytes') {
        // A packed run of numbers or bools.
        const packed = new Reader(r.bytes());
        while (!packed.done) list.push(scalar(packed, type, wireTypeOf(type)));
      } else list.push(value(r, type, wire, depth));
      values.set(row, list);
    } else {
      values.set(row, value(r, type, wire, depth));
    }
  }
  const out: Record<string, Json> = {};
  for (const row of table.values()) {
    if (!values.has(row)) continue;
    const [, name, , flags] = row;
    const v = values.get(row);
    if (flags & INLINE) { Object.assign(out, v); continue; }
    // Go's marshaller writes every non-pointer field, so zeros arrive that JSON's omitempty would
    // have left out; pointers and fields without omitempty keep theirs (`immutable: false`, `emptyDir: {}`).
    if (v === undefined || (isZero(v) && !(flags & KEEP_ZERO))) continue;
    out[name] = v;
  }
  return out;
}

function value(r: Reader, type: string, wire: number, depth: number): Json {
  if (SCALAR_TYPES.has(type)) return scalar(r, type, wire);
  expectWire(wire, WireType.Bytes, type);
  const bytes = r.bytes();
  const special = WELL_KNOWN[type];
  if (special) return special(bytes);
  if (LISTS.has(type)) return listItems(bytes);
  return decodeMessage(type, bytes, depth + 1);
}

/** One map entry ({1: key, 2: value}); the caller's map accumulates them. */
function mapEntry(bytes: Uint8Array, type: string, depth: number): [string, Json] {
  const [, keyType, valueType] = type.split(':') as [string, string, string];
  const r = new Reader(bytes);
  let key: Json;
  let val: Json;
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1) key = value(r, keyType, wire, depth);
    else if (field === 2) val = value(r, valueType, wire, depth);
    else r.skip(wire);
  }
  return [String(key ?? ''), val ?? zeroOf(valueType)];
}

function listItems(bytes: Uint8Array): string[] {
  const out: string[] = [];
  const r = new Reader(bytes);
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1) out.push(scalar(r, 'string', wire) as string);
    else r.skip(wire);
  }
  return out;
}

const SCALAR_TYPES = new Set(['string', 'bytes', 'bool', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'double', 'float', 'fixed32', 'fixed64']);
const utf8 = new TextDecoder();

function wireTypeOf(type: string): number {
  if (type === 'double' || type === 'fixed64') return WireType.Fixed64;
  if (type === 'float' || type === 'fixed32') return WireType.Fixed32;
  if (type === 'string' || type === 'bytes') return WireType.Bytes;
  return WireType.Varint;
}

function expectWire(got: number, want: number, type: string): void {
  if (got !== want) throw new WireError(`wire type ${got} cannot hold a ${type}`);
}

function scalar(r: Reader, type: string, wire: number): Json {
  expectWire(wire, wireTypeOf(type), type);
  switch (type) {
    case 'string': return utf8.decode(r.bytes());
    case 'bytes': return Buffer.from(r.bytes()).toString('base64');
    case 'bool': return r.varint() !== 0n;
    case 'int32': return Number(BigInt.asIntN(32, r.varint()));
    case 'int64': return Number(BigInt.asIntN(64, r.varint()));
    case 'uint32': return Number(BigInt.asUintN(32, r.varint()));
    case 'uint64': return Number(r.varint());
    case 'sint32': case 'sint64': { const v = r.varint(); return Number((v >> 1n) ^ -(v & 1n)); }
    case 'double': return r.fixed(8).getFloat64(0, true);
    case 'float': return r.fixed(4).getFloat32(0, true);
    case 'fixed32': return r.fixed(4).getUint32(0, true);
    case 'fixed64': return Number(r.fixed(8).getBigUint64(0, true));
    default: throw new Error(`unknown scalar ${type}`);
  }
}

function zeroOf(type: string): Json {
  if (type === 'string' || type === 'bytes') return '';
  if (type === 'bool') return false;
  if (SCALAR_TYPES.has(type)) return 0;
  const special = WELL_KNOWN[type];
  return special ? special(new Uint8Array()) : {};
}

function isZero(v: Json): boolean {
  if (v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && v !== null && Object.keys(v).length === 0;
}

// ---- well-known types

function numberField(bytes: Uint8Array, no: number): number {
  let out = 0;
  const r = new Reader(bytes);
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === no && wire === WireType.Varint) out = Number(BigInt.asIntN(64, r.varint()));
    else r.skip(wire);
  }
  return out;
}

function stringField(bytes: Uint8Array, no: number): string | undefined {
  let out: string | undefined;
  const r = new Reader(bytes);
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === no && wire === WireType.Bytes) out = utf8.decode(r.bytes());
    else r.skip(wire);
  }
  return out;
}

/** metav1.Time (whole seconds) and MicroTime (microseconds); the zero time is Go's JSON null, so it is left out. */
function timeJson(bytes: Uint8Array, fractionDigits: 0 | 6): string | undefined {
  const seconds = numberField(bytes, 1);
  const nanos = numberField(bytes, 2);
  if (seconds === 0 && nanos === 0) return undefined;
  // Go's RFC 3339 marshalling fails outside years 0000-9999; so do we, as a bad request.
  if (!(seconds >= -62167219200 && seconds <= 253402300799)) throw new WireError(`time ${seconds}s is outside years 0000-9999`);
  const iso = new Date(seconds * 1000).toISOString();
  const whole = iso.slice(0, 19);
  return fractionDigits ? `${whole}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z` : `${whole}Z`;
}

/** intstr.IntOrString {1: type (0 int, 1 string), 2: intVal, 3: strVal}. */
function intOrString(bytes: Uint8Array): number | string {
  if (numberField(bytes, 1) === 1) return stringField(bytes, 3) ?? '';
  return Number(BigInt.asIntN(32, BigInt(numberField(bytes, 2))));
}

/** RawExtension.raw / FieldsV1.Raw hold JSON bytes, emitted verbatim by their MarshalJSON. */
function embeddedJson(bytes: Uint8Array): Json {
  const r = new Reader(bytes);
  let raw: Uint8Array | undefined;
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WireType.Bytes) raw = r.bytes();
    else r.skip(wire);
  }
  if (!raw || raw.length === 0) return undefined;
  try {
    return JSON.parse(utf8.decode(raw));
  } catch {
    throw new WireError('embedded object is not JSON');
  }
}

// The Swagger 2.0 document in gnostic's protobuf form (openapi_v2.Document), which is the only
// form client-go's discovery client reads from /openapi/v2 (it asks for
// application/com.github.proto-openapi.spec.v2@v1.0+protobuf and unmarshals the bytes). We
// encode the parts kubectl reads (swagger, info, definitions); paths are left out: kubectl
// takes them from /openapi/v3. A hand-rolled writer: five wire rules, no schema compiler.
import type { Schema } from './paths.js';

export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

class Writer {
  readonly parts: Buffer[] = [];

  private tag(field: number, wire: number): void { this.varint(BigInt((field << 3) | wire)); }

  private varint(v: bigint): void {
    const bytes: number[] = [];
    let x = BigInt.asUintN(64, v);
    do {
      let b = Number(x & 0x7fn);
      x >>= 7n;
      if (x) b |= 0x80;
      bytes.push(b);
    } while (x);
    this.parts.push(Buffer.from(bytes));
  }

  string(field: number, s: string | undefined): void {
    if (s === undefined || s === '') return;
    this.bytes(field, Buffer.from(s, 'utf8'));
  }

  bytes(field: number, b: Buffer): void {
    this.tag(field, 2);
    this.varint(BigInt(b.length));
    this.parts.push(b);
  }

  message(field: number, build: (w: Writer) => void): void {
    const w = new Writer();
    build(w);
    this.bytes(field, Buffer.concat(w.parts));
  }

  bool(field: number, v: unknown, always = false): void {
    if (v !== true && !always) return;
    this.tag(field, 0);
    this.varint(v === true ? 1n : 0n);
  }

  int64(field: number, v: unknown): void {
    if (typeof v !== 'number' || !Number.isInteger(v) || v === 0) return;
    this.tag(field, 0);
    this.varint(BigInt(v));
  }

  double(field: number, v: unknown): void {
    if (typeof v !== 'number' || v === 0) return;
    this.tag(field, 1);
    const b = Buffer.alloc(8);
    b.writeDoubleLE(v);
    this.parts.push(b);
  }
}

/** gnostic's Any: the value as YAML text (JSON is YAML). */
const any = (w: Writer, field: number, v: unknown) => w.message(field, (a) => a.string(2, JSON.stringify(v)));

function schema(w: Writer, s: Schema): void {
  w.string(1, s.$ref as string | undefined);
  w.string(2, s.format as string | undefined);
  w.string(3, s.title as string | undefined);
  w.string(4, s.description as string | undefined);
  if (s.default !== undefined) any(w, 5, s.default);
  w.double(6, s.multipleOf);
  w.double(7, s.maximum);
  w.bool(8, s.exclusiveMaximum);
  w.double(9, s.minimum);
  w.bool(10, s.exclusiveMinimum);
  w.int64(11, s.maxLength);
  w.int64(12, s.minLength);
  w.string(13, s.pattern as string | undefined);
  w.int64(14, s.maxItems);
  w.int64(15, s.minItems);
  w.bool(16, s.uniqueItems);
  w.int64(17, s.maxProperties);
  w.int64(18, s.minProperties);
  for (const r of Array.isArray(s.required) ? s.required : []) if (typeof r === 'string') w.string(19, r);
  for (const e of Array.isArray(s.enum) ? s.enum : []) any(w, 20, e);
  const ap = s.additionalProperties;
  // A oneof member is written even when false: that is what tells "false" from "absent".
  if (typeof ap === 'boolean') w.message(21, (m) => m.bool(2, ap, true));
  else if (ap && typeof ap === 'object') w.message(21, (m) => m.message(1, (x) => schema(x, ap as Schema)));
  if (typeof s.type === 'string') w.message(22, (m) => m.string(1, s.type as string));
  const items = s.items;
  if (items && typeof items === 'object') w.message(23, (m) => { for (const i of Array.isArray(items) ? items : [items]) m.message(1, (x) => schema(x, i as Schema)); });
  for (const sub of Array.isArray(s.allOf) ? s.allOf : []) w.message(24, (x) => schema(x, sub as Schema));
  const props = s.properties;
  if (props && typeof props === 'object') {
    w.message(25, (m) => { for (const [name, p] of Object.entries(props)) m.message(1, (n) => { n.string(1, name); n.message(2, (x) => schema(x, p as Schema)); }); });
  }
  w.bool(27, s.readOnly);
  if (s.example !== undefined) any(w, 30, s.example);
  for (const [k, v] of Object.entries(s)) {
    if (k.startsWith('x-')) w.message(31, (n) => { n.string(1, k); any(n, 2, v); });
  }
}

/** Encodes a Swagger 2.0 document (from toSwagger) as openapi_v2.Document. Pure. */
export function encodeSwaggerProtobuf(doc: Schema): Buffer {
  const w = new Writer();
  w.string(1, doc.swagger as string);
  const info = (doc.info ?? {}) as { title?: string; version?: string };
  w.message(2, (m) => { m.string(1, info.title); m.string(2, info.version); });
  const defs = (doc.definitions ?? {}) as Record<string, Schema>;
  w.message(9, (m) => {
    for (const [name, s] of Object.entries(defs)) m.message(1, (n) => { n.string(1, name); n.message(2, (x) => schema(x, s)); });
  });
  return Buffer.concat(w.parts);
}

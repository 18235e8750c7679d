// The protobuf wire format, just enough to walk a message: tags, varints, fixed-width numbers and
// length-delimited payloads. Every read is bounds-checked; a short or garbled buffer throws
// WireError, which the caller turns into a 400, never a crash.

export class WireError extends Error {}

export const WireType = { Varint: 0, Fixed64: 1, Bytes: 2, Fixed32: 5 } as const;

export interface Tag { field: number; wire: number }

export class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}

  get done(): boolean { return this.pos >= this.buf.length; }

  tag(): Tag {
    const v = this.varint();
    const field = Number(v >> 3n);
    const wire = Number(v & 7n);
    if (field === 0) throw new WireError(`invalid field number 0 at offset ${this.pos}`);
    return { field, wire };
  }

  /** An unsigned varint of up to 10 bytes (64 bits), as protobuf allows. */
  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.buf.length) throw new WireError('unexpected end of data inside a varint');
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, result);
    }
    throw new WireError('varint longer than 10 bytes');
  }

  fixed(width: 4 | 8): DataView {
    if (this.pos + width > this.buf.length) throw new WireError(`unexpected end of data inside a ${width * 8}-bit value`);
    const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, width);
    this.pos += width;
    return view;
  }

  bytes(): Uint8Array {
    const len = this.varint();
    if (len > BigInt(this.buf.length - this.pos)) throw new WireError(`length ${len} runs past the end of the data`);
    const out = this.buf.subarray(this.pos, this.pos + Number(len));
    this.pos += Number(len);
    return out;
  }

  /** Skip a field we have no row for: upstream's decoder ignores unknown fields, and so do we. */
  skip(wire: number): void {
    switch (wire) {
      case WireType.Varint: this.varint(); return;
      case WireType.Fixed64: this.fixed(8); return;
      case WireType.Bytes: this.bytes(); return;
      case WireType.Fixed32: this.fixed(4); return;
      default: throw new WireError(`unsupported wire type ${wire}`);
    }
  }
}

// Decodes the protobuf request bodies that client-go 1.32 typed clients send (every `kubectl
// create <kind>` subcommand, `kubectl debug`, drain's DELETE, `kubectl auth can-i`) into the JSON
// object the server would have received had the client sent JSON. The envelope is upstream's
// runtime.Unknown; the object inside is walked with a field-number table generated from
// k8s.io/api's generated.proto (scripts/gen-protobuf-schema.ts), covering every served kind.
import type { KObject } from '../api/types.js';
import { decodeMessage } from './protobuf/decode.js';
import { KINDS } from './protobuf/schema.generated.js';
import { Reader, WireError, WireType } from './protobuf/wire.js';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

/** "k8s\0": every Kubernetes protobuf payload starts with it. */
const MAGIC = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

/** The body is not a well-formed Kubernetes protobuf envelope: the server answers 400. */
export class ProtobufFormatError extends Error {}

/** A well-formed envelope holding a kind we cannot decode (a custom resource, an unserved kind): 415. */
export class UnsupportedProtobufKindError extends Error {
  constructor(readonly apiVersion: string, readonly kind: string) {
    super(`protobuf decoding of ${apiVersion || '<no apiVersion>'}, Kind=${kind || '<no kind>'} is not supported; send application/json`);
  }
}

/** "apiVersion/kind" of every kind we decode; DeleteOptions as "*\/DeleteOptions" (registered in every group). */
export function supportedProtobufKinds(): string[] {
  return Object.keys(KINDS);
}

/** The generated message for a kind under an apiVersion, if we decode it. */
export function protobufMessageFor(apiVersion: string, kind: string): string | undefined {
  return KINDS[`${apiVersion}/${kind}`] ?? KINDS[`*/${kind}`];
}

interface Envelope { apiVersion: string; kind: string; raw: Uint8Array; contentEncoding: string }

/**
 * runtime.Unknown {1: typeMeta {1: apiVersion, 2: kind}, 2: raw, 3: contentEncoding, 4: contentType}
 * (k8s.io/apimachinery pkg/runtime/generated.proto); read by hand, as the serializer reads it first.
 */
function readEnvelope(bytes: Uint8Array): Envelope {
  const env: Envelope = { apiVersion: '', kind: '', raw: new Uint8Array(), contentEncoding: '' };
  const r = new Reader(bytes);
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  while (!r.done) {
    const { field, wire } = r.tag();
    if (wire !== WireType.Bytes || field > 4) { r.skip(wire); continue; }
    const payload = r.bytes();
    if (field === 1) {
      const t = new Reader(payload);
      while (!t.done) {
        const tag = t.tag();
        if (tag.wire === WireType.Bytes && tag.field === 1) env.apiVersion = text(t.bytes());
        else if (tag.wire === WireType.Bytes && tag.field === 2) env.kind = text(t.bytes());
        else t.skip(tag.wire);
      }
    } else if (field === 2) env.raw = payload;
    else if (field === 3) env.contentEncoding = text(payload);
  }
  return env;
}

/** Decode `k8s\0` + runtime.Unknown into the equivalent JSON object, carrying the envelope's apiVersion and kind. */
export function decodeProtobufObject(buf: Uint8Array): KObject {
  if (buf.length < MAGIC.length || MAGIC.some((b, i) => buf[i] !== b)) {
    // The protobuf serializer's own wording, with the prefix printed as Go prints a byte slice.
    throw new ProtobufFormatError(`provided data does not appear to be a protobuf message, expected prefix [${MAGIC.join(' ')}]`);
  }
  const env = wrap('Unknown', () => readEnvelope(buf.subarray(MAGIC.length)));
  const message = protobufMessageFor(env.apiVersion, env.kind);
  if (!message) throw new UnsupportedProtobufKindError(env.apiVersion, env.kind);
  if (env.contentEncoding) {
    throw new ProtobufFormatError(`protobuf contentEncoding "${env.contentEncoding}" is not supported`);
  }
  const obj = wrap(env.kind, () => decodeMessage(message, env.raw));
  return { apiVersion: env.apiVersion, kind: env.kind, ...obj };
}

function wrap<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof WireError) throw new ProtobufFormatError(`malformed protobuf ${what}: ${err.message}`);
    throw err;
  }
}

/**
 * The media types a 415 lists for a protobuf body we cannot decode: a built-in kind's endpoint
 * speaks protobuf (the envelope held some other kind), a custom resource's never does, and
 * upstream's custom resource handler lists only JSON and YAML.
 */
export function protobufRefusalMediaTypes(def: { group: string; version: string; kind: string }): string[] {
  const apiVersion = def.group ? `${def.group}/${def.version}` : def.version;
  return protobufMessageFor(apiVersion, def.kind)
    ? ['application/json', 'application/yaml', PROTOBUF_MEDIA_TYPE]
    : ['application/json', 'application/yaml'];
}

// Decodes the protobuf request bodies that client-go 1.32 typed clients send
// (`kubectl create namespace|priorityclass|configmap|secret|serviceaccount`, drain's DELETE)
// into the JSON object the server would have received had the client sent JSON.
// Wire facts: apiserver-wire-protocol.md §1.3. protobufjs does the wire decoding; the schema
// below is a hand-picked subset of upstream generated.proto (field numbers checked against
// real kubectl 1.32 captures in test/fixtures/protobuf/).
import protobuf from 'protobufjs';
import type { KObject } from '../api/types.js';
import { rfc3339 } from '../api/meta.js';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

/** "k8s\0": every Kubernetes protobuf payload starts with it. */
const MAGIC = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

const SCHEMA = `
syntax = "proto2";
package everynode.k8s;

message Unknown { optional TypeMeta typeMeta = 1; optional bytes raw = 2; optional string contentEncoding = 3; optional string contentType = 4; }
message TypeMeta { optional string apiVersion = 1; optional string kind = 2; }
message Time { optional int64 seconds = 1; optional int32 nanos = 2; }

message ObjectMeta {
  optional string name = 1; optional string generateName = 2; optional string namespace = 3;
  optional string uid = 5; optional string resourceVersion = 6; optional int64 generation = 7;
  optional Time creationTimestamp = 8; optional Time deletionTimestamp = 9;
  optional int64 deletionGracePeriodSeconds = 10;
  map<string, string> labels = 11; map<string, string> annotations = 12;
  repeated OwnerReference ownerReferences = 13; repeated string finalizers = 14;
}
message OwnerReference {
  optional string kind = 1; optional string name = 3; optional string uid = 4; optional string apiVersion = 5;
  optional bool controller = 6; optional bool blockOwnerDeletion = 7;
}
message ObjectReference {
  optional string kind = 1; optional string namespace = 2; optional string name = 3; optional string uid = 4;
  optional string apiVersion = 5; optional string resourceVersion = 6; optional string fieldPath = 7;
}
message LocalObjectReference { optional string name = 1; }

message Namespace { optional ObjectMeta metadata = 1; optional NamespaceSpec spec = 2; optional NamespaceStatus status = 3; }
message NamespaceSpec { repeated string finalizers = 1; }
message NamespaceStatus { optional string phase = 1; repeated NamespaceCondition conditions = 2; }
message NamespaceCondition {
  optional string type = 1; optional string status = 2; optional Time lastTransitionTime = 4;
  optional string reason = 5; optional string message = 6;
}

message PriorityClass {
  optional ObjectMeta metadata = 1; optional int32 value = 2; optional bool globalDefault = 3;
  optional string description = 4; optional string preemptionPolicy = 5;
}

message ConfigMap { optional ObjectMeta metadata = 1; map<string, string> data = 2; map<string, bytes> binaryData = 3; optional bool immutable = 4; }
message Secret {
  optional ObjectMeta metadata = 1; map<string, bytes> data = 2; optional string type = 3;
  map<string, string> stringData = 4; optional bool immutable = 5;
}
message ServiceAccount {
  optional ObjectMeta metadata = 1; repeated ObjectReference secrets = 2;
  repeated LocalObjectReference imagePullSecrets = 3; optional bool automountServiceAccountToken = 4;
}

message DeleteOptions {
  optional int64 gracePeriodSeconds = 1; optional Preconditions preconditions = 2; optional bool orphanDependents = 3;
  optional string propagationPolicy = 4; repeated string dryRun = 5;
  optional bool ignoreStoreReadErrorWithClusterBreakingPotential = 6;
}
message Preconditions { optional string uid = 1; optional string resourceVersion = 2; }
`;

const root = protobuf.parse(SCHEMA).root.resolveAll();
const typeOf = (name: string) => root.lookupType(`everynode.k8s.${name}`);
const UNKNOWN = typeOf('Unknown');
const TIME = typeOf('Time');

/** Kinds we decode, with the apiVersions each may arrive under (null: any, DeleteOptions is registered in every group). */
const KINDS: Record<string, readonly string[] | null> = {
  Namespace: ['v1'],
  ConfigMap: ['v1'],
  Secret: ['v1'],
  ServiceAccount: ['v1'],
  PriorityClass: ['scheduling.k8s.io/v1'],
  DeleteOptions: null,
};

/**
 * Go's generated marshaller writes every non-pointer field, so "", 0, false and empty structs
 * arrive on the wire where JSON (`omitempty`) would have said nothing. We drop those zeros,
 * except for the fields listed here: Go pointers (presence matters, e.g. `immutable: false`)
 * and fields without omitempty.
 */
const KEEP_ZERO = new Set([
  'ObjectMeta.deletionGracePeriodSeconds', 'ObjectMeta.deletionTimestamp',
  'OwnerReference.controller', 'OwnerReference.blockOwnerDeletion',
  'PriorityClass.value', 'PriorityClass.preemptionPolicy',
  'ConfigMap.immutable', 'Secret.immutable', 'ServiceAccount.automountServiceAccountToken',
  'DeleteOptions.gracePeriodSeconds', 'DeleteOptions.orphanDependents', 'DeleteOptions.propagationPolicy',
  'DeleteOptions.preconditions', 'DeleteOptions.ignoreStoreReadErrorWithClusterBreakingPotential',
  'Preconditions.uid', 'Preconditions.resourceVersion',
]);

/** The body is not a well-formed Kubernetes protobuf envelope: the server answers 400. */
export class ProtobufFormatError extends Error {}

/** A well-formed envelope holding a kind we cannot decode: the server answers 415. */
export class UnsupportedProtobufKindError extends Error {
  constructor(readonly apiVersion: string, readonly kind: string) {
    super(`protobuf decoding of ${apiVersion || '<no apiVersion>'}, Kind=${kind || '<no kind>'} is not supported; send application/json`);
  }
}

export function supportedProtobufKinds(): string[] {
  return Object.keys(KINDS);
}

/** Decode `k8s\0` + runtime.Unknown into the equivalent JSON object, carrying the envelope's apiVersion and kind. */
export function decodeProtobufObject(buf: Uint8Array): KObject {
  if (buf.length < MAGIC.length || MAGIC.some((b, i) => buf[i] !== b)) {
    // The protobuf serializer's own wording, with the prefix printed as Go prints a byte slice.
    throw new ProtobufFormatError(`provided data does not appear to be a protobuf message, expected prefix [${MAGIC.join(' ')}]`);
  }
  const envelope = decodeMessage(UNKNOWN, buf.subarray(MAGIC.length)) as {
    typeMeta?: { apiVersion?: string; kind?: string }; raw?: Uint8Array; contentEncoding?: string;
  };
  const apiVersion = envelope.typeMeta?.apiVersion ?? '';
  const kind = envelope.typeMeta?.kind ?? '';
  const versions = KINDS[kind];
  if (versions === undefined || (versions !== null && !versions.includes(apiVersion))) {
    throw new UnsupportedProtobufKindError(apiVersion, kind);
  }
  if (envelope.contentEncoding) {
    throw new ProtobufFormatError(`protobuf contentEncoding "${envelope.contentEncoding}" is not supported`);
  }
  const type = typeOf(kind);
  const message = decodeMessage(type, envelope.raw ?? new Uint8Array());
  const plain = type.toObject(message, { longs: Number, bytes: String, defaults: false });
  return { apiVersion, kind, ...toJsonShape(type, plain) };
}

function decodeMessage(type: protobuf.Type, bytes: Uint8Array): protobuf.Message {
  try {
    return type.decode(bytes);
  } catch (err) {
    throw new ProtobufFormatError(`malformed protobuf ${type.name}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Turn protobufjs's plain object into the JSON shape: Time → RFC 3339 string, Go zero values dropped. */
function toJsonShape(type: protobuf.Type, plain: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    const value = plain[field.name];
    if (value === undefined) continue;
    const nested = field.map ? null : field.resolvedType;
    const convert = (v: unknown): unknown => {
      if (!(nested instanceof protobuf.Type)) return v;
      if (nested === TIME) return timeToJson(v as { seconds?: number });
      return toJsonShape(nested, v as Record<string, unknown>);
    };
    const converted = field.repeated ? (value as unknown[]).map(convert) : convert(value);
    if (converted === undefined) continue;
    if (isZero(converted) && !KEEP_ZERO.has(`${type.name}.${field.name}`)) continue;
    out[field.name] = converted;
  }
  return out;
}

/** metav1.Time serialises with seconds precision; the zero time (Go's JSON `null`) is dropped. */
function timeToJson(t: { seconds?: number }): string | undefined {
  return t.seconds ? rfc3339(t.seconds * 1000) : undefined;
}

function isZero(v: unknown): boolean {
  if (v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && v !== null && Object.keys(v).length === 0;
}

// Protobuf bodies of the kinds this folder serves: client-go's typed clients, hence
// `kubectl create token` and `kubectl auth can-i|whoami`, send them as protobuf only. A
// hand-picked subset of upstream's generated.proto for authentication.k8s.io/v1 and
// authorization.k8s.io/v1 (field numbers as upstream), decoded into the JSON shape the server
// would have received as JSON. Fields the answers do not read are left out (protobuf skips them).
import protobuf from 'protobufjs';

const SCHEMA = `
syntax = "proto2";
package everynode.auth;

message Unknown { optional TypeMeta typeMeta = 1; optional bytes raw = 2; optional string contentEncoding = 3; optional string contentType = 4; }
message TypeMeta { optional string apiVersion = 1; optional string kind = 2; }
message ObjectMeta { optional string name = 1; optional string generateName = 2; optional string namespace = 3; map<string, string> labels = 11; map<string, string> annotations = 12; }

message TokenRequest { optional ObjectMeta metadata = 1; optional TokenRequestSpec spec = 2; }
message TokenRequestSpec { repeated string audiences = 1; optional BoundObjectReference boundObjectRef = 3; optional int64 expirationSeconds = 4; }
message BoundObjectReference { optional string kind = 1; optional string apiVersion = 2; optional string name = 3; optional string uid = 4; }
message SelfSubjectReview { optional ObjectMeta metadata = 1; }

message ResourceAttributes {
  optional string namespace = 1; optional string verb = 2; optional string group = 3; optional string version = 4;
  optional string resource = 5; optional string subresource = 6; optional string name = 7;
}
message NonResourceAttributes { optional string path = 1; optional string verb = 2; }
message ExtraValue { repeated string items = 1; }
message SelfSubjectAccessReview { optional ObjectMeta metadata = 1; optional SelfSubjectAccessReviewSpec spec = 2; }
message SelfSubjectAccessReviewSpec { optional ResourceAttributes resourceAttributes = 1; optional NonResourceAttributes nonResourceAttributes = 2; }
message SubjectAccessReview { optional ObjectMeta metadata = 1; optional SubjectAccessReviewSpec spec = 2; }
message SubjectAccessReviewSpec {
  optional ResourceAttributes resourceAttributes = 1; optional NonResourceAttributes nonResourceAttributes = 2;
  optional string user = 3; repeated string groups = 4; map<string, ExtraValue> extra = 5; optional string uid = 6;
}
message SelfSubjectRulesReview { optional ObjectMeta metadata = 1; optional SelfSubjectRulesReviewSpec spec = 2; }
message SelfSubjectRulesReviewSpec { optional string namespace = 1; }
`;

const root = protobuf.parse(SCHEMA).root.resolveAll();
const typeOf = (name: string) => root.lookupType(`everynode.auth.${name}`);

const kinds: Record<string, { apiVersion: string; type: string }> = {
  TokenRequest: { apiVersion: 'authentication.k8s.io/v1', type: 'TokenRequest' },
  SelfSubjectReview: { apiVersion: 'authentication.k8s.io/v1', type: 'SelfSubjectReview' },
  SelfSubjectAccessReview: { apiVersion: 'authorization.k8s.io/v1', type: 'SelfSubjectAccessReview' },
  SubjectAccessReview: { apiVersion: 'authorization.k8s.io/v1', type: 'SubjectAccessReview' },
  LocalSubjectAccessReview: { apiVersion: 'authorization.k8s.io/v1', type: 'SubjectAccessReview' },
  SelfSubjectRulesReview: { apiVersion: 'authorization.k8s.io/v1', type: 'SelfSubjectRulesReview' },
};

const MAGIC = [0x6b, 0x38, 0x73, 0x00];

/**
 * The JSON shape of a protobuf body of one of these kinds; undefined when the body is not such
 * an envelope (the caller then hands it to the general decoder, which words the error).
 */
export function decodeAuthProtobuf(buf: Uint8Array): Record<string, unknown> | undefined {
  if (buf.length < MAGIC.length || MAGIC.some((b, i) => buf[i] !== b)) return undefined;
  try {
    const env = typeOf('Unknown').toObject(typeOf('Unknown').decode(buf.subarray(MAGIC.length)), { bytes: Array }) as { typeMeta?: { apiVersion?: string; kind?: string }; raw?: number[]; contentEncoding?: string };
    const k = kinds[env.typeMeta?.kind ?? ''];
    if (!k || env.typeMeta?.apiVersion !== k.apiVersion || env.contentEncoding) return undefined;
    const t = typeOf(k.type);
    const body = t.toObject(t.decode(Uint8Array.from(env.raw ?? [])), { longs: Number, defaults: false }) as Record<string, unknown>;
    const spec = body.spec as { extra?: Record<string, { items?: string[] }> } | undefined;
    // ExtraValue is a message on the wire and a plain list in JSON.
    if (spec?.extra) (spec as Record<string, unknown>).extra = Object.fromEntries(Object.entries(spec.extra).map(([key, v]) => [key, v.items ?? []]));
    return { apiVersion: k.apiVersion, kind: env.typeMeta!.kind, ...body };
  } catch {
    return undefined;
  }
}

// Generators below the object level: odd paths and methods, content types, protobuf garbage,
// huge and deep documents, broken HTTP on a raw socket, slow and abandoned bodies.
import type { Rng } from './prng.js';
import type { FuzzContext, FuzzRequest, HttpRequest } from './request.js';
import { collectionPath, encode, itemPath } from './request.js';
import { sampleObject } from './samples.js';
import { encodeJson, yamlAliasBomb, yamlRecursiveAlias } from './encode.js';
import { deep, huge } from './values.js';

const http = (generator: string, method: string, path: string, body?: string | Buffer, contentType?: string, note?: string): HttpRequest =>
  ({ kind: 'http', generator, method, path, headers: contentType === undefined ? {} : { 'Content-Type': contentType }, body, note });

/** Paths with encoded dot segments, bad escapes, empty segments, unknown groups — in fuzz namespaces only. */
export function paths(rng: Rng, ctx: FuzzContext): FuzzRequest {
  const k = rng.pick(ctx.kinds);
  const ns = rng.pick(ctx.namespaces);
  const coll = collectionPath(k.def, ns);
  const item = itemPath(k.def, ns, rng.pick(ctx.names));
  const path = rng.pick([
    `${coll}/%2e%2e`, `${coll}/%2E%2E/`, `${coll}/%2e`, `${coll}/.%2e`, `${item}/%2e%2e`, `${coll}/..%2f..`, `${coll}/%2f`,
    `${coll}/%ZZ`, `${coll}/%`, `${coll}/%e0%a4`, `${coll}/%00`, `${coll}/%c0%ae%c0%ae`, `${item}%ZZ`, `${coll}?%ZZ=1`, `${coll}?labelSelector=%ZZ`,
    `${coll}/`, `${coll}//`, `${item}/`, `${item}//status`, `${coll.replace(/\/namespaces\/[^/]+/, '/namespaces/')}`, `${coll.replace('/namespaces/', '/namespaces//')}`,
    `${item}/status/extra`, `${item}/unknownsub`, `${item}/a/b/c`, `/apis/unknown.example.com/v1/things`, `/apis/apps/v9/daemonsets`, `/apis/apps`, `/apis/apps/`,
    `/api/v2/pods`, `/api/v1/nopes`, '/apis//v1', '/api//v1', '//api/v1', '/api/v1/namespaces/%2e%2e', '/', '', '/%2e%2e/api', '/openapi/v3/x', '/openapi/v3/apis/unknown/v1',
    `/openapi/v3/api/v1?hash=${'f'.repeat(64)}`, `/api/v1/${'x'.repeat(rng.pick([300, 8000]))}`, `${coll}/${encode('名前')}`, `${coll}/${'a'.repeat(300)}`,
    `/apis/${k.def.group || 'core'}/${k.def.version}/namespaces/${ns}/${k.def.resource}`, `${coll}/watch`, `/api/v1/watch/namespaces/${ns}`, `/api/v1/namespaces/${ns}/pods/x/log?container=%ZZ`,
  ]);
  const method = rng.weighted([[6, 'GET'], [2, 'DELETE'], [1, 'POST'], [1, 'PUT'], [1, 'PATCH']] as const);
  const body = method === 'GET' || method === 'DELETE' ? undefined : JSON.stringify(sampleObject(k.def, rng.pick(ctx.names), ns));
  return http('paths', method, path, body, body && (method === 'PATCH' ? 'application/merge-patch+json' : 'application/json'));
}

/** Verbs the route does not serve: HEAD ?watch=true, PUT on a collection, OPTIONS, POST on an item... */
export function methods(rng: Rng, ctx: FuzzContext): FuzzRequest {
  const k = rng.pick(ctx.kinds);
  const ns = rng.pick(ctx.namespaces);
  const name = rng.pick(ctx.names);
  const body = JSON.stringify(sampleObject(k.def, name, ns));
  const coll = collectionPath(k.def, ns);
  return rng.pick<() => FuzzRequest>([
    () => http('methods', 'HEAD', `${coll}?watch=true`),
    () => http('methods', 'HEAD', `${coll}?watch=true&timeoutSeconds=1`),
    () => http('methods', 'HEAD', coll),
    () => http('methods', 'HEAD', itemPath(k.def, ns, name)),
    () => http('methods', 'PUT', coll, body, 'application/json'),
    () => http('methods', 'PATCH', coll, '{}', 'application/merge-patch+json'),
    () => http('methods', 'POST', itemPath(k.def, ns, name), body, 'application/json'),
    () => http('methods', rng.pick(['OPTIONS', 'TRACE', 'PROPFIND', 'LOCK', 'PURGE', 'M-SEARCH']), rng.pick([coll, '/api', '/healthz', '/'])),
    () => http('methods', rng.pick(['POST', 'PUT', 'DELETE', 'PATCH']), rng.pick(['/api', '/apis', '/version', '/healthz', '/openapi/v3', '/api/v1', '/apis/apps/v1']), '{}', 'application/json'),
    () => http('methods', 'DELETE', collectionPath(k.def, '').replace('/namespaces//', '/') + '?dryRun=All'),
  ])();
}

const contentTypes = [
  'text/plain', 'application/xml', 'application/json; charset=latin1', 'application/json;charset=utf-8', 'APPLICATION/JSON', 'application/json ',
  'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', '', ';', 'application/', '/', 'application/json, application/yaml',
  'application/yaml', 'application/x-yaml', 'text/yaml', 'application/vnd.kubernetes.protobuf', 'application/merge-patch+json', 'application/json-patch+json',
  'application/strategic-merge-patch+json', 'application/apply-patch+yaml', 'application/cbor', 'application/json; q=0.5; x', '*/*', 'application/json;;',
];

export function contentTypesGen(rng: Rng, ctx: FuzzContext): FuzzRequest {
  const k = rng.pick(ctx.kinds);
  const ns = rng.pick(ctx.namespaces);
  const name = rng.pick(ctx.names);
  const method = rng.pick(['POST', 'PUT', 'PATCH', 'DELETE']);
  const path = method === 'POST' ? collectionPath(k.def, ns) : itemPath(k.def, ns, name);
  const body = rng.pick([JSON.stringify(sampleObject(k.def, name, ns)), 'a: b', '<x/>', 'a=b&c=d', '', '\u0000\u0001', JSON.stringify([{ op: 'add', path: '/x', value: 1 }])]);
  return http('content-types', method, path, body, rng.pick(contentTypes));
}

function varint(n: number): number[] {
  const out: number[] = [];
  do { let b = n & 0x7f; n = Math.floor(n / 128); if (n) b |= 0x80; out.push(b); } while (n);
  return out;
}

/** Protobuf bytes: random garbage, a runtime.Unknown envelope with lying lengths, overlong varints. */
function protobufBody(rng: Rng, magic: boolean): Buffer {
  const bytes: number[] = magic ? [0x6b, 0x38, 0x73, 0x00] : [];
  const str = (field: number, s: string, lie = 0) => { const b = Buffer.from(s); bytes.push((field << 3) | 2, ...varint(Math.max(0, b.length + lie)), ...b); };
  switch (rng.int(5)) {
    case 0: for (let i = rng.int(200); i > 0; i--) bytes.push(rng.int(256)); break;
    case 1: { // Unknown{typeMeta{apiVersion, kind}, raw, contentEncoding, contentType}
      const tm = Buffer.from([0x0a, 5, ...Buffer.from('v1'.padEnd(5)), 0x12, 9, ...Buffer.from('ConfigMap')]);
      bytes.push(0x0a, ...varint(tm.length + (rng.chance(0.3) ? rng.int(50) : 0)), ...tm);
      str(2, rng.pick(['', '\u0000', 'garbage', '\n\u0005\n\u0003abc']), rng.chance(0.3) ? rng.int(1000) : 0);
      if (rng.chance(0.3)) str(3, rng.pick(['gzip', 'x']));
      if (rng.chance(0.3)) str(4, rng.pick(['application/json', 'x']));
      break;
    }
    case 2: bytes.push(0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01); break;
    case 3: bytes.push(rng.pick([0x0a, 0x12, 0x1a, 0x22, 0x08, 0x0d, 0x0f, 0x07]), ...varint(rng.pick([0, 1, 127, 128, 1 << 20, 2 ** 31]))); break;
    default: str(2, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }));
  }
  return Buffer.from(bytes);
}

export function protobuf(rng: Rng, ctx: FuzzContext): FuzzRequest {
  const k = rng.pick(ctx.kinds);
  const ns = rng.pick(ctx.namespaces);
  const name = rng.pick(ctx.names);
  const magic = rng.chance(0.6);
  const method = rng.weighted([[5, 'POST'], [2, 'PUT'], [2, 'DELETE'], [1, 'PATCH']] as const);
  const path = method === 'POST' ? collectionPath(k.def, ns) : itemPath(k.def, ns, name);
  return http('protobuf', method, path, protobufBody(rng, magic), rng.pick(['application/vnd.kubernetes.protobuf', 'application/vnd.kubernetes.protobuf;stream=watch']), magic ? 'with k8s\\0 magic' : 'without magic');
}

/** Whole documents that are too large or too deep: nesting, many keys, huge strings, alias bombs. */
export function hugeDeep(rng: Rng, ctx: FuzzContext): FuzzRequest {
  const k = rng.pick(ctx.kinds);
  const ns = rng.pick(ctx.namespaces);
  const name = rng.pick(ctx.names);
  const sample = sampleObject(k.def, name, ns) as unknown as Record<string, unknown>;
  const method = rng.weighted([[6, 'POST'], [2, 'PUT'], [2, 'PATCH']] as const);
  const path = method === 'POST' ? collectionPath(k.def, ns) : itemPath(k.def, ns, name);
  const ct = method === 'PATCH' ? rng.pick(['application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml', 'application/json-patch+json']) : rng.pick(['application/json', 'application/json', 'application/yaml']);
  const depth = rng.pick([1000, 5000, 20000, 100000]);
  const [note, body] = rng.pick<() => [string, string]>([
    () => [`array nested ${depth} deep`, encodeJson(deep(depth, false))],
    () => [`object nested ${depth} deep`, encodeJson(deep(depth, true))],
    () => [`labels nested ${depth} deep`, encodeJson({ ...sample, metadata: { name, labels: deep(depth, true) } })],
    () => [`${depth} deep value in a known field`, encodeJson({ ...sample, spec: deep(depth, true), data: deep(depth, false) })],
    () => ['body over 3 MiB', encodeJson({ ...sample, data: { a: huge(3_200_000) } })],
    () => ['2.9 MB name', encodeJson({ ...sample, metadata: { name: huge(2_900_000) } })],
    () => ['100000 keys', encodeJson({ ...sample, data: Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, 'v'])) })],
    () => ['50000 labels', encodeJson({ ...sample, metadata: { name, labels: Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`l${i}`, 'v'])) } })],
    () => ['array of 200000 nulls', `[${Array(200_000).fill('null').join(',')}]`],
    () => ['yaml alias bomb', yamlAliasBomb(rng.pick([4, 6, 9]))],
    () => ['yaml recursive alias', yamlRecursiveAlias],
    () => ['yaml deep flow', '['.repeat(depth) + ']'.repeat(depth)],
  ])();
  const yamlish = note.startsWith('yaml');
  return http('huge-deep', method, path, body, yamlish ? (method === 'PATCH' ? 'application/apply-patch+yaml' : 'application/yaml') : ct, note);
}

/** Broken HTTP: bad absolute URLs and request lines, conflicting lengths, bad chunking, huge headers. */
export function rawHttp(rng: Rng, ctx: FuzzContext): FuzzRequest {
  const ns = rng.pick(ctx.namespaces);
  const cm = `/api/v1/namespaces/${ns}/configmaps`;
  const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: rng.pick(ctx.names) } });
  const [head, b] = rng.pick<() => [string[], string?]>([
    () => [['GET http://[::1 HTTP/1.1']],
    () => [['GET http://%ZZ/api HTTP/1.1']],
    () => [['GET http://:::/api HTTP/1.1']],
    () => [['GET https://example.com:99999/api HTTP/1.1']],
    () => [['GET http://localhost/api/v1/namespaces HTTP/1.1']],
    () => [['GET * HTTP/1.1']],
    () => [['GET //api//v1 HTTP/1.1']],
    () => [[`GET ${cm}/%ZZ HTTP/1.1`]],
    () => [[`GET ${cm}?%ZZ=%ZZ HTTP/1.1`]],
    () => [['GET /api/v1/namespaces/\u00e9 HTTP/1.1']],
    () => [['GET /api HTTP/1.0']],
    () => [['GET /api HTTP/2.0']],
    () => [['GET /api HTTP/1.1 extra']],
    () => [['get /api HTTP/1.1']],
    () => [['FOO /api HTTP/1.1']],
    () => [['GET /api HTTP/1.1', `X-Big: ${'a'.repeat(rng.pick([8000, 20000]))}`]],
    () => [['GET /api HTTP/1.1', 'Bad Header: x']],
    () => [['GET /api HTTP/1.1', 'X-Nul: a\u0000b']],
    () => [[`POST ${cm} HTTP/1.1`, 'Content-Type: application/json', `Content-Length: ${body.length}`, `Content-Length: ${body.length + 5}`], body],
    () => [[`POST ${cm} HTTP/1.1`, 'Content-Type: application/json', 'Content-Length: -1'], body],
    () => [[`POST ${cm} HTTP/1.1`, 'Content-Type: application/json', 'Content-Length: abc'], body],
    () => [[`POST ${cm} HTTP/1.1`, 'Content-Type: application/json', 'Content-Length: 99999999999999999999'], body],
    () => [[`POST ${cm} HTTP/1.1`, 'Content-Type: application/json', 'Transfer-Encoding: chunked'], `zz\r\n${body}\r\n0\r\n\r\n`],
    () => [[`POST ${cm} HTTP/1.1`, 'Content-Type: application/json', 'Transfer-Encoding: chunked', `Content-Length: ${body.length}`], `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`],
    () => [[`POST ${cm} HTTP/1.1`, 'Content-Type: application/json', 'Transfer-Encoding: gzip, chunked'], `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`],
    () => [[`POST ${cm} HTTP/1.1`, 'Content-Type: application/json', 'Expect: 100-continue', `Content-Length: ${body.length}`], body],
    () => [[`POST ${cm} HTTP/1.1`, 'Content-Type: application/json', 'Content-Encoding: gzip', `Content-Length: ${body.length}`], body],
  ])();
  return { kind: 'raw', generator: 'raw-http', head, body: b };
}

/** A body trickled in small chunks, completed (an answer is due) or abandoned half-way. */
export function slow(rng: Rng, ctx: FuzzContext): FuzzRequest {
  const ns = rng.pick(ctx.namespaces);
  const body = Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: rng.pick(ctx.names) }, data: { a: 'x'.repeat(200) } }));
  const complete = rng.chance(0.5);
  return {
    kind: 'slow', generator: 'slow', method: rng.pick(['POST', 'POST', 'PUT']), path: `/api/v1/namespaces/${ns}/configmaps`,
    headers: { 'Content-Type': 'application/json', 'Content-Length': String(body.length) }, body,
    intervalMs: rng.pick([50, 200, 400]), complete, chunks: 1 + rng.int(5),
  };
}

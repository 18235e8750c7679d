import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ApiError } from './errors.js';
import {
  decodeListParams, parseInt64, parseRequestTarget, parseResourcePath, pathSegmentNameProblems,
  resourceVersionError, watchTimeoutMs, maxWatchTimeoutSeconds, type RequestTarget,
} from './routes.js';

function target(raw: string): RequestTarget {
  const t = parseRequestTarget(raw);
  assert.ok(!(t instanceof ApiError), `expected a target for ${raw}, got ${t instanceof ApiError ? t.message : ''}`);
  return t;
}

function route(method: string, raw: string) {
  return parseResourcePath(method, target(raw));
}

function errorOf(method: string, raw: string): ApiError {
  const r = route(method, raw);
  assert.ok(r && 'error' in r, `expected an error for ${method} ${raw}, got ${JSON.stringify(r)}`);
  return r.error;
}

describe('parseRequestTarget', () => {
  test('dot segments and encoded slashes stay inside their segment', () => {
    assert.deepEqual(target('/api/v1/namespaces/victim/configmaps/%2e%2e').segments, ['api', 'v1', 'namespaces', 'victim', 'configmaps', '..']);
    assert.deepEqual(target('/api/v1/namespaces/victim/configmaps/%2E%2E').segments.at(-1), '..');
    assert.deepEqual(target('/api/v1/namespaces/a/configmaps/..').segments.at(-1), '..');
    assert.deepEqual(target('/api/v1/namespaces/a/configmaps/x%2Fy').segments.at(-1), 'x/y');
  });

  test('leading and trailing slashes are trimmed (upstream splitPath), interior empty segments kept', () => {
    const t = target('/api/v1/nodes/');
    assert.deepEqual(t.segments, ['api', 'v1', 'nodes']);
    assert.equal(t.trailingSlash, true);
    assert.deepEqual(target('/api/v1/namespaces//pods').segments, ['api', 'v1', 'namespaces', '', 'pods']);
    assert.deepEqual(target('/').segments, []);
    assert.equal(target('/').trailingSlash, false);
  });

  test('the query is split off before decoding', () => {
    const t = target('/api/v1/pods?watch=1&labelSelector=a%3Db');
    assert.deepEqual(t.segments, ['api', 'v1', 'pods']);
    assert.equal(t.query.get('labelSelector'), 'a=b');
  });

  test('absolute-form targets keep their raw path', () => {
    assert.deepEqual(target('https://localhost:6443/api/v1/namespaces/a/configmaps/%2e%2e?x=1').segments.at(-1), '..');
    assert.deepEqual(target('https://localhost').segments, []);
  });

  test('a bad escape or a bad absolute URL is a 400, not an exception', () => {
    for (const raw of ['/api/v1/namespaces/%ZZ/pods', '/api/v1/pods/%', '/api/v1/pods/%C3%28', 'https://[bad/', '*', 'nonsense']) {
      const t = parseRequestTarget(raw);
      assert.ok(t instanceof ApiError, raw);
      assert.equal(t.code, 400, raw);
      assert.equal(t.reason, 'BadRequest', raw);
    }
    assert.match((parseRequestTarget('/a/%ZZ') as ApiError).message, /invalid URL escape "%ZZ"/);
  });
});

describe('parseResourcePath', () => {
  test('the ordinary shapes', () => {
    assert.deepEqual(route('GET', '/api/v1/namespaces/d/pods/p/status'), { info: { group: '', version: 'v1', namespace: 'd', resource: 'pods', name: 'p', subresource: 'status', verb: 'get' } });
    assert.deepEqual(route('GET', '/apis/apps/v1/daemonsets?watch=true'), { info: { group: 'apps', version: 'v1', namespace: '', resource: 'daemonsets', name: '', subresource: '', verb: 'watch' } });
    assert.deepEqual(route('PUT', '/api/v1/namespaces/n/finalize'), { info: { group: '', version: 'v1', namespace: '', resource: 'namespaces', name: 'n', subresource: 'finalize', verb: 'update' } });
    assert.equal(route('GET', '/healthz'), undefined);
    assert.equal(route('GET', '/api/v1'), undefined);
  });

  test('".." and "." names are 400 Name parameter invalid, whatever the verb', () => {
    for (const m of ['GET', 'PUT', 'PATCH', 'DELETE']) {
      for (const raw of ['/api/v1/namespaces/victim/configmaps/%2e%2e', '/api/v1/namespaces/victim/configmaps/%2E%2E', '/api/v1/nodes/.', '/api/v1/namespaces/%2e%2e']) {
        const e = errorOf(m, raw);
        assert.equal(e.code, 400, `${m} ${raw}`);
        assert.match(e.message, /^Name parameter invalid: "\.\.?": may not be '\.\.?'$/);
      }
    }
    assert.equal(errorOf('GET', '/api/v1/namespaces/a/configmaps/x%2Fy').message, 'Name parameter invalid: "x/y": may not contain \'/\'');
    assert.equal(errorOf('GET', '/api/v1/namespaces/a/configmaps/x%25y').message, 'Name parameter invalid: "x%y": may not contain \'%\'');
  });

  test('an impossible namespace is a namespace that does not exist', () => {
    const e = errorOf('DELETE', '/api/v1/namespaces/%2e%2e/configmaps');
    assert.equal(e.code, 404);
    assert.equal(e.message, 'namespaces ".." not found');
  });

  test('a DELETE with an empty name segment is refused, not a deletecollection', () => {
    for (const raw of ['/api/v1/nodes/', '/api/v1/namespaces/victim/configmaps/', '/api/v1/namespaces/victim/configmaps//']) {
      const e = errorOf('DELETE', raw);
      assert.equal(e.code, 400, raw);
      assert.equal(e.message, 'Name parameter required.');
    }
    assert.equal((route('DELETE', '/api/v1/nodes') as { info: { verb: string } }).info.verb, 'deletecollection');
    // Reads and creates keep upstream's trimming.
    assert.equal((route('GET', '/api/v1/nodes/') as { info: { verb: string } }).info.verb, 'list');
    assert.equal((route('POST', '/api/v1/namespaces/a/configmaps/') as { info: { verb: string } }).info.verb, 'create');
  });

  test('empty interior segments match no route (404)', () => {
    for (const raw of ['/api/v1/namespaces//configmaps', '/api/v1//pods', '/api/v1/namespaces/a/pods//status']) assert.equal(errorOf('GET', raw).code, 404, raw);
  });

  test('PUT and PATCH on a collection, and unknown methods, are 405', () => {
    for (const [m, raw] of [['PUT', '/api/v1/namespaces/a/configmaps'], ['PATCH', '/api/v1/nodes'], ['OPTIONS', '/api/v1/nodes'], ['TRACE', '/api/v1/nodes/x']]) {
      const e = errorOf(m, raw);
      assert.equal(e.code, 405, `${m} ${raw}`);
      assert.equal(e.reason, 'MethodNotAllowed');
    }
  });

  const namedVerbs = new Set(['get', 'update', 'patch', 'delete']);
  const segment = fc.oneof(
    fc.constantFrom('api', 'apis', 'v1', 'apps', 'namespaces', 'pods', 'configmaps', 'nodes', 'status', 'watch', '.', '..', '%2e', '%2E%2e', '%2F', '%25', '%ZZ', '%', '', 'x'),
    fc.string({ maxLength: 6 }),
  );
  const rawPath = fc.tuple(fc.array(segment, { maxLength: 8 }), fc.boolean(), fc.constantFrom('', '?watch=1', '?watch=false')).map(([segs, slash, q]) => `/${segs.join('/')}${slash ? '/' : ''}${q}`);
  const method = fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS');

  test('property: any target parses without throwing, and no named verb ever gets an empty, "." or ".." name', () => {
    fc.assert(fc.property(method, fc.oneof(rawPath, fc.string({ maxLength: 40 })), (m, raw) => {
      const t = parseRequestTarget(raw);
      if (t instanceof ApiError) { assert.equal(t.code, 400); return; }
      const r = parseResourcePath(m, t);
      if (!r || 'error' in r) return;
      const { verb, name, namespace, resource } = r.info;
      assert.notEqual(resource, '');
      if (namedVerbs.has(verb)) {
        assert.notEqual(name, '');
        assert.deepEqual(pathSegmentNameProblems(name), []);
      }
      if (name) assert.deepEqual(pathSegmentNameProblems(name), []);
      if (namespace) assert.deepEqual(pathSegmentNameProblems(namespace), []);
      if (verb === 'deletecollection') assert.equal(t.trailingSlash, false);
    }), { numRuns: 3000 });
  });
});

describe('query parameters', () => {
  test('parseInt64 speaks strconv', () => {
    assert.equal(parseInt64('42'), 42n);
    assert.equal(parseInt64('-1'), -1n);
    assert.equal(parseInt64('+7'), 7n);
    assert.equal(parseInt64('abc'), 'strconv.ParseInt: parsing "abc": invalid syntax');
    assert.equal(parseInt64(''), 'strconv.ParseInt: parsing "": invalid syntax');
    assert.equal(parseInt64('1.5'), 'strconv.ParseInt: parsing "1.5": invalid syntax');
    assert.equal(parseInt64('9223372036854775807'), 9223372036854775807n);
    assert.equal(parseInt64('9223372036854775808'), 'strconv.ParseInt: parsing "9223372036854775808": value out of range');
  });

  test('limit <= 0 means no limit; bad integers are 400 with strconv text', () => {
    assert.deepEqual(decodeListParams(new URLSearchParams('limit=-1')), { limit: 0 });
    assert.deepEqual(decodeListParams(new URLSearchParams('limit=5&timeoutSeconds=30')), { limit: 5, timeoutSeconds: 30 });
    const e = decodeListParams(new URLSearchParams('timeoutSeconds=abc'));
    assert.ok(e instanceof ApiError);
    assert.equal(e.code, 400);
    assert.equal(e.message, 'strconv.ParseInt: parsing "abc": invalid syntax');
    assert.ok(decodeListParams(new URLSearchParams('limit=ten')) instanceof ApiError);
  });

  test('resourceVersion must be an unsigned 64-bit integer', () => {
    for (const ok of [null, '', '0', '12', '18446744073709551615']) assert.equal(resourceVersionError(ok), undefined, String(ok));
    const e = resourceVersionError('abc')!;
    assert.equal(e.code, 400);
    assert.equal(e.message, 'invalid resource version: resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax');
    assert.match(resourceVersionError('18446744073709551616')!.message, /value out of range$/);
    assert.ok(resourceVersionError('-1'));
  });

  test('watch timeouts are capped, and never overflow setTimeout', () => {
    assert.equal(watchTimeoutMs(30, 0.5), 30_000);
    assert.equal(watchTimeoutMs(2147484, 0.5), maxWatchTimeoutSeconds * 1000);
    assert.equal(watchTimeoutMs(Number.MAX_SAFE_INTEGER, 0), maxWatchTimeoutSeconds * 1000);
    assert.equal(watchTimeoutMs(-5, 0.5), 0);
    assert.equal(watchTimeoutMs(undefined, 0), 1_800_000);
    assert.equal(watchTimeoutMs(0, 0.999), 1_800_000 * 1.999);
    fc.assert(fc.property(fc.integer(), fc.double({ min: 0, max: 0.9999999, noNaN: true }), (s, r) => {
      const ms = watchTimeoutMs(s, r);
      assert.ok(ms >= 0 && ms < 2 ** 31, `${s} → ${ms}`);
    }));
  });
});

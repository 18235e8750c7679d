// The deprecated /watch/ path prefix is a GET-only route upstream: any other method on it is 405,
// never the write the rest of the path would name (the fuzzer found DELETE
// /api/v1/watch/namespaces/x deleting the Namespace x).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from './errors.js';
import { parseRequestTarget, parseResourcePath } from './routes.js';

function route(method: string, raw: string) {
  const t = parseRequestTarget(raw);
  assert.ok(!(t instanceof ApiError));
  return parseResourcePath(method, t);
}

test('/watch/ paths: GET watches; every other method is 405 MethodNotAllowed', () => {
  for (const path of ['/api/v1/watch/namespaces/victim', '/api/v1/watch/namespaces/victim/configmaps', '/api/v1/watch/namespaces/victim/configmaps/cm', '/apis/apps/v1/watch/daemonsets', '/api/v1/watch/nodes/n1']) {
    const get = route('GET', path);
    assert.ok(get && 'info' in get && get.info.verb === 'watch', `GET ${path}: ${JSON.stringify(get)}`);
    for (const method of ['DELETE', 'PUT', 'PATCH', 'POST', 'HEAD']) {
      const r = route(method, path);
      assert.ok(r && 'error' in r, `${method} ${path} was routed: ${JSON.stringify(r)}`);
      assert.equal(r.error.code, 405, `${method} ${path}`);
      assert.equal(r.error.reason, 'MethodNotAllowed');
    }
  }
  // Without the prefix the same methods keep their verbs.
  const del = route('DELETE', '/api/v1/namespaces/victim');
  assert.ok(del && 'info' in del && del.info.verb === 'delete');
});

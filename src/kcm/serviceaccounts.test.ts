import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { planTokenSecret, rootCaUpdate } from './serviceaccounts.js';

const ca = '-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const secret = (over: Record<string, unknown> = {}, annotations: Record<string, string> = { 'kubernetes.io/service-account.name': 'sa' }) =>
  ({ type: 'kubernetes.io/service-account-token', metadata: { name: 's', namespace: 'ns', annotations }, ...over });
const sa = { metadata: { name: 'sa', namespace: 'ns', uid: 'u1' } };
const sign = (c: Record<string, unknown>) => `signed:${c['kubernetes.io/serviceaccount/secret.name']}`;

describe('token controller decisions', () => {
  test('an empty token Secret gets its token, ca.crt, namespace and the account uid', () => {
    assert.deepEqual(planTokenSecret(secret(), sa, ca, sign), {
      patch: { annotations: { 'kubernetes.io/service-account.uid': 'u1' }, data: { token: b64('signed:s'), 'ca.crt': b64(ca), namespace: b64('ns') } },
    });
  });
  test('a filled one is left alone; a stale CA is replaced but the token kept', () => {
    const full = secret({ data: { token: b64('t'), 'ca.crt': b64(ca), namespace: b64('ns') } }, { 'kubernetes.io/service-account.name': 'sa', 'kubernetes.io/service-account.uid': 'u1' });
    assert.deepEqual(planTokenSecret(full, sa, ca, sign), {});
    assert.deepEqual(planTokenSecret(full, sa, 'new-ca', sign), { patch: { data: { 'ca.crt': b64('new-ca') } } });
  });
  test('a Secret of a missing or recreated account is deleted; other Secrets and ones being deleted are ignored', () => {
    assert.deepEqual(planTokenSecret(secret(), undefined, ca, sign), { delete: true });
    assert.deepEqual(planTokenSecret(secret({}, { 'kubernetes.io/service-account.name': 'sa', 'kubernetes.io/service-account.uid': 'old' }), sa, ca, sign), { delete: true });
    assert.deepEqual(planTokenSecret(secret({ type: 'Opaque' }), undefined, ca, sign), {});
    assert.deepEqual(planTokenSecret({ ...secret(), metadata: { ...secret().metadata, deletionTimestamp: 'x' } }, undefined, ca, sign), {});
    assert.deepEqual(planTokenSecret(secret({}, {}), undefined, ca, sign), {});
  });
  test('kube-root-ca.crt: written when absent or different', () => {
    assert.deepEqual(rootCaUpdate(undefined, ca), { 'ca.crt': ca });
    assert.deepEqual(rootCaUpdate({ data: { 'ca.crt': 'old' } }, ca), { 'ca.crt': ca });
    assert.equal(rootCaUpdate({ data: { 'ca.crt': ca } }, ca), undefined);
  });
});

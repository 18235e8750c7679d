import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorMessage } from '../../api/fielderrors.js';
import type { KObject } from '../../api/types.js';
import {
  nameIsDNSSubdomain, nameValidatorFor, setGeneration, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate,
} from './objectmeta.js';

const ns = { namespaced: true, nameValidator: nameIsDNSSubdomain };
const msgs = (obj: KObject, rules = ns) => validateObjectMeta(obj, rules).map(fieldErrorMessage);
const subdomainMsg = `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`;

test('validateObjectMeta: one table row per rule', () => {
  const cases: { name: string; meta: KObject['metadata']; rules?: typeof ns; want: string[] }[] = [
    { name: 'valid', meta: { name: 'a.b-c', namespace: 'default' }, want: [] },
    { name: 'name required', meta: { namespace: 'default' }, want: ['metadata.name: Required value: name or generateName is required'] },
    { name: 'name syntax', meta: { name: 'Bad_Name', namespace: 'default' }, want: [`metadata.name: Invalid value: "Bad_Name": ${subdomainMsg}`] },
    { name: 'generateName trailing dash allowed', meta: { generateName: 'web-', name: 'web-abcde', namespace: 'default' }, want: [] },
    { name: 'generateName syntax', meta: { generateName: 'Web-', name: 'web-x', namespace: 'default' }, want: [`metadata.generateName: Invalid value: "Web-": ${subdomainMsg}`] },
    { name: 'namespace required', meta: { name: 'a' }, want: ['metadata.namespace: Required value'] },
    { name: 'namespace forbidden on cluster kinds', meta: { name: 'a', namespace: 'x' }, rules: { namespaced: false, nameValidator: nameIsDNSSubdomain }, want: ['metadata.namespace: Forbidden: not allowed on this type'] },
    { name: 'negative generation', meta: { name: 'a', namespace: 'd', generation: -1 }, want: ['metadata.generation: Invalid value: -1: must be greater than or equal to 0'] },
    {
      name: 'label key', meta: { name: 'a', namespace: 'd', labels: { '-x': 'v' } },
      want: [`metadata.labels: Invalid value: "-x": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`],
    },
    {
      name: 'label value', meta: { name: 'a', namespace: 'd', labels: { k: 'a b' } },
      want: [`metadata.labels: Invalid value: "a b": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`],
    },
    { name: 'annotation key prefix', meta: { name: 'a', namespace: 'd', annotations: { '/x': 'v' } }, want: ['metadata.annotations: Invalid value: "/x": prefix part must be non-empty'] },
    { name: 'annotation size', meta: { name: 'a', namespace: 'd', annotations: { k: 'x'.repeat(256 * 1024) } }, want: ['metadata.annotations: Too long: must have at most 262144 bytes'] },
    { name: 'finalizer name', meta: { name: 'a', namespace: 'd', finalizers: ['a/b/c'] }, want: [`metadata.finalizers: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`] },
    { name: 'orphan with foreground', meta: { name: 'a', namespace: 'd', finalizers: ['orphan', 'foregroundDeletion'] }, want: ['metadata.finalizers: Invalid value: ["orphan","foregroundDeletion"]: finalizer orphan and foregroundDeletion cannot be both set'] },
    {
      name: 'ownerReference fields', meta: { name: 'a', namespace: 'd', ownerReferences: [{ apiVersion: 'apps/', kind: '', name: '', uid: '' }] },
      want: [
        'metadata.ownerReferences.apiVersion: Invalid value: "apps/": version must not be empty',
        'metadata.ownerReferences.kind: Invalid value: "": must not be empty',
        'metadata.ownerReferences.name: Invalid value: "": must not be empty',
        'metadata.ownerReferences.uid: Invalid value: "": must not be empty',
      ],
    },
  ];
  for (const c of cases) assert.deepEqual(msgs({ metadata: c.meta }, c.rules), c.want, c.name);
});

test('two controller references are refused', () => {
  const ref = (name: string) => ({ apiVersion: 'apps/v1', kind: 'DaemonSet', name, uid: name, controller: true });
  const errs = validateObjectMeta({ metadata: { name: 'a', namespace: 'd', ownerReferences: [ref('x'), ref('y')] } }, ns);
  assert.equal(errs.length, 1);
  assert.match(fieldErrorMessage(errs[0]), /Only one reference can have Controller set to true. Found "true" in references for DaemonSet\/x and DaemonSet\/y$/);
});

test('nameValidatorFor picks the kind-specific name rule', () => {
  assert.deepEqual(nameValidatorFor('configmaps')('a.b', false), []);
  assert.equal(nameValidatorFor('namespaces')('a.b', false).length, 1, 'namespaces are DNS labels');
  assert.match(nameValidatorFor('services')('1abc', false)[0], /DNS-1035 label/);
  assert.deepEqual(nameValidatorFor('clusterroles')('system:controller:x', false), []);
  assert.deepEqual(nameValidatorFor('roles')('a/b', false), [`may not contain '/'`]);
  assert.deepEqual(nameValidatorFor('rolebindings')('..', false), [`may not be '..'`]);
});

test('validateLabelSelector checks operators, values and keys', () => {
  const got = validateLabelSelector({
    matchExpressions: [
      { key: 'a', operator: 'In' },
      { key: 'b', operator: 'Exists', values: ['x'] },
      { key: 'c', operator: 'Gt', values: ['1'] },
    ],
  }, 'spec.selector').map(fieldErrorMessage);
  assert.deepEqual(got, [
    "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
    'spec.selector.matchExpressions[2].operator: Invalid value: "Gt": not a valid selector operator',
  ]);
});

test('validateObjectMetaUpdate: identity fields are immutable', () => {
  const old = { metadata: { name: 'a', namespace: 'd', uid: 'u1' } };
  assert.deepEqual(validateObjectMetaUpdate({ metadata: { name: 'a', namespace: 'd', uid: 'u1', labels: { x: 'y' } } }, old), []);
  assert.deepEqual(validateObjectMetaUpdate({ metadata: { name: 'a', namespace: 'd', uid: 'u2' } }, old).map(fieldErrorMessage),
    ['metadata.uid: Invalid value: "u2": field is immutable']);
});

test('setGeneration writes metadata.generation', () => {
  const o: KObject = {};
  setGeneration(o, 3);
  assert.equal(o.metadata?.generation, 3);
});

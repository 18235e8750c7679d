// ServiceAccounts (pkg/registry/core/serviceaccount/strategy.go). ObjectMeta carries all the
// validation; the strategy only trims secret references down to their names as upstream does.
import type { KObject } from '../../api/types.js';
import type { ResourceStrategy } from './types.js';

function cleanSecretReferences(obj: KObject): void {
  const secrets = obj.secrets as { name?: string }[] | undefined;
  if (Array.isArray(secrets)) obj.secrets = secrets.map((s) => ({ name: s.name }));
}

export const serviceAccountStrategy: ResourceStrategy = {
  prepareForCreate: cleanSecretReferences,
  prepareForUpdate: (obj) => cleanSecretReferences(obj),
};

// Who a request is from, as k8s.io/apiserver's user.Info carries it, and the well-known names
// that authentication and the bootstrap policy agree on.

export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export const systemMasters = 'system:masters';
export const authenticatedGroup = 'system:authenticated';
export const unauthenticatedGroup = 'system:unauthenticated';
export const anonymousUser = 'system:anonymous';
export const serviceAccountsGroup = 'system:serviceaccounts';
/** The identity of the admin token written into the kubeconfig (kubeadm and kind name it so). */
export const adminUser = 'kubernetes-admin';

const saPrefix = 'system:serviceaccount:';

/** serviceaccount.MakeUsername. */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `${saPrefix}${namespace}:${name}`;
}

/** serviceaccount.SplitUsername: namespace and name of a service account user name, or undefined. */
export function splitServiceAccountUsername(username: string): { namespace: string; name: string } | undefined {
  if (!username.startsWith(saPrefix)) return undefined;
  const parts = username.slice(saPrefix.length).split(':');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined;
  return { namespace: parts[0], name: parts[1] };
}

/** The groups every service account user is in (serviceaccount.MakeGroupNames), plus authenticated. */
export function serviceAccountGroups(namespace: string): string[] {
  return [serviceAccountsGroup, `${serviceAccountsGroup}:${namespace}`, authenticatedGroup];
}

export function serviceAccountUser(namespace: string, name: string, uid: string, extra?: Record<string, string[]>): UserInfo {
  return { name: serviceAccountUsername(namespace, name), uid, groups: serviceAccountGroups(namespace), ...(extra ? { extra } : {}) };
}

export const anonymous: UserInfo = { name: anonymousUser, groups: [unauthenticatedGroup] };

// A kubeconfig pointing kubectl and @kubernetes/client-node at the embedded API server:
// CA embedded as certificate-authority-data, bearer token as the user (wire protocol §11).
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';

export interface KubeconfigParams {
  /** e.g. https://127.0.0.1:6443 */
  server: string;
  caCertPem: string;
  token: string;
  /** Name shared by the cluster, user and context entries. */
  contextName?: string;
  /** Default namespace for the context; omitted means "default". */
  namespace?: string;
}

export function kubeconfigYaml({ server, caCertPem, token, contextName = 'everynode', namespace }: KubeconfigParams): string {
  const context: Record<string, string> = { cluster: contextName, user: contextName };
  if (namespace) context.namespace = namespace;
  return YAML.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: contextName, cluster: { server, 'certificate-authority-data': Buffer.from(caCertPem).toString('base64') } }],
    users: [{ name: contextName, user: { token } }],
    contexts: [{ name: contextName, context }],
    'current-context': contextName,
    preferences: {},
  });
}

/**
 * Write the kubeconfig with mode 0600 (it holds a credential), replacing any file at `file`.
 * chmod as well because writeFile's mode only applies when it creates the file.
 */
export async function writeKubeconfig(file: string, params: KubeconfigParams): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, kubeconfigYaml(params), { mode: 0o600 });
  await chmod(file, 0o600);
}

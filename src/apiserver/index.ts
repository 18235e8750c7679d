// Assembles the embedded API server: storage, catalog, bootstrap objects, TLS and the listener.
// This is the public face of src/apiserver/ for the CLI and the tests.
import { openBackend, type FsyncMode, type ServerBackend } from '../storage/index.js';
import { builtinCatalog } from './builtin.js';
import { ApiHandler } from './handler.js';
import { startServer, type WatchStats } from './server.js';
import type { ServerLimits } from './limits.js';
import { Store } from './store.js';
import { ensurePki } from './pki.js';
import type { KObject } from '../api/types.js';
import { ApiError } from './errors.js';
import { CrdRegistry } from './crd/registry.js';
import { RequestAuth } from './auth/gate.js';
import { ensureSigningKey } from './auth/signingkey.js';
import { bootstrapClusterRoleBindings, bootstrapClusterRolesAggregated, reconcileBootstrap } from './auth/bootstrap.js';

export interface ApiServerOptions {
  /** Directory for the database and PKI; null keeps everything in memory. */
  dataDir: string | null;
  address?: string;
  port?: number;
  /** Watch history kept for resuming watches (events). */
  historyLimit?: number;
  /** Overrides of the HTTP limits (limits.ts defaultLimits). */
  limits?: Partial<ServerLimits>;
  /** When a commit is fsynced (see FsyncMode); default 'normal'. */
  fsync?: FsyncMode;
  log?: (line: string) => void;
}

export interface EmbeddedApiServer {
  url: string;
  port: number;
  token: string;
  caCertPem: string;
  /** The PEM private key that signs service account tokens (the token controller signs with it too). */
  serviceAccountKeyPem: string;
  store: Store;
  /** Open watch connections and the unsent bytes they hold. */
  watchStats(): WatchStats;
  close(): Promise<void>;
}

/** Objects every cluster starts with (kube-apiserver's bootstrap controllers create them too). */
const bootstrap: Array<{ group: string; version: string; resource: string; obj: KObject }> = [
  ...['default', 'kube-system', 'kube-public', 'kube-node-lease'].map((name) => ({ group: '', version: 'v1', resource: 'namespaces', obj: { metadata: { name } } })),
  { group: 'scheduling.k8s.io', version: 'v1', resource: 'priorityclasses', obj: { metadata: { name: 'system-node-critical' }, value: 2000001000, description: 'Used for system critical pods that must not be moved from their current node.' } },
  { group: 'scheduling.k8s.io', version: 'v1', resource: 'priorityclasses', obj: { metadata: { name: 'system-cluster-critical' }, value: 2000000000, description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.' } },
  // The API server's own Service, as its bootstrap controller makes it (no ClusterIP allocator here).
  { group: '', version: 'v1', resource: 'services', obj: { metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } }, spec: { type: 'ClusterIP', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }], sessionAffinity: 'None' } } },
  ...bootstrapClusterRolesAggregated().map((obj) => ({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', obj })),
  ...bootstrapClusterRoleBindings.map((obj) => ({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterrolebindings', obj })),
];

export async function startApiServer(o: ApiServerOptions): Promise<EmbeddedApiServer> {
  const backend: ServerBackend = o.dataDir === null
    ? openBackend({ inMemory: true, historyLimit: o.historyLimit })
    : openBackend({ path: `${o.dataDir}/state.db`, historyLimit: o.historyLimit, fsync: o.fsync, log: o.log });
  const catalog = builtinCatalog();
  const store = new Store(backend, catalog);
  for (const b of bootstrap) {
    const d = catalog.lookup(b.group, b.version, b.resource)!;
    const ns = b.obj.metadata!.namespace ?? '';
    const kv = store.getKV(d, ns, b.obj.metadata!.name!);
    if (!kv) {
      try { store.create(d, ns, b.obj); } catch (err) { if (!(err instanceof ApiError && err.code === 409)) throw err; }
    } else if (b.group === 'rbac.authorization.k8s.io') {
      // A stored object that does not parse is left for its owner to repair, not a refusal to start.
      let live: KObject | undefined;
      try { live = JSON.parse(kv.value) as KObject; } catch { live = undefined; }
      const next = live && reconcileBootstrap(live, b.obj);
      if (next) {
        try { store.update(d, ns, b.obj.metadata!.name!, next, ''); } catch (err) { o.log?.(`bootstrap: ${b.resource}/${b.obj.metadata!.name}: not reconciled: ${err instanceof Error ? err.message : String(err)}`); }
      }
    }
  }
  // CustomResourceDefinitions already stored are served before the first request.
  const crds = new CrdRegistry(store, catalog, o.log);
  crds.start();
  const address = o.address ?? '127.0.0.1';
  const extraNames = address === '0.0.0.0' || address === '::' ? [] : [address];
  const pkiDir = o.dataDir === null ? null : `${o.dataDir}/pki`;
  const pki = await ensurePki(pkiDir, { extraSans: extraNames });
  const signing = await ensureSigningKey(pkiDir);
  let serverUrl = '';
  const auth = new RequestAuth({ store, adminToken: pki.token, signingKey: signing.key, externalUrl: () => serverUrl });
  const port = o.port ?? 6443;
  const handler = new ApiHandler(store, catalog, `${address}:${port}`);
  const server = await startServer({ handler, certPem: pki.certPem, keyPem: pki.keyPem, auth, address, port, limits: o.limits });
  serverUrl = server.url;
  // Keep the watch history bounded; a watcher older than what is kept gets 410 and re-lists.
  const compactor = setInterval(() => backend.compact(), 60_000);
  compactor.unref();
  return {
    url: server.url, port: server.port, token: pki.token, caCertPem: pki.caCertPem, serviceAccountKeyPem: signing.pem, store,
    watchStats: () => server.watchStats(),
    async close() {
      clearInterval(compactor);
      crds.close();
      await server.close();
      auth.close();
      backend.close();
    },
  };
}

// The service account parts of kube-controller-manager: the serviceaccount controller (a
// `default` ServiceAccount in every active namespace), the root-ca-cert-publisher (the
// `kube-root-ca.crt` ConfigMap with the cluster CA in every namespace) and the token controller
// (legacy `kubernetes.io/service-account-token` Secrets get their token, ca.crt and namespace).
// All three are API clients, as upstream; decisions are the pure functions at the top.
import type { KubeConfig } from '@kubernetes/client-node';
import type { KObject } from '../api/types.js';
import { RawClient, userAgent, isConflict, isNotFound, ApiStatusError } from '../kube/client.js';
import type { Informer } from '../kube/informer.js';
import { SharedInformers } from '../kube/shared.js';
import { ControllerLoop } from '../kube/controllerloop.js';
import type { Runnable } from '../kube/manager.js';
import { signJwt, signingKeyFromPem, type SigningKey } from '../apiserver/auth/jwt.js';
import { legacyTokenClaims } from '../apiserver/auth/satoken.js';

export const rootCaConfigMap = 'kube-root-ca.crt';
export const rootCaDescription = 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';
const tokenType = 'kubernetes.io/service-account-token';
const saNameAnnotation = 'kubernetes.io/service-account.name';
const saUidAnnotation = 'kubernetes.io/service-account.uid';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: unknown) => (typeof s === 'string' ? Buffer.from(s, 'base64').toString('utf8') : undefined);
const active = (ns: KObject | undefined) => !!ns && !ns.metadata?.deletionTimestamp && (ns.status as { phase?: string } | undefined)?.phase !== 'Terminating';

/** The root CA ConfigMap's data as it should be, or undefined when the stored one is right. */
export function rootCaUpdate(cm: KObject | undefined, caPem: string): Record<string, string> | undefined {
  const data = cm?.data as Record<string, unknown> | undefined;
  return data?.['ca.crt'] === caPem ? undefined : { 'ca.crt': caPem };
}

export interface TokenSecretPlan {
  /** Annotations, data keys to merge in (base64 data), or delete the Secret (its ServiceAccount is gone). */
  patch?: { annotations?: Record<string, string>; data?: Record<string, string> };
  delete?: boolean;
}

/**
 * What the token controller does with a token Secret, given its ServiceAccount (undefined when
 * it does not exist): fill what is missing, or delete a Secret whose account is gone or was
 * recreated (a different uid), as upstream's tokens controller does.
 */
export function planTokenSecret(secret: KObject, sa: KObject | undefined, caPem: string, sign: (claims: Record<string, unknown>) => string): TokenSecretPlan {
  if (secret.type !== tokenType || secret.metadata?.deletionTimestamp) return {};
  const ann = secret.metadata?.annotations ?? {};
  const saName = ann[saNameAnnotation];
  if (!saName) return {};
  if (!sa) return { delete: true };
  const uid = sa.metadata?.uid ?? '';
  if (ann[saUidAnnotation] && ann[saUidAnnotation] !== uid) return { delete: true };
  const data = (secret.data ?? {}) as Record<string, unknown>;
  const ns = secret.metadata!.namespace!;
  const want: Record<string, string> = {};
  if (!unb64(data.token)) want.token = b64(sign(legacyTokenClaims(ns, secret.metadata!.name!, saName, uid)));
  if (unb64(data['ca.crt']) !== caPem) want['ca.crt'] = b64(caPem);
  if (unb64(data.namespace) !== ns) want.namespace = b64(ns);
  const annotations = ann[saUidAnnotation] ? undefined : { [saUidAnnotation]: uid };
  if (!annotations && Object.keys(want).length === 0) return {};
  return { patch: { ...(annotations ? { annotations } : {}), ...(Object.keys(want).length ? { data: want } : {}) } };
}

export interface ServiceAccountsOptions {
  informers?: SharedInformers;
  /** The cluster CA, published in every namespace and put into token Secrets. */
  caCertPem: string;
  /** The service account signing key; without it legacy token Secrets are left alone. */
  signingKeyPem?: string;
}

const MERGE = 'application/merge-patch+json';
const nsPath = (ns: string) => `/api/v1/namespaces/${encodeURIComponent(ns)}`;

export class ServiceAccountsController implements Runnable {
  readonly name = 'serviceaccount-controllers';
  readonly #client: RawClient;
  readonly #shared: SharedInformers;
  readonly #namespaces: Informer<KObject>;
  readonly #accounts: Informer<KObject>;
  readonly #configMaps: Informer<KObject>;
  readonly #secrets: Informer<KObject> | undefined;
  readonly #key: SigningKey | undefined;
  /** Namespace names (default account, root CA) and "secret:ns/name" keys (tokens). */
  readonly #loop = new ControllerLoop({
    name: 'serviceaccount', workers: 2, backoff: { baseDelayMs: 100, maxDelayMs: 10_000 },
    reconciler: {
      reconcile: async (key) => {
        if (key.startsWith('secret:')) await this.#syncSecret(key.slice('secret:'.length));
        else await this.#syncNamespace(key);
      },
    },
    // Keys are namespaces or secret:NS/NAME, not objects of one informer: logged by the loop only.
    report: () => {},
  });
  get #queue() { return this.#loop.queue; }

  constructor(kc: KubeConfig, private readonly o: ServiceAccountsOptions) {
    this.#client = new RawClient(kc, { userAgent: userAgent('kube-controller-manager', 'service-account-controller') });
    const shared = (this.#shared = o.informers ?? new SharedInformers(kc));
    this.#namespaces = shared.informer('/api/v1/namespaces');
    this.#accounts = shared.informer('/api/v1/serviceaccounts');
    this.#configMaps = shared.informer('/api/v1/configmaps', { fieldSelector: `metadata.name=${rootCaConfigMap}` });
    this.#key = o.signingKeyPem ? signingKeyFromPem(o.signingKeyPem) : undefined;
    this.#secrets = this.#key ? shared.informer('/api/v1/secrets') : undefined;
  }

  async start(signal: AbortSignal): Promise<void> {
    const ns = (o: KObject) => this.#queue.add(o.metadata?.namespace ?? '');
    this.#namespaces.addHandler({ onAdd: (n) => this.#queue.add(n.metadata!.name!), onUpdate: (_o, n) => this.#queue.add(n.metadata!.name!) });
    this.#accounts.addHandler({ onDelete: ns, onUpdate: (_o, a) => this.#secretsOf(a) , onAdd: (a) => this.#secretsOf(a) });
    this.#configMaps.addHandler({ onUpdate: (_o, c) => ns(c), onDelete: ns });
    this.#secrets?.addHandler({ onAdd: (s) => this.#queueSecret(s), onUpdate: (_o, s) => this.#queueSecret(s) });
    const running = [this.#shared.start(signal)];
    const informers = [this.#namespaces, this.#accounts, this.#configMaps, ...(this.#secrets ? [this.#secrets] : [])];
    await Promise.all(informers.map((i) => i.waitForSync(signal)));
    await Promise.all([...running, this.#loop.start(signal)]);
    this.#client.close();
  }

  #queueSecret(s: KObject): void {
    if (s.type === tokenType) this.#queue.add(`secret:${s.metadata!.namespace}/${s.metadata!.name}`);
  }

  /** A ServiceAccount (re)created: its token Secrets may now be filled. */
  #secretsOf(a: KObject): void {
    for (const s of this.#secrets?.list() ?? []) {
      if (s.metadata?.namespace === a.metadata?.namespace && s.metadata?.annotations?.[saNameAnnotation] === a.metadata?.name) this.#queueSecret(s);
    }
  }

  async #syncNamespace(name: string): Promise<void> {
    const ns = this.#namespaces.get(name);
    if (!active(ns)) return;
    if (!this.#accounts.get(`${name}/default`)) {
      await this.#tolerate(this.#client.request('POST', `${nsPath(name)}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } }));
    }
    const cm = this.#configMaps.get(`${name}/${rootCaConfigMap}`);
    const data = rootCaUpdate(cm, this.o.caCertPem);
    if (!data) return;
    if (!cm) {
      await this.#tolerate(this.#client.request('POST', `${nsPath(name)}/configmaps`, {
        apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: rootCaConfigMap, annotations: { 'kubernetes.io/description': rootCaDescription } }, data,
      }));
    } else {
      await this.#tolerate(this.#client.request('PATCH', `${nsPath(name)}/configmaps/${rootCaConfigMap}`, { metadata: { resourceVersion: cm.metadata!.resourceVersion }, data }, MERGE));
    }
  }

  async #syncSecret(key: string): Promise<void> {
    const secret = this.#secrets?.get(key);
    if (!secret || !this.#key) return;
    const ns = secret.metadata!.namespace!;
    const saName = secret.metadata?.annotations?.[saNameAnnotation];
    // The cache may not have a just-created account yet: ask the API before deleting anything.
    let sa = saName ? this.#accounts.get(`${ns}/${saName}`) : undefined;
    if (saName && !sa) {
      try { sa = await this.#client.request<KObject>('GET', `${nsPath(ns)}/serviceaccounts/${encodeURIComponent(saName)}`); } catch (err) { if (!isNotFound(err)) throw err; }
    }
    const key_ = this.#key;
    const plan = planTokenSecret(secret, sa, this.o.caCertPem, (claims) => signJwt(key_, claims));
    const path = `${nsPath(ns)}/secrets/${encodeURIComponent(secret.metadata!.name!)}`;
    if (plan.delete) await this.#tolerate(this.#client.delete(path, { preconditions: { uid: secret.metadata!.uid } }));
    else if (plan.patch) {
      const body = { metadata: { resourceVersion: secret.metadata!.resourceVersion, ...(plan.patch.annotations ? { annotations: plan.patch.annotations } : {}) }, ...(plan.patch.data ? { data: plan.patch.data } : {}) };
      await this.#tolerate(this.#client.request('PATCH', path, body, MERGE));
    }
  }

  /** Races with users and other writers are not failures: the next event brings the object back. */
  async #tolerate(p: Promise<unknown>): Promise<void> {
    try { await p; } catch (err) {
      if (isConflict(err) || isNotFound(err)) return;
      // A namespace being deleted refuses new content with 403.
      if (err instanceof ApiStatusError && (err.code === 409 || err.code === 403)) return;
      throw err;
    }
  }
}

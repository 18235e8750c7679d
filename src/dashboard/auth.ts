// Who may read the dashboard: whoever the cluster lets list nodes. A presented bearer token is
// checked by asking the API server, with that token, a SelfSubjectAccessReview for "list nodes"
// (what `kubectl auth can-i list nodes` asks), so any token the cluster accepts works — the
// embedded cluster's admin token, a service account's, an OIDC one — and the dashboard keeps
// no credentials of its own. Answers are cached for a while per token (hashed), as the API
// server's token cache does, so a page's requests do not each cost a review.
import { createHash } from 'node:crypto';
import { KubeConfig } from '@kubernetes/client-node';
import { ApiStatusError, RawClient } from '../kube/client.js';

export type Verdict = 'allowed' | 'forbidden' | 'unauthenticated';

/** Asks the cluster about one token; rejects when the cluster could not answer (nothing is cached then). */
export type Reviewer = (token: string) => Promise<Verdict>;

export const REVIEW_TTL_MS = 30_000;
export const REVIEW_CACHE_MAX = 1_000;

interface Cached { verdict: Verdict; until: number }

/**
 * The verdict cache, time passed in. Bounded: when full, expired entries go, and if none has
 * expired the oldest does (insertion order), so a flood of made-up tokens cannot grow it.
 */
export class VerdictCache {
  readonly #m = new Map<string, Cached>();
  constructor(readonly ttlMs = REVIEW_TTL_MS, readonly max = REVIEW_CACHE_MAX) {}

  get(key: string, now: number): Verdict | undefined {
    const c = this.#m.get(key);
    if (!c) return undefined;
    if (now >= c.until) { this.#m.delete(key); return undefined; }
    return c.verdict;
  }

  set(key: string, verdict: Verdict, now: number): void {
    this.#m.delete(key);
    if (this.#m.size >= this.max) {
      for (const [k, c] of this.#m) if (now >= c.until) this.#m.delete(k);
      while (this.#m.size >= this.max) this.#m.delete(this.#m.keys().next().value!);
    }
    this.#m.set(key, { verdict, until: now + this.ttlMs });
  }

  get size(): number { return this.#m.size; }
}

/** The token from an `Authorization: Bearer …` header, or undefined when there is none. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m ? m[1] : undefined;
}

export class TokenGate {
  readonly #cache: VerdictCache;
  readonly #inFlight = new Map<string, Promise<Verdict>>();
  constructor(private readonly review: Reviewer, private readonly now: () => number = Date.now, cache = new VerdictCache()) { this.#cache = cache; }

  /** The verdict for a token: cached, joined to a review already under way, or a new review. */
  async check(token: string): Promise<Verdict> {
    const key = createHash('sha256').update(token).digest('hex');
    const hit = this.#cache.get(key, this.now());
    if (hit) return hit;
    let p = this.#inFlight.get(key);
    if (!p) {
      p = this.review(token).then((v) => { this.#cache.set(key, v, this.now()); return v; }).finally(() => this.#inFlight.delete(key));
      this.#inFlight.set(key, p);
    }
    return p;
  }
}

/**
 * The reviewer for a cluster: the kubeconfig's server and CA, with the presented token as the
 * only credential. A 401 from the API server is an unknown token; a review saying no is a token
 * the cluster knows but that may not list nodes.
 */
export function clusterReviewer(kc: KubeConfig): Reviewer {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  return async (token) => {
    const k = new KubeConfig();
    k.loadFromOptions({
      clusters: [cluster], users: [{ name: 'dashboard-viewer', token }],
      contexts: [{ name: 'dashboard', cluster: cluster.name, user: 'dashboard-viewer' }], currentContext: 'dashboard',
    });
    const client = new RawClient(k, { maxSockets: 1, timeoutMs: 10_000 });
    try {
      const r = await client.request<{ status?: { allowed?: boolean } }>('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
        apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { verb: 'list', group: '', resource: 'nodes' } },
      });
      return r?.status?.allowed === true ? 'allowed' : 'forbidden';
    } catch (err) {
      if (err instanceof ApiStatusError && err.code === 401) return 'unauthenticated';
      if (err instanceof ApiStatusError && err.code === 403) return 'forbidden';
      throw err;
    } finally {
      client.close();
    }
  };
}

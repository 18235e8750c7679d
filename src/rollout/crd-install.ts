// Installs the DaemonSetRollout CRD (config/crd/) into the embedded cluster at start, so that
// `everynode up` serves the kind with no `kubectl apply` first. Create, or update when the
// stored definition differs (an older everynode's).
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { KubeConfig } from '@kubernetes/client-node';
import type { KObject } from '../api/types.js';
import { RawClient, isConflict, isNotFound } from '../kube/client.js';
import { sleep } from '../kube/informer.js';

const CRD_URL = new URL('../../config/crd/everynode.dev_daemonsetrollouts.yaml', import.meta.url);
const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

/** The shipped manifest, or an error naming the file (a package without config/ has none). */
export function rolloutCrd(): KObject {
  return parse(readFileSync(CRD_URL, 'utf8')) as KObject;
}

/** Makes the stored CRD equal to `crd` (spec and labels); 'created', 'updated' or 'unchanged'. */
export async function ensureCrd(client: RawClient, crd: KObject, signal?: AbortSignal): Promise<'created' | 'updated' | 'unchanged'> {
  const name = crd.metadata?.name ?? '';
  const path = `${CRDS}/${encodeURIComponent(name)}`;
  let live: KObject | undefined;
  try { live = await client.request<KObject>('GET', path, undefined, undefined, { signal }); } catch (err) { if (!isNotFound(err)) throw err; }
  if (!live) {
    try { await client.request('POST', CRDS, crd, undefined, { signal }); return 'created'; } catch (err) { if (!isConflict(err)) throw err; }
    live = await client.request<KObject>('GET', path, undefined, undefined, { signal });
  }
  if (JSON.stringify(normalize(live.spec)) === JSON.stringify(normalize(crd.spec))) return 'unchanged';
  await client.request('PUT', path, { ...crd, metadata: { ...crd.metadata, resourceVersion: live.metadata?.resourceVersion } }, undefined, { signal });
  return 'updated';
}

/** The server fills defaults (conversion, preserveUnknownFields): compare only the fields we set. */
function normalize(spec: unknown): unknown {
  const s = (spec ?? {}) as Record<string, unknown>;
  return { group: s.group, scope: s.scope, names: s.names, versions: s.versions };
}

/**
 * Installs the CRD and waits until its group is served, so that whoever is told the cluster is
 * ready (the `up` ready line, a controller started right after) finds the kind. Run once, before
 * the cluster is announced: as a background component it raced `everynode controller`'s preflight.
 * A package without config/ logs one line and serves without the kind.
 */
export async function installRolloutCrd(kc: KubeConfig, log?: (line: string) => void, timeoutMs = 30_000): Promise<void> {
  let crd: KObject;
  try { crd = rolloutCrd(); } catch (err) {
    log?.(`daemonsetrollout-crd: not installed: ${err instanceof Error ? err.message : String(err)}`);
    return;
  }
  const group = `/apis/${String((crd.spec as { group?: unknown } | undefined)?.group)}`;
  const client = new RawClient(kc);
  const deadline = Date.now() + timeoutMs;
  try {
    for (let delay = 50; ; delay = Math.min(delay * 2, 1_000)) {
      try {
        await ensureCrd(client, crd);
        await client.request('GET', group);
        return;
      } catch (err) {
        if (Date.now() + delay > deadline) throw new Error(`daemonsetrollout-crd: not served after ${timeoutMs} ms: ${err instanceof Error ? err.message : String(err)}`);
        await sleep(delay);
      }
    }
  } finally { client.close(); }
}

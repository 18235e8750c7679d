// Settling creates whose answer was lost (pure). A pod create that timed out or whose connection
// broke after sending may have been applied (the server committed, the answer never arrived) or
// not (the request never got there). A live list tells which: a pod of this DaemonSet for that
// node that the sync which sent the create did not know is the one it created.
import type { KObject, Pod } from '../../api/types.js';
import { controllerRefOf } from '../../api/meta.js';
import { targetNodeName } from './pods.js';

export interface UncertainCreateLike { nodeName: string; knownUids: readonly string[] }

/**
 * Whether a failed create may still have created its pod, from the API status answer it got
 * (undefined: none, as after a connection reset, the client's deadline or an abort). A status
 * answer means the server decided and refused (kube-apiserver never answers an error after
 * committing), except a timeout (504, or reason Timeout: upstream's IsTimeout), which is "maybe";
 * no answer at all is "maybe" too.
 */
export function createMayHaveHappened(answer: { code: number; reason: string } | undefined): boolean {
  return answer === undefined || answer.code === 504 || answer.reason === 'Timeout';
}

/** For each uncertain create, in order: did it happen, judged from a live list of the namespace's pods? */
export function settleUncertainCreates(creates: readonly UncertainCreateLike[], livePods: readonly Pod[], dsUid: string): boolean[] {
  const newUidsByNode = new Map<string, string[]>();
  for (const p of livePods) {
    if (typeof p !== 'object' || p === null) continue;
    const uid = p.metadata?.uid;
    const node = targetNodeName(p);
    if (typeof uid !== 'string' || !node || controllerRefOf(p as KObject)?.uid !== dsUid) continue;
    newUidsByNode.set(node, [...(newUidsByNode.get(node) ?? []), uid]);
  }
  return creates.map((c) => (newUidsByNode.get(c.nodeName) ?? []).some((uid) => !c.knownUids.includes(uid)));
}

// ControllerRef claiming (§5.6) as a decision: which objects are owned, adopted or released.
// The shell performs the adopt/release patches (and the live "DS still exists" re-check).
import type { DaemonSet, KObject, ObjectMeta } from '../../api/types.js';
import { controllerRefOf } from '../../api/meta.js';
import { fromLabelSelector, selectorMatches } from '../../api/selector.js';

export interface ClaimResult<T extends { metadata?: ObjectMeta }> {
  /** Owned after the claim (already owned + to adopt). */
  owned: T[];
  /** Orphans to adopt by adding a controller ownerReference. */
  adopt: T[];
  /** Owned objects whose labels no longer match: remove our ownerReference. */
  release: T[];
}

export function claimObjects<T extends { metadata?: ObjectMeta }>(ds: DaemonSet, objects: readonly T[]): ClaimResult<T> {
  const uid = ds.metadata?.uid;
  const dsDeleting = Boolean(ds.metadata?.deletionTimestamp);
  const out: ClaimResult<T> = { owned: [], adopt: [], release: [] };
  // Compiled once for all candidates (labelSelectorMatches would compile it per object); a nil
  // or invalid selector matches nothing, as labelSelectorMatches says.
  const compiled = ds.spec?.selector ? fromLabelSelector(ds.spec.selector) : undefined;
  const sel = compiled && !('error' in compiled) ? compiled : undefined;
  for (const obj of objects) {
    if (obj.metadata?.namespace !== ds.metadata?.namespace) continue;
    const ref = controllerRefOf(obj as KObject);
    const matches = sel !== undefined && selectorMatches(sel, obj.metadata?.labels ?? {});
    if (ref) {
      if (ref.uid !== uid) continue;
      if (matches) out.owned.push(obj);
      else if (!dsDeleting) out.release.push(obj);
      continue;
    }
    if (dsDeleting || !matches || obj.metadata?.deletionTimestamp) continue;
    out.adopt.push(obj);
    out.owned.push(obj);
  }
  return out;
}

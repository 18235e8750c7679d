// Why the controller deletes a daemon pod: shared by manage (eligibility, failures, duplicates)
// and rollout (replacement), so neither has to import the other for the type.
export type DeleteReason =
  | 'duplicate' | 'failed' | 'succeeded' | 'not-eligible' | 'node-gone' | 'surge-replaced' | 'rolling-update';
export interface PodDeletion { name: string; reason: DeleteReason }

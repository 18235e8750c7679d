// Event reasons and messages (§10). The plan carries decision events; the shell emits the
// per-call ones below once it knows the outcome (the server picks pod names).
import type { CoreEvent } from './manage.js';

export const selectingAllEvent = (): CoreEvent => ({
  type: 'Warning', reason: 'SelectingAll',
  message: 'This daemon set is selecting all pods. A non-empty selector is required.',
});
export const podCreatedEvent = (podName: string): CoreEvent => ({ type: 'Normal', reason: 'SuccessfulCreate', message: `Created pod: ${podName}` });
export const podCreateFailedEvent = (error: string): CoreEvent => ({ type: 'Warning', reason: 'FailedCreate', message: `Error creating: ${error}` });
export const podDeletedEvent = (podName: string): CoreEvent => ({ type: 'Normal', reason: 'SuccessfulDelete', message: `Deleted pod: ${podName}` });
export const podDeleteFailedEvent = (error: string): CoreEvent => ({ type: 'Warning', reason: 'FailedDelete', message: `Error deleting: ${error}` });
/** everynode's own: the sync failed for a reason other than an API error (e.g. a malformed object). */
export const syncFailedEvent = (error: string): CoreEvent => ({ type: 'Warning', reason: 'FailedSync', message: `Error syncing daemon set: ${error}` });

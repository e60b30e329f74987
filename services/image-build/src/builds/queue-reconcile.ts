import type { BuildState } from './builds.schemas.js';

export type ReconcileAction = 'none' | 'enqueue' | 'fail' | 'cancel';

/**
 * What to do about an unfinished build given its job in the queue (undefined: no such job), so
 * that no build waits for ever for a job that will not run:
 * - no job: a queued or running build is enqueued (its enqueue was lost, or Redis lost the job);
 *   a build being cancelled is cancelled (no worker holds it);
 * - a job that failed for good, or that completed while the build is not finished: the build
 *   failed (the worker that should have said so died first);
 * - any other job (waiting, delayed, active): it will run or is running.
 */
export function reconcileAction(state: BuildState, job: string | undefined): ReconcileAction {
  if (job === undefined || job === 'unknown') return state === 'cancelling' ? 'cancel' : 'enqueue';
  if (job === 'failed' || job === 'completed') return 'fail';
  return 'none';
}

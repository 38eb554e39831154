import { isMdlError } from '../errors/mdl-error.js';
import type { NodeResult, NodeStatus } from './run-result.js';

const STATUSES: readonly NodeStatus[] = [
  'success',
  'error',
  'skipped',
  'pass',
  'warn',
  'fail',
  'cancelled',
];

/** Statuses that stop descendants from running. */
export function blocksDescendants(status: NodeStatus): boolean {
  return status === 'error' || status === 'fail' || status === 'cancelled';
}

/** A result for a node that was never started. */
export function skippedResult(
  uniqueId: string,
  message: string,
  skippedBecause: string | undefined,
): NodeResult {
  const now = new Date().toISOString();
  return {
    uniqueId,
    status: 'skipped',
    message,
    ...(skippedBecause === undefined ? {} : { skippedBecause }),
    startedAt: now,
    completedAt: now,
    executionTimeMs: 0,
  };
}

/**
 * The result for a `runNode` that threw (or rejected): status 'error' with the error's message
 * and code. Driver messages describe statements, not rows, so they are kept as given.
 */
export function thrownResult(uniqueId: string, err: unknown, startedMs: number): NodeResult {
  const end = Date.now();
  const message = err instanceof Error ? err.message : String(err);
  return {
    uniqueId,
    status: 'error',
    message,
    errorCode: isMdlError(err) ? err.code : 'E_INTERNAL',
    startedAt: new Date(startedMs).toISOString(),
    completedAt: new Date(end).toISOString(),
    executionTimeMs: end - startedMs,
  };
}

/** Marks a result as cancelled (the run was aborted while the node was running). */
export function cancelledResult(result: NodeResult, reason: string): NodeResult {
  return {
    ...result,
    status: 'cancelled',
    message: `cancelled: ${reason}${result.message === undefined ? '' : ` (${result.message})`}`,
    errorCode: 'E_CANCELLED',
  };
}

/**
 * The result `runNode` resolved with, pinned to the node's id; something that is not a result
 * (no valid status) becomes an 'error' naming the problem rather than corrupting the run.
 */
export function checkedResult(uniqueId: string, result: unknown, startedMs: number): NodeResult {
  const status = (result as { status?: unknown } | null | undefined)?.status;
  if (typeof status !== 'string' || !STATUSES.includes(status as NodeStatus)) {
    return thrownResult(
      uniqueId,
      new Error(`runNode returned no valid result for ${uniqueId}`),
      startedMs,
    );
  }
  return { ...(result as NodeResult), uniqueId };
}

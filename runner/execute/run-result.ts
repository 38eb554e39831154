/** Outcome of one node in a run, written to target/run_results.json. */
export type NodeStatus =
  | 'success' // model/seed/snapshot built
  | 'error' // failed to build or a test could not run
  | 'skipped' // an upstream node failed
  | 'pass' // test passed
  | 'warn' // test failed at warn severity / warn_if threshold
  | 'fail' // test failed at error severity
  | 'cancelled';

export interface NodeResult {
  readonly uniqueId: string;
  readonly status: NodeStatus;
  /** Human message; never contains row values or secrets. */
  readonly message?: string;
  readonly errorCode?: string;
  readonly rowsAffected?: number;
  /** Failing row count for tests. */
  readonly failures?: number;
  /** Rows flagged is_quarantined in the built relation. */
  readonly quarantined?: number;
  /** Node whose failure caused this skip. */
  readonly skippedBecause?: string;
  readonly startedAt: string;
  readonly completedAt: string;
  readonly executionTimeMs: number;
}

export interface RunResults {
  readonly metadata: {
    readonly invocationId: string;
    readonly command: string;
    readonly generatedAt: string;
  };
  readonly elapsedMs: number;
  readonly results: readonly NodeResult[];
  /** The selection args, so `mdl retry` can rebuild the same invocation. */
  readonly args: Readonly<Record<string, unknown>>;
}

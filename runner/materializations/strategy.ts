import type { ExecutableNode, RelationName } from '../compiler/manifest.js';
import type { ColumnDef, Dialect } from '../dialects/dialect.js';

/** What introspection found about one relation before the run (one query for all of them). */
export interface RelationState {
  readonly exists: boolean;
  readonly kind?: 'table' | 'view';
  readonly columns: readonly ColumnDef[];
}

/** One SQL statement of a plan. */
export interface SqlStep {
  readonly sql: string;
  /** Short label for logs/progress (never includes data values). */
  readonly label: string;
  /**
   * `rows`: the statement's affected-row count is the node's rowsAffected.
   * `check`: a query whose rows, if any, make the node fail (e.g. duplicate keys); see `failWith`.
   * `exec`: plain statement.
   */
  readonly kind: 'exec' | 'rows' | 'check';
  /** For `check` steps: how to turn returned rows into an error message (no PHI: key values only if configured). */
  readonly failWith?: {
    readonly code: 'E_DUPLICATE_KEYS' | 'E_SCHEMA_CHANGE' | 'E_SNAPSHOT';
    readonly message: string;
  };
}

/**
 * A pure strategy's output: ordered steps plus how they must be grouped. `transaction: true`
 * means the executor wraps `steps` in BEGIN/COMMIT (ROLLBACK on any failure) on engines with
 * transactions; on engines without, the strategy must already be crash-safe step by step.
 */
export interface MaterializationPlan {
  readonly steps: readonly SqlStep[];
  readonly transaction: boolean;
  /** Steps that always run after success or failure (drop temp relations). */
  readonly cleanup: readonly SqlStep[];
}

export interface StrategyOptions {
  readonly fullRefresh: boolean;
  /** Unique per run, used to name temporary relations (`<name>__mdl_tmp_<runId>`). */
  readonly runId: string;
}

/** Inputs of a pure strategy: everything it needs, no I/O. */
export interface StrategyInput<N extends ExecutableNode = ExecutableNode> {
  readonly node: N;
  readonly dialect: Dialect;
  /** State of the node's own relation (and helpers the strategy asks about). */
  readonly state: RelationState;
  /** Full SELECT for the node with ephemeral CTEs already inlined (and quarantine applied). */
  readonly selectSql: string;
  /** Columns the SELECT produces (executor asks the engine via DESCRIBE before planning). */
  readonly selectColumns: readonly ColumnDef[];
  readonly options: StrategyOptions;
}

/** A temporary relation next to the target, in the same schema, so a rename/swap stays local. */
export function tempRelation(rel: RelationName, suffix: string, runId: string): RelationName {
  return { ...rel, identifier: `${rel.identifier}__mdl_${suffix}_${runId}` };
}

/** A materialization strategy: pure function from inputs to SQL steps. */
export type Strategy<N extends ExecutableNode = ExecutableNode> = (
  input: StrategyInput<N>,
) => MaterializationPlan;

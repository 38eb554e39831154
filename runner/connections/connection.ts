/** Result of a statement that changes data or DDL. */
export interface ExecuteResult {
  /** Rows inserted/updated/deleted when the engine reports it. */
  readonly rowsAffected?: number;
}

/** One row as plain JS values (bigint for BIGINT/HUGEINT, string for DECIMAL, Date-free ISO text for dates). */
export type Row = Readonly<Record<string, unknown>>;

export interface QueryOptions {
  readonly signal?: AbortSignal;
}

/**
 * I/O only: open, execute, query, cancel, close. No SQL is generated here — statements come
 * from a Dialect. Implementations must never put parameter values or row data into error
 * messages (they may carry PHI).
 */
export interface Connection {
  readonly kind: 'duckdb' | 'spark' | 'databricks';
  execute(sql: string, opts?: QueryOptions): Promise<ExecuteResult>;
  query(sql: string, opts?: QueryOptions): Promise<readonly Row[]>;
  /** Interrupt whatever is running on this connection. */
  cancel(): Promise<void>;
  close(): Promise<void>;
}

/** Opens connections for one target; one per scheduler thread. */
export interface ConnectionPool {
  acquire(): Promise<Connection>;
  release(conn: Connection): void;
  /** Cancel everything running (Ctrl-C). */
  cancelAll(): Promise<void>;
  close(): Promise<void>;
}

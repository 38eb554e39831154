import fs from 'node:fs';
import path from 'node:path';
import {
  DuckDBInstance,
  DuckDBTypeId,
  JSDuckDBValueConverter,
  type DuckDBConnection,
  type DuckDBResult,
  type DuckDBValueConverter,
  type JS,
} from '@duckdb/node-api';
import { MdlError } from '../errors/mdl-error.js';
import type { DuckDbTarget } from '../project/types.js';
import type { Connection, ExecuteResult, QueryOptions, Row } from './connection.js';
import { toMdlError } from './duckdb-errors.js';

// The CLI bundle inlines @duckdb/node-api (only the native @duckdb/node-bindings stays external):
// loading ~100 CommonJS files through Node's ESM loader cost ~100 ms of the start budget.

type Plain = JS;

/** Text form of temporal values: ISO-8601 with a `T` separator. */
function isoText(value: unknown): string {
  const s = String(value);
  return /^\d{4,}-\d\d-\d\d \d/.test(s) ? s.replace(' ', 'T') : s;
}

/**
 * Plain JS values: BIGINT/HUGEINT → bigint (JS numbers would lose digits of NPI-sized keys),
 * DECIMAL → string (exact), DATE/TIMESTAMP/TIME/INTERVAL → ISO-like text; everything else as the
 * library's JS converter does (lists → arrays, structs → objects).
 */
const plainConverter: DuckDBValueConverter<Plain> = (value, type, converter) => {
  if (value === null || value === undefined) return null;
  switch (type.typeId) {
    case DuckDBTypeId.DECIMAL:
    case DuckDBTypeId.UUID:
    case DuckDBTypeId.INTERVAL:
    case DuckDBTypeId.TIME:
    case DuckDBTypeId.TIME_NS:
    case DuckDBTypeId.TIME_TZ:
      return String(value);
    case DuckDBTypeId.DATE:
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
    case DuckDBTypeId.TIMESTAMP_TZ:
      return isoText(value);
    default:
      return JSDuckDBValueConverter(value, type, converter);
  }
};

/** Rows changed by a statement: DuckDB reports DDL/DML counts in a single `Count` column. */
async function rowsAffectedOf(result: DuckDBResult): Promise<number | undefined> {
  if (result.columnCount === 1 && result.columnName(0) === 'Count') {
    const rows = await result.getRows();
    const v = rows[0]?.[0];
    if (typeof v === 'bigint' || typeof v === 'number') return Number(v);
  }
  const changed = result.rowsChanged;
  return changed > 0 ? changed : undefined;
}

/** One DuckDB connection (a session) on a shared {@link DuckDbDatabase}. */
export class DuckDbConnection implements Connection {
  readonly kind = 'duckdb' as const;
  private closed = false;

  constructor(
    private readonly conn: DuckDBConnection,
    private readonly onClose: () => void,
  ) {}

  private async run(sql: string, opts: QueryOptions | undefined): Promise<DuckDBResult> {
    if (this.closed) throw new MdlError('E_INTERNAL', 'DuckDB connection used after close');
    const signal = opts?.signal;
    if (signal?.aborted === true) throw new MdlError('E_CANCELLED', 'statement cancelled');
    const onAbort = (): void => this.conn.interrupt();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await this.conn.run(sql);
    } catch (err) {
      throw toMdlError(err);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async execute(sql: string, opts?: QueryOptions): Promise<ExecuteResult> {
    const result = await this.run(sql, opts);
    const rowsAffected = await rowsAffectedOf(result);
    return rowsAffected === undefined ? {} : { rowsAffected };
  }

  async query(sql: string, opts?: QueryOptions): Promise<readonly Row[]> {
    const result = await this.run(sql, opts);
    try {
      return await result.convertRowObjects(plainConverter);
    } catch (err) {
      throw toMdlError(err);
    }
  }

  cancel(): Promise<void> {
    if (!this.closed) this.conn.interrupt();
    return Promise.resolve();
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.conn.closeSync();
      this.onClose();
    }
    return Promise.resolve();
  }
}

/**
 * One opened DuckDB database file (a DuckDBInstance). Connections made from it share the buffer
 * pool and see each other's committed writes; the file lock is held until {@link close}.
 */
export class DuckDbDatabase {
  private readonly open = new Set<DuckDbConnection>();
  private closed = false;

  private constructor(
    private readonly instance: DuckDBInstance,
    /** `USE <catalog>` for every new session when the target names a catalog. */
    private readonly useSql: string | undefined,
    readonly target: DuckDbTarget,
  ) {}

  /** Opens (creating the parent folder of) the target's database file. Maps lock conflicts to E_DB_LOCKED. */
  static async open(target: DuckDbTarget): Promise<DuckDbDatabase> {
    // The target's `threads` is how many nodes mdl runs at once, not DuckDB's worker threads:
    // each query already uses every core by default (`settings: {threads: N}` caps it).
    const options: Record<string, string> = {};
    if (target.memoryLimit !== undefined) options.memory_limit = target.memoryLimit;
    for (const [k, v] of Object.entries(target.settings)) options[k] = String(v);
    const inMemory = target.path === ':memory:' || target.path === '';
    if (!inMemory) fs.mkdirSync(path.dirname(target.path), { recursive: true });
    let instance: DuckDBInstance;
    try {
      // With a catalog name the file is attached under that name, so three-part names resolve.
      instance = await DuckDBInstance.create(
        inMemory || target.database === undefined ? target.path || ':memory:' : ':memory:',
        options,
      );
    } catch (err) {
      throw connectionError(err, target);
    }
    let useSql: string | undefined;
    if (target.database !== undefined) {
      const q = `"${target.database.replaceAll('"', '""')}"`;
      const file = inMemory ? ':memory:' : target.path;
      try {
        const c = await instance.connect();
        try {
          await c.run(`ATTACH '${file.replaceAll("'", "''")}' AS ${q}`);
        } finally {
          c.closeSync();
        }
      } catch (err) {
        instance.closeSync();
        throw connectionError(err, target);
      }
      useSql = `USE ${q}`;
    }
    return new DuckDbDatabase(instance, useSql, target);
  }

  /** A new session on this database. */
  async connect(): Promise<DuckDbConnection> {
    if (this.closed) throw new MdlError('E_INTERNAL', 'DuckDB database used after close');
    let raw: DuckDBConnection;
    try {
      raw = await this.instance.connect();
      if (this.useSql !== undefined) await raw.run(this.useSql);
    } catch (err) {
      throw connectionError(err, this.target);
    }
    const conn: DuckDbConnection = new DuckDbConnection(raw, () => this.open.delete(conn));
    this.open.add(conn);
    return conn;
  }

  /** Closes all sessions and releases the file lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    for (const c of [...this.open]) await c.close();
    this.closed = true;
    this.instance.closeSync();
  }
}

function connectionError(err: unknown, target: DuckDbTarget): MdlError {
  const mapped = toMdlError(err);
  if (mapped.code === 'E_DB_LOCKED') return mapped;
  return new MdlError(
    'E_CONNECTION',
    `cannot open DuckDB database ${target.path} for target '${target.name}': ${mapped.message}`,
    {
      hint: 'check the path and permissions in configs/targets.yml (and that the file is a DuckDB database)',
      cause: err,
    },
  );
}

/**
 * Opens the target's DuckDB file and returns one connection; closing it releases the database.
 * For several sessions on one file (scheduler threads) use {@link DuckDbDatabase}.
 */
export async function openDuckDb(target: DuckDbTarget): Promise<Connection> {
  const db = await DuckDbDatabase.open(target);
  let conn: DuckDbConnection;
  try {
    conn = await db.connect();
  } catch (err) {
    await db.close();
    throw err;
  }
  return {
    kind: 'duckdb',
    execute: (sql, opts) => conn.execute(sql, opts),
    query: (sql, opts) => conn.query(sql, opts),
    cancel: () => conn.cancel(),
    close: () => db.close(),
  };
}

/**
 * `audit.load_logs` (one row per table load) and `audit.landed_files` (the manifest of landing
 * files already processed, by content hash) in the target warehouse, through the `Connection`
 * interface so any target works. Tables are created with IF NOT EXISTS only; nothing here ever
 * drops, truncates, updates or deletes audit rows — it is append-only history.
 */
import type { Connection } from '../connections/connection.js';
import type { Dialect } from '../dialects/dialect.js';

/** One finished (or failed) table load. */
export interface LoadLogEntry {
  readonly dataSource: string;
  /** `schema.table` as written in load_config.csv, or the landing kind (`claims`). */
  readonly tablename: string;
  readonly loadType: 'Full' | 'Incremental' | 'File';
  readonly rowsCopied: number;
  readonly watermarkColumn?: string;
  readonly oldWatermark?: string;
  readonly newWatermark?: string;
  readonly status: 'succeeded' | 'failed';
  /** Error code and message (never row values). */
  readonly error?: string;
  readonly loadId: string;
  readonly startedAt: Date;
  readonly finishedAt: Date;
}

/**
 * One key list landed by an incremental load (`audit.load_keys`). It counts only together with
 * the succeeded `load_logs` row of the same load id (written right after it).
 */
export interface LoadKeysEntry {
  readonly dataSource: string;
  readonly tablename: string;
  readonly loadId: string;
  /** Key column names in source spelling and key order. */
  readonly keyColumns: readonly string[];
  /** `config` (keycolumns in load_config.csv) or `primary-key` (source metadata). */
  readonly keySource: 'config' | 'primary-key';
  /** Keys in the list = rows in the source table when the list was read. */
  readonly keysCount: number;
  /** Folder of the list, relative to the bronze root. */
  readonly location: string;
  readonly recordedAt: Date;
}

/** One landing file processed (or rejected). */
export interface LandedFileEntry {
  readonly fileName: string;
  readonly sha256: string;
  readonly kind: string;
  readonly dataSource?: string;
  readonly rows: number;
  readonly loadId: string;
  readonly status: 'succeeded' | 'rejected';
  readonly reason?: string;
  readonly processedAt: Date;
}

/** Audit reads and appends, serialised on one connection. */
export class AuditLog {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly conn: Connection,
    private readonly dialect: Dialect,
    private readonly schema = 'audit',
  ) {}

  private rel(table: string): string {
    return this.dialect.relation({ schema: this.schema, identifier: table });
  }

  private lit(v: string | undefined): string {
    return v === undefined ? 'NULL' : this.dialect.stringLiteral(v);
  }

  private ts(d: Date): string {
    return `CAST(${this.dialect.stringLiteral(d.toISOString().replace('T', ' ').replace('Z', ''))} AS ${this.dialect.type('timestamp')})`;
  }

  /** Runs `fn` after every earlier audit call (the connection is not shared concurrently). */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Creates the schema and tables if missing. Never drops or alters existing ones. */
  ensure(): Promise<void> {
    return this.serial(async () => {
      const s = this.dialect.type('string');
      const b = this.dialect.type('bigint');
      const t = this.dialect.type('timestamp');
      await this.conn.execute(this.dialect.createSchemaIfNotExists(undefined, this.schema));
      await this.conn.execute(
        `CREATE TABLE IF NOT EXISTS ${this.rel('load_logs')} (data_source ${s}, tablename ${s}, load_type ${s}, rows_copied ${b}, watermark_column ${s}, old_watermark ${s}, new_watermark ${s}, status ${s}, error ${s}, load_id ${s}, started_at ${t}, finished_at ${t}, duration_ms ${b})`,
      );
      await this.conn.execute(
        `CREATE TABLE IF NOT EXISTS ${this.rel('load_keys')} (data_source ${s}, tablename ${s}, load_id ${s}, key_columns ${s}, key_source ${s}, keys_count ${b}, location ${s}, recorded_at ${t})`,
      );
      await this.conn.execute(
        `CREATE TABLE IF NOT EXISTS ${this.rel('landed_files')} (file_name ${s}, sha256 ${s}, kind ${s}, data_source ${s}, rows_loaded ${b}, load_id ${s}, status ${s}, reason ${s}, processed_at ${t})`,
      );
    });
  }

  /** The high-water mark of the last succeeded load of (dataSource, tablename), if any. */
  lastWatermark(dataSource: string, tablename: string): Promise<string | undefined> {
    return this.serial(async () => {
      const rows = await this.conn.query(
        `SELECT new_watermark FROM ${this.rel('load_logs')} WHERE data_source = ${this.lit(dataSource)} AND tablename = ${this.lit(tablename)} AND status = 'succeeded' AND new_watermark IS NOT NULL ORDER BY finished_at DESC, load_id DESC LIMIT 1`,
      );
      const v = rows[0]?.new_watermark;
      return typeof v === 'string' ? v : undefined;
    });
  }

  /** Load ids of every succeeded load of (dataSource, tablename). */
  succeededLoadIds(dataSource: string, tablename: string): Promise<ReadonlySet<string>> {
    return this.serial(async () => {
      const rows = await this.conn.query(
        `SELECT load_id FROM ${this.rel('load_logs')} WHERE data_source = ${this.lit(dataSource)} AND tablename = ${this.lit(tablename)} AND status = 'succeeded'`,
      );
      return new Set(rows.map((r) => String(r.load_id)));
    });
  }

  /** Appends one load record. */
  recordLoad(e: LoadLogEntry): Promise<void> {
    return this.serial(async () => {
      const dur = e.finishedAt.getTime() - e.startedAt.getTime();
      await this.conn.execute(
        `INSERT INTO ${this.rel('load_logs')} VALUES (${this.lit(e.dataSource)}, ${this.lit(e.tablename)}, ${this.lit(e.loadType)}, ${e.rowsCopied}, ${this.lit(e.watermarkColumn)}, ${this.lit(e.oldWatermark)}, ${this.lit(e.newWatermark)}, ${this.lit(e.status)}, ${this.lit(e.error)}, ${this.lit(e.loadId)}, ${this.ts(e.startedAt)}, ${this.ts(e.finishedAt)}, ${dur})`,
      );
    });
  }

  /** Appends one key-list record (`key_columns` joined with `|`). */
  recordKeys(e: LoadKeysEntry): Promise<void> {
    return this.serial(async () => {
      await this.conn.execute(
        `INSERT INTO ${this.rel('load_keys')} VALUES (${this.lit(e.dataSource)}, ${this.lit(e.tablename)}, ${this.lit(e.loadId)}, ${this.lit(e.keyColumns.join('|'))}, ${this.lit(e.keySource)}, ${e.keysCount}, ${this.lit(e.location)}, ${this.ts(e.recordedAt)})`,
      );
    });
  }

  /** True when a file with this content hash was already loaded successfully. */
  isFileProcessed(sha256: string): Promise<boolean> {
    return this.serial(async () => {
      const rows = await this.conn.query(
        `SELECT 1 AS hit FROM ${this.rel('landed_files')} WHERE sha256 = ${this.lit(sha256)} AND status = 'succeeded' LIMIT 1`,
      );
      return rows.length > 0;
    });
  }

  /** Appends one landing-file record. */
  recordFile(e: LandedFileEntry): Promise<void> {
    return this.serial(async () => {
      await this.conn.execute(
        `INSERT INTO ${this.rel('landed_files')} VALUES (${this.lit(e.fileName)}, ${this.lit(e.sha256)}, ${this.lit(e.kind)}, ${this.lit(e.dataSource)}, ${e.rows}, ${this.lit(e.loadId)}, ${this.lit(e.status)}, ${this.lit(e.reason)}, ${this.ts(e.processedAt)})`,
      );
    });
  }
}

/**
 * Writes streamed text batches to Parquet part files through DuckDB: rows are appended into a
 * VARCHAR staging table, and every `rowsPerPart` rows DuckDB CASTs them to the bronze types and
 * COPYs them to `part-NNNNN.parquet`, then empties the staging table. Memory is bounded by one
 * part, whatever the table size.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DuckDBAppender, DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { MdlError } from '../errors/mdl-error.js';
import type { SourceColumn } from './source-types.js';

/** Columns every bronze row carries in addition to the source columns. */
export const LINEAGE_COLUMNS = ['datasource', '_load_id', '_loaded_at'] as const;

const q = (name: string): string => `"${name.replaceAll('"', '""')}"`;
const lit = (value: string): string => `'${value.replaceAll("'", "''")}'`;

/** What every row of one load is stamped with. */
export interface LoadStamp {
  readonly datasource: string;
  readonly loadId: string;
  /** ISO timestamp text (UTC). */
  readonly loadedAt: string;
}

/** One part-file writer for one load (one staging table on its own DuckDB connection). */
export class ParquetSink {
  private appender: DuckDBAppender | undefined;
  private pending = 0;
  private parts = 0;
  private total = 0;
  private readonly stage: string;

  private constructor(
    private readonly conn: DuckDBConnection,
    private readonly columns: readonly SourceColumn[],
    private readonly dir: string,
    private readonly stamp: LoadStamp,
    private readonly rowsPerPart: number,
  ) {
    this.stage = `mdl_stage_${crypto.randomBytes(6).toString('hex')}`;
  }

  /** Opens a sink writing parts into `dir` (which must exist). */
  static async open(
    instance: DuckDBInstance,
    columns: readonly SourceColumn[],
    dir: string,
    stamp: LoadStamp,
    rowsPerPart: number,
  ): Promise<ParquetSink> {
    for (const c of columns)
      if ((LINEAGE_COLUMNS as readonly string[]).includes(c.name.toLowerCase()))
        throw new MdlError(
          'E_INGEST',
          `source column '${c.name}' collides with a bronze lineage column`,
          {
            hint: `rename the source column; bronze adds ${LINEAGE_COLUMNS.join(', ')}`,
          },
        );
    const conn = await instance.connect();
    const sink = new ParquetSink(conn, columns, dir, stamp, rowsPerPart);
    const cols = columns.map((c) => `${q(c.name)} VARCHAR`).join(', ');
    await conn.run(`CREATE TABLE ${q(sink.stage)} (${cols})`);
    sink.appender = await conn.createAppender(sink.stage);
    return sink;
  }

  /** Rows written to Parquet so far plus rows pending in the stage. */
  get rows(): number {
    return this.total + this.pending;
  }

  /** Parts written so far. */
  get partCount(): number {
    return this.parts;
  }

  /** Appends one batch; flushes a part whenever `rowsPerPart` rows are pending. */
  async write(batch: readonly (readonly (string | null)[])[]): Promise<void> {
    const app = this.appender;
    if (app === undefined) throw new MdlError('E_INTERNAL', 'parquet sink used after close');
    const width = this.columns.length;
    for (const row of batch) {
      for (let i = 0; i < width; i++) {
        const v = row[i];
        if (v === null || v === undefined) app.appendNull();
        else app.appendVarchar(v);
      }
      app.endRow();
      this.pending++;
      if (this.pending >= this.rowsPerPart) await this.flushPart();
    }
  }

  /** Writes the pending rows (or, for an empty load, one empty part carrying the schema). */
  async finish(): Promise<{ readonly rows: number; readonly parts: number }> {
    if (this.pending > 0 || this.parts === 0) await this.flushPart();
    this.appender?.closeSync();
    this.appender = undefined;
    await this.conn.run(`DROP TABLE IF EXISTS ${q(this.stage)}`);
    this.conn.closeSync();
    return { rows: this.total, parts: this.parts };
  }

  /** Releases the staging table after a failure (no part is written). */
  async abort(): Promise<void> {
    try {
      this.appender?.closeSync();
    } catch {
      // the appender may already be invalid after an error; the table is dropped next
    }
    this.appender = undefined;
    await this.conn.run(`DROP TABLE IF EXISTS ${q(this.stage)}`).catch(() => undefined);
    this.conn.closeSync();
  }

  /** `SELECT` list casting the staged text to bronze types, plus the lineage columns. */
  private selectList(typed: boolean): string {
    return [
      ...this.columns.map((c) =>
        typed || c.bronzeType === 'VARCHAR'
          ? q(c.name)
          : `CAST(${q(c.name)} AS ${c.bronzeType}) AS ${q(c.name)}`,
      ),
      `CAST(${lit(this.stamp.datasource)} AS VARCHAR) AS datasource`,
      `CAST(${lit(this.stamp.loadId)} AS VARCHAR) AS _load_id`,
      `CAST(${lit(this.stamp.loadedAt)} AS TIMESTAMP) AS _loaded_at`,
    ].join(', ');
  }

  private nextPartFile(): string {
    return path.join(this.dir, `part-${String(this.parts).padStart(5, '0')}.parquet`);
  }

  /** Runs one COPY … TO part; returns rows written. Conversion errors never quote values. */
  private async copyPart(from: string, typed: boolean): Promise<number> {
    try {
      const res = await this.conn.runAndReadAll(
        `COPY (SELECT ${this.selectList(typed)} FROM ${from}) TO ${lit(this.nextPartFile())} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)`,
      );
      const v = res.getRows()[0]?.[0];
      this.parts++;
      return typeof v === 'bigint' || typeof v === 'number' ? Number(v) : 0;
    } catch (err) {
      // DuckDB's conversion messages quote the offending value, which may be PHI: name the
      // column type instead.
      const msg = err instanceof Error ? err.message : '';
      const culprit = this.columns.find(
        (c) => c.bronzeType !== 'VARCHAR' && msg.includes(c.bronzeType.split('(')[0] ?? ''),
      );
      throw new MdlError(
        'E_INGEST',
        `could not convert source values to bronze types${culprit === undefined ? '' : ` (a ${culprit.bronzeType} column such as '${culprit.name}')`}`,
        {
          hint: 'check the source column types; values are not shown because they may contain PHI',
        },
      );
    }
  }

  /**
   * Converts one CSV part (RFC 4180, no header, NULL = unquoted empty, '' = quoted empty — the
   * PostgreSQL `COPY … (FORMAT csv)` output) into the next Parquet part, then deletes the CSV.
   */
  async writeCsvPart(csvFile: string): Promise<number> {
    // Typed columns: DuckDB's CSV reader parses straight into the bronze types (faster than
    // VARCHAR + CAST), and PostgreSQL's ISO text forms are what it expects.
    const cols = this.columns.map((c) => `${lit(c.name)}: ${lit(c.bronzeType)}`).join(', ');
    const n = await this.copyPart(
      `read_csv(${lit(csvFile)}, header = false, delim = ',', quote = '"', escape = '"', allow_quoted_nulls = false, strict_mode = true, columns = {${cols}})`,
      true,
    );
    await fs.promises.rm(csvFile, { force: true });
    this.total += n;
    return n;
  }

  private async flushPart(): Promise<void> {
    const app = this.appender;
    if (app === undefined) return;
    app.flushSync();
    await this.copyPart(q(this.stage), false);
    this.total += this.pending;
    this.pending = 0;
    await this.conn.run(`DELETE FROM ${q(this.stage)}`);
  }
}

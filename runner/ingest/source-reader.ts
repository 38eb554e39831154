/**
 * Reads one EMR source through knex: knex builds every statement and owns the connection;
 * rows are streamed in bounded batches using each driver's own cursor (SQLite statement
 * iterator, PostgreSQL server-side cursor, MySQL/MariaDB row stream, SQL Server knex stream),
 * so a 10M-row table is never held in memory. Every value arrives as exact text.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import knexFactory from 'knex';
import type { Knex } from 'knex';
import { MdlError } from '../errors/mdl-error.js';
import type { EmrSourceConfig, SecretResolver } from './emr-connections.js';
import { resolveCredential } from './emr-connections.js';
import { CsvRecordCutter, PgCopyOut } from './pg-copy-out.js';
import type { ReadSpec } from './source-sql.js';
import {
  buildColumnsQuery,
  buildMaxWatermark,
  buildPrimaryKeyQuery,
  buildSelect,
} from './source-sql.js';
import type { SourceColumn } from './source-types.js';
import { bronzeTypeOf, toText } from './source-types.js';

/** One batch of rows, each an array of text values in {@link ReadSpec.columns} order. */
export type TextBatch = readonly (readonly (string | null)[])[];

/**
 * Text forms DuckDB parses exactly whatever the server's defaults: ISO dates, UTC offsets, and
 * shortest-exact floats.
 */
const PG_SESSION_SETTINGS =
  "SET DateStyle = 'ISO, YMD'; SET TimeZone = 'UTC'; SET IntervalStyle = 'iso_8601'; SET extra_float_digits = 3";

/** How long a driver may take to connect before the load fails. */
const CONNECT_TIMEOUT_MS = 30_000;

/**
 * knex's default logger prints driver errors (with host names, sometimes more) straight to the
 * console; every failure already reaches the caller as a rejected promise and is reported there.
 */
const quietLog = { warn() {}, error() {}, deprecate() {}, debug() {} };

/** Creates the knex instance for a source (nothing connects until first use). */
export function createSourceKnex(
  cfg: EmrSourceConfig,
  opts: {
    readonly projectDir: string;
    readonly env: Readonly<Record<string, string | undefined>>;
    readonly secrets: SecretResolver;
  },
): Knex {
  const where = `connections.${cfg.database}`;
  switch (cfg.client) {
    case 'sqlite':
      return knexFactory({
        log: quietLog,
        client: 'better-sqlite3',
        connection: {
          filename: path.resolve(opts.projectDir, cfg.filename),
          options: { readonly: true },
        },
        useNullAsDefault: true,
        pool: { min: 0, max: 2 },
      });
    case 'pg':
    case 'mysql':
    case 'mssql': {
      const user = resolveCredential(cfg.user, opts.env, opts.secrets, `${where}.user`);
      const password =
        cfg.password === undefined
          ? undefined
          : resolveCredential(cfg.password, opts.env, opts.secrets, `${where}.password`);
      const common = {
        host: cfg.host,
        user,
        password,
        database: cfg.dbName,
        ...(cfg.port === undefined ? {} : { port: cfg.port }),
      };
      if (cfg.client === 'pg')
        return knexFactory({
          log: quietLog,
          client: 'pg',
          connection: {
            ...common,
            connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
            // Every value as the server's own text: exact numerics, dates without time zones.
            types: { getTypeParser: () => (v: string) => v },
          } as Knex.PgConnectionConfig,
          pool: { min: 0, max: 4 },
        });
      if (cfg.client === 'mysql')
        return knexFactory({
          log: quietLog,
          client: 'mysql2',
          connection: {
            ...common,
            connectTimeout: CONNECT_TIMEOUT_MS,
            charset: 'utf8mb4',
            typeCast: (field: { string(): string | null }) => field.string(),
          } as Knex.MySql2ConnectionConfig,
          pool: { min: 0, max: 4 },
        });
      return knexFactory({
        log: quietLog,
        client: 'mssql',
        connection: {
          server: cfg.host,
          ...(cfg.port === undefined ? {} : { port: cfg.port }),
          user,
          password,
          database: cfg.dbName,
          options: { encrypt: cfg.encrypt, useUTC: true, connectTimeout: CONNECT_TIMEOUT_MS },
        } as Knex.MsSqlConnectionConfig,
        pool: { min: 0, max: 4 },
      });
    }
  }
}

/**
 * Marks a driver connection unusable and closes it: after a stream stopped half-way (error,
 * consumer gave up) the server may still be sending rows, so the pool must not reuse it.
 * knex's pool drops connections flagged `__knex__disposed` on the next acquire.
 */
function discard(conn: object): void {
  (conn as { __knex__disposed?: string }).__knex__disposed = 'mdl ingest: stream ended early';
  const c = conn as { end?: () => unknown; destroy?: () => unknown };
  try {
    const r = typeof c.destroy === 'function' ? c.destroy() : c.end?.();
    if (r instanceof Promise) r.catch(() => undefined);
  } catch {
    // already closed
  }
}

/** Source-side operations of one load. */
export class SourceReader {
  constructor(
    readonly cfg: EmrSourceConfig,
    readonly knex: Knex,
  ) {}

  /** Columns of `schema.table` with bronze types; throws E_INGEST if the table is missing. */
  async columns(schema: string, table: string): Promise<readonly SourceColumn[]> {
    const client = this.cfg.client;
    const q = buildColumnsQuery(this.knex, client, schema, table);
    const raw: unknown = await q;
    // knex.raw returns driver-shaped results; builders return rows.
    const rows = (Array.isArray(raw) ? raw : ((raw as { rows?: unknown[] }).rows ?? [])) as Record<
      string,
      unknown
    >[];
    if (client !== 'sqlite') {
      const names = new Set(rows.map((r) => String(r.table_name)));
      if (names.size > 1)
        throw new MdlError(
          'E_INGEST',
          `table name ${schema}.${table} is ambiguous by case in the source`,
          {
            hint: 'rename one of the tables or quote consistently in the source',
          },
        );
    }
    return rows.map((r) => {
      const num = (v: unknown): number | undefined =>
        v === null || v === undefined || v === '' ? undefined : Number(v);
      const dataType = typeof r.data_type === 'string' ? r.data_type : '';
      return {
        name: String(r.column_name),
        sourceType: dataType,
        bronzeType: bronzeTypeOf(client, dataType, num(r.numeric_precision), num(r.numeric_scale)),
      };
    });
  }

  /** Primary-key columns of `schema.table` in key order; empty when the table declares none. */
  async primaryKey(schema: string, table: string): Promise<readonly string[]> {
    const raw: unknown = await buildPrimaryKeyQuery(this.knex, this.cfg.client, schema, table);
    const rows = (Array.isArray(raw) ? raw : ((raw as { rows?: unknown[] }).rows ?? [])) as Record<
      string,
      unknown
    >[];
    return rows.map((r) => String(r.column_name));
  }

  /** MAX(column) as exact text, undefined for an empty table. Captured BEFORE the copy. */
  async maxWatermark(schema: string, table: string, column: string): Promise<string | undefined> {
    const rows = (await buildMaxWatermark(this.knex, this.cfg.client, schema, table, column)) as {
      hwm: unknown;
    }[];
    return toText(rows[0]?.hwm) ?? undefined;
  }

  /** Streams the rows of `spec` in batches of about `batchSize` rows. */
  async *read(spec: ReadSpec, batchSize: number): AsyncGenerator<TextBatch> {
    const q = buildSelect(this.knex, this.cfg.client, spec).toSQL();
    const bindings = q.bindings as readonly unknown[];
    switch (this.cfg.client) {
      case 'sqlite':
        yield* this.readSqlite(q.sql, bindings, batchSize);
        return;
      case 'pg':
        yield* this.readPg(q.toNative(), batchSize);
        return;
      case 'mysql':
        yield* this.readMysql(q.sql, bindings, batchSize);
        return;
      case 'mssql':
        yield* this.readKnexStream(spec, batchSize);
        return;
    }
  }

  private async *readSqlite(
    sql: string,
    bindings: readonly unknown[],
    batchSize: number,
  ): AsyncGenerator<TextBatch> {
    const db = (await this.knex.client.acquireConnection()) as SqliteDatabase;
    try {
      // safeIntegers: 64-bit integers as bigint, so NPI-sized keys keep every digit.
      const it = db
        .prepare(sql)
        .safeIntegers(true)
        .raw(true)
        .iterate(...bindings) as IterableIterator<unknown[]>;
      let batch: (string | null)[][] = [];
      for (const row of it) {
        batch.push(row.map(toText));
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    } finally {
      await this.knex.client.releaseConnection(db);
    }
  }

  private async *readPg(
    q: { sql: string; bindings: readonly unknown[] },
    batchSize: number,
  ): AsyncGenerator<TextBatch> {
    interface PgClient {
      query(c: {
        text: string;
        values?: readonly unknown[];
        rowMode?: 'array';
      }): Promise<{ rows: unknown[][] }>;
    }
    const c = (await this.knex.client.acquireConnection()) as PgClient;
    let open = false;
    try {
      // A server-side cursor inside a read-only transaction: the server holds the result,
      // we FETCH bounded batches.
      await c.query({ text: PG_SESSION_SETTINGS });
      await c.query({ text: 'BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY' });
      open = true;
      await c.query({
        text: `DECLARE mdl_ingest_cur NO SCROLL CURSOR FOR ${q.sql}`,
        values: q.bindings,
      });
      const fetch = `FETCH FORWARD ${Math.max(1, Math.floor(batchSize))} FROM mdl_ingest_cur`;
      for (;;) {
        const res = await c.query({ text: fetch, rowMode: 'array' });
        if (res.rows.length === 0) break;
        yield res.rows as (string | null)[][];
      }
      await c.query({ text: 'COMMIT' });
      open = false;
    } finally {
      if (open) await c.query({ text: 'ROLLBACK' }).catch(() => undefined);
      await this.knex.client.releaseConnection(c);
    }
  }

  private async *readMysql(
    sql: string,
    bindings: readonly unknown[],
    batchSize: number,
  ): AsyncGenerator<TextBatch> {
    interface MyConn {
      query(o: { sql: string; values: readonly unknown[]; rowsAsArray: boolean }): {
        stream(o: { highWaterMark: number }): AsyncIterable<unknown[]> & { destroy(): void };
      };
    }
    const c = (await this.knex.client.acquireConnection()) as MyConn;
    const stream = c
      .query({ sql, values: bindings, rowsAsArray: true })
      .stream({ highWaterMark: batchSize });
    let complete = false;
    try {
      let batch: (string | null)[][] = [];
      for await (const row of stream) {
        batch.push(row.map(toText));
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
      complete = true;
      if (batch.length > 0) yield batch;
    } finally {
      stream.destroy();
      if (!complete) discard(c);
      await this.knex.client.releaseConnection(c);
    }
  }

  private async *readKnexStream(spec: ReadSpec, batchSize: number): AsyncGenerator<TextBatch> {
    const stream = buildSelect(this.knex, this.cfg.client, spec).stream() as AsyncIterable<
      Record<string, unknown>
    > & {
      destroy(): void;
    };
    try {
      let batch: (string | null)[][] = [];
      for await (const row of stream) {
        batch.push(spec.columns.map((c) => toText(row[c])));
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    } finally {
      stream.destroy();
    }
  }

  /** True when {@link csvParts} is available (PostgreSQL COPY TO STDOUT). */
  get supportsCsvCopy(): boolean {
    return this.cfg.client === 'pg';
  }

  /**
   * PostgreSQL fast path: `COPY (<select>) TO STDOUT (FORMAT csv)` streamed into CSV part files
   * of about `partBytes` in `dir`, cut between records; yields each finished file. The consumer
   * converts part N while part N+1 streams (pull-based, so disk use stays at ~2 parts).
   */
  async *csvParts(spec: ReadSpec, dir: string, partBytes: number): AsyncGenerator<string> {
    if (this.cfg.client !== 'pg') throw new MdlError('E_INTERNAL', 'csvParts is PostgreSQL-only');
    const q = buildSelect(this.knex, this.cfg.client, spec).toSQL();
    // COPY takes no parameters: knex inlines the (source-captured) watermark values as escaped literals.
    const select = this.knex.raw(q.sql, q.bindings).toQuery();
    interface PgClient {
      query(s: PgCopyOut): PgCopyOut;
      query(s: string): Promise<unknown>;
    }
    const c = (await this.knex.client.acquireConnection()) as PgClient;
    await c.query(PG_SESSION_SETTINGS);
    const stream = c.query(new PgCopyOut(`COPY (${select}) TO STDOUT WITH (FORMAT csv)`));
    const cutter = new CsvRecordCutter();
    let index = 0;
    let bytes = 0;
    const fileOf = (i: number): string => path.join(dir, `_copy-${String(i).padStart(5, '0')}.csv`);
    let fd = fs.openSync(fileOf(index), 'w');
    let complete = false;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        const cut = cutter.scan(chunk, bytes + chunk.length >= partBytes);
        if (cut < 0) {
          fs.writeSync(fd, chunk);
          bytes += chunk.length;
          continue;
        }
        fs.writeSync(fd, chunk, 0, cut);
        fs.closeSync(fd);
        fd = -1;
        yield fileOf(index);
        index++;
        fd = fs.openSync(fileOf(index), 'w');
        fs.writeSync(fd, chunk, cut);
        bytes = chunk.length - cut;
      }
      fs.closeSync(fd);
      fd = -1;
      complete = true;
      if (bytes > 0) yield fileOf(index);
      else fs.rmSync(fileOf(index), { force: true });
    } finally {
      if (fd >= 0) fs.closeSync(fd);
      stream.destroy();
      if (!complete) discard(c);
      await this.knex.client.releaseConnection(c);
    }
  }

  async close(): Promise<void> {
    await this.knex.destroy();
  }
}

/**
 * Reads one EMR source through knex: knex builds every statement and owns the connection;
 * rows are streamed in bounded batches using each driver's own cursor (SQLite statement
 * iterator, PostgreSQL server-side cursor, MySQL/MariaDB row stream, SQL Server knex stream),
 * so a 10M-row table is never held in memory. Every value arrives as exact text.
 */
import path from 'node:path';
import knexFactory from 'knex';
import type { Knex } from 'knex';
import { MdlError } from '../errors/mdl-error.js';
import type { EmrSourceConfig, SecretResolver } from './emr-connections.js';
import { resolveCredential } from './emr-connections.js';
import type { ReadSpec } from './source-sql.js';
import { buildColumnsQuery, buildMaxWatermark, buildSelect } from './source-sql.js';
import type { SourceColumn } from './source-types.js';
import { bronzeTypeOf, toText } from './source-types.js';

/** One batch of rows, each an array of text values in {@link ReadSpec.columns} order. */
export type TextBatch = readonly (readonly (string | null)[])[];

/** How long a driver may take to connect before the load fails. */
const CONNECT_TIMEOUT_MS = 30_000;

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
        throw new MdlError('E_INGEST', `table name ${schema}.${table} is ambiguous by case in the source`, {
          hint: 'rename one of the tables or quote consistently in the source',
        });
    }
    return rows.map((r) => {
      const num = (v: unknown): number | undefined =>
        v === null || v === undefined || v === '' ? undefined : Number(v);
      const dataType = String(r.data_type ?? '');
      return {
        name: String(r.column_name),
        sourceType: dataType,
        bronzeType: bronzeTypeOf(client, dataType, num(r.numeric_precision), num(r.numeric_scale)),
      };
    });
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

  private async *readSqlite(sql: string, bindings: readonly unknown[], batchSize: number): AsyncGenerator<TextBatch> {
    const db = (await this.knex.client.acquireConnection()) as import('better-sqlite3').Database;
    try {
      // safeIntegers: 64-bit integers as bigint, so NPI-sized keys keep every digit.
      const it = db.prepare(sql).safeIntegers(true).raw(true).iterate(...bindings) as IterableIterator<unknown[]>;
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

  private async *readPg(q: { sql: string; bindings: readonly unknown[] }, batchSize: number): AsyncGenerator<TextBatch> {
    interface PgClient {
      query(c: { text: string; values?: readonly unknown[]; rowMode?: 'array' }): Promise<{ rows: unknown[][] }>;
    }
    const c = (await this.knex.client.acquireConnection()) as PgClient;
    let open = false;
    try {
      // A server-side cursor inside a read-only transaction: the server holds the result,
      // we FETCH bounded batches.
      await c.query({ text: 'BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY' });
      open = true;
      await c.query({ text: `DECLARE mdl_ingest_cur NO SCROLL CURSOR FOR ${q.sql}`, values: q.bindings });
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

  private async *readMysql(sql: string, bindings: readonly unknown[], batchSize: number): AsyncGenerator<TextBatch> {
    interface MyConn {
      query(o: { sql: string; values: readonly unknown[]; rowsAsArray: boolean }): {
        stream(o: { highWaterMark: number }): AsyncIterable<unknown[]> & { destroy(): void };
      };
    }
    const c = (await this.knex.client.acquireConnection()) as MyConn;
    const stream = c.query({ sql, values: bindings, rowsAsArray: true }).stream({ highWaterMark: batchSize });
    try {
      let batch: (string | null)[][] = [];
      for await (const row of stream) {
        batch.push(row.map(toText));
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    } finally {
      stream.destroy();
      await this.knex.client.releaseConnection(c);
    }
  }

  private async *readKnexStream(spec: ReadSpec, batchSize: number): AsyncGenerator<TextBatch> {
    const stream = buildSelect(this.knex, this.cfg.client, spec).stream() as AsyncIterable<Record<string, unknown>> & {
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

  async close(): Promise<void> {
    await this.knex.destroy();
  }
}

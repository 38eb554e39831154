/** Shared helpers of the ingest integration suites: temp project, warehouse, Parquet reads. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { openDuckDb } from '../../runner/connections/duckdb-connection.js';
import type { Connection } from '../../runner/connections/connection.js';
import { duckdbDialect } from '../../runner/dialects/duckdb-dialect.js';
import { AuditLog } from '../../runner/ingest/audit-log.js';
import type { EmrSourceConfig } from '../../runner/ingest/emr-connections.js';
import { envSecretResolver } from '../../runner/ingest/emr-connections.js';
import { runEmrIngest } from '../../runner/ingest/emr-ingest.js';
import type { TableLoadResult } from '../../runner/ingest/emr-load.js';
import { DEFAULT_LOAD_OPTIONS } from '../../runner/ingest/emr-load.js';
import type { IngestListener } from '../../runner/ingest/ingest-events.js';
import { parseLoadConfig } from '../../runner/ingest/load-config.js';

/** A temp project dir with a warehouse file and a bronze root. */
export interface IngestSandbox {
  readonly dir: string;
  readonly bronze: string;
  readonly warehouse: string;
  /** Runs one ingest with a fresh warehouse connection (closed afterwards). */
  ingest(
    csv: string,
    connections: Readonly<Record<string, EmrSourceConfig>>,
    extra?: {
      readonly listener?: IngestListener;
      readonly rowsPerPart?: number;
      readonly batchSize?: number;
      readonly concurrency?: number;
      readonly env?: Readonly<Record<string, string | undefined>>;
    },
  ): Promise<readonly TableLoadResult[]>;
  /** Runs SQL against the warehouse (audit tables). */
  warehouse_query(sql: string): Promise<readonly Record<string, unknown>[]>;
  /** Rows of every committed Parquet file under `glob` (relative to bronze), as DuckDB JS values. */
  parquet(glob: string, select?: string, orderBy?: string): Promise<Record<string, unknown>[]>;
  /** Column name → DuckDB type of the Parquet files under `glob`. */
  parquetTypes(glob: string): Promise<Record<string, string>>;
  cleanup(): void;
}

export function makeSandbox(): IngestSandbox {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mdl-ingest-'));
  const bronze = path.join(dir, 'data', 'bronze');
  const warehouse = path.join(dir, 'data', 'warehouse', 'mdl_dev.duckdb');
  const target = {
    type: 'duckdb' as const,
    name: 'dev',
    path: warehouse,
    schema: 'main',
    threads: 1,
    settings: {},
  };
  const withWarehouse = async <T>(fn: (c: Connection) => Promise<T>): Promise<T> => {
    const c = await openDuckDb(target);
    try {
      return await fn(c);
    } finally {
      await c.close();
    }
  };
  const readDuck = async <T>(
    fn: (run: (sql: string) => Promise<Record<string, unknown>[]>) => Promise<T>,
  ): Promise<T> => {
    const inst = await DuckDBInstance.create(':memory:');
    const conn = await inst.connect();
    try {
      return await fn(async (sql) => (await conn.runAndReadAll(sql)).getRowObjectsJS());
    } finally {
      conn.closeSync();
      inst.closeSync();
    }
  };
  return {
    dir,
    bronze,
    warehouse,
    ingest: (csv, connections, extra = {}) =>
      withWarehouse(async (conn) => {
        const audit = new AuditLog(conn, duckdbDialect);
        await audit.ensure();
        const env = extra.env ?? process.env;
        return runEmrIngest({
          ...DEFAULT_LOAD_OPTIONS,
          ...(extra.rowsPerPart === undefined ? {} : { rowsPerPart: extra.rowsPerPart }),
          ...(extra.batchSize === undefined ? {} : { batchSize: extra.batchSize }),
          bronzeRoot: bronze,
          projectDir: dir,
          loadConfig: parseLoadConfig(csv, 'load_config.csv'),
          connections,
          audit,
          only: [],
          concurrency: extra.concurrency ?? 2,
          env,
          secrets: envSecretResolver(env),
          ...(extra.listener === undefined ? {} : { listener: extra.listener }),
        });
      }),
    warehouse_query: (sql) =>
      withWarehouse(async (c) => (await c.query(sql)) as Record<string, unknown>[]),
    parquet: (glob, select = '*', orderBy) =>
      readDuck((run) =>
        run(
          `SELECT ${select} FROM read_parquet('${path.join(bronze, glob)}', union_by_name = true, hive_partitioning = false)${orderBy === undefined ? '' : ` ORDER BY ${orderBy}`}`,
        ),
      ),
    parquetTypes: (glob) =>
      readDuck(async (run) => {
        const rows = await run(
          `DESCRIBE SELECT * FROM read_parquet('${path.join(bronze, glob)}', union_by_name = true, hive_partitioning = false)`,
        );
        return Object.fromEntries(rows.map((r) => [String(r.column_name), String(r.column_type)]));
      }),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** Folders `load_id=*` of a bronze table. */
export function loadFolders(bronze: string, rel: string): string[] {
  const d = path.join(bronze, rel);
  return fs.existsSync(d)
    ? fs
        .readdirSync(d)
        .filter((n) => n.startsWith('load_id='))
        .sort()
    : [];
}

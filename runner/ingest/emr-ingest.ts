/**
 * Loads every active table of load_config.csv (or the `--only` selection) concurrently up to
 * a limit, one {@link SourceReader} (knex pool) per source database, one in-memory DuckDB for
 * writing Parquet.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { MdlError } from '../errors/mdl-error.js';
import type { AuditLog } from './audit-log.js';
import type { EmrSourceConfig, SecretResolver } from './emr-connections.js';
import type { LoadOptions, TableLoadResult } from './emr-load.js';
import { loadTable } from './emr-load.js';
import type { IngestListener } from './ingest-events.js';
import type { LoadConfig, LoadConfigEntry } from './load-config.js';
import { entryMatches } from './load-config.js';
import { mapWithConcurrency } from './pool.js';
import { SourceReader, createSourceKnex } from './source-reader.js';

/** Everything an EMR ingest run needs; the CLI builds it from the project. */
export interface EmrIngestOptions extends LoadOptions {
  readonly projectDir: string;
  readonly loadConfig: LoadConfig;
  readonly connections: Readonly<Record<string, EmrSourceConfig>>;
  readonly audit: AuditLog;
  /** `--only` selectors (`hos-a.patients`, `hos-a`); empty = all active rows. */
  readonly only: readonly string[];
  /** Tables loading at the same time. */
  readonly concurrency: number;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly secrets: SecretResolver;
  /** DuckDB memory limit for the Parquet writer. */
  readonly duckdbMemoryLimit?: string;
  readonly listener?: IngestListener;
}

/** The entries a run loads: active rows, narrowed by `--only` (which must match something). */
export function selectEntries(
  config: LoadConfig,
  only: readonly string[],
): readonly LoadConfigEntry[] {
  const active = config.entries.filter((e) => e.isActive);
  if (only.length === 0) return active;
  for (const s of only)
    if (!config.entries.some((e) => entryMatches(e, s)))
      throw new MdlError('E_USAGE', `--only '${s}' matches no row of ${config.file}`, {
        hint: 'use <datasource>.<table> (e.g. hos-a.patients) or a datasource code',
      });
  return config.entries.filter((e) => only.some((s) => entryMatches(e, s)));
}

/** Runs the EMR loads; returns one result per table (failures included, in config order). */
export async function runEmrIngest(opts: EmrIngestOptions): Promise<readonly TableLoadResult[]> {
  const entries = selectEntries(opts.loadConfig, opts.only);
  for (const e of entries)
    if (opts.connections[e.database] === undefined)
      throw new MdlError(
        'E_CONFIG',
        `database '${e.database}' has no entry in configs/emr/connections.yml`,
        {
          file: opts.loadConfig.file,
          row: e.row,
          hint: `add connections.${e.database} with its client and location`,
        },
      );
  if (entries.length === 0) return [];
  const duck = await DuckDBInstance.create(':memory:', {
    memory_limit: opts.duckdbMemoryLimit ?? '512MB',
    threads: '2',
  });
  const readers = new Map<string, SourceReader>();
  const readerFor = (database: string): SourceReader => {
    let r = readers.get(database);
    if (r === undefined) {
      const cfg = opts.connections[database] as EmrSourceConfig;
      r = new SourceReader(cfg, createSourceKnex(cfg, opts));
      readers.set(database, r);
    }
    return r;
  };
  try {
    return await mapWithConcurrency(entries, opts.concurrency, (e) =>
      loadTable(e, readerFor(e.database), duck, opts.audit, opts, opts.listener),
    );
  } finally {
    for (const r of readers.values()) await r.close();
    duck.closeSync();
  }
}

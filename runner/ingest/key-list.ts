/**
 * The key list of an incremental load: a watermark copy never sees a row deleted at the source,
 * so every incremental load also lands the table's complete list of primary keys, read AFTER
 * the data copy, as Parquet under `<table>/_keys/load_id=<id>/part-*.parquet` (same atomic
 * staging → rename as the data). Silver keeps only keys present in the newest list, and the SCD2
 * snapshot (`hard_deletes: invalidate`) closes the rest.
 *
 * Why after the copy: a key listed is a row that still existed once the copy finished, so a row
 * copied by this load can never look deleted; a row deleted after the key read is caught by the
 * next load.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DuckDBInstance } from '@duckdb/node-api';
import { MdlError } from '../errors/mdl-error.js';
import type { CopySizes } from './copy-rows.js';
import { copyRows } from './copy-rows.js';
import type { IncrementalLoadEntry } from './load-config.js';
import type { LoadStamp } from './parquet-sink.js';
import { ParquetSink } from './parquet-sink.js';
import type { SourceReader } from './source-reader.js';
import type { SourceColumn } from './source-types.js';

/** Folder name of the key lists below a bronze table folder. */
export const KEYS_FOLDER = '_keys';

/** Where the key columns of a table came from. */
export type KeySource = 'config' | 'primary-key';

/** The key of one incremental table, resolved to source spelling and bronze types. */
export interface ResolvedKey {
  readonly columns: readonly SourceColumn[];
  readonly from: KeySource;
}

/** A key list written to its staging folder, not yet visible. */
export interface StagedKeyList {
  readonly staged: string;
  readonly keys: number;
  readonly parts: number;
}

/**
 * The key columns of `entry`: `keycolumns` from load_config.csv when set (each must exist in the
 * source table), else the source's declared primary key; undefined when neither exists.
 */
export async function resolveKey(
  entry: IncrementalLoadEntry,
  reader: SourceReader,
  columns: readonly SourceColumn[],
  id: string,
): Promise<ResolvedKey | undefined> {
  const find = (name: string): SourceColumn | undefined =>
    columns.find((c) => c.name === name) ??
    (() => {
      const ci = columns.filter((c) => c.name.toLowerCase() === name.toLowerCase());
      return ci.length === 1 ? ci[0] : undefined;
    })();
  if (entry.keyColumns !== undefined && entry.keyColumns.length > 0) {
    const resolved = entry.keyColumns.map((k) => {
      const c = find(k);
      if (c === undefined)
        throw new MdlError('E_INGEST', `${id}: key column '${k}' not found in the source table`, {
          node: id,
          row: entry.row,
          hint: 'fix keycolumns in configs/emr/load_config.csv',
        });
      return c;
    });
    return { columns: resolved, from: 'config' };
  }
  const pk = await reader.primaryKey(entry.schema, entry.table);
  if (pk.length === 0) return undefined;
  const resolved = pk.map((k) => find(k));
  if (resolved.some((c) => c === undefined))
    throw new MdlError('E_INGEST', `${id}: primary-key metadata names an unknown column`, {
      node: id,
      hint: 'set keycolumns for this row in configs/emr/load_config.csv',
    });
  return { columns: resolved as SourceColumn[], from: 'primary-key' };
}

/**
 * Streams the complete key list of the table into `staged` (created here). On failure nothing
 * is left behind and the error propagates (the whole load fails: a load without its key list
 * would make deleted rows look alive again).
 */
export async function stageKeyList(
  entry: IncrementalLoadEntry,
  reader: SourceReader,
  duck: DuckDBInstance,
  key: ResolvedKey,
  staged: string,
  stamp: LoadStamp,
  sizes: CopySizes & { readonly rowsPerPart: number },
): Promise<StagedKeyList> {
  fs.mkdirSync(staged, { recursive: true });
  const sink = await ParquetSink.open(duck, key.columns, staged, stamp, sizes.rowsPerPart);
  try {
    await copyRows(
      reader,
      { schema: entry.schema, table: entry.table, columns: key.columns.map((c) => c.name) },
      staged,
      sink,
      sizes,
    );
    const { rows, parts } = await sink.finish();
    return { staged, keys: rows, parts };
  } catch (err) {
    await sink.abort().catch(() => undefined);
    fs.rmSync(staged, { recursive: true, force: true });
    throw err;
  }
}

/** Folder holding the committed key lists of a bronze table. */
export function keysDir(tableFolder: string): string {
  return path.join(tableFolder, KEYS_FOLDER);
}

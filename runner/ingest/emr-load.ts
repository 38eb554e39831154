/**
 * One table load, EMR source → bronze Parquet, with the correct watermark pattern:
 *
 * 1. read the previous high-water mark `old` for (datasource, table) from audit.load_logs;
 * 2. capture the source's `MAX(watermark)` as `new` BEFORE copying;
 * 3. copy `old <= w <= new` (inclusive lower bound = overlap re-read, see watermark.ts);
 * 4. write parts to a staging folder, fsync, rename into `load_id=<id>` (atomic);
 * 5. only then record `new` in the audit table.
 *
 * Incremental loads also land the table's full key list after the copy (see key-list.ts), so
 * deletes at the source reach silver; it is committed with the data and audited in
 * `audit.load_keys` before the load row that makes both count.
 *
 * A failure at any step leaves no visible files and does not advance the watermark.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DuckDBInstance } from '@duckdb/node-api';
import { MdlError } from '../errors/mdl-error.js';
import type { AuditLog } from './audit-log.js';
import {
  cleanStaging,
  commitLoad,
  newLoadId,
  pruneFullLoads,
  quarantineOrphans,
  stagingDir,
  tableDir,
  writeLatestMarker,
} from './bronze-layout.js';
import type { IngestListener } from './ingest-events.js';
import type { LoadConfigEntry } from './load-config.js';
import { entryId, entryTableName } from './load-config.js';
import { copyRows } from './copy-rows.js';
import type { ResolvedKey, StagedKeyList } from './key-list.js';
import { KEYS_FOLDER, keysDir, resolveKey, stageKeyList } from './key-list.js';
import { ParquetSink } from './parquet-sink.js';
import type { SourceReader } from './source-reader.js';
import type { WatermarkRange } from './source-sql.js';
import { widenLowerBound } from './watermark.js';

/** Tunables of table loads (defaults in {@link DEFAULT_LOAD_OPTIONS}). */
export interface LoadOptions {
  /** Absolute bronze root (`<project>/data/bronze`). */
  readonly bronzeRoot: string;
  /** Rows fetched from the source per batch. */
  readonly batchSize: number;
  /** Rows per Parquet part file (bounds memory). */
  readonly rowsPerPart: number;
  /** Full loads kept per table; older ones are removed after a successful Full load. */
  readonly keepFullLoads: number;
  /** Extra overlap for timestamp watermarks, in seconds (0 = re-read rows equal to old only). */
  readonly overlapSeconds: number;
  /** CSV part size of the PostgreSQL COPY fast path (bytes). */
  readonly csvPartBytes: number;
}

export const DEFAULT_LOAD_OPTIONS: Omit<LoadOptions, 'bronzeRoot'> = {
  batchSize: 10_000,
  rowsPerPart: 1_000_000,
  keepFullLoads: 3,
  overlapSeconds: 0,
  csvPartBytes: 64 << 20,
};

/** Outcome of one table load (also written to audit.load_logs). */
export interface TableLoadResult {
  readonly id: string;
  readonly status: 'succeeded' | 'failed';
  readonly loadId: string;
  readonly rows: number;
  readonly parts: number;
  readonly oldWatermark?: string;
  readonly newWatermark?: string;
  readonly folder?: string;
  /** Incremental loads: the key list landed (absent when the table has no known key). */
  readonly keyList?: { readonly columns: readonly string[]; readonly keys: number };
  readonly error?: MdlError;
  readonly durationMs: number;
}

function asMdlError(err: unknown, id: string): MdlError {
  if (err instanceof MdlError) return err;
  // Driver messages can quote values; keep only the first line, which names the failing step.
  // Quoted parts are blanked because drivers quote offending values there (possible PHI).
  const first = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
  const msg = first.replace(/"[^"]*"|'[^']*'/g, '"…"');
  return new MdlError('E_INGEST', `${id}: ${msg}`, { node: id, cause: err });
}

function resolveColumn(columns: readonly { name: string }[], wanted: string, id: string): string {
  const exact = columns.find((c) => c.name === wanted);
  if (exact !== undefined) return exact.name;
  const ci = columns.filter((c) => c.name.toLowerCase() === wanted.toLowerCase());
  if (ci.length === 1 && ci[0] !== undefined) return ci[0].name;
  throw new MdlError(
    'E_INGEST',
    `${id}: watermark column '${wanted}' not found in the source table`,
    {
      node: id,
      hint: 'fix the watermark column in configs/emr/load_config.csv',
    },
  );
}

/** Loads one table. Never throws for load failures: they are returned (and audited). */
export async function loadTable(
  entry: LoadConfigEntry,
  reader: SourceReader,
  duck: DuckDBInstance,
  audit: AuditLog,
  opts: LoadOptions,
  listener: IngestListener = () => undefined,
): Promise<TableLoadResult> {
  const id = entryId(entry);
  const tablename = entryTableName(entry);
  const startedAt = new Date();
  const loadId = newLoadId(startedAt);
  const staged = stagingDir(opts.bronzeRoot, entry.targetPath, entry.bronzeTable, loadId);
  let oldWatermark: string | undefined;
  let newWatermark: string | undefined;
  let watermarkColumn: string | undefined;
  let sink: ParquetSink | undefined;
  let key: ResolvedKey | undefined;
  let keyList: StagedKeyList | undefined;
  try {
    await listener({ type: 'start', id, loadId });
    cleanStaging(opts.bronzeRoot, entry.targetPath, entry.bronzeTable);
    quarantineOrphans(
      opts.bronzeRoot,
      entry.targetPath,
      entry.bronzeTable,
      await audit.succeededLoadIds(entry.datasource, tablename),
    );
    // Key lists of a killed load are orphans too (same rule, their own folder).
    quarantineOrphans(
      opts.bronzeRoot,
      entry.targetPath,
      `${entry.bronzeTable}/${KEYS_FOLDER}`,
      await audit.succeededLoadIds(entry.datasource, tablename),
    );
    const columns = await reader.columns(entry.schema, entry.table);
    if (columns.length === 0)
      throw new MdlError(
        'E_INGEST',
        `${id}: source table ${tablename} not found in '${entry.database}'`,
        {
          node: id,
          row: entry.row,
          hint: 'check tablename in load_config.csv and the connection in configs/emr/connections.yml',
        },
      );
    let range: WatermarkRange | undefined;
    if (entry.loadType === 'Incremental') {
      watermarkColumn = resolveColumn(columns, entry.watermark, id);
      // Resolved before copying, so a wrong keycolumns setting fails fast.
      key = await resolveKey(entry, reader, columns, id);
      oldWatermark = await audit.lastWatermark(entry.datasource, tablename);
      const captured = await reader.maxWatermark(entry.schema, entry.table, watermarkColumn);
      newWatermark = captured ?? oldWatermark;
      await listener({
        type: 'watermark',
        id,
        column: watermarkColumn,
        ...(oldWatermark === undefined ? {} : { old: oldWatermark }),
        ...(captured === undefined ? {} : { captured }),
      });
      if (captured !== undefined)
        range = {
          column: watermarkColumn,
          ...(oldWatermark === undefined
            ? {}
            : { lower: widenLowerBound(oldWatermark, opts.overlapSeconds) }),
          lowerInclusive: true,
          upper: captured,
        };
    }
    fs.mkdirSync(staged, { recursive: true });
    const stamp = {
      datasource: entry.datasource,
      loadId,
      loadedAt: startedAt.toISOString().replace('T', ' ').replace('Z', ''),
    };
    sink = await ParquetSink.open(duck, columns, staged, stamp, opts.rowsPerPart);
    const emptyIncremental = entry.loadType === 'Incremental' && range === undefined;
    if (!emptyIncremental) {
      const base = {
        schema: entry.schema,
        table: entry.table,
        columns: columns.map((c) => c.name),
      };
      const spec = range === undefined ? base : { ...base, range };
      await copyRows(reader, spec, staged, sink, opts, (rows) =>
        listener({ type: 'progress', id, rows }),
      );
    }
    const { rows, parts } = await sink.finish();
    sink = undefined;
    // The key list is read after the copy: every row copied above that still exists is in it.
    if (entry.loadType === 'Incremental' && key !== undefined)
      keyList = await stageKeyList(
        entry,
        reader,
        duck,
        key,
        stagingDir(opts.bronzeRoot, entry.targetPath, entry.bronzeTable, `${loadId}-keys`),
        stamp,
        opts,
      );
    if (entry.loadType === 'Incremental')
      await listener({
        type: 'keys',
        id,
        columns: key?.columns.map((c) => c.name) ?? [],
        ...(keyList === undefined ? {} : { keys: keyList.keys }),
      });
    const table = tableDir(opts.bronzeRoot, entry.targetPath, entry.bronzeTable);
    const folder = commitLoad(staged, table, loadId);
    const keysFolder =
      keyList === undefined ? undefined : commitLoad(keyList.staged, keysDir(table), loadId);
    const finishedAt = new Date();
    if (keyList !== undefined && key !== undefined && keysFolder !== undefined)
      await audit.recordKeys({
        dataSource: entry.datasource,
        tablename,
        loadId,
        keyColumns: key.columns.map((c) => c.name),
        keySource: key.from,
        keysCount: keyList.keys,
        location: path.relative(opts.bronzeRoot, keysFolder).split(path.sep).join('/'),
        recordedAt: finishedAt,
      });
    // The watermark advances only now, after the files are durable and visible.
    await audit.recordLoad({
      dataSource: entry.datasource,
      tablename,
      loadType: entry.loadType,
      rowsCopied: rows,
      ...(watermarkColumn === undefined ? {} : { watermarkColumn }),
      ...(oldWatermark === undefined ? {} : { oldWatermark }),
      ...(newWatermark === undefined ? {} : { newWatermark }),
      status: 'succeeded',
      loadId,
      startedAt,
      finishedAt,
    });
    writeLatestMarker(table, {
      load_id: loadId,
      load_type: entry.loadType,
      rows,
      committed_at: finishedAt.toISOString(),
    });
    if (entry.loadType === 'Full') pruneFullLoads(table, opts.keepFullLoads);
    // Only the newest key list matters to silver; a few are kept for audits.
    if (keysFolder !== undefined) pruneFullLoads(keysDir(table), opts.keepFullLoads);
    await listener({ type: 'committed', id, rows, folder });
    return {
      id,
      status: 'succeeded',
      loadId,
      rows,
      parts,
      ...(oldWatermark === undefined ? {} : { oldWatermark }),
      ...(newWatermark === undefined ? {} : { newWatermark }),
      folder,
      ...(keyList === undefined || key === undefined
        ? {}
        : { keyList: { columns: key.columns.map((c) => c.name), keys: keyList.keys } }),
      durationMs: finishedAt.getTime() - startedAt.getTime(),
    };
  } catch (err) {
    const error = asMdlError(err, id);
    if (sink !== undefined) await sink.abort();
    fs.rmSync(staged, { recursive: true, force: true });
    if (keyList !== undefined) fs.rmSync(keyList.staged, { recursive: true, force: true });
    const finishedAt = new Date();
    await audit
      .recordLoad({
        dataSource: entry.datasource,
        tablename,
        loadType: entry.loadType,
        rowsCopied: 0,
        ...(watermarkColumn === undefined ? {} : { watermarkColumn }),
        ...(oldWatermark === undefined ? {} : { oldWatermark }),
        status: 'failed',
        error: `${error.code}: ${error.message}`,
        loadId,
        startedAt,
        finishedAt,
      })
      .catch(() => undefined);
    await listener({ type: 'failed', id, error: error.message });
    return {
      id,
      status: 'failed',
      loadId,
      rows: 0,
      parts: 0,
      ...(oldWatermark === undefined ? {} : { oldWatermark }),
      error,
      durationMs: finishedAt.getTime() - startedAt.getTime(),
    };
  }
}

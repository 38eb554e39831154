/**
 * The typed model of `configs/emr/load_config.csv`, shared by `mdl ingest` and the ADF
 * generator so the two can never disagree about what is loaded and how.
 *
 * Every value is validated against a strict pattern here, before any SQL is built or any path
 * is joined; a hostile row is rejected with its row number and column.
 */
import { Diagnostics } from '../errors/diagnostics.js';
import { MdlError } from '../errors/mdl-error.js';
import { CsvSyntaxError, parseCsv } from './csv-text.js';
import { isDatasourceCode, isRelativeFolder, isSqlIdentifier } from './identifiers.js';

/** The columns of load_config.csv, in the documented order. */
export const LOAD_CONFIG_COLUMNS = [
  'database',
  'datasource',
  'tablename',
  'loadtype',
  'watermark',
  'is_active',
  'targetpath',
] as const;

/**
 * Optional columns: `keycolumns` names the key of an Incremental table whose source declares no
 * primary key (`EncounterID`, or `ColA|ColB` for a composite key); ingest lands the full key
 * list on every incremental load so silver can close rows deleted at the source.
 */
export const OPTIONAL_LOAD_CONFIG_COLUMNS = ['keycolumns'] as const;

export type LoadConfigColumn =
  (typeof LOAD_CONFIG_COLUMNS)[number] | (typeof OPTIONAL_LOAD_CONFIG_COLUMNS)[number];

const ALL_COLUMNS: readonly string[] = [...LOAD_CONFIG_COLUMNS, ...OPTIONAL_LOAD_CONFIG_COLUMNS];

interface LoadConfigEntryBase {
  /** 1-based data row (header is row 0). */
  readonly row: number;
  /** 1-based line in the file. */
  readonly line: number;
  /** Key into connections.yml (validated identifier). */
  readonly database: string;
  /** Datasource code stamped on every row (`hos-a`). */
  readonly datasource: string;
  /** Source schema (`dbo`). */
  readonly schema: string;
  /** Source table (`patients`). */
  readonly table: string;
  /** Whether the row is loaded at all. */
  readonly isActive: boolean;
  /** Bronze folder relative to the bronze root (`hosa`). */
  readonly targetPath: string;
  /** Folder name of the table below the target path (lower-cased table name). */
  readonly bronzeTable: string;
}

/** A table copied in full on every load; the latest load supersedes earlier ones. */
export interface FullLoadEntry extends LoadConfigEntryBase {
  readonly loadType: 'Full';
}

/** A table copied by high-water mark on a watermark column; all loads together form the table. */
export interface IncrementalLoadEntry extends LoadConfigEntryBase {
  readonly loadType: 'Incremental';
  /** Watermark column in the source table (validated identifier). */
  readonly watermark: string;
  /**
   * Key columns from `keycolumns`; when absent, ingest uses the source's primary key (and
   * lands no key list if it has none).
   */
  readonly keyColumns?: readonly string[];
}

export type LoadConfigEntry = FullLoadEntry | IncrementalLoadEntry;
export type LoadType = LoadConfigEntry['loadType'];

/** The parsed file. */
export interface LoadConfig {
  /** Path of the file (for messages), relative to the project when inside it. */
  readonly file: string;
  readonly entries: readonly LoadConfigEntry[];
}

/** `<datasource>.<table>` — the id used by `--only`, progress lines and the audit table. */
export function entryId(e: LoadConfigEntry): string {
  return `${e.datasource}.${e.table}`;
}

/** `schema.table` as written in the config (the audit table's `tablename`). */
export function entryTableName(e: LoadConfigEntry): string {
  return `${e.schema}.${e.table}`;
}

/**
 * True when `selector` names this entry: `hos-a.patients`, `hos-a.dbo.patients`, or a bare
 * datasource `hos-a` (all its tables). Case-insensitive on the table part.
 */
export function entryMatches(e: LoadConfigEntry, selector: string): boolean {
  const s = selector.trim();
  if (s === e.datasource) return true;
  const lower = s.toLowerCase();
  return (
    lower === `${e.datasource}.${e.table}`.toLowerCase() ||
    lower === `${e.datasource}.${e.schema}.${e.table}`.toLowerCase()
  );
}

/**
 * Parses and validates load_config.csv text. Collects every problem of every row and throws
 * one `AggregateMdlError` (codes `E_CONFIG_ROW`), so a user fixes the file in one pass.
 */
export function parseLoadConfig(text: string, file: string): LoadConfig {
  let records;
  try {
    records = parseCsv(text);
  } catch (err) {
    if (err instanceof CsvSyntaxError)
      throw new MdlError('E_CONFIG_ROW', `invalid CSV: ${err.message}`, {
        file,
        line: err.line,
        hint: 'close the quoted field or remove the stray double quote',
      });
    throw err;
  }
  const [header, ...rows] = records;
  if (header === undefined)
    throw new MdlError('E_CONFIG_ROW', 'load config is empty', {
      file,
      hint: `write a header line: ${LOAD_CONFIG_COLUMNS.join(',')}`,
    });
  const names = header.fields.map((h) => h.trim().toLowerCase());
  const index = new Map<LoadConfigColumn, number>();
  const diags = new Diagnostics();
  for (const col of OPTIONAL_LOAD_CONFIG_COLUMNS) {
    const i = names.indexOf(col);
    if (i >= 0) index.set(col, i);
  }
  for (const col of LOAD_CONFIG_COLUMNS) {
    const i = names.indexOf(col);
    if (i < 0)
      diags.add(
        new MdlError('E_CONFIG_ROW', `header is missing column '${col}'`, {
          file,
          line: header.line,
          row: 0,
          hint: `the header must name: ${LOAD_CONFIG_COLUMNS.join(',')}`,
        }),
      );
    else index.set(col, i);
  }
  names.forEach((n, i) => {
    if (!ALL_COLUMNS.includes(n))
      diags.add(
        new MdlError('E_CONFIG_ROW', `unknown header column ${i + 1}`, {
          file,
          line: header.line,
          row: 0,
          column: i + 1,
          hint: `allowed columns: ${ALL_COLUMNS.join(',')}`,
        }),
      );
  });
  diags.throwIfAny(`${file}: invalid load config header`);

  const entries: LoadConfigEntry[] = [];
  const seen = new Map<string, number>();
  const folders = new Map<string, number>();
  rows.forEach((rec, i) => {
    const row = i + 1;
    const before = diags.size;
    const get = (col: LoadConfigColumn): string => rec.fields[index.get(col) ?? -1]?.trim() ?? '';
    const fail = (col: LoadConfigColumn, what: string, hint: string): void => {
      diags.add(
        new MdlError('E_CONFIG_ROW', `column '${col}': ${what}`, {
          file,
          line: rec.line,
          row,
          column: (index.get(col) ?? 0) + 1,
          hint,
        }),
      );
    };
    if (rec.fields.length !== names.length)
      diags.add(
        new MdlError(
          'E_CONFIG_ROW',
          `has ${rec.fields.length} fields, the header has ${names.length}`,
          { file, line: rec.line, row, hint: 'quote values containing commas' },
        ),
      );
    const database = get('database');
    if (!isSqlIdentifier(database))
      fail('database', 'not a valid name', 'use letters, digits and _ (e.g. hospital_a)');
    const datasource = get('datasource');
    if (!isDatasourceCode(datasource))
      fail(
        'datasource',
        'not a valid datasource code',
        'use lower-case letters, digits and - (e.g. hos-a)',
      );
    const tablename = get('tablename');
    const parts = tablename.split('.');
    const [schema = '', table = ''] = parts;
    if (parts.length !== 2 || !isSqlIdentifier(schema) || !isSqlIdentifier(table))
      fail(
        'tablename',
        'must be schema.table with letters, digits and _ only',
        'e.g. dbo.patients',
      );
    const loadtypeRaw = get('loadtype');
    const loadType =
      loadtypeRaw.toLowerCase() === 'full'
        ? 'Full'
        : loadtypeRaw.toLowerCase() === 'incremental'
          ? 'Incremental'
          : undefined;
    if (loadType === undefined)
      fail('loadtype', 'must be Full or Incremental', 'write Full or Incremental');
    const watermark = get('watermark');
    if (loadType === 'Incremental' && watermark === '')
      fail(
        'watermark',
        'an Incremental load needs a watermark column',
        'name the column that increases on every change (e.g. ModifiedDate)',
      );
    else if (watermark !== '' && !isSqlIdentifier(watermark))
      fail('watermark', 'not a valid column name', 'use letters, digits and _ only');
    const activeRaw = get('is_active');
    if (activeRaw !== '0' && activeRaw !== '1')
      fail('is_active', 'must be 0 or 1', 'write 1 to load the table, 0 to skip it');
    const targetPath = get('targetpath');
    if (!isRelativeFolder(targetPath))
      fail(
        'targetpath',
        'not a safe relative folder',
        'use folder names of letters, digits, _ and - separated by / (no .., no leading /)',
      );
    const keysRaw = index.has('keycolumns') ? get('keycolumns') : '';
    const keyColumns = keysRaw === '' ? [] : keysRaw.split('|').map((k) => k.trim());
    if (keyColumns.some((k) => !isSqlIdentifier(k)))
      fail(
        'keycolumns',
        'must be column names of letters, digits and _ separated by |',
        'e.g. EncounterID or ClaimID|LineNo',
      );
    else if (new Set(keyColumns.map((k) => k.toLowerCase())).size !== keyColumns.length)
      fail('keycolumns', 'names a column twice', 'list each key column once');
    else if (keyColumns.length > 0 && loadType === 'Full')
      fail(
        'keycolumns',
        'only Incremental loads use key columns',
        'leave keycolumns empty: a Full load is a complete copy, so deletes are already visible',
      );
    if (diags.size > before || loadType === undefined) return;

    const key = `${datasource}.${schema}.${table}`.toLowerCase();
    const prev = seen.get(key);
    if (prev !== undefined) {
      fail(
        'tablename',
        `duplicates row ${prev} for the same datasource`,
        'keep one row per datasource and table',
      );
      return;
    }
    seen.set(key, row);
    // Two rows writing the same bronze folder would mix their loads (and their orphan checks).
    const folder = `${targetPath}/${table.toLowerCase()}`.toLowerCase();
    const sameFolder = folders.get(folder);
    if (sameFolder !== undefined) {
      fail(
        'targetpath',
        `bronze folder ${folder} is already written by row ${sameFolder}`,
        'give each datasource its own targetpath (e.g. hosa, hosb)',
      );
      return;
    }
    folders.set(folder, row);
    const base = {
      row,
      line: rec.line,
      database,
      datasource,
      schema,
      table,
      isActive: activeRaw === '1',
      targetPath,
      bronzeTable: table.toLowerCase(),
    };
    entries.push(
      loadType === 'Full'
        ? { ...base, loadType }
        : { ...base, loadType, watermark, ...(keyColumns.length > 0 ? { keyColumns } : {}) },
    );
  });
  diags.throwIfAny(`${file}: invalid load config`);
  return { file, entries };
}

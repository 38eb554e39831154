/**
 * Maps a source column type to the DuckDB/Parquet type bronze stores it as. Values travel from
 * the source as exact text and are CAST by DuckDB, so DECIMAL stays exact, DATE stays DATE and
 * an NPI above 2^31 stays BIGINT.
 */
import type { EmrClient } from './emr-connections.js';

/** A source column as introspected, with the bronze type chosen for it. */
export interface SourceColumn {
  /** Column name exactly as the source spells it. */
  readonly name: string;
  /** Source type text (for messages). */
  readonly sourceType: string;
  /** DuckDB type written to Parquet. */
  readonly bronzeType: string;
}

function decimal(precision: number | undefined, scale: number | undefined): string {
  // Unconstrained NUMERIC cannot be represented exactly by a fixed DECIMAL: keep its text.
  if (precision === undefined || precision <= 0 || precision > 38) return 'VARCHAR';
  return `DECIMAL(${precision},${Math.max(0, scale ?? 0)})`;
}

/**
 * Bronze type for a source type. `dataType` is the base type name (information_schema
 * `data_type`, or a SQLite declared type such as `DECIMAL(10,2)`), precision/scale when known.
 */
export function bronzeTypeOf(
  client: EmrClient,
  dataType: string,
  precision?: number,
  scale?: number,
): string {
  let t = dataType.trim().toLowerCase();
  let p = precision;
  let s = scale;
  const m = /^([a-z ]+?)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)/.exec(t);
  if (m !== null) {
    t = m[1] ?? t;
    p ??= Number(m[2]);
    s ??= m[3] === undefined ? 0 : Number(m[3]);
  }
  t = t.replace(/\s+unsigned$/, '').trim();
  if (client === 'sqlite') {
    // SQLite affinity rules (https://sqlite.org/datatype3.html §3.1), refined for common names.
    if (t === 'date') return 'DATE';
    if (t === 'datetime' || t.startsWith('timestamp')) return 'TIMESTAMP';
    if (t === 'boolean' || t === 'bool') return 'BOOLEAN';
    if (t.includes('int')) return 'BIGINT';
    if (t === 'decimal' || t === 'numeric') return decimal(p, s);
    if (t.includes('char') || t.includes('clob') || t.includes('text') || t === '')
      return 'VARCHAR';
    if (t.includes('real') || t.includes('floa') || t.includes('doub')) return 'DOUBLE';
    if (t.includes('blob')) return 'BLOB';
    return 'VARCHAR';
  }
  switch (t) {
    case 'tinyint':
    case 'smallint':
    case 'int2':
      return 'SMALLINT';
    case 'integer':
    case 'int':
    case 'int4':
    case 'mediumint':
    case 'serial':
      return 'INTEGER';
    case 'bigint':
    case 'int8':
    case 'bigserial':
      return 'BIGINT';
    case 'decimal':
    case 'numeric':
    case 'money':
    case 'smallmoney':
      return t === 'money' || t === 'smallmoney' ? 'DECIMAL(19,4)' : decimal(p, s);
    case 'real':
    case 'float4':
      return 'FLOAT';
    case 'float':
    case 'double':
    case 'double precision':
    case 'float8':
      return 'DOUBLE';
    case 'date':
      return 'DATE';
    case 'datetime':
    case 'datetime2':
    case 'smalldatetime':
    case 'timestamp':
    case 'timestamp without time zone':
      // MySQL TIMESTAMP is UTC-normalised but read as session-local text: kept as a plain timestamp.
      return 'TIMESTAMP';
    case 'timestamp with time zone':
    case 'timestamptz':
    case 'datetimeoffset':
      return 'TIMESTAMPTZ';
    case 'boolean':
    case 'bool':
    case 'bit':
      return client === 'mysql' ? 'VARCHAR' : 'BOOLEAN';
    case 'bytea':
    case 'blob':
    case 'varbinary':
    case 'binary':
    case 'image':
      return 'VARCHAR';
    default:
      return 'VARCHAR';
  }
}

/** Canonical exact text for a driver value (null stays null). */
export function toText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'string':
      return v;
    case 'bigint':
      return v.toString();
    case 'number':
      return Number.isFinite(v) ? String(v) : null;
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      if (v instanceof Date) return v.toISOString().replace('T', ' ').replace('Z', '');
      if (Buffer.isBuffer(v)) return `\\x${v.toString('hex')}`;
      return JSON.stringify(v);
  }
}

import type { Row } from './connection.js';

/** The subset of a TCLIService TTypeId enum the decoder needs (names → numbers). */
export type TypeIds = Readonly<Record<string, number>>;

interface TypeEntry {
  readonly primitiveEntry?: { readonly type?: number };
}
/** A column of a Thrift `TTableSchema`. */
export interface SchemaColumn {
  readonly columnName: string;
  readonly position: number;
  readonly typeDesc?: { readonly types?: readonly TypeEntry[] };
}
interface ColumnValues {
  readonly values: readonly unknown[];
  readonly nulls?: Buffer;
}
/** A column of a Thrift `TRowSet` (exactly one of the typed members is set). */
export type RowSetColumn = Readonly<Record<string, ColumnValues | null | undefined>>;
/** A Thrift `TRowSet` in columnar form. */
export interface RowSet {
  readonly columns?: readonly RowSetColumn[] | null;
}

const VALUE_KEYS = [
  'boolVal',
  'byteVal',
  'i16Val',
  'i32Val',
  'i64Val',
  'doubleVal',
  'stringVal',
  'binaryVal',
] as const;

function valuesOf(col: RowSetColumn | undefined): ColumnValues | undefined {
  if (col === undefined) return undefined;
  for (const k of VALUE_KEYS) {
    const v = col[k];
    if (v !== null && v !== undefined) return v;
  }
  return undefined;
}

function isNull(nulls: Buffer | undefined, i: number): boolean {
  if (nulls === undefined) return false;
  const byte = nulls[Math.floor(i / 8)];
  return byte !== undefined && (byte & (1 << (i % 8))) !== 0;
}

/** node-int64 value (thrift's i64) → bigint, exactly (no 2^53 rounding). */
function int64ToBigInt(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(v);
  const o = v as { buffer?: Buffer; offset?: number };
  if (o.buffer instanceof Buffer) return o.buffer.readBigInt64BE(o.offset ?? 0);
  return BigInt(String(v));
}

function parseJson(text: unknown): unknown {
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Converts one cell to the runner's plain JS convention (see `Row`). */
function convert(typeId: number | undefined, ids: TypeIds, value: unknown): unknown {
  switch (typeId) {
    case ids.BIGINT_TYPE:
      return int64ToBigInt(value);
    case ids.DECIMAL_TYPE:
      return String(value);
    case ids.TIMESTAMP_TYPE:
    case ids.TIMESTAMPLOCALTZ_TYPE: {
      // Same ISO text form as the DuckDB connection, so results compare across engines.
      const s = String(value);
      return /^\d{4,}-\d\d-\d\d \d/.test(s) ? s.replace(' ', 'T') : s;
    }
    case ids.DATE_TYPE:
      return String(value);
    case ids.ARRAY_TYPE:
    case ids.MAP_TYPE:
    case ids.STRUCT_TYPE:
      return parseJson(value);
    case ids.BINARY_TYPE:
      return value instanceof Buffer ? value.toString('base64') : value;
    default:
      return value;
  }
}

/**
 * Turns a Thrift result schema and its columnar row sets into row objects. BIGINT → bigint,
 * DECIMAL → string, DATE/TIMESTAMP → ISO text, ARRAY/MAP/STRUCT (sent as JSON text) → JS values.
 */
export function decodeRowSets(
  schema: readonly SchemaColumn[],
  rowSets: readonly RowSet[],
  ids: TypeIds,
): Row[] {
  const cols = [...schema].sort((a, b) => a.position - b.position);
  const first = Math.max(0, Math.min(...cols.map((c) => c.position)));
  const out: Row[] = [];
  for (const rs of rowSets) {
    const columns = rs.columns ?? [];
    const decoded = cols.map((c) => ({
      name: c.columnName,
      type: c.typeDesc?.types?.[0]?.primitiveEntry?.type,
      data: valuesOf(columns[c.position - first]),
    }));
    const n = decoded.reduce((m, d) => Math.max(m, d.data?.values.length ?? 0), 0);
    for (let i = 0; i < n; i++) {
      const row: Record<string, unknown> = {};
      for (const d of decoded) {
        const raw = d.data?.values[i];
        row[d.name] =
          d.data === undefined || raw === undefined || isNull(d.data.nulls, i)
            ? null
            : convert(d.type, ids, raw);
      }
      out.push(row);
    }
  }
  return out;
}

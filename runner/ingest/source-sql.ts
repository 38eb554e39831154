/**
 * SQL text for reading an EMR source, built by knex so identifiers are quoted by the source's
 * own dialect and values are always bindings. Pure: `toSQL()` works without a connection, which
 * is how the SQL Server statements are unit-tested (no server can run here).
 */
import type { Knex } from 'knex';
import type { EmrClient } from './emr-connections.js';

/** The half-open-or-closed watermark range of one incremental load. */
export interface WatermarkRange {
  readonly column: string;
  /** Previous high-water mark (exact text); absent on the first load. */
  readonly lower?: string;
  /** Lower bound inclusive (overlap re-read) or exclusive. */
  readonly lowerInclusive: boolean;
  /** MAX(watermark) captured before the copy; rows above it wait for the next load. */
  readonly upper: string;
}

/** What one load reads. Identifiers are already validated and resolved to source spelling. */
export interface ReadSpec {
  readonly schema: string;
  readonly table: string;
  readonly columns: readonly string[];
  readonly range?: WatermarkRange;
}

function from(k: Knex, client: EmrClient, schema: string, table: string): Knex.QueryBuilder {
  // SQLite has no schemas here: the tables live in the main database of the file.
  return client === 'sqlite' ? k.from(table) : k.withSchema(schema).from(table);
}

/** `SELECT <cols> FROM <schema>.<table> [WHERE w > old AND w <= new]`. */
export function buildSelect(k: Knex, client: EmrClient, spec: ReadSpec): Knex.QueryBuilder {
  const q = from(k, client, spec.schema, spec.table).select([...spec.columns]);
  const r = spec.range;
  if (r !== undefined) {
    if (r.lower !== undefined) q.where(r.column, r.lowerInclusive ? '>=' : '>', r.lower);
    q.where(r.column, '<=', r.upper);
  }
  return q;
}

/** `SELECT MAX(<w>) AS hwm FROM <schema>.<table>`. */
export function buildMaxWatermark(
  k: Knex,
  client: EmrClient,
  schema: string,
  table: string,
  column: string,
): Knex.QueryBuilder {
  return from(k, client, schema, table).max({ hwm: column });
}

/** Column metadata query, parameterised (never string-built). */
export function buildColumnsQuery(
  k: Knex,
  client: EmrClient,
  schema: string,
  table: string,
): Knex.QueryBuilder | Knex.Raw {
  switch (client) {
    case 'sqlite':
      return k.raw(
        'SELECT name AS column_name, type AS data_type FROM pragma_table_info(?) ORDER BY cid',
        [table],
      );
    case 'pg':
    case 'mysql':
    case 'mssql':
      return k
        .from('information_schema.columns')
        .select({
          column_name: 'column_name',
          data_type: 'data_type',
          numeric_precision: 'numeric_precision',
          numeric_scale: 'numeric_scale',
          table_name: 'table_name',
        })
        .whereRaw('lower(table_schema) = lower(?)', [schema])
        .whereRaw('lower(table_name) = lower(?)', [table])
        .orderBy('ordinal_position');
  }
}

/**
 * Primary-key columns of `schema.table` in key order (`column_name`), parameterised: SQLite's
 * `pragma_table_info`, `information_schema` constraints on PostgreSQL and MySQL/MariaDB, and the
 * `sys` catalog on SQL Server (whose key order lives in `sys.index_columns.key_ordinal`).
 */
export function buildPrimaryKeyQuery(
  k: Knex,
  client: EmrClient,
  schema: string,
  table: string,
): Knex.QueryBuilder | Knex.Raw {
  switch (client) {
    case 'sqlite':
      return k.raw(
        'SELECT name AS column_name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk',
        [table],
      );
    case 'pg':
    case 'mysql':
      return k
        .from({ tc: 'information_schema.table_constraints' })
        .join({ kcu: 'information_schema.key_column_usage' }, function on() {
          this.on('kcu.constraint_schema', '=', 'tc.constraint_schema')
            .andOn('kcu.constraint_name', '=', 'tc.constraint_name')
            .andOn('kcu.table_schema', '=', 'tc.table_schema')
            .andOn('kcu.table_name', '=', 'tc.table_name');
        })
        .select({ column_name: 'kcu.column_name' })
        .where('tc.constraint_type', 'PRIMARY KEY')
        .whereRaw('lower(tc.table_schema) = lower(?)', [schema])
        .whereRaw('lower(tc.table_name) = lower(?)', [table])
        .orderBy('kcu.ordinal_position');
    case 'mssql':
      return k
        .from({ i: 'sys.indexes' })
        .join({ ic: 'sys.index_columns' }, function on() {
          this.on('ic.object_id', '=', 'i.object_id').andOn('ic.index_id', '=', 'i.index_id');
        })
        .join({ c: 'sys.columns' }, function on() {
          this.on('c.object_id', '=', 'ic.object_id').andOn('c.column_id', '=', 'ic.column_id');
        })
        .join({ t: 'sys.tables' }, 't.object_id', 'i.object_id')
        .join({ s: 'sys.schemas' }, 's.schema_id', 't.schema_id')
        .select({ column_name: 'c.name' })
        .where('i.is_primary_key', 1)
        .whereRaw('lower(s.name) = lower(?)', [schema])
        .whereRaw('lower(t.name) = lower(?)', [table])
        .orderBy('ic.key_ordinal');
  }
}

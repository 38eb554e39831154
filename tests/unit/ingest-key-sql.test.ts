/**
 * Primary-key discovery SQL for every source dialect (the key list of incremental loads). SQL
 * Server cannot run here: its statement over the `sys` catalog is pinned with `toSQL()`.
 */
import knexFactory from 'knex';
import { describe, expect, it } from 'vitest';
import { buildPrimaryKeyQuery } from '../../runner/ingest/source-sql.js';

const native = (q: ReturnType<typeof buildPrimaryKeyQuery>): { sql: string; bindings: unknown } =>
  q.toSQL().toNative();
const mssql = knexFactory({ client: 'mssql' });
const pg = knexFactory({ client: 'pg' });
const mysql = knexFactory({ client: 'mysql2' });
const sqlite = knexFactory({ client: 'better-sqlite3', useNullAsDefault: true });

describe('primary-key discovery SQL', () => {
  it('SQL Server: sys catalog, key order from key_ordinal, names as bindings', () => {
    const q = native(buildPrimaryKeyQuery(mssql, 'mssql', 'dbo', 'encounters'));
    expect(q.sql).toBe(
      'select [c].[name] as [column_name] from [sys].[indexes] as [i] inner join [sys].[index_columns] as [ic] on [ic].[object_id] = [i].[object_id] and [ic].[index_id] = [i].[index_id] inner join [sys].[columns] as [c] on [c].[object_id] = [ic].[object_id] and [c].[column_id] = [ic].[column_id] inner join [sys].[tables] as [t] on [t].[object_id] = [i].[object_id] inner join [sys].[schemas] as [s] on [s].[schema_id] = [t].[schema_id] where [i].[is_primary_key] = @p0 and lower(s.name) = lower(@p1) and lower(t.name) = lower(@p2) order by [ic].[key_ordinal] asc',
    );
    expect(q.bindings).toEqual([1, 'dbo', 'encounters']);
  });

  it('PostgreSQL and MariaDB: information_schema constraints joined on schema, table and name', () => {
    const p = native(buildPrimaryKeyQuery(pg, 'pg', 'dbo', 'encounters'));
    expect(p.sql).toBe(
      'select "kcu"."column_name" as "column_name" from "information_schema"."table_constraints" as "tc" inner join "information_schema"."key_column_usage" as "kcu" on "kcu"."constraint_schema" = "tc"."constraint_schema" and "kcu"."constraint_name" = "tc"."constraint_name" and "kcu"."table_schema" = "tc"."table_schema" and "kcu"."table_name" = "tc"."table_name" where "tc"."constraint_type" = $1 and lower(tc.table_schema) = lower($2) and lower(tc.table_name) = lower($3) order by "kcu"."ordinal_position" asc',
    );
    expect(p.bindings).toEqual(['PRIMARY KEY', 'dbo', 'encounters']);
    const m = native(buildPrimaryKeyQuery(mysql, 'mysql', 'dbo', 'encounters'));
    // MariaDB names every primary key `PRIMARY`: the join must include the table, or keys mix.
    expect(m.sql).toContain('`kcu`.`table_name` = `tc`.`table_name`');
    expect(m.sql).toContain('order by `kcu`.`ordinal_position` asc');
    expect(m.bindings).toEqual(['PRIMARY KEY', 'dbo', 'encounters']);
  });

  it('SQLite: pragma_table_info in pk order; hostile names stay bindings everywhere', () => {
    const s = native(buildPrimaryKeyQuery(sqlite, 'sqlite', 'dbo', 'encounters'));
    expect(s.sql).toBe(
      'SELECT name AS column_name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk',
    );
    expect(s.bindings).toEqual(['encounters']);
    const hostile = "x'); DROP TABLE t;--";
    for (const [k, c] of [
      [mssql, 'mssql'],
      [pg, 'pg'],
      [mysql, 'mysql'],
      [sqlite, 'sqlite'],
    ] as const) {
      const q = native(buildPrimaryKeyQuery(k, c, hostile, hostile));
      expect(q.sql).not.toContain('DROP');
      expect(q.bindings).toContain(hostile);
    }
  });
});

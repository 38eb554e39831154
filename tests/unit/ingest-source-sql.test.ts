/**
 * SQL built by knex for every source dialect, including SQL Server (tedious), which cannot run
 * here: these tests pin the generated statements with `toSQL()` — identifiers quoted by the
 * dialect, values as bindings, never concatenated.
 */
import knexFactory from 'knex';
import { describe, expect, it } from 'vitest';
import {
  buildColumnsQuery,
  buildMaxWatermark,
  buildSelect,
} from '../../runner/ingest/source-sql.js';

const mssql = knexFactory({ client: 'mssql' });
const pg = knexFactory({ client: 'pg' });
const mysql = knexFactory({ client: 'mysql2' });
const sqlite = knexFactory({ client: 'better-sqlite3', useNullAsDefault: true });

const spec = {
  schema: 'dbo',
  table: 'patients',
  columns: ['PatientID', 'ModifiedDate'],
  range: {
    column: 'ModifiedDate',
    lower: '2024-01-01 00:00:00',
    lowerInclusive: true,
    upper: '2024-02-01 00:00:00',
  },
};

describe('source SQL', () => {
  it('SQL Server: bracket-quoted identifiers and bindings for the watermark range', () => {
    const q = buildSelect(mssql, 'mssql', spec).toSQL().toNative();
    expect(q.sql).toBe(
      'select [PatientID], [ModifiedDate] from [dbo].[patients] where [ModifiedDate] >= @p0 and [ModifiedDate] <= @p1',
    );
    expect(q.bindings).toEqual(['2024-01-01 00:00:00', '2024-02-01 00:00:00']);
    expect(
      buildMaxWatermark(mssql, 'mssql', 'dbo', 'patients', 'ModifiedDate').toSQL().toNative().sql,
    ).toBe('select max([ModifiedDate]) as [hwm] from [dbo].[patients]');
    const cols = buildColumnsQuery(mssql, 'mssql', 'dbo', 'patients').toSQL().toNative();
    expect(cols.sql).toContain(
      'from [information_schema].[columns] where lower(table_schema) = lower(@p0)',
    );
    expect(cols.bindings).toEqual(['dbo', 'patients']);
  });

  it('first load of an incremental table has only the upper bound; full loads no WHERE', () => {
    const { range, ...full } = spec;
    expect(
      buildSelect(mssql, 'mssql', { ...spec, range: { ...range, lower: undefined } }).toSQL().sql,
    ).toBe('select [PatientID], [ModifiedDate] from [dbo].[patients] where [ModifiedDate] <= ?');
    expect(buildSelect(mssql, 'mssql', full).toSQL().sql).toBe(
      'select [PatientID], [ModifiedDate] from [dbo].[patients]',
    );
  });

  it('PostgreSQL, MariaDB and SQLite quote by their own rules', () => {
    expect(buildSelect(pg, 'pg', spec).toSQL().toNative().sql).toBe(
      'select "PatientID", "ModifiedDate" from "dbo"."patients" where "ModifiedDate" >= $1 and "ModifiedDate" <= $2',
    );
    expect(buildSelect(mysql, 'mysql', spec).toSQL().sql).toBe(
      'select `PatientID`, `ModifiedDate` from `dbo`.`patients` where `ModifiedDate` >= ? and `ModifiedDate` <= ?',
    );
    // SQLite: no schemas; tables live in the main database of the file
    expect(buildSelect(sqlite, 'sqlite', spec).toSQL().sql).toBe(
      'select `PatientID`, `ModifiedDate` from `patients` where `ModifiedDate` >= ? and `ModifiedDate` <= ?',
    );
  });

  it('an embedded quote in an identifier cannot break out (defence in depth behind validation)', () => {
    const q = buildSelect(mssql, 'mssql', {
      schema: 'dbo',
      table: 'x]; drop table y;--',
      columns: ['a'],
    }).toSQL().sql;
    // knex's SQL Server quoting drops the closing bracket, so the text stays one identifier.
    expect(q).toBe('select [a] from [dbo].[x; drop table y;--]');
  });
});

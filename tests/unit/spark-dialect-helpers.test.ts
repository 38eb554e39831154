import { describe, expect, it } from 'vitest';
import { writtenRelation } from '../../runner/connections/spark-connection.js';
import {
  parseSparkError,
  redactLiterals,
  sparkErrorToMdl,
} from '../../runner/connections/spark-errors.js';
import { decodeRowSets } from '../../runner/connections/spark-rows.js';
import {
  csvViewDirective,
  csvViewStatements,
  extractCsvDirectives,
  sparkTypeName,
} from '../../runner/dialects/spark-csv.js';
import { externalRoot, sparkDialect } from '../../runner/dialects/spark-dialect.js';
import { tableDdlOptions } from '../../runner/dialects/table-options.js';
import { getDialect } from '../../runner/dialects/registry.js';
import { MdlError } from '../../runner/errors/mdl-error.js';

// Texts as the Spark 3.5 Thrift Server sends them (abridged stack traces).
const castError = `org.apache.hive.service.cli.HiveSQLException: Error running query: org.apache.spark.SparkException: Job aborted due to stage failure: Task 1 in stage 66.0 failed 1 times, most recent failure: Lost task 1.0 in stage 66.0 (TID 78) (192.0.2.2 executor driver): org.apache.spark.SparkException: [TASK_WRITE_FAILED] Task failed while writing rows to file:/w/t.
\tat org.apache.spark.sql.errors.QueryExecutionErrors$.taskFailedWhileWritingRowsError(QueryExecutionErrors.scala:774)
Caused by: org.apache.spark.SparkNumberFormatException: [CAST_INVALID_INPUT] The value 'Jane1' of the type "STRING" cannot be cast to "INT" because it is malformed. Use \`try_cast\` to tolerate malformed input.
== SQL(line 1, position 52) ==
...select cast(s as int) as x from t
           ^^^^^^^^^^^^^^^^^

\tat org.apache.spark.sql.errors.QueryExecutionErrors$.invalidInputInCastToNumberError(QueryExecutionErrors.scala:145)`;
const notFound = `org.apache.hive.service.cli.HiveSQLException: Error running query: [TABLE_OR_VIEW_NOT_FOUND] org.apache.spark.sql.AnalysisException: [TABLE_OR_VIEW_NOT_FOUND] The table or view \`nope\`.\`x\` cannot be found. Verify the spelling.; line 1 pos 14;
'Project [*]
+- 'UnresolvedRelation [nope, x], [], false

\tat org.apache.spark.sql.hive.thriftserver.HiveThriftServerErrors$.runningQueryError(HiveThriftServerErrors.scala:43)`;

describe('Spark error parsing', () => {
  it('takes the innermost classified cause, drops stack traces and plans, redacts values', () => {
    const info = parseSparkError(castError);
    expect(info.errorClass).toBe('CAST_INVALID_INPUT');
    expect(info.message).toContain("The value '<redacted>' of the type");
    expect(info.message).not.toContain('Jane1');
    expect(info.message).not.toMatch(/\n\s*at /);
    expect(info.message).toContain('== SQL(line 1, position 52) ==');
    const nf = parseSparkError(notFound);
    expect(nf.errorClass).toBe('TABLE_OR_VIEW_NOT_FOUND');
    expect(nf.message).toBe(
      'The table or view `nope`.`x` cannot be found. Verify the spelling.; line 1 pos 14',
    );
  });

  it('maps duplicate MERGE sources to E_DUPLICATE_KEYS and the rest to E_SQL with a hint', () => {
    const dup = sparkErrorToMdl(
      'Error running query: [DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE] org.apache.spark.sql.delta.DeltaUnsupportedOperationException: [DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE] Cannot perform Merge',
      { engine: 'Spark', node: 'model.hc.x' },
    );
    expect(dup).toBeInstanceOf(MdlError);
    expect(dup.code).toBe('E_DUPLICATE_KEYS');
    expect(dup.node).toBe('model.hc.x');
    const other = sparkErrorToMdl(notFound, { engine: 'Spark' });
    expect(other.code).toBe('E_SQL');
    expect(other.message).toMatch(/^Spark error \[TABLE_OR_VIEW_NOT_FOUND\]/);
    expect(other.hint).toContain('mdl compile');
  });

  it('redacts single-quoted literals including escaped quotes', () => {
    expect(redactLiterals("value 'O\\'Brien' and 'it''s' stay `col`")).toBe(
      "value '<redacted>' and '<redacted>' stay `col`",
    );
  });
});

describe('Thrift row decoding', () => {
  const ids = {
    BIGINT_TYPE: 4,
    DECIMAL_TYPE: 15,
    TIMESTAMP_TYPE: 8,
    DATE_TYPE: 17,
    ARRAY_TYPE: 10,
    STRING_TYPE: 7,
    INT_TYPE: 3,
  };
  const int64 = (n: bigint) => {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(n);
    return { buffer: b, offset: 0 };
  };
  it('decodes columns to rows with exact bigint/decimal, ISO timestamps, arrays and NULL bitmaps', () => {
    const col = (name: string, position: number, type: number) => ({
      columnName: name,
      position,
      typeDesc: { types: [{ primitiveEntry: { type } }] },
    });
    const rows = decodeRowSets(
      [col('b', 1, 4), col('d', 2, 15), col('ts', 3, 8), col('r', 4, 10), col('s', 5, 7)],
      [
        {
          columns: [
            { i64Val: { values: [int64(9007199254740993n), int64(-1n)], nulls: Buffer.from([0]) } },
            { stringVal: { values: ['1.50', ''], nulls: Buffer.from([2]) } },
            { stringVal: { values: ['2024-01-01 10:00:00', '2024-01-02 00:00:00.5'] } },
            { stringVal: { values: ['["a",null]', '[]'] } },
            { stringVal: { values: ['x', ''], nulls: Buffer.from([2]) } },
          ],
        },
      ],
      ids,
    );
    expect(rows).toEqual([
      { b: 9007199254740993n, d: '1.50', ts: '2024-01-01T10:00:00', r: ['a', null], s: 'x' },
      { b: -1n, d: null, ts: '2024-01-02T00:00:00.5', r: [], s: null },
    ]);
  });
});

describe('Spark SQL text helpers', () => {
  it('finds the relation a CTAS / INSERT writes (for Delta row counts)', () => {
    expect(writtenRelation('CREATE OR REPLACE TABLE `s`.`t`\nUSING DELTA\nAS\nSELECT 1')).toBe(
      '`s`.`t`',
    );
    expect(writtenRelation('INSERT INTO `s`.`we``ird` (`a`)\nSELECT 1')).toBe('`s`.`we``ird`');
    expect(writtenRelation('INSERT OVERWRITE TABLE s.t SELECT 1')).toBe('s.t');
    expect(writtenRelation('CREATE SCHEMA IF NOT EXISTS `s`')).toBeUndefined();
    expect(writtenRelation('MERGE INTO s.t USING x ON a WHEN MATCHED THEN DELETE')).toBeUndefined();
  });

  it('reads external locations from their root so Spark discovers load_id partitions', () => {
    expect(externalRoot('/p/data/bronze/hos-a/patients/*/*.parquet')).toBe(
      '/p/data/bronze/hos-a/patients',
    );
    expect(externalRoot('/p/data/bronze/claims/**/*.parquet')).toBe('/p/data/bronze/claims');
    expect(externalRoot('/p/x.parquet')).toBe('/p/x.parquet');
    expect(() =>
      sparkDialect.createExternalSourceView({ schema: 'b', identifier: 'x' }, '/p/x.csv', 'csv'),
    ).toThrow(MdlError);
  });

  it('seed CSV directives round-trip through the SQL text and build typed temp views', () => {
    const sql = `CREATE TABLE t AS\n${csvViewDirective('/p/seeds/cpt */codes.csv', { code: 'VARCHAR' })}`;
    const [d] = extractCsvDirectives(sql);
    expect(d).toMatchObject({ path: '/p/seeds/cpt */codes.csv', types: { code: 'VARCHAR' } });
    expect(sql).toContain(`FROM \`${d!.view}\``);
    const st = csvViewStatements(
      d!,
      (n) => `\`${n}\``,
      (v) => `'${v}'`,
    );
    expect(st.inferred).toContain("inferSchema 'true'");
    expect(st.text).toContain("inferSchema 'false'");
    expect(
      st.typed([
        { name: 'code', type: 'int' },
        { name: 'n', type: 'double' },
      ]),
    ).toBe(
      `CREATE OR REPLACE TEMPORARY VIEW \`${d!.view}\` AS SELECT CAST(\`code\` AS STRING) AS \`code\`, CAST(\`n\` AS double) AS \`n\` FROM \`${d!.view}__text\``,
    );
    expect(sparkTypeName('integer')).toBe('INT');
    expect(extractCsvDirectives('SELECT 1')).toEqual([]);
  });

  it('validates table options from config', () => {
    expect(
      tableDdlOptions(
        { materialized: 'table', enabled: true, tags: [], meta: {}, partition_by: 'datasource' },
        '',
        { node: 'n' },
      ),
    ).toEqual({ partitionBy: ['datasource'] });
    expect(() =>
      tableDdlOptions(
        {
          materialized: 'table',
          enabled: true,
          tags: [],
          meta: {},
          partition_by: ['a'],
          liquid_clustered_by: ['b'],
        },
        '',
        { node: 'n' },
      ),
    ).toThrow(/both/);
    expect(() =>
      tableDdlOptions(
        { materialized: 'table', enabled: true, tags: [], meta: {}, partition_by: [1] },
        '',
        { node: 'n' },
      ),
    ).toThrow(MdlError);
    expect(() =>
      tableDdlOptions(
        { materialized: 'table', enabled: true, tags: [], meta: {}, tblproperties: ['x'] },
        '',
        { node: 'n' },
      ),
    ).toThrow(/mapping/);
  });

  it('both dialects are registered and quote with backticks', () => {
    expect(getDialect('spark').quoteIdentifier('a`b')).toBe('`a``b`');
    expect(getDialect('databricks').relation({ catalog: 'c', schema: 's', identifier: 't' })).toBe(
      '`c`.`s`.`t`',
    );
    expect(getDialect('databricks').capabilities.columnMasks).toBe(true);
    expect(getDialect('spark').capabilities.transactions).toBe(false);
    expect(() => sparkDialect.beginTransaction()).toThrow(MdlError);
  });
});

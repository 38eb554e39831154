import { describe, expect, it } from 'vitest';
import { relationKey } from '../../runner/adapters/adapter.js';
import { introspectSpark } from '../../runner/adapters/spark-introspect.js';
import type { Connection, Row } from '../../runner/connections/connection.js';
import { sparkDialect } from '../../runner/dialects/spark-dialect.js';

/** Answers the statements introspection sends, as Spark 3.5 shapes its result sets. */
function fakeSpark(answers: Readonly<Record<string, Row[]>>): Connection & { sent: string[] } {
  const sent: string[] = [];
  return {
    kind: 'spark',
    sent,
    execute: () => Promise.resolve({}),
    query: (sql) => {
      sent.push(sql);
      return Promise.resolve(answers[sql] ?? []);
    },
    cancel: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

describe('Spark introspection', () => {
  it('finds tables and views with columns, schemas, and stale mdl temp relations; skips temp views and unasked tables', async () => {
    const conn = fakeSpark({
      'SHOW SCHEMAS': [{ namespace: 'default' }, { namespace: 'silver' }],
      'SHOW TABLES IN `silver`': [
        { namespace: 'silver', tableName: 'patients', isTemporary: false },
        { namespace: 'silver', tableName: 'stg_patients', isTemporary: false },
        { namespace: 'silver', tableName: 'patients__mdl_tmp_20240101_abc', isTemporary: false },
        { namespace: 'silver', tableName: 'other', isTemporary: false },
        { namespace: '', tableName: '__mdl_csv_x', isTemporary: true },
      ],
      'SHOW VIEWS IN `silver`': [
        { namespace: 'silver', viewName: 'stg_patients', isTemporary: false },
      ],
      'DESCRIBE TABLE `silver`.`patients`': [
        { col_name: 'id', data_type: 'bigint', comment: null },
        { col_name: 'reasons', data_type: 'array<string>', comment: null },
        { col_name: '', data_type: '', comment: '' },
        { col_name: '# Partition Information', data_type: '', comment: '' },
      ],
      'DESCRIBE TABLE `silver`.`stg_patients`': [
        { col_name: 'id', data_type: 'bigint', comment: null },
      ],
    });
    const rels = [
      { schema: 'silver', identifier: 'patients' },
      { schema: 'silver', identifier: 'stg_patients' },
      { schema: 'silver', identifier: 'missing' },
      { schema: 'gold', identifier: 'fact' },
    ];
    const got = await introspectSpark(conn, sparkDialect, rels, undefined);
    expect(got.relations.get(relationKey(rels[0]!))).toEqual({
      exists: true,
      kind: 'table',
      columns: [
        { name: 'id', type: 'bigint' },
        { name: 'reasons', type: 'array<string>' },
      ],
    });
    expect(got.relations.get(relationKey(rels[1]!))?.kind).toBe('view');
    expect(got.relations.has(relationKey(rels[2]!))).toBe(false);
    expect(got.relations.has(relationKey(rels[3]!))).toBe(false);
    expect(got.staleTemps.get(relationKey(rels[0]!))).toEqual([
      {
        relation: { schema: 'silver', identifier: 'patients__mdl_tmp_20240101_abc' },
        kind: 'table',
      },
    ]);
    expect(got.schemas.has('.silver')).toBe(true);
    expect(got.schemas.has('.gold')).toBe(false);
    // Only relations that were asked about are described; the missing gold schema is not listed.
    expect(conn.sent.filter((s) => s.startsWith('DESCRIBE'))).toHaveLength(2);
    expect(conn.sent.some((s) => s.includes('gold'))).toBe(false);
  });
});

import { describe, expect, test } from 'vitest';
import { duckdbDialect } from '../../runner/dialects/duckdb-dialect.js';
import type { MdlError } from '../../runner/errors/mdl-error.js';
import { snapshotSpec } from '../../runner/materializations/snapshot-config.js';
import {
  normalizeType,
  planSnapshotSchema,
} from '../../runner/materializations/snapshot-schema.js';
import { snapshotNode } from '../integration/snapshot-harness.js';

const cols = (...c: [string, string][]) => c.map(([name, type]) => ({ name, type }));
const meta = cols(
  ['scd_id', 'VARCHAR'],
  ['valid_from', 'TIMESTAMP'],
  ['valid_to', 'TIMESTAMP'],
  ['is_current', 'BOOLEAN'],
  ['snapshot_updated_at', 'TIMESTAMP'],
  ['inserted_at', 'TIMESTAMP'],
  ['modified_at', 'TIMESTAMP'],
);

describe('snapshot schema planning', () => {
  const node = snapshotNode({ unique_key: ['id'], strategy: 'check', check_cols: 'all' });
  const spec = snapshotSpec(node);

  test('type names compare through aliases and spacing', () => {
    expect(normalizeType('string')).toBe(normalizeType('VARCHAR'));
    expect(normalizeType('int')).toBe(normalizeType('INTEGER'));
    expect(normalizeType('STRUCT(a INTEGER, b VARCHAR)')).toBe(
      normalizeType('STRUCT(a INTEGER,b VARCHAR)'),
    );
    expect(normalizeType('BIGINT')).not.toBe(normalizeType('INTEGER'));
  });

  test('new, dropped and compared columns', () => {
    const plan = planSnapshotSchema(
      node,
      spec,
      cols(['id', 'INTEGER'], ['name', 'VARCHAR'], ['added', 'DATE']),
      [...cols(['id', 'INTEGER'], ['name', 'VARCHAR'], ['gone', 'VARCHAR']), ...meta],
      duckdbDialect,
    );
    expect(plan.columns).toEqual([
      { name: 'id', inSource: true, inTarget: true },
      { name: 'name', inSource: true, inTarget: true },
      { name: 'gone', inSource: false, inTarget: true },
      { name: 'added', inSource: true, inTarget: false },
    ]);
    expect(plan.addColumns).toEqual([{ name: 'added', type: 'DATE' }]);
    // The key is never compared; a column added this run is not compared yet.
    expect(plan.compareColumns).toEqual(['name']);
  });

  test('type change and a new key column are E_SCHEMA_CHANGE', () => {
    const run = (src: [string, string][], tgt: [string, string][]) => () =>
      planSnapshotSchema(node, spec, cols(...src), [...cols(...tgt), ...meta], duckdbDialect);
    expect(
      run(
        [
          ['id', 'INTEGER'],
          ['name', 'INTEGER'],
        ],
        [
          ['id', 'INTEGER'],
          ['name', 'VARCHAR'],
        ],
      ),
    ).toThrow(/changed type from VARCHAR to INTEGER/);
    try {
      run([['id', 'BIGINT']], [['id', 'INTEGER']])();
    } catch (err) {
      expect((err as MdlError).code).toBe('E_SCHEMA_CHANGE');
      expect((err as MdlError).hint).toContain('cast');
      return;
    }
    throw new Error('expected E_SCHEMA_CHANGE');
  });

  test('missing history columns are added with their types', () => {
    const nr = snapshotNode({ unique_key: ['id'], strategy: 'check', hard_deletes: 'new_record' });
    const plan = planSnapshotSchema(
      nr,
      snapshotSpec(nr),
      cols(['id', 'INTEGER']),
      [...cols(['id', 'INTEGER']), ...meta],
      duckdbDialect,
    );
    expect(plan.addColumns).toEqual([{ name: 'is_deleted', type: 'BOOLEAN' }]);
  });
});

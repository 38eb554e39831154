import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { SnapshotNode } from '../../runner/compiler/manifest.js';
import { duckdbDialect } from '../../runner/dialects/duckdb-dialect.js';
import { snapshotStrategy } from '../../runner/materializations/snapshot.js';
import type { MaterializationPlan, RelationState } from '../../runner/materializations/strategy.js';
import { snapshotNode } from '../integration/snapshot-harness.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'duckdb');
const cols = (...c: [string, string][]) => c.map(([name, type]) => ({ name, type }));

/** A plan as reviewable SQL text: one statement per step, with the transaction made explicit. */
function render(plan: MaterializationPlan): string {
  const out: string[] = [];
  if (plan.transaction) out.push('BEGIN TRANSACTION;');
  for (const s of plan.steps)
    out.push(
      `-- ${s.kind}: ${s.label}${s.failWith ? ` (fails with ${s.failWith.code})` : ''}\n${s.sql};`,
    );
  if (plan.transaction) out.push('COMMIT;');
  for (const s of plan.cleanup) out.push(`-- cleanup: ${s.label}\n${s.sql};`);
  return `${out.join('\n')}\n`;
}

function golden(name: string, text: string): void {
  const file = path.join(dir, `${name}.sql`);
  if (process.env.UPDATE_GOLDEN === '1') fs.writeFileSync(file, text);
  expect(fs.existsSync(file), `golden file ${file} missing (UPDATE_GOLDEN=1 writes it)`).toBe(true);
  expect(text).toBe(fs.readFileSync(file, 'utf8'));
}

const sel =
  'SELECT patient_id, datasource, first_name, dob, modified_date FROM "silver"."stg_patients"';
const selCols = cols(
  ['patient_id', 'VARCHAR'],
  ['datasource', 'VARCHAR'],
  ['first_name', 'VARCHAR'],
  ['dob', 'DATE'],
  ['modified_date', 'TIMESTAMP'],
);
const meta = (...extra: [string, string][]): [string, string][] => [
  ['scd_id', 'VARCHAR'],
  ['valid_from', 'TIMESTAMP'],
  ['valid_to', 'TIMESTAMP'],
  ['is_current', 'BOOLEAN'],
  ['snapshot_updated_at', 'TIMESTAMP'],
  ...extra,
  ['inserted_at', 'TIMESTAMP'],
  ['modified_at', 'TIMESTAMP'],
];

function plan(node: SnapshotNode, state: RelationState, selectColumns = selCols): string {
  return render(
    snapshotStrategy({
      node,
      dialect: duckdbDialect,
      state,
      selectSql: sel,
      selectColumns,
      options: { fullRefresh: false, runId: 'r1' },
    }),
  );
}

const key = { unique_key: ['patient_id', 'datasource'] };
const timestamp = { ...key, strategy: 'timestamp', updated_at: 'modified_date' };
const existing = (c: [string, string][]): RelationState => ({
  exists: true,
  kind: 'table',
  columns: cols(...c),
});

describe('golden DuckDB snapshot plans', () => {
  it('first run creates the table from the batch', () => {
    golden(
      'snapshot-first',
      plan(snapshotNode(timestamp, 'patients', 'silver'), { exists: false, columns: [] }),
    );
  });

  it('timestamp strategy with invalidate: one MERGE over a staged union', () => {
    const state = existing([...selCols.map((c): [string, string] => [c.name, c.type]), ...meta()]);
    golden(
      'snapshot-timestamp-invalidate',
      plan(snapshotNode({ ...timestamp, hard_deletes: 'invalidate' }, 'patients', 'silver'), state),
    );
  });

  it('check strategy with new_record and schema evolution (added + dropped column)', () => {
    const state = existing([
      ['patient_id', 'VARCHAR'],
      ['datasource', 'VARCHAR'],
      ['first_name', 'VARCHAR'],
      ['ssn', 'VARCHAR'],
      ['dob', 'DATE'],
      ...meta(['is_deleted', 'BOOLEAN']),
    ]);
    golden(
      'snapshot-check-new-record',
      plan(
        snapshotNode(
          { ...key, strategy: 'check', check_cols: 'all', hard_deletes: 'new_record' },
          'patients',
          'silver',
        ),
        state,
      ),
    );
  });

  it('check_cols list, renamed history columns, far-future valid_to', () => {
    const node = snapshotNode(
      {
        ...key,
        strategy: 'check',
        check_cols: ['first_name', 'dob'],
        valid_to_current: '9999-12-31',
        snapshot_meta_column_names: {
          valid_from: 'eff_from',
          valid_to: 'eff_to',
          is_current: 'current_flag',
        },
      },
      'patients',
      'silver',
    );
    const state = existing([
      ...selCols.map((c): [string, string] => [c.name, c.type]),
      ['scd_id', 'VARCHAR'],
      ['eff_from', 'TIMESTAMP'],
      ['eff_to', 'TIMESTAMP'],
      ['current_flag', 'BOOLEAN'],
      ['snapshot_updated_at', 'TIMESTAMP'],
      ['inserted_at', 'TIMESTAMP'],
      ['modified_at', 'TIMESTAMP'],
    ]);
    golden('snapshot-check-cols-renamed', plan(node, state));
  });
});

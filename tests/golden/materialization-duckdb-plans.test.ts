import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { duckdbDialect } from '../../runner/dialects/duckdb-dialect.js';
import { planDataTest } from '../../runner/materializations/data-test.js';
import { incrementalStrategy } from '../../runner/materializations/incremental.js';
import { seedStrategy } from '../../runner/materializations/seed.js';
import { inlineCtes } from '../../runner/materializations/select-sql.js';
import type { MaterializationPlan, RelationState } from '../../runner/materializations/strategy.js';
import { tableStrategy } from '../../runner/materializations/table.js';
import { viewStrategy } from '../../runner/materializations/view.js';
import { modelNode, seedNode, testNode } from '../helpers/node-factory.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'duckdb');
const options = { fullRefresh: false, runId: 'r1' };
const missing: RelationState = { exists: false, columns: [] };
const cols = (...c: [string, string][]) => c.map(([name, type]) => ({ name, type }));
const existing = (kind: 'table' | 'view', ...c: [string, string][]): RelationState => ({
  exists: true,
  kind,
  columns: cols(...c),
});

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

const sel = 'SELECT id, name, amount FROM "staging"."src"';
const selCols = cols(['id', 'INTEGER'], ['name', 'VARCHAR'], ['amount', 'DECIMAL(10,2)']);

describe('golden DuckDB plans', () => {
  const view = modelNode('v', sel, { materialized: 'view', schema: 'silver' });
  it('view', () => {
    golden(
      'view-create',
      render(
        viewStrategy({
          node: view,
          dialect: duckdbDialect,
          state: missing,
          selectSql: sel,
          selectColumns: [],
          options,
        }),
      ),
    );
    golden(
      'view-over-table',
      render(
        viewStrategy({
          node: view,
          dialect: duckdbDialect,
          state: existing('table'),
          selectSql: sel,
          selectColumns: [],
          options,
        }),
      ),
    );
  });

  const table = modelNode('t', sel, { materialized: 'table', schema: 'silver' });
  it('table', () => {
    golden(
      'table-first',
      render(
        tableStrategy({
          node: table,
          dialect: duckdbDialect,
          state: missing,
          selectSql: sel,
          selectColumns: [],
          options,
        }),
      ),
    );
    golden(
      'table-rebuild',
      render(
        tableStrategy({
          node: table,
          dialect: duckdbDialect,
          state: existing('table', ['id', 'INTEGER']),
          selectSql: sel,
          selectColumns: [],
          options,
        }),
      ),
    );
  });

  const inc = (cfg: Record<string, unknown>) =>
    modelNode('inc', sel, { materialized: 'incremental', schema: 'silver', ...cfg });
  const prev = existing(
    'table',
    ['id', 'INTEGER'],
    ['name', 'VARCHAR'],
    ['amount', 'DECIMAL(10,2)'],
  );
  it('incremental strategies', () => {
    const p = (
      cfg: Record<string, unknown>,
      state: RelationState,
      selectColumns = selCols,
      fullRefresh = false,
    ) =>
      render(
        incrementalStrategy({
          node: inc(cfg),
          dialect: duckdbDialect,
          state,
          selectSql: sel,
          selectColumns,
          options: { ...options, fullRefresh },
        }),
      );
    golden('incremental-first', p({ unique_key: ['id'] }, missing));
    golden('incremental-full-refresh', p({ unique_key: ['id'] }, prev, selCols, true));
    golden('incremental-merge', p({ unique_key: ['id'], incremental_strategy: 'merge' }, prev));
    golden(
      'incremental-merge-composite',
      p({ unique_key: ['id', 'name'], incremental_strategy: 'merge' }, prev),
    );
    golden(
      'incremental-delete-insert',
      p({ unique_key: ['id'], incremental_strategy: 'delete+insert' }, prev),
    );
    golden('incremental-append', p({ incremental_strategy: 'append' }, prev));
    const widened = [...selCols, { name: 'note', type: 'VARCHAR' }];
    const narrowed = existing(
      'table',
      ['id', 'INTEGER'],
      ['name', 'VARCHAR'],
      ['amount', 'DECIMAL(10,2)'],
      ['old', 'DATE'],
    );
    golden(
      'incremental-append-new-columns',
      p({ unique_key: ['id'], on_schema_change: 'append_new_columns' }, prev, widened),
    );
    golden(
      'incremental-sync-all-columns',
      p({ unique_key: ['id'], on_schema_change: 'sync_all_columns' }, narrowed, widened),
    );
    golden('incremental-ignore-schema-change', p({ unique_key: ['id'] }, narrowed, widened));
  });

  it('seed', () => {
    const seed = seedNode('cpt', 'seeds/cpt.csv', { column_types: { code: 'VARCHAR' } });
    const read = duckdbDialect.readCsvSelect('/p/seeds/cpt.csv', { code: 'VARCHAR' });
    const same = existing('table', ['code', 'VARCHAR'], ['descr', 'VARCHAR']);
    const sc = cols(['code', 'VARCHAR'], ['descr', 'VARCHAR']);
    golden(
      'seed-first',
      render(
        seedStrategy({
          node: seed,
          dialect: duckdbDialect,
          state: missing,
          selectSql: read,
          selectColumns: sc,
          options,
        }),
      ),
    );
    golden(
      'seed-reload',
      render(
        seedStrategy({
          node: seed,
          dialect: duckdbDialect,
          state: same,
          selectSql: read,
          selectColumns: sc,
          options,
        }),
      ),
    );
    golden(
      'seed-full-refresh',
      render(
        seedStrategy({
          node: seed,
          dialect: duckdbDialect,
          state: same,
          selectSql: read,
          selectColumns: sc,
          options: { ...options, fullRefresh: true },
        }),
      ),
    );
  });

  it('data tests', () => {
    const failing = 'SELECT id FROM "silver"."t" WHERE id IS NULL';
    const plain = planDataTest({
      node: testNode('not_null_t_id', failing, { limit: 100 }),
      dialect: duckdbDialect,
      selectSql: failing,
      targetSchema: 'main',
    });
    const stored = planDataTest({
      node: testNode('not_null_t_id', failing, { store_failures: true }),
      dialect: duckdbDialect,
      selectSql: failing,
      targetSchema: 'main',
    });
    const text = (p: typeof plain) =>
      `${p.storeSteps.map((s) => `${s.sql};`).join('\n')}${p.storeSteps.length > 0 ? '\n' : ''}${p.countSql};\n`;
    golden('data-test-count', text(plain));
    golden('data-test-store-failures', text(stored));
  });

  it('ephemeral CTE inlining', () => {
    const ctes = [
      { id: 'model.t.a', name: '__mdl_ephemeral__a', sql: 'SELECT 1 AS x;' },
      { id: 'model.t.b', name: '__mdl_ephemeral__b', sql: 'SELECT x FROM __mdl_ephemeral__a' },
    ];
    golden(
      'ephemeral-inline',
      `${inlineCtes('SELECT * FROM __mdl_ephemeral__b;\n', ctes)}\n---\n${inlineCtes('-- c\nWITH y AS (SELECT 2 AS x) SELECT * FROM y JOIN __mdl_ephemeral__b USING (x)', ctes)}\n`,
    );
  });
});

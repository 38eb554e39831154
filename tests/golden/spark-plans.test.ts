import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RelationName } from '../../runner/compiler/manifest.js';
import { databricksDialect } from '../../runner/dialects/databricks-dialect.js';
import { governanceConfig, governanceSteps } from '../../runner/dialects/databricks-governance.js';
import { sparkDialect, type SparkDialect } from '../../runner/dialects/spark-dialect.js';
import { relationDocs, tableDdlOptions } from '../../runner/dialects/table-options.js';
import { planDataTest } from '../../runner/materializations/data-test.js';
import { incrementalStrategy } from '../../runner/materializations/incremental.js';
import { seedStrategy } from '../../runner/materializations/seed.js';
import { snapshotStrategy } from '../../runner/materializations/snapshot.js';
import type { MaterializationPlan, RelationState } from '../../runner/materializations/strategy.js';
import { tableStrategy } from '../../runner/materializations/table.js';
import { viewStrategy } from '../../runner/materializations/view.js';
import { snapshotNode } from '../integration/snapshot-harness.js';
import { modelNode, seedNode, testNode } from '../helpers/node-factory.js';

// Golden SQL for the Spark (Delta) and Databricks (Unity Catalog) dialects: every
// materialization, snapshot, DDL option, grant and mask statement. UPDATE_GOLDEN=1 rewrites.
const here = path.dirname(fileURLToPath(import.meta.url));
const options = { fullRefresh: false, runId: 'r1' };
const missing: RelationState = { exists: false, columns: [] };
const cols = (...c: [string, string][]) => c.map(([name, type]) => ({ name, type }));
const existing = (kind: 'table' | 'view', ...c: [string, string][]): RelationState => ({
  exists: true,
  kind,
  columns: cols(...c),
});

function render(plan: MaterializationPlan): string {
  const out: string[] = [];
  // Spark/Delta has no transactions: the executor runs the steps one by one.
  const tx = plan.transaction && sparkDialect.capabilities.transactions;
  if (tx) out.push('BEGIN TRANSACTION;');
  for (const s of plan.steps)
    out.push(
      `-- ${s.kind}: ${s.label}${s.failWith ? ` (fails with ${s.failWith.code})` : ''}\n${s.sql};`,
    );
  if (tx) out.push('COMMIT;');
  for (const s of plan.cleanup) out.push(`-- cleanup: ${s.label}\n${s.sql};`);
  return `${out.join('\n')}\n`;
}
const statements = (list: readonly string[]): string => `${list.map((s) => `${s};`).join('\n')}\n`;

function golden(dialect: string, name: string, text: string): void {
  const file = path.join(here, dialect, `${name}.sql`);
  if (process.env.UPDATE_GOLDEN === '1') {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  expect(fs.existsSync(file), `golden file ${file} missing (UPDATE_GOLDEN=1 writes it)`).toBe(true);
  expect(text).toBe(fs.readFileSync(file, 'utf8'));
}

const variants: readonly { readonly dialect: SparkDialect; readonly catalog?: string }[] = [
  { dialect: sparkDialect },
  { dialect: databricksDialect, catalog: 'hc_prod' },
];

for (const { dialect, catalog } of variants) {
  const g = (name: string, text: string): void => golden(dialect.name, name, text);
  const rel = (schema: string, identifier: string): RelationName => ({
    ...(catalog === undefined ? {} : { catalog }),
    schema,
    identifier,
  });
  const src = dialect.relation(rel('staging', 'src'));
  const sel = `SELECT id, name, amount FROM ${src}`;
  const selCols = cols(['id', 'int'], ['name', 'string'], ['amount', 'decimal(10,2)']);
  const model = (name: string, cfg: Record<string, unknown>) => ({
    ...modelNode(name, sel, { schema: 'silver', ...cfg }),
    relation: rel('silver', name),
  });

  describe(`golden ${dialect.name} plans`, () => {
    it('view and table', () => {
      const view = model('v', { materialized: 'view' });
      g(
        'view-create',
        render(
          viewStrategy({
            node: view,
            dialect,
            state: missing,
            selectSql: sel,
            selectColumns: [],
            options,
          }),
        ),
      );
      g(
        'view-over-table',
        render(
          viewStrategy({
            node: view,
            dialect,
            state: existing('table'),
            selectSql: sel,
            selectColumns: [],
            options,
          }),
        ),
      );
      const table = model('t', { materialized: 'table' });
      g(
        'table-first',
        render(
          tableStrategy({
            node: table,
            dialect,
            state: missing,
            selectSql: sel,
            selectColumns: [],
            options,
          }),
        ),
      );
      g(
        'table-over-view',
        render(
          tableStrategy({
            node: table,
            dialect,
            state: existing('view'),
            selectSql: sel,
            selectColumns: [],
            options,
          }),
        ),
      );
    });

    it('table strategy carries partition_by / tblproperties into the CREATE', () => {
      const node = model('t_part', {
        materialized: 'table',
        partition_by: ['datasource'],
        tblproperties: { 'delta.enableChangeDataFeed': 'true' },
      });
      const plan = tableStrategy({
        node,
        dialect,
        state: existing('table', ['id', 'bigint']),
        selectSql: sel,
        selectColumns: [],
        options,
      });
      const create = plan.steps.find((st) => st.sql.includes('CREATE'));
      expect(create?.sql).toMatch(/PARTITIONED BY \(`datasource`\)/);
      expect(create?.sql).toContain("'delta.enableChangeDataFeed' = 'true'");
    });

    it('incremental strategies and schema changes', () => {
      const prev = existing(
        'table',
        ['id', 'int'],
        ['name', 'string'],
        ['amount', 'decimal(10,2)'],
      );
      const p = (
        cfg: Record<string, unknown>,
        state: RelationState,
        selectColumns = selCols,
        fullRefresh = false,
      ) =>
        render(
          incrementalStrategy({
            node: model('inc', { materialized: 'incremental', ...cfg }),
            dialect,
            state,
            selectSql: sel,
            selectColumns,
            options: { ...options, fullRefresh },
          }),
        );
      g('incremental-first', p({ unique_key: ['id'] }, missing));
      g('incremental-full-refresh', p({ unique_key: ['id'] }, prev, selCols, true));
      g('incremental-merge', p({ unique_key: ['id'], incremental_strategy: 'merge' }, prev));
      g(
        'incremental-merge-composite',
        p({ unique_key: ['id', 'name'], incremental_strategy: 'merge' }, prev),
      );
      g(
        'incremental-delete-insert',
        p({ unique_key: ['id'], incremental_strategy: 'delete+insert' }, prev),
      );
      g('incremental-append', p({ incremental_strategy: 'append' }, prev));
      const widened = [...selCols, { name: 'note', type: 'string' }];
      const narrowed = existing(
        'table',
        ['id', 'int'],
        ['name', 'string'],
        ['amount', 'decimal(10,2)'],
        ['old', 'date'],
      );
      g(
        'incremental-append-new-columns',
        p({ unique_key: ['id'], on_schema_change: 'append_new_columns' }, prev, widened),
      );
      g(
        'incremental-sync-all-columns',
        p({ unique_key: ['id'], on_schema_change: 'sync_all_columns' }, narrowed, widened),
      );
    });

    it('seed', () => {
      const seed = {
        ...seedNode('cpt', 'seeds/cpt.csv', { column_types: { code: 'VARCHAR' } }),
        relation: rel('main', 'cpt'),
      };
      const read = dialect.readCsvSelect('/p/seeds/cpt.csv', { code: 'VARCHAR' });
      const same = existing('table', ['code', 'string'], ['descr', 'string']);
      const sc = cols(['code', 'string'], ['descr', 'string']);
      g(
        'seed-first',
        render(
          seedStrategy({
            node: seed,
            dialect,
            state: missing,
            selectSql: read,
            selectColumns: sc,
            options,
          }),
        ),
      );
      g(
        'seed-reload',
        render(
          seedStrategy({
            node: seed,
            dialect,
            state: same,
            selectSql: read,
            selectColumns: sc,
            options,
          }),
        ),
      );
    });

    it('data tests', () => {
      const failing = `SELECT id FROM ${dialect.relation(rel('silver', 't'))} WHERE id IS NULL`;
      const stored = planDataTest({
        node: testNode('not_null_t_id', failing, { store_failures: true }),
        dialect,
        selectSql: failing,
        targetSchema: 'main',
      });
      g(
        'data-test-store-failures',
        `${stored.storeSteps.map((s) => `${s.sql};`).join('\n')}\n${stored.countSql};\n`,
      );
    });

    it('snapshots: first run and one MERGE per change set', () => {
      const snapCols = cols(
        ['patient_id', 'string'],
        ['datasource', 'string'],
        ['first_name', 'string'],
        ['dob', 'date'],
        ['modified_date', 'timestamp'],
      );
      const snapSel = `SELECT patient_id, datasource, first_name, dob, modified_date FROM ${dialect.relation(rel('silver', 'stg_patients'))}`;
      const meta: [string, string][] = [
        ['scd_id', 'string'],
        ['valid_from', 'timestamp'],
        ['valid_to', 'timestamp'],
        ['is_current', 'boolean'],
        ['snapshot_updated_at', 'timestamp'],
        ['inserted_at', 'timestamp'],
        ['modified_at', 'timestamp'],
      ];
      const cfg = {
        unique_key: ['patient_id', 'datasource'],
        strategy: 'timestamp',
        updated_at: 'modified_date',
        hard_deletes: 'invalidate',
      };
      const node = {
        ...snapshotNode(cfg, 'patients', 'silver'),
        relation: rel('silver', 'patients'),
      };
      const plan = (state: RelationState) =>
        render(
          snapshotStrategy({
            node,
            dialect,
            state,
            selectSql: snapSel,
            selectColumns: snapCols,
            options,
          }),
        );
      g('snapshot-first', plan(missing));
      g(
        'snapshot-timestamp-invalidate',
        plan(
          existing('table', ...snapCols.map((c): [string, string] => [c.name, c.type]), ...meta),
        ),
      );
    });

    it('DDL options, docs, external sources and DML helpers', () => {
      const t = rel('silver', 'transactions');
      const opts = tableDdlOptions(
        {
          materialized: 'table',
          enabled: true,
          tags: [],
          meta: {},
          partition_by: ['datasource'],
          tblproperties: { 'delta.enableChangeDataFeed': true },
        },
        "Revenue-cycle transactions (one row per line, it's SCD2)",
        { node: 'model.hc.transactions' },
      );
      const clustered = tableDdlOptions(
        {
          materialized: 'table',
          enabled: true,
          tags: [],
          meta: {},
          liquid_clustered_by: ['encounter_id', 'datasource'],
        },
        '',
        { node: 'model.hc.fact' },
      );
      const docs = relationDocs('Transactions', {
        amount: { name: 'amount', description: 'Billed amount in USD', meta: {}, tags: [] },
        note: { name: 'note', description: '', meta: {}, tags: [] },
      });
      g(
        'ddl-and-dml',
        statements([
          dialect.createSchemaIfNotExists(catalog, 'silver'),
          dialect.createTableAs(t, sel, { replace: true, table: opts }),
          dialect.createTableAs(rel('gold', 'fact'), sel, { replace: true, table: clustered }),
          dialect.renameRelation(t, 'transactions_old', 'table'),
          ...dialect.persistDocs(t, 'table', docs),
          ...dialect.persistDocs(rel('gold', 'v'), 'view', docs),
          dialect.createExternalSourceView(
            rel('bronze', 'hos_a_patients'),
            '/data/bronze/hos-a/patients/*/*.parquet',
            'parquet',
          ),
          dialect.insertOverwrite(t, ['id', 'name'], sel),
          dialect.replaceWhere(t, "datasource = 'hos-a'", ['id', 'name'], sel),
          dialect.addColumns(
            t,
            cols(['note', 'string'], ['quarantine_reasons', dialect.type('string[]')]),
          ),
          dialect.dropColumn(t, 'old'),
          dialect.deleteAll(t),
          dialect.setTblproperties(t, { 'delta.logRetentionDuration': 'interval 30 days' }),
          `SELECT ${dialect.hashExpressions(['a', 'b'])}, ${dialect.isDistinctFrom('a', 'b')}, ${dialect.arrayOfNonNull(["CASE WHEN dob IS NULL THEN 'missing_dob' END"])}, ${dialect.arrayLength('r')}, ${dialect.arrayOfNonNull([])}, ${dialect.stringLiteral("it's a \\ path")}, ${dialect.quoteIdentifier('we`ird')}`,
        ]),
      );
    });
  });
}

describe('golden databricks governance', () => {
  const d = databricksDialect;
  const t = { catalog: 'hc_prod', schema: 'silver', identifier: 'patients' };
  const columns = {
    patient_id: { name: 'patient_id', description: '', meta: {}, tags: [] },
    ssn: {
      name: 'ssn',
      description: '',
      meta: { phi: true, databricks_tags: { pii: 'ssn' } },
      tags: [],
    },
    first_name: { name: 'first_name', description: '', meta: { phi: true }, tags: [] },
    dob: { name: 'dob', description: '', meta: { phi: true }, tags: [] },
  };
  const config = {
    materialized: 'table' as const,
    enabled: true,
    tags: [],
    meta: {},
    grants: { select: ['analysts', 'data_engineers'], modify: ['data_engineers'] },
    phi_unmasked_group: 'phi_readers',
    row_filter: { function: 'hc_prod.governance.by_datasource', columns: ['datasource'] },
    databricks_tags: { domain: 'revenue-cycle', layer: 'silver' },
  };
  const types = {
    patient_id: 'string',
    ssn: 'string',
    first_name: 'string',
    dob: 'date',
    datasource: 'string',
  };

  it('first build: catalog, masks, row filter, tags, grants', () => {
    const cfg = governanceConfig('model.hc.patients', config, columns);
    const steps = governanceSteps(d, t, 'table', cfg, types, []);
    golden(
      'databricks',
      'governance-first-build',
      statements([
        d.createCatalogIfNotExists('hc_prod'),
        d.createSchemaIfNotExists('hc_prod', 'silver'),
        ...steps.map((s) => s.sql),
      ]),
    );
  });

  it('rebuild: only the grant difference is applied (revoke what is no longer configured)', () => {
    const cfg = governanceConfig(
      'model.hc.patients',
      { ...config, grants: { select: ['analysts'] } },
      columns,
    );
    const current = [
      { principal: 'analysts', privilege: 'SELECT' },
      { principal: 'data_engineers', privilege: 'SELECT' },
      { principal: 'data_engineers', privilege: 'MODIFY' },
      { principal: 'owner_group', privilege: 'OWN' },
    ];
    const steps = governanceSteps(d, t, 'table', cfg, types, current).filter((s) =>
      /^(GRANT|REVOKE)/.test(s.sql),
    );
    golden(
      'databricks',
      'governance-grant-diff',
      statements([d.showGrants(t), ...steps.map((s) => s.sql)]),
    );
  });
});

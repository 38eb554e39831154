import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';

/** Repo root (for bin/mdl.mjs). */
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A fixture project for the execution e2e suites, written to a temp dir. */
export function writeShopProject(files: Readonly<Record<string, string>> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mdl-shop-'));
  const all: Record<string, string> = {
    'project.yml': `name: shop
version: '1'
model-paths: [models]
seed-paths: [seeds]
macro-paths: [macros]
test-paths: [data-tests]
models:
  shop:
    silver:
      +schema: silver
      +materialized: table
    gold:
      +schema: gold
      +materialized: view
seeds:
  +schema: ref
`,
    'configs/targets.yml': `default: dev
targets:
  dev:
    type: duckdb
    path: data/warehouse/shop.duckdb
    schema: main
    threads: 2
`,
    'models/bronze/sources.yml': `version: 2
sources:
  - name: bronze
    schema: bronze
    tables:
      - name: orders
        external:
          location: data/bronze/orders/*/*.parquet
          file_format: parquet
`,
    'models/silver/stg_orders.sql': `{{ config(materialized='ephemeral') }}
select id, customer_id, amount, status, updated_at from {{ source('bronze', 'orders') }}
`,
    'models/silver/orders.sql': `{{ config(materialized='incremental', unique_key='id', incremental_strategy='merge') }}
select id, customer_id, amount, status, updated_at from {{ ref('stg_orders') }}
{% if is_incremental() %}
where updated_at > (select max(updated_at) from {{ this }})
{% endif %}
qualify row_number() over (partition by id order by updated_at desc) = 1
`,
    'models/silver/customers.sql': `select id, name from {{ ref('customer_seed') }}
`,
    'models/gold/customer_totals.sql': `select c.id as customer_id, c.name, coalesce(sum(o.amount), 0) as total
from {{ ref('customers') }} c left join {{ ref('orders') }} o on o.customer_id = c.id
group by all
`,
    'models/silver/schema.yml': `version: 2
models:
  - name: orders
    columns:
      - name: id
        tests: [unique, not_null]
      - name: status
        tests:
          - accepted_values:
              values: [placed, shipped, returned]
      - name: customer_id
        tests:
          - relationships:
              to: ref('customers')
              field: id
      - name: amount
        tests:
          - positive:
              config:
                severity: warn
  - name: customer_totals
    columns:
      - name: total
        tests:
          - expression_is_true:
              expression: '>= 0'
`,
    'macros/test_positive.sql': `{% macro test_positive(model, column_name) -%}
select {{ column_name }} from {{ model }} where {{ column_name }} <= 0
{%- endmacro %}
`,
    'data-tests/no_orders_without_status.sql': `select * from {{ ref('orders') }} where status is null
`,
    'seeds/customer_seed.csv': 'id,name\n1,"Zyxwv, Person"\n2,"Qqq ""Second"" Person"\n3,Third\n',
    ...files,
  };
  for (const [rel, text] of Object.entries(all)) {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
  }
  return dir;
}

/** Writes one bronze Parquet load of orders: rows `[id, customer_id, amount, status, updated_at]`. */
export async function writeOrdersLoad(
  dir: string,
  loadId: string,
  rows: readonly (readonly [number, number, number, string, number])[],
): Promise<void> {
  const out = path.join(dir, 'data/bronze/orders', `load_id=${loadId}`);
  fs.mkdirSync(out, { recursive: true });
  const inst = await DuckDBInstance.create(':memory:');
  const c = await inst.connect();
  const values = rows.map((r) => `(${r[0]}, ${r[1]}, ${r[2]}, '${r[3]}', ${r[4]})`).join(', ');
  await c.run(
    `COPY (SELECT * FROM (VALUES ${values}) AS v(id, customer_id, amount, status, updated_at)) TO '${path.join(out, 'part-0.parquet')}' (FORMAT parquet)`,
  );
  c.closeSync();
  inst.closeSync();
}

/** Runs the bundled CLI synchronously. */
export function mdl(
  dir: string,
  ...args: string[]
): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(
    process.execPath,
    [path.join(REPO, 'bin/mdl.mjs'), ...args, '--project-dir', dir],
    { encoding: 'utf8', cwd: dir, timeout: 120_000 },
  );
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Queries the warehouse after the CLI exited. */
export async function queryWarehouse(dir: string, sql: string): Promise<Record<string, unknown>[]> {
  const inst = await DuckDBInstance.create(path.join(dir, 'data/warehouse/shop.duckdb'));
  const c = await inst.connect();
  try {
    const r = await c.run(sql);
    return await r.getRowObjectsJS();
  } finally {
    c.closeSync();
    inst.closeSync();
  }
}

/** Build the CLI bundle once per suite. */
export function buildCli(): void {
  const r = spawnSync(process.execPath, [path.join(REPO, 'scripts/build.mjs')], {
    cwd: REPO,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`build failed: ${r.stderr}`);
}

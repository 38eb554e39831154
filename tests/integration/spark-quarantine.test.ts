import fs from 'node:fs';
import path from 'node:path';
import nunjucks from 'nunjucks';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import type { ModelNode } from '../../runner/compiler/manifest.js';
import type { Connection } from '../../runner/connections/connection.js';
import { SparkConnection } from '../../runner/connections/spark-connection.js';
import { sparkDialect } from '../../runner/dialects/spark-dialect.js';
import { applyQuarantine } from '../../runner/quarantine/apply.js';
import { normalizeQuarantine, renderQuarantineRules } from '../../runner/quarantine/normalize.js';
import {
  dropSchemas,
  requireSparkOrReport,
  sparkAvailable,
  sparkOptions,
  uniqueSchema,
} from './spark-service.js';

// quarantine-run.test.ts on Spark + Delta: the healthcare rule macros rendered for target type
// spark, and a quarantined table built as Delta with BOOLEAN + ARRAY<STRING> columns.
requireSparkOrReport('Spark quarantine');
vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });

const macroDir = path.resolve(__dirname, '../../macros/quarantine');
const macroText = fs
  .readdirSync(macroDir)
  .filter((f) => f.endsWith('.sql'))
  .sort()
  .map((f) => fs.readFileSync(path.join(macroDir, f), 'utf8'))
  .join('\n');
const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true });
const render = (call: string): string =>
  env.renderString(`${macroText}\n${call}`, { target: { type: 'spark' } });

let conn: Connection;
let schema: string;
beforeAll(async () => {
  if (!sparkAvailable) return;
  schema = uniqueSchema('mdl_q');
  conn = await SparkConnection.open(sparkOptions());
  await conn.execute(`CREATE SCHEMA ${schema}`);
});
afterAll(async () => {
  if (!sparkAvailable) return;
  await conn.close();
  await dropSchemas(schema);
});

/** Evaluates one rule over many literal values in ONE query (Spark statements are not free). */
async function badness(call: string, values: readonly string[]): Promise<(boolean | null)[]> {
  const rows = await conn.query(
    `SELECT i, ${render(call)} AS bad FROM (SELECT posexplode(array(${values.map((v) => `CAST(${v} AS STRING)`).join(', ')})) AS (i, v)) AS t ORDER BY i`,
  );
  return rows.map((r) => r.bad as boolean | null);
}

describe.runIf(sparkAvailable)('healthcare rule macros on Spark', () => {
  test('valid_npi (Luhn over 80840), ICD-10-CM and CPT/HCPCS shapes', async () => {
    const npiOk = ["'1234567893'", "'1245319599'", "' 1003000126 '", "'9999999995'"];
    const npiBad = [
      "'1234567890'",
      "'1234567894'",
      "'123456789'",
      "'12345678931'",
      "'12345A7893'",
      "''",
    ];
    expect(await badness("{{ quarantine_valid_npi('v') }}", [...npiOk, ...npiBad, 'NULL'])).toEqual(
      [...npiOk.map(() => false), ...npiBad.map(() => true), false],
    );
    const icdOk = ["'E11'", "'e11.9'", "'S72.001A'", "'Z3A10'", "'I10'"];
    const icdBad = ["'U07.1'", "'11E'", "'E1'", "'E11.12345'", "''"];
    expect(await badness("{{ quarantine_valid_icd10_cm('v') }}", [...icdOk, ...icdBad])).toEqual([
      ...icdOk.map(() => false),
      ...icdBad.map(() => true),
    ]);
    const cptOk = ["'99213'", "'0001F'", "'0042T'", "'J1100'", "' g0008 '"];
    const cptBad = ["'100'", "'9921'", "'W1234'", "'992134'", "'ABCDE'"];
    expect(await badness("{{ quarantine_valid_cpt_hcpcs('v') }}", [...cptOk, ...cptBad])).toEqual([
      ...cptOk.map(() => false),
      ...cptBad.map(() => true),
    ]);
  });

  test('every row is kept in a Delta table with its reasons in rule order', async () => {
    const source = `SELECT * FROM VALUES
      (1, 'Ann', DATE '1980-01-01', 'F', '1234567893'),
      (2, 'null', DATE '1990-05-05', 'X', '1234567890'),
      (3, NULL, NULL, 'M', NULL),
      (4, '', date_add(current_date(), 30), NULL, '1245319599')
      AS p(id, first_name, dob, gender, npi)`;
    const rules = renderQuarantineRules(
      normalizeQuarantine(
        {
          not_null: ['dob'],
          not_null_or_literal_null: ['first_name'],
          accepted_values: { gender: ['M', 'F'] },
          valid_npi: 'npi',
          plausible_dob: 'dob',
        },
        { node: 'model.p.m' },
      ),
      render,
    );
    const node: ModelNode = {
      resourceType: 'model',
      uniqueId: 'model.p.m',
      name: 'm',
      packageName: 'p',
      fqn: ['p', 'm'],
      originalFilePath: 'models/m.sql',
      line: 1,
      description: '',
      tags: [],
      meta: {},
      config: { materialized: 'table', enabled: true, tags: [], meta: {}, quarantine: rules },
      dependsOn: { nodes: [], macros: [] },
      columns: {},
      checksum: '0',
      relation: { schema, identifier: 'm' },
      rawSql: '',
      compiledSql: '',
      ctes: [],
    };
    await conn.execute(
      sparkDialect.createTableAs(node.relation, applyQuarantine(source, node, sparkDialect), {
        replace: true,
      }),
    );
    expect(
      await conn.query(
        `SELECT id, is_quarantined, quarantine_reasons FROM ${schema}.m ORDER BY id`,
      ),
    ).toEqual([
      { id: 1, is_quarantined: false, quarantine_reasons: [] },
      {
        id: 2,
        is_quarantined: true,
        quarantine_reasons: [
          'not_null_or_literal_null:first_name',
          'accepted_values:gender',
          'valid_npi:npi',
        ],
      },
      {
        id: 3,
        is_quarantined: true,
        quarantine_reasons: ['not_null:dob', 'not_null_or_literal_null:first_name'],
      },
      {
        id: 4,
        is_quarantined: true,
        quarantine_reasons: ['not_null_or_literal_null:first_name', 'plausible_dob:dob'],
      },
    ]);
    const described = await conn.query(`DESCRIBE TABLE ${schema}.m`);
    const typeOf = (c: string) => described.find((r) => r.col_name === c)?.data_type;
    expect(typeOf('is_quarantined')).toBe('boolean');
    expect(typeOf('quarantine_reasons')).toBe('array<string>');
  });
});

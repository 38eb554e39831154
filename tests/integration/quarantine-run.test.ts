import fs from 'node:fs';
import path from 'node:path';
import nunjucks from 'nunjucks';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Connection } from '../../runner/connections/connection.js';
import type { ModelNode, QuarantineRule } from '../../runner/compiler/manifest.js';
import { duckdbDialect } from '../../runner/dialects/duckdb-dialect.js';
import { applyQuarantine } from '../../runner/quarantine/apply.js';
import { quarantinedCountSql } from '../../runner/quarantine/count.js';
import { normalizeQuarantine, renderQuarantineRules } from '../../runner/quarantine/normalize.js';
import { memoryDb } from './snapshot-harness.js';

const macroDir = path.resolve(__dirname, '../../macros/quarantine');
const macroText = fs
  .readdirSync(macroDir)
  .filter((f) => f.endsWith('.sql'))
  .sort()
  .map((f) => fs.readFileSync(path.join(macroDir, f), 'utf8'))
  .join('\n');
const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true });

/** Renders a macro call the way the compiler does: macros are in scope of the template. */
function render(call: string, targetType = 'duckdb'): string {
  return env.renderString(`${macroText}\n${call}`, { target: { type: targetType } });
}

function model(rules: readonly QuarantineRule[] | undefined): ModelNode {
  return {
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
    config: {
      materialized: 'table',
      enabled: true,
      tags: [],
      meta: {},
      ...(rules === undefined ? {} : { quarantine: rules }),
    },
    dependsOn: { nodes: [], macros: [] },
    columns: {},
    checksum: '0',
    relation: { schema: 'main', identifier: 'm' },
    rawSql: '',
    compiledSql: '',
    ctes: [],
  };
}

let conn: Connection;
beforeAll(async () => {
  conn = await memoryDb();
});
afterAll(async () => {
  await conn.close();
});

async function isBad(call: string, value: string): Promise<boolean | null> {
  const rows = await conn.query(`SELECT ${render(call)} AS bad FROM (SELECT ${value} AS v) AS t`);
  return rows[0]?.bad as boolean | null;
}

describe('healthcare rule macros on DuckDB', () => {
  test('valid_npi: Luhn over the 80840 prefix', async () => {
    // Valid: CMS example 1234567893 and real registry-style numbers; bigint and text columns.
    for (const v of [
      "'1234567893'",
      '1234567893',
      "'1245319599'",
      "' 1003000126 '",
      '9999999995',
    ]) {
      expect(await isBad("{{ quarantine_valid_npi('v') }}", v), v).toBe(false);
    }
    // Invalid: wrong check digit, 9/11 digits, letters, empty, negative.
    for (const v of [
      "'1234567890'",
      '1234567894',
      "'123456789'",
      "'12345678931'",
      "'12345A7893'",
      "''",
      '-1234567893',
    ]) {
      expect(await isBad("{{ quarantine_valid_npi('v') }}", v), v).toBe(true);
    }
    expect(await isBad("{{ quarantine_valid_npi('v') }}", 'CAST(NULL AS BIGINT)')).toBe(false);
  });

  test('valid_npi agrees with a reference Luhn implementation on 500 random numbers', async () => {
    const luhnOk = (npi: string): boolean => {
      const digits = `80840${npi}`.split('').map(Number).reverse();
      const sum = digits.reduce(
        (acc, d, i) => acc + (i % 2 === 1 ? (d * 2 > 9 ? d * 2 - 9 : d * 2) : d),
        0,
      );
      return sum % 10 === 0;
    };
    const values: string[] = [];
    let seed = 42;
    for (let i = 0; i < 500; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      values.push(String(1_000_000_000 + (seed % 999_999_999)).slice(0, 10));
    }
    const rows = await conn.query(
      `SELECT v, ${render("{{ quarantine_valid_npi('v') }}")} AS bad FROM (SELECT unnest([${values.map((v) => `'${v}'`).join(', ')}]) AS v) AS t`,
    );
    const mismatches = rows.filter((r) => (r.bad as boolean) === luhnOk(String(r.v)));
    expect(rows.length).toBe(500);
    expect(rows.filter((r) => r.bad === false).length).toBeGreaterThan(20);
    expect(mismatches).toEqual([]);
  });

  test('ICD-10-CM and CPT/HCPCS shapes', async () => {
    for (const v of ["'E11'", "'e11.9'", "'S72.001A'", "'Z3A10'", "'I10'"]) {
      expect(await isBad("{{ quarantine_valid_icd10_cm('v') }}", v), v).toBe(false);
    }
    for (const v of ["'U07.1'", "'11E'", "'E1'", "'E11.12345'", "''"]) {
      expect(await isBad("{{ quarantine_valid_icd10_cm('v') }}", v), v).toBe(true);
    }
    for (const v of ['99213', "'0001F'", "'0042T'", "'J1100'", "' g0008 '"]) {
      expect(await isBad("{{ quarantine_valid_cpt_hcpcs('v') }}", v), v).toBe(false);
    }
    for (const v of ['100', "'9921'", "'W1234'", "'992134'", "'ABCDE'"]) {
      expect(await isBad("{{ quarantine_valid_cpt_hcpcs('v') }}", v), v).toBe(true);
    }
  });

  test('spark rendering uses RLIKE, duckdb regexp_full_match', () => {
    expect(render("{{ quarantine_valid_icd10_cm('icd') }}", 'spark')).toContain('RLIKE');
    expect(render("{{ quarantine_valid_icd10_cm('icd') }}")).toContain('regexp_full_match');
  });

  test('plausible dates', async () => {
    expect(await isBad("{{ quarantine_plausible_dob('v') }}", 'current_date + 1')).toBe(true);
    expect(await isBad("{{ quarantine_plausible_dob('v') }}", "DATE '1980-02-29'")).toBe(false);
    const sp = (s: string, p: string): Promise<boolean | null> =>
      conn
        .query(
          `SELECT ${render("{{ quarantine_service_before_paid(service_date='s', paid_date='p') }}")} AS bad FROM (SELECT ${s} AS s, ${p} AS p) AS t`,
        )
        .then((r) => r[0]?.bad as boolean | null);
    expect(await sp("DATE '2024-03-02'", "DATE '2024-03-01'")).toBe(true);
    expect(await sp("DATE '2024-03-01'", "DATE '2024-03-01'")).toBe(false);
    expect(await sp("DATE '2024-03-02'", 'CAST(NULL AS DATE)')).toBe(false);
  });
});

describe('applyQuarantine on a real run', () => {
  const source = `SELECT * FROM (VALUES
      (1, 'Ann', DATE '1980-01-01', 'F', '1234567893'),
      (2, 'null', DATE '1990-05-05', 'X', '1234567890'),
      (3, NULL, NULL, 'M', NULL),
      (4, '', current_date + 30, NULL, '1245319599')
    ) AS p(id, first_name, dob, gender, npi)`;

  test('every row is kept and carries its reasons in rule order', async () => {
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
      (t) => render(t),
    );
    const node = model(rules);
    const sql = applyQuarantine(source, node, duckdbDialect);
    await conn.execute(`CREATE OR REPLACE TABLE main.m AS ${sql}`);
    const rows = await conn.query(
      'SELECT id, is_quarantined, quarantine_reasons FROM main.m ORDER BY id',
    );
    expect(rows).toEqual([
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
    const types = await conn.query(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'm' AND column_name IN ('is_quarantined', 'quarantine_reasons') ORDER BY column_name",
    );
    expect(types).toEqual([
      { column_name: 'is_quarantined', data_type: 'BOOLEAN' },
      { column_name: 'quarantine_reasons', data_type: 'VARCHAR[]' },
    ]);
    const count = await conn.query(quarantinedCountSql(node, duckdbDialect) ?? 'SELECT NULL');
    expect(Number(count[0]?.quarantined)).toBe(3);
  });

  test('empty rule list adds clean columns; no config leaves the SELECT untouched', async () => {
    expect(applyQuarantine(source, model(undefined), duckdbDialect)).toBe(source);
    const rows = await conn.query(
      `SELECT count(*) AS n, count(*) FILTER (WHERE is_quarantined) AS q, max(len(quarantine_reasons)) AS l FROM (${applyQuarantine(source, model([]), duckdbDialect)})`,
    );
    expect(rows[0]).toEqual({ n: 4n, q: 0n, l: 0n });
  });

  test('an unrendered macro rule is a clear E_CONFIG, not a SQL error', () => {
    const node = model([{ name: 'valid_npi:npi', when: "{{ quarantine_valid_npi('npi') }}" }]);
    expect(() => applyQuarantine(source, node, duckdbDialect)).toThrow(/not rendered/);
  });
});

/**
 * Quarantine through the real compiler: YAML rules are normalised by postProcessConfig, templated
 * expressions call the healthcare macros from macros/quarantine, and the compiled model run on
 * DuckDB carries the reasons.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import type { ModelNode } from '../../runner/compiler/manifest.js';
import { duckdbDialect } from '../../runner/dialects/duckdb-dialect.js';
import { applyQuarantine } from '../../runner/quarantine/apply.js';
import { compileFiles, node, problemsOf } from '../helpers/temp-project.js';
import { memoryDb } from './snapshot-harness.js';

const macroDir = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../macros/quarantine',
);
const macros = Object.fromEntries(
  fs
    .readdirSync(macroDir)
    .map((f) => [`macros/quarantine/${f}`, fs.readFileSync(path.join(macroDir, f), 'utf8')]),
);

describe('quarantine config through the compiler', () => {
  test('YAML rules are normalised; templated expressions render the healthcare macros', async () => {
    const { manifest } = await compileFiles({
      ...macros,
      'models/providers.sql':
        "select * from (values (1, 'Ann', '1234567893', 'E11.9'), (2, 'null', '1234567890', 'U07.1')) as p(id, first_name, npi, icd)",
      'models/providers.yml': [
        'version: 2',
        'models:',
        '  - name: providers',
        '    config:',
        '      materialized: table',
        '      quarantine:',
        '        not_null_or_literal_null: [first_name]',
        '        expression:',
        `          valid_npi: "{{ quarantine_valid_npi('npi') }}"`,
        `          valid_icd10_cm: "{{ quarantine_valid_icd10_cm('icd') }}"`,
        '',
      ].join('\n'),
    });
    const n = node(manifest, 'model.proj.providers') as ModelNode;
    expect(n.config.quarantine?.map((r) => r.name)).toEqual([
      'not_null_or_literal_null:first_name',
      'valid_npi',
      'valid_icd10_cm',
    ]);
    expect(n.config.quarantine?.every((r) => !r.when.includes('{{'))).toBe(true);
    const conn = await memoryDb();
    try {
      const rows = await conn.query(
        `SELECT id, quarantine_reasons AS r FROM (${applyQuarantine(n.compiledSql, n, duckdbDialect)}) ORDER BY id`,
      );
      expect(rows).toEqual([
        { id: 1, r: [] },
        { id: 2, r: ['not_null_or_literal_null:first_name', 'valid_npi', 'valid_icd10_cm'] },
      ]);
    } finally {
      await conn.close();
    }
  });

  test('macro shortcut rules (valid_npi: npi) are expanded and rendered by the compiler', async () => {
    const { manifest } = await compileFiles({
      ...macros,
      'models/npis.sql':
        "select * from (values (1, '1234567893'), (2, '1234567890')) as p(id, npi)",
      'models/npis.yml': [
        'version: 2',
        'models:',
        '  - name: npis',
        '    config:',
        '      materialized: table',
        '      quarantine:',
        '        valid_npi: npi',
        '',
      ].join('\n'),
    });
    const n = node(manifest, 'model.proj.npis') as ModelNode;
    expect(n.config.quarantine?.length).toBe(1);
    expect(n.config.quarantine?.[0]?.when.includes('{{')).toBe(false);
    const conn = await memoryDb();
    try {
      const rows = await conn.query(
        `SELECT id, is_quarantined AS q FROM (${applyQuarantine(n.compiledSql, n, duckdbDialect)}) ORDER BY id`,
      );
      expect(rows).toEqual([
        { id: 1, q: false },
        { id: 2, q: true },
      ]);
    } finally {
      await conn.close();
    }
  });

  test('an invalid quarantine shape is an E_CONFIG diagnostic at the model', async () => {
    const problems = await problemsOf(
      compileFiles({
        'models/m.sql': "{{ config(quarantine={'not_null': 'bad column'}) }}\nselect 1 as a",
      }),
    );
    expect(problems.map((p) => p.code)).toContain('E_CONFIG');
    const p = problems.find((x) => x.message.includes('plain column name'));
    expect(p?.file).toBe('models/m.sql');
  });
});

import { describe, expect, test } from 'vitest';
import { MdlError } from '../../runner/errors/mdl-error.js';
import {
  normalizeQuarantine,
  preNormalizeQuarantine,
  renderQuarantineRules,
} from '../../runner/quarantine/normalize.js';

const where = { file: 'models/silver/patients.yml', line: 7, node: 'model.p.patients' };

function expectConfigError(raw: unknown, fragment: string): void {
  try {
    normalizeQuarantine(raw, where);
  } catch (err) {
    expect(err).toBeInstanceOf(MdlError);
    const e = err as MdlError;
    expect(e.code).toBe('E_CONFIG');
    expect(e.file).toBe('models/silver/patients.yml');
    expect(e.line).toBe(7);
    expect(e.hint).toContain('quarantine');
    expect(e.message).toContain(fragment);
    return;
  }
  throw new Error('expected E_CONFIG');
}

describe('normalizeQuarantine', () => {
  test('all built-in forms become named rules in declaration order', () => {
    const rules = normalizeQuarantine(
      {
        not_null: ['patient_id', 'dob'],
        not_null_or_literal_null: 'first_name',
        accepted_values: { gender: ['M', 'F'], dept: [1, 2] },
        expression: { future_dob: 'dob > current_date' },
      },
      where,
    );
    expect(rules).toEqual([
      { name: 'not_null:patient_id', when: 'patient_id IS NULL' },
      { name: 'not_null:dob', when: 'dob IS NULL' },
      {
        name: 'not_null_or_literal_null:first_name',
        when: "(first_name IS NULL OR lower(trim(CAST(first_name AS STRING))) IN ('null', ''))",
      },
      { name: 'accepted_values:gender', when: "(gender IS NOT NULL AND gender NOT IN ('M', 'F'))" },
      { name: 'accepted_values:dept', when: '(dept IS NOT NULL AND dept NOT IN (1, 2))' },
      { name: 'future_dob', when: 'dob > current_date' },
    ]);
  });

  test('expression as string, list of strings and list of {name, when}', () => {
    expect(normalizeQuarantine({ expression: 'amount < 0' }, where)).toEqual([
      { name: 'expression', when: 'amount < 0' },
    ]);
    expect(
      normalizeQuarantine(
        { expression: ['a < 0', { name: 'neg_b', when: 'b < 0' }, { neg_c: 'c < 0' }] },
        where,
      ).map((r) => r.name),
    ).toEqual(['expression_1', 'neg_b', 'neg_c']);
  });

  test('macro rules: one per column, keyword form, then rendered by a renderer', () => {
    const rules = normalizeQuarantine(
      [
        { valid_npi: ['npi', 'referring_npi'] },
        { service_before_paid: { service_date: 'service_date', paid_date: 'paid_date' } },
      ],
      where,
    );
    expect(rules).toEqual([
      { name: 'valid_npi:npi', when: "{{ quarantine_valid_npi('npi') }}" },
      { name: 'valid_npi:referring_npi', when: "{{ quarantine_valid_npi('referring_npi') }}" },
      {
        name: 'service_before_paid:service_date,paid_date',
        when: "{{ quarantine_service_before_paid(service_date='service_date', paid_date='paid_date') }}",
      },
    ]);
    const rendered = renderQuarantineRules(rules, (t) => ` R(${t.length}) `);
    expect(rendered[0]).toEqual({ name: 'valid_npi:npi', when: 'R(33)' });
  });

  test('already normalised input is kept, so normalising twice is harmless', () => {
    const once = normalizeQuarantine({ not_null: ['a'] }, where);
    expect(normalizeQuarantine(once, where)).toEqual(once);
    expect(normalizeQuarantine(undefined, where)).toEqual([]);
  });

  test('invalid shapes are E_CONFIG with the location', () => {
    expectConfigError('not_null', 'mapping');
    expectConfigError({ not_null: [] }, 'column name');
    expectConfigError({ not_null: ['a b'] }, 'plain column name');
    expectConfigError({ accepted_values: ['M'] }, 'accepted_values must map');
    expectConfigError({ accepted_values: { g: [] } }, 'non-empty');
    expectConfigError({ accepted_values: { g: ["O'Brien"] } }, 'without quotes');
    expectConfigError({ expression: 42 }, 'expression must be');
    expectConfigError({ expression: { 'bad name': 'x' } }, 'plain name');
    expectConfigError([{ not_null: ['a'] }, { not_null: ['a'] }], 'declared twice');
    expectConfigError({ 'valid-npi': 'npi' }, "unknown quarantine rule 'valid-npi'");
  });
});

describe('preNormalizeQuarantine', () => {
  test('normalises valid input and returns invalid input unchanged for later reporting', () => {
    expect(preNormalizeQuarantine({ valid_npi: 'npi' }, where)).toEqual([
      { name: 'valid_npi:npi', when: "{{ quarantine_valid_npi('npi') }}" },
    ]);
    const bad = { not_null: [] };
    expect(preNormalizeQuarantine(bad, where)).toBe(bad);
  });
});

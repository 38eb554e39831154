import { describe, expect, it } from 'vitest';
import type { IndirectSelection } from '../../runner/graph/selection-criteria.js';
import { selectNodes } from '../../runner/graph/select.js';
import { healthcareManifest, shortNames } from '../helpers/manifest-factory.js';

const m = healthcareManifest();

function sel(
  mode: IndirectSelection | undefined,
  select: string[],
  exclude: string[] = [],
): string[] {
  return shortNames(
    selectNodes(
      m,
      { select, exclude, ...(mode === undefined ? {} : { indirectSelection: mode }) },
      [],
    ),
  );
}

describe('indirect selection of tests', () => {
  it('eager (the default): a test joins when ANY node it depends on is selected', () => {
    const expected = [
      'dim_patient',
      'relationships_fact_transactions_patient_key',
      'unique_dim_patient_patient_key',
    ];
    expect(sel(undefined, ['dim_patient'])).toEqual(expected);
    expect(sel('eager', ['dim_patient'])).toEqual(expected);
  });

  it('eager: a test is dropped when any node it depends on is excluded', () => {
    expect(sel('eager', ['dim_patient'], ['fact_transactions'])).toEqual([
      'dim_patient',
      'unique_dim_patient_patient_key',
    ]);
    // gold selects the relationships test directly (it lives in gold/schema.yml), but excluding
    // fact_transactions still removes it: the exclude side is expanded the same way.
    expect(sel('eager', ['gold'], ['fact_transactions'])).toEqual([
      'dim_patient',
      'kpi_ar_aging',
      'kpi_denials',
      'unique_dim_patient_patient_key',
    ]);
  });

  it('cautious: a test joins only when ALL nodes it depends on are selected', () => {
    expect(sel('cautious', ['dim_patient'])).toEqual([
      'dim_patient',
      'unique_dim_patient_patient_key',
    ]);
    expect(sel('cautious', ['dim_patient fact_transactions'])).toEqual([
      'assert_positive_amounts',
      'dim_patient',
      'fact_transactions',
      'relationships_fact_transactions_patient_key',
      'unique_dim_patient_patient_key',
    ]);
    expect(sel('cautious', ['dim_patient', 'fact_transactions'], ['dim_patient'])).toEqual([
      'assert_positive_amounts',
      'fact_transactions',
    ]);
  });

  it('empty: no test joins unless a selector matches it directly', () => {
    expect(sel('empty', ['dim_patient'])).toEqual(['dim_patient']);
    expect(sel('empty', ['dim_patient test_name:unique'])).toEqual([
      'dim_patient',
      'unique_dim_patient_patient_key',
    ]);
  });

  it('selecting a source pulls in its tests', () => {
    expect(sel('eager', ['source:emr.patients'])).toEqual([
      'emr.patients',
      'not_null_emr_patients',
    ]);
  });

  it('intersections keep tests attached to nodes in every part', () => {
    expect(sel('eager', ['tag:phi,silver'])).toEqual(['not_null_patients_patient_id', 'patients']);
  });
});

import { describe, expect, it } from 'vitest';
import type { SelectionCriteria } from '../../runner/graph/selection-criteria.js';
import { selectNodes } from '../../runner/graph/select.js';
import { healthcareManifest, shortNames } from '../helpers/manifest-factory.js';

const m = healthcareManifest();

function sel(
  select: string[],
  exclude: string[] = [],
  extra: Partial<SelectionCriteria> = {},
): string[] {
  return shortNames(selectNodes(m, { select, exclude, indirectSelection: 'empty', ...extra }, []));
}

const models = { resourceTypes: ['model', 'source', 'seed'] as const };

describe('graph operators', () => {
  it('+x selects all ancestors', () => {
    expect(sel(['+dim_patient'])).toEqual(['dim_patient', 'emr.patients', 'patients']);
  });

  it('n+x limits ancestors to n generations', () => {
    expect(sel(['1+dim_patient'])).toEqual(['dim_patient', 'patients']);
    expect(sel(['2+kpi_ar_aging'])).toEqual([
      'claims',
      'dim_patient',
      'encounters',
      'fact_transactions',
      'kpi_ar_aging',
    ]);
    expect(sel(['0+kpi_ar_aging'])).toEqual(['kpi_ar_aging']);
  });

  it('x+ selects all descendants, tests included', () => {
    expect(sel(['dim_patient+'])).toEqual([
      'assert_positive_amounts',
      'dim_patient',
      'fact_transactions',
      'kpi_ar_aging',
      'kpi_denials',
      'relationships_fact_transactions_patient_key',
      'unique_dim_patient_patient_key',
    ]);
  });

  it('x+n limits descendants to n generations', () => {
    expect(sel(['silver.patients+1'])).toEqual([
      'dim_patient',
      'not_null_patients_patient_id',
      'patients',
    ]);
    // `patients` also names the source emr.patients (dbt fqn rule), whose child is the model.
    expect(sel(['patients+1'])).toContain('emr.patients');
    expect(sel(['silver.patients+2'], [], { resourceTypes: ['model'] })).toEqual([
      'dim_patient',
      'fact_transactions',
      'patients',
    ]);
  });

  it('n+x+n combines both directions', () => {
    expect(sel(['1+fact_transactions+1'], [], { resourceTypes: ['model'] })).toEqual([
      'claims',
      'dim_patient',
      'encounters',
      'fact_transactions',
      'kpi_ar_aging',
      'kpi_denials',
    ]);
  });

  it('@x selects x, its descendants and all ancestors of those', () => {
    expect(sel(['@claims'], [], models)).toEqual([
      'claims',
      'claims.claims',
      'dim_patient',
      'emr.encounters',
      'emr.patients',
      'encounters',
      'fact_transactions',
      'kpi_ar_aging',
      'kpi_denials',
      'patients',
    ]);
    // cpt has no descendants with other parents: @ adds only its own ancestors.
    expect(sel(['@cpt'])).toEqual(['cpt', 'cpt_codes']);
  });

  it('silver+ lists silver models and everything downstream', () => {
    expect(sel(['silver+'], [], { resourceTypes: ['model'] })).toEqual([
      'claims',
      'cpt',
      'dim_patient',
      'encounters',
      'fact_transactions',
      'kpi_ar_aging',
      'kpi_denials',
      'patients',
    ]);
  });

  it('applies operators to method atoms: +tag:kpi, source:emr+1', () => {
    expect(sel(['tag:kpi+'])).toEqual(['kpi_ar_aging', 'kpi_denials']);
    expect(sel(['source:emr+1'])).toEqual([
      'emr.encounters',
      'emr.patients',
      'encounters',
      'not_null_emr_patients',
      'patients',
    ]);
    expect(sel(['+tag:kpi'], [], { resourceTypes: ['seed'] })).toEqual([]);
  });
});

describe('set operations', () => {
  it('unions space-separated atoms and repeated --select items', () => {
    expect(sel(['patients cpt'], [], { resourceTypes: ['model'] })).toEqual(['cpt', 'patients']);
    expect(sel(['patients', 'cpt'], [], { resourceTypes: ['model'] })).toEqual(['cpt', 'patients']);
    expect(sel(['  patients\tcpt  '], [], { resourceTypes: ['model'] })).toEqual([
      'cpt',
      'patients',
    ]);
  });

  it('intersects comma-separated atoms', () => {
    expect(sel(['tag:phi,silver'])).toEqual(['patients']);
    expect(sel(['tag:phi,resource_type:model'])).toEqual(['dim_patient', 'patients']);
    expect(sel(['silver+,tag:finance'])).toEqual(['claims', 'fact_transactions', 'kpi_ar_aging']);
    expect(sel(['tag:phi,tag:finance'])).toEqual([]);
  });

  it('mixes unions of intersections', () => {
    expect(sel(['tag:phi,silver tag:kpi,kpi_denials'])).toEqual(['kpi_denials', 'patients']);
  });

  it('subtracts --exclude, which takes the same grammar', () => {
    expect(sel(['silver+'], ['gold.kpi'], { resourceTypes: ['model'] })).toEqual([
      'claims',
      'cpt',
      'dim_patient',
      'encounters',
      'fact_transactions',
      'patients',
    ]);
    expect(sel(['silver'], ['+encounters tag:phi'], { resourceTypes: ['model'] })).toEqual([
      'claims',
      'cpt',
    ]);
    expect(sel(['gold'], ['fact_transactions+'], { resourceTypes: ['model'] })).toEqual([
      'dim_patient',
    ]);
    expect(sel([], ['silver+', 'bronze'])).toEqual(['cpt_codes']);
  });
});

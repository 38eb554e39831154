import { describe, expect, it } from 'vitest';
import type { SelectionCriteria } from '../../runner/graph/selection-criteria.js';
import { selectNodes, selectNodesDetailed } from '../../runner/graph/select.js';
import { healthcareManifest, manifestOf, model, shortNames } from '../helpers/manifest-factory.js';

const m = healthcareManifest();

/** Selection with indirect test selection off, so each method is seen on its own. */
function direct(select: string, extra: Partial<SelectionCriteria> = {}): string[] {
  return shortNames(
    selectNodes(m, { select: [select], exclude: [], indirectSelection: 'empty', ...extra }, []),
  );
}

describe('selector methods', () => {
  it('selects by plain node name (sources whose table has that name too, as in dbt)', () => {
    expect(direct('patients')).toEqual(['emr.patients', 'patients']);
    expect(direct('patients', { resourceTypes: ['model'] })).toEqual(['patients']);
    expect(direct('fqn:dim_patient')).toEqual(['dim_patient']);
  });

  it('selects a folder by fqn: everything under models/silver, including its tests', () => {
    expect(direct('silver')).toEqual([
      'accepted_values_claims_status',
      'claims',
      'cpt',
      'encounters',
      'not_null_patients_patient_id',
      'patients',
    ]);
    expect(direct('gold.kpi')).toEqual(['kpi_ar_aging', 'kpi_denials']);
    expect(direct('proj.gold.kpi')).toEqual(['kpi_ar_aging', 'kpi_denials']);
  });

  it('selects by dotted fqn and fqn wildcards', () => {
    expect(direct('silver.patients')).toEqual(['patients']);
    expect(direct('gold.kpi.*')).toEqual(['kpi_ar_aging', 'kpi_denials']);
    expect(direct('gold.*_patient')).toEqual(['dim_patient']);
    expect(direct('silver.patients.x')).toEqual([]);
  });

  it('matches name wildcards * and ?', () => {
    expect(direct('kpi_*')).toEqual(['kpi_ar_aging', 'kpi_denials']);
    expect(direct('c?t')).toEqual(['cpt']);
    expect(direct('fqn:*dim*')).toEqual(['dim_patient', 'unique_dim_patient_patient_key']);
  });

  it('selects by tag, from node tags and config tags, with wildcards', () => {
    expect(direct('tag:phi')).toEqual(['dim_patient', 'emr.patients', 'patients']);
    expect(direct('tag:fin*')).toEqual(['claims', 'fact_transactions', 'kpi_ar_aging']);
    expect(direct('tag:nope')).toEqual([]);
  });

  it('selects by path: file, folder, trailing slash, ./ and globs', () => {
    expect(direct('path:models/silver/patients.sql')).toEqual(['patients']);
    expect(direct('path:models/gold/kpi')).toEqual(['kpi_ar_aging', 'kpi_denials']);
    expect(direct('path:./models/gold/kpi/')).toEqual(['kpi_ar_aging', 'kpi_denials']);
    expect(direct('path:models/*/kpi_*.sql')).toEqual([]);
    expect(direct('path:models/**/kpi_*.sql')).toEqual(['kpi_ar_aging', 'kpi_denials']);
    expect(direct('path:data-tests')).toEqual(['assert_positive_amounts']);
    // A path-looking value without a method uses the path method.
    expect(direct('models/gold/kpi/kpi_denials.sql')).toEqual(['kpi_denials']);
    // The YAML file of sources and generic tests.
    expect(direct('path:models/bronze/sources.yml')).toEqual([
      'claims.claims',
      'emr.encounters',
      'emr.patients',
    ]);
  });

  it('selects by file name with or without extension', () => {
    expect(direct('file:cpt.sql')).toEqual(['cpt']);
    expect(direct('file:cpt_codes')).toEqual(['cpt_codes']);
  });

  it('selects by any config key, nested meta keys, lists and booleans', () => {
    expect(direct('config.materialized:incremental')).toEqual(['claims', 'fact_transactions']);
    expect(direct('config.materialized:table', { resourceTypes: ['model'] })).toEqual([
      'dim_patient',
      'encounters',
      'patients',
    ]);
    expect(direct('config.meta.pii:true')).toEqual(['dim_patient', 'patients']);
    expect(direct('config.meta.owner:rcm')).toEqual(['patients']);
    expect(direct('config.unique_key:claim_id')).toEqual(['claims']);
    expect(direct('config.incremental_strategy:merge')).toEqual(['claims']);
    expect(direct('config.severity:warn')).toEqual(['accepted_values_claims_status']);
    expect(direct('config.tags:codes')).toEqual(['cpt', 'cpt_codes']);
    expect(direct('config.meta.missing:x')).toEqual([]);
  });

  it('selects by resource_type', () => {
    expect(direct('resource_type:seed')).toEqual(['cpt_codes']);
    expect(direct('resource_type:source')).toEqual([
      'claims.claims',
      'emr.encounters',
      'emr.patients',
    ]);
  });

  it('selects sources by source, source.table, package.source.table and wildcards', () => {
    expect(direct('source:emr')).toEqual(['emr.encounters', 'emr.patients']);
    expect(direct('source:emr.patients')).toEqual(['emr.patients']);
    expect(direct('source:proj.claims.claims')).toEqual(['claims.claims']);
    expect(direct('source:*.patients')).toEqual(['emr.patients']);
    expect(direct('source:other.patients')).toEqual([]);
  });

  it('selects tests by test_type and test_name', () => {
    expect(direct('test_type:singular')).toEqual(['assert_positive_amounts']);
    expect(direct('test_type:generic')).toHaveLength(5);
    expect(direct('test_name:not_null')).toEqual([
      'not_null_emr_patients',
      'not_null_patients_patient_id',
    ]);
    expect(direct('test_name:rel*')).toEqual(['relationships_fact_transactions_patient_key']);
    expect(direct('test_name:assert_positive_amounts')).toEqual(['assert_positive_amounts']);
  });

  it('selects by package', () => {
    expect(direct('package:proj', { resourceTypes: ['seed'] })).toEqual(['cpt_codes']);
    expect(direct('package:other')).toEqual([]);
  });

  it('selects every node except sources when --select is empty', () => {
    const all = selectNodes(m, { select: [], exclude: [] }, []);
    expect(all.size).toBe(Object.keys(m.nodes).length - 3);
    expect([...all].some((id) => id.startsWith('source.'))).toBe(false);
    expect(selectNodes(m, { select: ['  '], exclude: [] }, []).size).toBe(all.size);
    // …unless sources are asked for by type.
    const sources = selectNodes(m, { select: [], exclude: [], resourceTypes: ['source'] }, []);
    expect(shortNames(sources)).toEqual(['claims.claims', 'emr.encounters', 'emr.patients']);
  });

  it('filters by resource types after selection', () => {
    const got = selectNodes(m, { select: ['silver'], exclude: [], resourceTypes: ['test'] }, []);
    expect(shortNames(got)).toEqual([
      'accepted_values_claims_status',
      'not_null_patients_patient_id',
    ]);
  });

  it('rejects an unknown resource type filter', () => {
    const criteria = {
      select: [],
      exclude: [],
      resourceTypes: ['modle'],
    } as unknown as SelectionCriteria;
    expect(() => selectNodes(m, criteria, [])).toThrow(/unknown resource type 'modle'/);
  });

  it('reports atoms that matched nothing', () => {
    const out = selectNodesDetailed(m, { select: ['tag:nope kpi_denials'], exclude: [] }, []);
    expect(out.unmatched).toEqual(['tag:nope']);
    expect(shortNames(out.selected)).toEqual(['kpi_denials']);
  });

  it('treats dots in fqn segments as separators, like dbt', () => {
    const dotted = manifestOf([model('a.b', { folder: ['x'] })]);
    expect(shortNames(selectNodes(dotted, { select: ['x.a.b'], exclude: [] }, []))).toEqual([
      'a.b',
    ]);
  });
});

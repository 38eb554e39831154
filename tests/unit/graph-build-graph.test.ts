import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../runner/graph/build-graph.js';
import { Dag } from '../../runner/graph/dag.js';
import {
  genericTest,
  healthcareManifest,
  ids,
  manifestOf,
  model,
  shortNames,
} from '../helpers/manifest-factory.js';

describe('buildGraph (tests gate the children of what they test)', () => {
  const m = healthcareManifest();
  const g = buildGraph(m);

  it('adds test → child edges for single-node tests', () => {
    expect(shortNames(g.parents(ids.model('dim_patient')))).toEqual([
      'not_null_patients_patient_id',
      'patients',
    ]);
    expect(shortNames(g.parents(ids.model('patients')))).toEqual([
      'emr.patients',
      'not_null_emr_patients',
    ]);
    expect(shortNames(g.parents(ids.model('kpi_ar_aging')))).toEqual([
      'assert_positive_amounts',
      'fact_transactions',
      'relationships_fact_transactions_patient_key',
    ]);
  });

  it('does not make a fact wait for a relationships test that reads the fact itself', () => {
    const factParents = shortNames(g.parents(ids.model('fact_transactions')));
    expect(factParents).toContain('unique_dim_patient_patient_key');
    expect(factParents).toContain('accepted_values_claims_status');
    expect(factParents).not.toContain('relationships_fact_transactions_patient_key');
  });

  it('never adds edges between tests and keeps the original edges', () => {
    const base = Dag.fromManifest(m);
    for (const id of base.ids) {
      for (const p of base.parents(id)) expect(g.parents(id)).toContain(p);
      if (id.startsWith('test.')) expect(g.parents(id)).toEqual(base.parents(id));
    }
    expect(g.size).toBe(base.size);
  });

  it('skips an edge that would close a cycle only through edges added earlier', () => {
    // t1 depends on a and p: edge t1 → c1 (c1 is a's child) is fine.
    // t2 depends on c1 and d: p is d's child; t2 → p would close p → t1 → c1 → t2 → p.
    const cm = manifestOf([
      model('a'),
      model('c1', { deps: ['a'] }),
      model('d'),
      model('p', { deps: ['d'] }),
      genericTest('t1', ['a', 'p'], { name: 't1' }),
      genericTest('t2', ['c1', 'd'], { name: 't2' }),
    ]);
    const cg = buildGraph(cm);
    expect(cg.parents(ids.model('c1'))).toContain(ids.test('t1'));
    expect(cg.parents(ids.model('p'))).not.toContain(ids.test('t2'));
    expect(cg.topoOrder()).toHaveLength(6);
  });

  it('skips a child that is upstream of another tested node', () => {
    // chain a → b → c with a test on (a, c): b is a's child but feeds c.
    const cm = manifestOf([
      model('a'),
      model('b', { deps: ['a'] }),
      model('c', { deps: ['b'] }),
      model('e', { deps: ['c'] }),
      genericTest('t', ['a', 'c'], { name: 't' }),
    ]);
    const cg = buildGraph(cm);
    expect(cg.parents(ids.model('b'))).toEqual([ids.model('a')]);
    expect(cg.parents(ids.model('e'))).toEqual([ids.model('c'), ids.test('t')]);
  });
});

import { describe, expect, it } from 'vitest';
import { Dag } from '../../runner/graph/dag.js';
import { MdlError } from '../../runner/errors/mdl-error.js';
import { healthcareManifest, ids, manifestOf, model } from '../helpers/manifest-factory.js';

const m = healthcareManifest();
const dag = Dag.fromManifest(m);
const fact = ids.model('fact_transactions');

describe('Dag', () => {
  it('holds every manifest node with sorted parents and children', () => {
    expect(dag.size).toBe(Object.keys(m.nodes).length);
    expect(dag.parents(fact)).toEqual([
      ids.model('claims'),
      ids.model('dim_patient'),
      ids.model('encounters'),
    ]);
    expect(dag.children(ids.model('claims'))).toEqual([
      ids.model('fact_transactions'),
      ids.model('kpi_denials'),
      ids.test('accepted_values_claims_status'),
    ]);
    expect(dag.parents(ids.source('emr', 'patients'))).toEqual([]);
  });

  it('walks ancestors and descendants, optionally depth-limited', () => {
    expect([...dag.ancestors(ids.model('kpi_ar_aging'), 1)]).toEqual([fact]);
    expect([...dag.ancestors(ids.model('kpi_ar_aging'), 2)].sort()).toEqual(
      [fact, ids.model('claims'), ids.model('dim_patient'), ids.model('encounters')].sort(),
    );
    const all = dag.ancestors(ids.model('kpi_ar_aging'));
    expect(all.has(ids.source('emr', 'patients'))).toBe(true);
    expect(all.has(ids.model('kpi_ar_aging'))).toBe(false);
    expect(all.has(ids.seed('cpt_codes'))).toBe(false);
    expect([...dag.descendants(ids.model('dim_patient'), 1)].sort()).toEqual(
      [
        fact,
        ids.test('relationships_fact_transactions_patient_key'),
        ids.test('unique_dim_patient_patient_key'),
      ].sort(),
    );
    expect(dag.descendants(ids.source('emr', 'patients')).has(ids.model('kpi_denials'))).toBe(true);
    expect(dag.descendants(ids.model('cpt'), 0).size).toBe(0);
  });

  it('produces a topological order where every parent precedes its children', () => {
    const order = dag.topoOrder();
    expect(order.length).toBe(dag.size);
    const pos = new Map(order.map((id, i) => [id, i]));
    for (const id of order)
      for (const p of dag.parents(id)) expect(pos.get(p)!).toBeLessThan(pos.get(id)!);
    // A new manifest object (not the memoised DAG) gives the same order.
    expect(Dag.fromManifest({ ...m }).topoOrder()).toEqual(order);
    expect(Dag.fromManifest(m)).toBe(dag);
  });

  it('computes depth as the longest path from a root', () => {
    const d = dag.depths();
    expect(d.get(ids.source('emr', 'patients'))).toBe(0);
    expect(d.get(ids.model('patients'))).toBe(1);
    expect(d.get(ids.model('dim_patient'))).toBe(2);
    // encounters is at depth 1, but dim_patient (2) is the longer route.
    expect(d.get(fact)).toBe(3);
    expect(d.get(ids.model('kpi_denials'))).toBe(4);
  });

  it('groups nodes into topological levels', () => {
    const levels = dag.levels();
    expect(levels[0]).toEqual([
      ids.seed('cpt_codes'),
      ids.source('claims', 'claims'),
      ids.source('emr', 'encounters'),
      ids.source('emr', 'patients'),
    ]);
    expect(levels[3]).toContain(ids.model('fact_transactions'));
    expect(levels.flat().length).toBe(dag.size);
  });

  it('keeps ordering through dropped nodes in a subgraph', () => {
    const sub = dag.subgraph([
      ids.source('emr', 'patients'),
      fact,
      ids.model('kpi_ar_aging'),
      'unknown',
    ]);
    expect(sub.size).toBe(3);
    expect(sub.parents(fact)).toEqual([ids.source('emr', 'patients')]);
    expect(sub.parents(ids.model('kpi_ar_aging'))).toEqual([fact]);
  });

  it('reports a cycle with its full path, file and line', () => {
    const cyclic = manifestOf([
      model('a', { deps: ['c'] }),
      model('b', { deps: ['a'] }),
      model('c', { deps: ['b'] }),
      model('d', { deps: ['a'] }),
    ]);
    let err: unknown;
    try {
      Dag.fromManifest(cyclic);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MdlError);
    const e = err as MdlError;
    expect(e.code).toBe('E_CYCLE');
    expect(e.message).toContain('model.proj.a → model.proj.b → model.proj.c → model.proj.a');
    expect(e.file).toBe('models/a.sql');
    expect(e.node).toBe('model.proj.a');
  });

  it('throws E_INTERNAL for unknown ids', () => {
    expect(() => dag.parents('model.proj.nope')).toThrow(/not in the graph/);
  });
});

import { describe, expect, it } from 'vitest';
import { MdlError } from '../../runner/errors/mdl-error.js';
import { selectNodes } from '../../runner/graph/select.js';
import type { SelectionCriteria } from '../../runner/graph/selection-criteria.js';
import type { NamedSelector } from '../../runner/project/types.js';
import { healthcareManifest, shortNames } from '../helpers/manifest-factory.js';

const m = healthcareManifest();

const phiModelsAndTests = [
  'dim_patient',
  'not_null_patients_patient_id',
  'patients',
  'relationships_fact_transactions_patient_key',
  'unique_dim_patient_patient_key',
];

let line = 0;
function named(name: string, definition: unknown, isDefault = false): NamedSelector {
  line += 5;
  return {
    name,
    description: '',
    definition,
    default: isDefault,
    origin: { file: 'selectors.yml', line },
  };
}

function run(selectors: readonly NamedSelector[], criteria: Partial<SelectionCriteria>): string[] {
  return shortNames(selectNodes(m, { select: [], exclude: [], ...criteria }, selectors));
}

function thrown(fn: () => unknown): MdlError {
  try {
    fn();
  } catch (e) {
    if (e instanceof MdlError) return e;
    throw e;
  }
  throw new Error('expected an MdlError');
}

describe('named selectors (selectors.yml)', () => {
  it('accepts a CLI string definition', () => {
    const s = [named('phi_silver', 'tag:phi,silver')];
    expect(run(s, { selector: 'phi_silver' })).toEqual([
      'not_null_patients_patient_id',
      'patients',
    ]);
  });

  it('accepts method/value dicts with parents, children and depths', () => {
    const s = [
      named('a', { method: 'fqn', value: 'dim_patient', parents: true }),
      named('b', { method: 'tag', value: 'phi', children: true, children_depth: 1 }),
      named('c', {
        method: 'fqn',
        value: 'kpi_ar_aging',
        parents_depth: 1,
        indirect_selection: 'empty',
      }),
      named('d', { method: 'fqn', value: 'cpt', childrens_parents: true }),
      named('e', { method: 'config.materialized', value: 'incremental' }),
    ];
    const models = ['model', 'source', 'seed'] as const;
    expect(run(s, { selector: 'a', resourceTypes: [...models] })).toEqual([
      'dim_patient',
      'emr.patients',
      'patients',
    ]);
    expect(run(s, { selector: 'b', resourceTypes: ['model'] })).toEqual([
      'dim_patient',
      'fact_transactions',
      'patients',
    ]);
    expect(run(s, { selector: 'c' })).toEqual(['fact_transactions', 'kpi_ar_aging']);
    expect(run(s, { selector: 'd' })).toEqual(['cpt', 'cpt_codes']);
    expect(run(s, { selector: 'e', resourceTypes: ['model'] })).toEqual([
      'claims',
      'fact_transactions',
    ]);
  });

  it('accepts the one-key shorthand {tag: kpi}', () => {
    expect(run([named('k', { tag: 'kpi' })], { selector: 'k' })).toEqual([
      'kpi_ar_aging',
      'kpi_denials',
    ]);
  });

  it('supports union, intersection and exclude inside them, and exclude next to method/value', () => {
    const s = [
      named('u', {
        union: ['tag:kpi', { method: 'fqn', value: 'cpt' }, { exclude: ['kpi_denials'] }],
      }),
      named('i', { intersection: [{ method: 'tag', value: 'phi' }, 'resource_type:model'] }),
      named('x', {
        method: 'fqn',
        value: 'silver',
        exclude: [{ method: 'tag', value: 'phi' }, 'claims'],
      }),
    ];
    expect(run(s, { selector: 'u' })).toEqual(['cpt', 'kpi_ar_aging']);
    // Eager indirect selection: both parts pull in the tests of the phi models.
    expect(run(s, { selector: 'i' })).toEqual(phiModelsAndTests);
    expect(run(s, { selector: 'x' })).toEqual(['cpt', 'encounters']);
  });

  it('resolves selector: references, with graph operators on them', () => {
    const s = [
      named('phi', { method: 'tag', value: 'phi' }),
      named('phi_models', {
        intersection: [{ method: 'selector', value: 'phi' }, 'resource_type:model'],
      }),
      named('downstream', 'selector:phi_models+1'),
    ];
    expect(run(s, { selector: 'phi_models' })).toEqual(phiModelsAndTests);
    expect(run(s, { selector: 'downstream', resourceTypes: ['model'] })).toEqual([
      'dim_patient',
      'fact_transactions',
      'patients',
    ]);
    expect(run(s, { select: ['selector:phi_models'], resourceTypes: ['model'] })).toEqual([
      'dim_patient',
      'patients',
    ]);
  });

  it('uses the default: true selector when nothing is selected, and --exclude still applies', () => {
    const s = [named('nightly', 'tag:finance', true), named('other', 'tag:phi')];
    expect(run(s, { resourceTypes: ['model'] })).toEqual([
      'claims',
      'fact_transactions',
      'kpi_ar_aging',
    ]);
    expect(run(s, { exclude: ['claims'], resourceTypes: ['model'] })).toEqual([
      'fact_transactions',
      'kpi_ar_aging',
    ]);
    // An explicit --select wins over the default.
    expect(run(s, { select: ['cpt'] })).toEqual(['cpt']);
  });

  it('rejects an unknown selector name, listing the defined ones', () => {
    const e = thrown(() => run([named('a', 'tag:x'), named('b', 'tag:y')], { selector: 'nope' }));
    expect(e.code).toBe('E_SELECTOR');
    expect(e.message).toContain("'nope'");
    expect(e.hint).toContain('a, b');
  });

  it('rejects --select together with --selector', () => {
    const e = thrown(() => run([named('a', 'tag:x')], { selector: 'a', select: ['cpt'] }));
    expect(e.code).toBe('E_USAGE');
  });

  it('reports malformed definitions at selectors.yml:line with the valid methods', () => {
    const bad = named('bad', { method: 'colour', value: 'red' });
    const e = thrown(() => run([named('ok', 'tag:x'), bad], {}));
    expect(e.code).toBe('E_SELECTOR');
    expect(e.file).toBe('selectors.yml');
    expect(e.line).toBe(bad.origin.line);
    expect(e.message).toContain("unknown method 'colour'");
    expect(e.hint).toContain('tag');
    expect(e.hint).toContain('config.<key>');
  });

  it.each([
    ['a number', 42, /expected a string or a mapping/],
    ['unknown keys', { method: 'tag', value: 'x', childs: true }, /unknown key childs/],
    ['two keys without method', { tag: 'x', path: 'y' }, /got keys tag, path/],
    ['empty union', { union: [] }, /non-empty list/],
    [
      'two excludes',
      { union: ['tag:a', { exclude: ['b'] }, { exclude: ['c'] }] },
      /only one 'exclude'/,
    ],
    ['bad depth', { method: 'tag', value: 'x', parents_depth: -1 }, /whole number/],
    ['bad bool', { method: 'tag', value: 'x', children: 'yes' }, /true or false/],
    [
      'bad indirect',
      { method: 'tag', value: 'x', indirect_selection: 'lazy' },
      /eager, cautious or empty/,
    ],
    ['bare exclude', { exclude: ['x'] }, /must be an item/],
    [
      'parents with @',
      { method: 'tag', value: 'x', parents: true, childrens_parents: true },
      /cannot be combined/,
    ],
    ['empty value', { method: 'tag', value: '' }, /empty 'value'/],
  ])('rejects %s', (_label, definition, pattern) => {
    const e = thrown(() => run([named('s', definition)], { selector: 's' }));
    expect(e.code).toBe('E_SELECTOR');
    expect(e.file).toBe('selectors.yml');
    expect(e.message).toMatch(pattern);
  });

  it('rejects references to unknown selectors and reference cycles', () => {
    const unknown = thrown(() => run([named('a', 'selector:ghost')], {}));
    expect(unknown.message).toContain("unknown selector 'ghost'");
    const cyc = [
      named('a', 'selector:b'),
      named('b', { union: ['tag:x', 'selector:c'] }),
      named('c', 'selector:a'),
    ];
    const cycle = thrown(() => run(cyc, {}));
    expect(cycle.code).toBe('E_SELECTOR');
    expect(cycle.message).toContain('a → c → b → a');
  });

  it('rejects duplicate names and two defaults', () => {
    expect(thrown(() => run([named('a', 'x'), named('a', 'y')], {})).message).toContain(
      'defined twice',
    );
    expect(thrown(() => run([named('a', 'x', true), named('b', 'y', true)], {})).message).toContain(
      'both marked default',
    );
  });
});

describe('docs/selectors.md', () => {
  it('its selectors.yml example parses and selects', async () => {
    const { readFileSync } = await import('node:fs');
    const { parse } = await import('yaml');
    const md = readFileSync(new URL('../../docs/selectors.md', import.meta.url), 'utf8');
    const block = /```yaml\n([\s\S]*?)```/.exec(md)?.[1];
    expect(block).toBeDefined();
    const doc = parse(block!) as {
      selectors: { name: string; definition: unknown; default?: boolean }[];
    };
    const selectors = doc.selectors.map((s) => named(s.name, s.definition, s.default === true));
    expect(run(selectors, { resourceTypes: ['model'] })).not.toContain('kpi_ar_aging');
    expect(run(selectors, { resourceTypes: ['model'] })).toContain('dim_patient');
    expect(run(selectors, { selector: 'patients_downstream', resourceTypes: ['model'] })).toEqual([
      'dim_patient',
      'fact_transactions',
      'patients',
    ]);
    expect(run(selectors, { selector: 'phi_and_downstream', resourceTypes: ['model'] })).toEqual([
      'dim_patient',
      'fact_transactions',
      'kpi_ar_aging',
      'kpi_denials',
      'patients',
    ]);
  });
});

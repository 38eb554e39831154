import { describe, expect, it } from 'vitest';
import { compileFiles, node, problemsOf } from '../helpers/temp-project.js';

const project = (models: string): string => `name: proj\nmodel-paths: [models]\nmodels:\n${models}`;

describe('config precedence (folder < YAML properties < in-file config())', () => {
  const files = {
    'project.yml': project(
      '  proj:\n    +tags: [all]\n    +materialized: view\n    silver:\n      +schema: silver\n      +materialized: table\n      +tags: [silver]\n      +meta: {owner: data, layer: silver}\n',
    ),
    'models/silver/a.sql':
      "{{ config(materialized='incremental', unique_key='id', tags=['infile']) }}\nselect 1 as id",
    'models/silver/b.sql': 'select 1 as id',
    'models/other/c.sql': 'select 1 as id',
    'models/silver/props.yml':
      'version: 2\nmodels:\n  - name: a\n    config: {materialized: view, schema: yaml_schema, tags: [yaml]}\n    meta: {owner: team-a}\n  - name: b\n    config: {alias: b_alias}\n',
  };

  it('in-file config() wins over YAML, YAML over folder; tags accumulate; meta merges', async () => {
    const { manifest } = await compileFiles(files);
    const a = node(manifest, 'model.proj.a');
    expect(a.config.materialized).toBe('incremental');
    expect(a.config.schema).toBe('yaml_schema');
    expect(a.config.unique_key).toEqual(['id']);
    expect(a.config.tags).toEqual(['all', 'silver', 'yaml', 'infile']);
    expect(a.tags).toEqual(['all', 'silver', 'yaml', 'infile']);
    expect(a.config.meta).toEqual({ owner: 'team-a', layer: 'silver' });
    expect(a.resourceType === 'model' && a.relation).toEqual({
      schema: 'yaml_schema',
      identifier: 'a',
    });
  });

  it('folder config applies to the folder and below only; alias renames the relation', async () => {
    const { manifest } = await compileFiles(files);
    const b = node(manifest, 'model.proj.b');
    expect(b.config).toMatchObject({
      materialized: 'table',
      schema: 'silver',
      tags: ['all', 'silver'],
    });
    expect(b.resourceType === 'model' && b.relation).toEqual({
      schema: 'silver',
      identifier: 'b_alias',
    });
    const c = node(manifest, 'model.proj.c');
    expect(c.config).toMatchObject({ materialized: 'view', tags: ['all'] });
    expect(c.config.schema).toBeUndefined();
    expect(c.resourceType === 'model' && c.relation).toEqual({ schema: 'main', identifier: 'c' });
    expect(c.fqn).toEqual(['proj', 'other', 'c']);
  });

  it('enabled: false removes the node; a ref to it says it is disabled', async () => {
    const errs = await problemsOf(
      compileFiles({
        'models/off.sql': '{{ config(enabled=false) }}\nselect 1',
        'models/on.sql': "select * from {{ ref('off') }}",
      }),
    );
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatchObject({ code: 'E_UNKNOWN_REF', file: 'models/on.sql', line: 1 });
    expect(errs[0]!.message).toContain('disabled');
  });

  it('invalid config values are E_CONFIG at the model file', async () => {
    const errs = await problemsOf(
      compileFiles({
        'models/m.sql':
          "{{ config(materialized='tabel', incremental_strategy='upsert') }}\nselect 1",
      }),
    );
    expect(errs.map((e) => [e.code, e.file, e.message])).toEqual([
      [
        'E_CONFIG',
        'models/m.sql',
        "config 'materialized': expected one of view, table, incremental, ephemeral, snapshot, seed, test (got 'tabel')",
      ],
      [
        'E_CONFIG',
        'models/m.sql',
        "config 'incremental_strategy': expected one of merge, delete+insert, append",
      ],
    ]);
  });

  it('snapshots: files under snapshot-paths and models with materialized=snapshot become SnapshotNodes', async () => {
    const { manifest } = await compileFiles({
      'project.yml': 'name: proj\nsnapshots:\n  +schema: snaps\n',
      'snapshots/s1.sql':
        "{{ config(unique_key='id', strategy='check', check_cols='all') }}\nselect 1 as id",
      'models/s2.sql':
        "{{ config(materialized='snapshot', unique_key='id', strategy='timestamp', updated_at='ts') }}\nselect 1 as id",
    });
    const s1 = node(manifest, 'snapshot.proj.s1');
    expect(s1.resourceType).toBe('snapshot');
    expect(s1.config).toMatchObject({
      materialized: 'snapshot',
      schema: 'snaps',
      check_cols: 'all',
      unique_key: ['id'],
    });
    expect(node(manifest, 'snapshot.proj.s2').config).toMatchObject({
      materialized: 'snapshot',
      strategy: 'timestamp',
      updated_at: 'ts',
    });
  });

  it('quarantine expressions are rendered through Nunjucks (macros work) before validation', async () => {
    const { manifest } = await compileFiles({
      'macros/q.sql':
        "{% macro is_blank(c) %}({{ c }} is null or trim({{ c }}) = ''){% endmacro %}",
      'models/p.sql':
        "{{ config(quarantine=[{'name': 'missing_name', 'when': \"{{ is_blank('first_name') }}\"}]) }}\nselect 1",
    });
    expect(node(manifest, 'model.proj.p').config.quarantine).toEqual([
      { name: 'missing_name', when: "(first_name is null or trim(first_name) = '')" },
    ]);
  });
});

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileProject } from '../../runner/compiler/compile-project.js';
import { loadProject } from '../../runner/project/load-project.js';
import { compileFiles, node, sqlOf, writeProject } from '../helpers/temp-project.js';

describe('two-pass compile', () => {
  it('the parse pass records refs before their configs are known; the render pass uses the final relation', async () => {
    // `a` is rendered before `z`, whose alias/schema come from its own config() call.
    const { manifest } = await compileFiles({
      'models/a.sql': "select * from {{ ref('z') }}",
      'models/z.sql': "{{ config(schema='gold', alias='zed') }}\nselect 1",
    });
    expect(sqlOf(manifest, 'model.proj.a')).toBe('select * from "gold"."zed"');
    expect(manifest.parentMap['model.proj.a']).toEqual(['model.proj.z']);
    expect(manifest.childMap['model.proj.z']).toEqual(['model.proj.a']);
  });

  it('templates reading relation parts are rendered again with the resolved relation', async () => {
    const { manifest } = await compileFiles({
      'models/a.sql':
        "select '{{ ref('z').schema }}.{{ ref('z').identifier }}' as n, '{{ this.identifier }}' as me, '{{ 'rel=' ~ ref('z') }}' as cat",
      'models/z.sql': "{{ config(schema='gold', alias='zed') }}\nselect 1",
    });
    expect(sqlOf(manifest, 'model.proj.a')).toBe(
      `select 'gold.zed' as n, 'a' as me, 'rel="gold"."zed"' as cat`,
    );
  });

  it('mdl parse mode (renderSql: false) records the DAG but leaves SQL empty', async () => {
    const { manifest } = await compileFiles(
      { 'models/a.sql': 'select 1', 'models/b.sql': "select * from {{ ref('a') }}" },
      { renderSql: false },
    );
    expect(sqlOf(manifest, 'model.proj.b')).toBe('');
    expect(node(manifest, 'model.proj.b').dependsOn.nodes).toEqual(['model.proj.a']);
  });

  it('ephemeral models become CTE references, listed transitively in dependency order', async () => {
    const { manifest } = await compileFiles({
      'models/e1.sql': "{{ config(materialized='ephemeral') }}\nselect 1 as id",
      'models/e2.sql': "{{ config(materialized='ephemeral') }}\nselect * from {{ ref('e1') }}",
      'models/t.sql': 'select 2 as id',
      'models/final.sql':
        "select * from {{ ref('e2') }} join {{ ref('t') }} using (id) join {{ ref('e1') }} using (id)",
    });
    const f = node(manifest, 'model.proj.final');
    expect(sqlOf(manifest, 'model.proj.final')).toBe(
      'select * from __mdl_ephemeral__e2 join "main"."t" using (id) join __mdl_ephemeral__e1 using (id)',
    );
    expect(f.resourceType === 'model' && f.ctes).toEqual([
      { id: 'model.proj.e1', name: '__mdl_ephemeral__e1', sql: 'select 1 as id' },
      {
        id: 'model.proj.e2',
        name: '__mdl_ephemeral__e2',
        sql: 'select * from __mdl_ephemeral__e1',
      },
    ]);
  });

  it('databricks targets render catalog.schema.identifier with backticks', async () => {
    const targets =
      'default: prod\ntargets:\n  prod: {type: databricks, host: h, http_path: /p, catalog: healthcare, schema: default, token: "secret(\'t\')"}\n';
    const { manifest } = await compileFiles({
      'configs/targets.yml': targets,
      'models/a.sql': 'select 1',
      'models/b.sql': "{{ config(schema='silver') }}select * from {{ ref('a') }}",
    });
    expect(sqlOf(manifest, 'model.proj.b')).toBe('select * from `healthcare`.`default`.`a`');
    expect(
      node(manifest, 'model.proj.b').resourceType === 'model' &&
        (node(manifest, 'model.proj.b') as { relation: unknown }).relation,
    ).toEqual({ catalog: 'healthcare', schema: 'silver', identifier: 'b' });
    expect(manifest.metadata).toMatchObject({ target: 'prod', targetType: 'databricks' });
  });
});

describe('compile cache', () => {
  it('reuses parse results for unchanged files and re-parses changed ones; output is identical', async () => {
    const dir = writeProject({
      'models/a.sql': "select {{ var('v', 1) }} as x",
      'models/b.sql': "select * from {{ ref('a') }}",
      'models/c.sql': "{{ config(alias='see') }}select 3",
    });
    const compile = async (vars: Record<string, unknown> = {}) =>
      compileProject(await loadProject({ projectDir: dir, env: {} }), { env: {}, vars });
    const cold = await compile();
    expect(fs.existsSync(path.join(dir, 'target', '.mdl-cache', 'compile.json'))).toBe(true);
    const warm = await compile();
    expect(warm.nodes).toEqual(cold.nodes);
    // A config change in c (alias) must reach b's... and a's SQL must follow a var change.
    fs.writeFileSync(path.join(dir, 'models/c.sql'), "{{ config(alias='sea') }}select 3");
    fs.writeFileSync(
      path.join(dir, 'models/b.sql'),
      "select * from {{ ref('a') }}, {{ ref('c') }}",
    );
    const changed = await compile();
    expect(sqlOf(changed, 'model.proj.b')).toBe('select * from "main"."a", "main"."sea"');
    const withVar = await compile({ v: 7 });
    expect(sqlOf(withVar, 'model.proj.a')).toBe('select 7 as x');
    const cacheText = fs.readFileSync(
      path.join(dir, 'target', '.mdl-cache', 'compile.json'),
      'utf8',
    );
    expect(cacheText).not.toContain('"v":7');
  });

  it('an env_var value change invalidates the cached file, and values are stored only as hashes', async () => {
    const dir = writeProject({
      'models/a.sql': "select '{{ env_var('MDL_T_SECRETISH', 'd') }}' as x",
      'models/plain.sql': 'select 1',
    });
    const compile = async (env: Record<string, string>) =>
      compileProject(await loadProject({ projectDir: dir, env }), { env });
    expect(sqlOf(await compile({ MDL_T_SECRETISH: 'one' }), 'model.proj.a')).toBe(
      "select 'one' as x",
    );
    expect(sqlOf(await compile({ MDL_T_SECRETISH: 'two' }), 'model.proj.a')).toBe(
      "select 'two' as x",
    );
    const cacheText = fs.readFileSync(
      path.join(dir, 'target', '.mdl-cache', 'compile.json'),
      'utf8',
    );
    // Templates that read env vars are not cached at all (their SQL may carry the value).
    expect(cacheText).not.toContain('two');
    expect(cacheText).not.toContain('MDL_T_SECRETISH');
    expect(cacheText).toContain('models/plain.sql');
  });
});

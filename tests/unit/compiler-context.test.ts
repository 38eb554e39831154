import { describe, expect, it } from 'vitest';
import { duckdbDialect } from '../../runner/dialects/duckdb-dialect.js';
import { sqlString } from '../../runner/compiler/template-context.js';
import { compileFiles, node, problemsOf, sqlOf } from '../helpers/temp-project.js';

describe('template context functions', () => {
  it('ref, ref(package, model), source, this, target', async () => {
    const { manifest } = await compileFiles({
      'models/a.sql': 'select 1 as id',
      'models/b.sql':
        "select * from {{ ref('a') }} join {{ ref('proj', 'a') }} using (id) -- {{ this }} {{ target.name }}/{{ target.type }}/{{ target.schema }}",
      'models/src.yml':
        'version: 2\nsources:\n  - name: raw\n    schema: landing\n    tables:\n      - name: t\n        identifier: t_v2\n',
      'models/c.sql': "select * from {{ source('raw', 't') }}",
    });
    expect(sqlOf(manifest, 'model.proj.b')).toBe(
      'select * from "main"."a" join "main"."a" using (id) -- "main"."b" dev/duckdb/main',
    );
    expect(sqlOf(manifest, 'model.proj.c')).toBe('select * from "landing"."t_v2"');
    expect(node(manifest, 'model.proj.b').dependsOn.nodes).toEqual(['model.proj.a']);
    expect(node(manifest, 'model.proj.c').dependsOn.nodes).toEqual(['source.proj.raw.t']);
  });

  it('var: project vars, --vars override, default, and values rendered as given (never executed)', async () => {
    const files = {
      'project.yml': 'name: proj\nvars: {region: eu, limit: 10}\n',
      'models/v.sql':
        "select '{{ var('region') }}' as r, {{ var('limit') }} as l, {{ var('missing', 'fallback') }} as f",
    };
    expect(sqlOf((await compileFiles(files)).manifest, 'model.proj.v')).toBe(
      "select 'eu' as r, 10 as l, fallback as f",
    );
    const over = await compileFiles(files, { vars: { region: 'us', missing: 'given' } });
    expect(sqlOf(over.manifest, 'model.proj.v')).toBe("select 'us' as r, 10 as l, given as f");
  });

  it('the sqlstring filter escapes a SQL-carrying var into one literal; ident quotes identifiers', async () => {
    const evil = "x'; DROP TABLE t;--";
    const { manifest } = await compileFiles(
      {
        'models/s.sql':
          "select * from t where name = {{ var('name') | sqlstring }} and {{ var('col') | ident }} = 1",
      },
      { vars: { name: evil, col: 'we"ird' } },
    );
    expect(sqlOf(manifest, 'model.proj.s')).toBe(
      `select * from t where name = 'x''; DROP TABLE t;--' and "we""ird" = 1`,
    );
    expect(sqlString(evil, duckdbDialect)).toBe("'x''; DROP TABLE t;--'");
    expect(sqlString(['a', "b'c"], duckdbDialect)).toBe("'a', 'b''c'");
    expect(sqlString(null, duckdbDialect)).toBe('NULL');
  });

  it('without sqlstring a var is rendered verbatim (the docs say to quote with | sqlstring)', async () => {
    const { manifest } = await compileFiles(
      { 'models/s.sql': "select '{{ var('name') }}'" },
      { vars: { name: "x'; DROP TABLE t;--" } },
    );
    expect(sqlOf(manifest, 'model.proj.s')).toBe("select 'x'; DROP TABLE t;--'");
  });

  it('env_var with value, default, and missing (E_ENV_VAR at file:line)', async () => {
    const { manifest } = await compileFiles(
      {
        'models/e.sql':
          "select '{{ env_var('MDL_T_REGION') }}', '{{ env_var('MDL_T_OTHER', 'dflt') }}'",
      },
      { env: { MDL_T_REGION: 'west' } },
    );
    expect(sqlOf(manifest, 'model.proj.e')).toBe("select 'west', 'dflt'");
    const errs = await problemsOf(
      compileFiles({ 'models/e.sql': "select 1\n, '{{ env_var('MDL_T_NOPE') }}'" }),
    );
    expect(errs[0]).toMatchObject({ code: 'E_ENV_VAR', file: 'models/e.sql', line: 2 });
  });

  it('project macros are callable in every model without import, and recorded in dependsOn.macros', async () => {
    const { manifest } = await compileFiles({
      'macros/m.sql':
        '{% macro cents(c) %}({{ c }} / 100){% endmacro %}\n{% macro twice(c) %}{{ cents(c) }} * 2{% endmacro %}',
      'models/a.sql': "select {{ twice('x') }} as y",
      'models/b.sql': "{% set n = 3 %}select {{ cents('x') }} + {{ n }}",
    });
    expect(sqlOf(manifest, 'model.proj.a')).toBe('select (x / 100) * 2 as y');
    expect(sqlOf(manifest, 'model.proj.b')).toBe('select (x / 100) + 3');
    // Direct calls are recorded (as dbt's depends_on.macros); `cents` is called through `twice`.
    expect(node(manifest, 'model.proj.a').dependsOn.macros).toEqual(['macro.proj.twice']);
    expect(node(manifest, 'model.proj.b').dependsOn.macros).toEqual(['macro.proj.cents']);
    expect(Object.keys(manifest.macros).sort()).toEqual(['macro.proj.cents', 'macro.proj.twice']);
  });

  it('is_incremental(): compiledSql renders it false, incrementalSql true (incremental models only)', async () => {
    const tpl =
      "select * from {{ ref('a') }}\n{% if is_incremental() %}where ts > (select max(ts) from {{ this }}){% endif %}";
    const { manifest } = await compileFiles({
      'models/a.sql': 'select 1 as ts',
      'models/inc.sql': `{{ config(materialized='incremental') }}\n${tpl}`,
      'models/tbl.sql': `{{ config(materialized='table') }}\n${tpl}`,
    });
    const inc = node(manifest, 'model.proj.inc');
    expect(inc.resourceType === 'model' && inc.compiledSql).toBe('select * from "main"."a"');
    expect(inc.resourceType === 'model' && inc.incrementalSql).toBe(
      'select * from "main"."a"\nwhere ts > (select max(ts) from "main"."inc")',
    );
    const tbl = node(manifest, 'model.proj.tbl');
    expect(tbl.resourceType === 'model' && tbl.incrementalSql).toBeUndefined();
  });

  it('fast path and Nunjucks give the same output for the same expressions', async () => {
    const body =
      "select {{ ref('a') }}, {{ var('x', 'd') | upper }}, {{ 'q' | sqlstring }}, {{ target.name }}, {{ [1, 2] | join('-') }}, {{ none }}x";
    const { manifest } = await compileFiles({
      'models/a.sql': 'select 1',
      'models/fast.sql': body,
      'models/slow.sql': `{% if true %}${body}{% endif %}`,
    });
    expect(sqlOf(manifest, 'model.proj.fast')).toBe(`select "main"."a", D, 'q', dev, 1-2, x`);
    expect(sqlOf(manifest, 'model.proj.slow')).toBe(sqlOf(manifest, 'model.proj.fast'));
  });
});

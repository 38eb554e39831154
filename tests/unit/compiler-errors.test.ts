import { describe, expect, it } from 'vitest';
import { compileFiles, problemsOf } from '../helpers/temp-project.js';

const summary = (
  errs: readonly { code: string; file?: string; line?: number; message: string }[],
) => errs.map((e) => [e.code, e.file, e.line, e.message]);

describe('compile errors name file:line and are collected in one pass', () => {
  it('unknown ref with a suggestion', async () => {
    const errs = await problemsOf(
      compileFiles({
        'models/customers.sql': 'select 1',
        'models/o.sql': "select 1\nfrom {{ ref('customer') }}",
      }),
    );
    expect(summary(errs)).toEqual([
      [
        'E_UNKNOWN_REF',
        'models/o.sql',
        2,
        "ref('customer'): no model, seed or snapshot named 'customer'. Did you mean 'customers'?",
      ],
    ]);
  });

  it('unknown source with a suggestion', async () => {
    const errs = await problemsOf(
      compileFiles({
        'models/src.yml': 'version: 2\nsources:\n  - name: raw\n    tables: [{name: patients}]\n',
        'models/p.sql': "\n\nselect * from {{ source('raw', 'patient') }}",
      }),
    );
    expect(summary(errs)).toEqual([
      [
        'E_UNKNOWN_SOURCE',
        'models/p.sql',
        3,
        "source('raw', 'patient') is not declared. Did you mean 'raw.patients'?",
      ],
    ]);
  });

  it('a cycle is reported with its full path', async () => {
    const errs = await problemsOf(
      compileFiles({
        'models/a.sql': "select * from {{ ref('c') }}",
        'models/b.sql': "select * from {{ ref('a') }}",
        'models/c.sql': "select 1\nunion all select * from {{ ref('b') }}",
      }),
    );
    expect(summary(errs)).toEqual([
      ['E_CYCLE', 'models/b.sql', 1, 'dependency cycle: a → b → c → a'],
    ]);
  });

  it('duplicate model names name both files', async () => {
    const errs = await problemsOf(
      compileFiles({ 'models/x/orders.sql': 'select 1', 'models/y/orders.sql': 'select 2' }),
    );
    expect(summary(errs)).toEqual([
      [
        'E_DUPLICATE_NODE',
        'models/y/orders.sql',
        1,
        "two nodes are named 'orders': models/x/orders.sql and models/y/orders.sql",
      ],
    ]);
  });

  it('Nunjucks syntax errors point at the line', async () => {
    const errs = await problemsOf(
      compileFiles({ 'models/s.sql': 'select 1\n{% if true %}\nwhere x = 1\n' }),
    );
    expect(errs[0]).toMatchObject({ code: 'E_TEMPLATE_SYNTAX', file: 'models/s.sql' });
    expect(errs[0]!.message).toMatch(
      /template syntax error: .*(unexpected end of file|expected elif, else, or endif)/,
    );
    const errs2 = await problemsOf(
      compileFiles({ 'models/s.sql': "select 1,\n  {{ ref('a' }}\n" }),
    );
    expect(errs2[0]).toMatchObject({ code: 'E_TEMPLATE_SYNTAX', file: 'models/s.sql', line: 2 });
  });

  it('undefined var without default', async () => {
    const errs = await problemsOf(
      compileFiles({ 'models/v.sql': "select 1\nwhere region = {{ var('region') | sqlstring }}" }),
    );
    expect(summary(errs)).toEqual([
      ['E_UNDEFINED_VAR', 'models/v.sql', 2, "var 'region' is not defined and has no default"],
    ]);
    expect(errs[0]!.hint).toContain('--vars');
  });

  it('YAML for a node that does not exist', async () => {
    const errs = await problemsOf(
      compileFiles({
        'models/orders.sql': 'select 1',
        'models/s.yml': 'version: 2\nmodels:\n  - name: order\n',
      }),
    );
    expect(summary(errs)).toEqual([
      [
        'E_SCHEMA',
        'models/s.yml',
        3,
        "models entry 'order' describes a model that does not exist. Did you mean 'orders'?",
      ],
    ]);
  });

  it('several problems in different files are all reported together', async () => {
    const errs = await problemsOf(
      compileFiles({
        'models/a.sql': "select * from {{ ref('nope') }}",
        'models/b.sql': "select {{ var('undefined_one') }}",
        'models/c.sql': '{% if %}',
      }),
    );
    expect(errs.map((e) => [e.code, e.file]).sort()).toEqual([
      ['E_TEMPLATE_SYNTAX', 'models/c.sql'],
      ['E_UNDEFINED_VAR', 'models/b.sql'],
      ['E_UNKNOWN_REF', 'models/a.sql'],
    ]);
  });
});

describe('template runtime and macro errors', () => {
  it('calling an undefined function is E_TEMPLATE_RENDER at the line', async () => {
    const errs = await problemsOf(
      compileFiles({ 'models/u.sql': 'select 1\n, {{ no_such_macro(1) }}' }),
    );
    expect(errs[0]).toMatchObject({ code: 'E_TEMPLATE_RENDER', file: 'models/u.sql', line: 2 });
    expect(errs[0]!.message).toContain('no_such_macro');
  });

  it('a syntax error in a macro file names the macro file', async () => {
    const errs = await problemsOf(
      compileFiles({
        'macros/bad.sql': '{% macro m() %}\n{{ 1 + }}\n{% endmacro %}',
        'models/a.sql': 'select 1',
      }),
    );
    expect(errs[0]).toMatchObject({ code: 'E_TEMPLATE_SYNTAX', file: 'macros/bad.sql', line: 2 });
  });
});

import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../runner/project/load-project.js';
import { sha256 } from '../../runner/project/project-files.js';
import { problemsOf, writeProject } from '../helpers/temp-project.js';

const basic = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/basic');

describe('loadProject on tests/fixtures/basic', () => {
  it('reads project.yml paths, vars and the folder config tree (project-name level is transparent)', async () => {
    const p = await loadProject({ projectDir: basic, env: {}, useCache: false });
    expect(p.name).toBe('basic');
    expect(p.dir).toBe(basic);
    expect(p.testPaths).toEqual(['data-tests']);
    expect(p.vars).toEqual({ min_amount: 0 });
    expect(p.targetPath).toBe(path.join(basic, 'target'));
    expect(p.modelConfig.config).toEqual({ tags: ['basic'] });
    expect(p.modelConfig.children.staging?.config).toEqual({
      schema: 'staging',
      materialized: 'view',
      tags: ['staging'],
    });
    // `materialized` without `+` is a known config key; `customer_orders` is a nested node entry.
    expect(p.modelConfig.children.marts?.config).toEqual({
      schema: 'marts',
      materialized: 'table',
    });
    expect(p.modelConfig.children.marts?.children.customer_orders?.config).toEqual({
      tags: ['finance'],
    });
  });

  it('lists files with sha256 hashes and separates snapshots, tests and macros', async () => {
    const p = await loadProject({ projectDir: basic, env: {}, useCache: false });
    expect(p.modelFiles.map((f) => f.path)).toContain('models/staging/stg_orders.sql');
    expect(p.snapshotFiles.map((f) => f.path)).toEqual(['snapshots/orders_snapshot.sql']);
    expect(p.testFiles.map((f) => f.path)).toEqual(['data-tests/assert_totals_non_negative.sql']);
    expect(p.macroFiles.map((f) => f.path)).toEqual([
      'macros/money.sql',
      'macros/test_positive.sql',
    ]);
    const f = p.modelFiles[0]!;
    expect(f.hash).toBe(sha256(f.content));
    expect(p.seedFiles.map((s) => s.path)).toEqual(['seeds/country_codes.csv']);
  });

  it('reads YAML properties with origins (file:line)', async () => {
    const p = await loadProject({ projectDir: basic, env: {}, useCache: false });
    const co = p.properties.nodes.find((n) => n.name === 'customer_orders')!;
    expect(co.origin).toEqual({ file: 'models/marts/schema.yml', line: 3 });
    expect(co.config).toEqual({ tags: ['kpi'] });
    expect(co.columns[0]!.tests.map((t) => t.name)).toEqual(['unique', 'not_null']);
    const rel = p.properties.nodes.find((n) => n.name === 'stg_orders')!.columns[1]!.tests[0]!;
    expect(rel).toMatchObject({
      name: 'relationships',
      args: { to: "ref('stg_customers')", field: 'id' },
      config: { severity: 'warn' },
    });
    expect(rel.origin.line).toBe(26);
    const src = p.properties.sources[0]!;
    expect(src.schema).toBe('raw');
    expect(src.tables[1]!.external).toEqual({
      location: 'data/raw/customers/*.parquet',
      fileFormat: 'parquet',
    });
  });

  it('resolves targets: relative paths against the project dir, env_var defaults and overrides, secret refs', async () => {
    const p = await loadProject({
      projectDir: basic,
      env: { MDL_SPARK_PORT: '10123' },
      useCache: false,
    });
    const dev = p.targets.targets.dev!;
    expect(dev.type === 'duckdb' && dev.path).toBe(path.join(basic, 'target/basic.duckdb'));
    const prod = p.targets.targets.prod!;
    expect(prod.type === 'databricks' && prod.host).toBe('adb-1.azuredatabricks.net');
    expect(prod.type === 'databricks' && prod.token).toEqual({ secret: 'databricks-token' });
    const spark = p.targets.targets.spark!;
    expect(spark.type === 'spark' && spark.port).toBe(10123);
    expect(p.targets.defaultTarget).toBe('dev');
  });

  it('does not depend on process.cwd()', async () => {
    const cwd = process.cwd();
    process.chdir(path.dirname(basic));
    try {
      const p = await loadProject({ projectDir: basic, env: {}, useCache: false });
      expect(p.dir).toBe(basic);
      expect(p.modelFiles.length).toBe(5);
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('loadProject validation errors name file:line', () => {
  it('malformed YAML in a properties file', async () => {
    const dir = writeProject({
      'models/a.sql': 'select 1',
      'models/schema.yml': 'version: 2\nmodels:\n  - name: a\n    columns: [\n',
    });
    const errs = await problemsOf(loadProject({ projectDir: dir, env: {} }));
    expect(errs[0]).toMatchObject({ code: 'E_YAML_PARSE', file: 'models/schema.yml' });
    expect(errs[0]!.line).toBeGreaterThanOrEqual(4);
    expect(errs[0]!.message).toMatch(/malformed YAML/);
  });

  it('schema problems: wrong types with the YAML path, all reported together', async () => {
    const dir = writeProject({
      'models/a.sql': 'select 1',
      'models/schema.yml':
        'version: 2\nmodels:\n  - name: a\n    columns:\n      - name: id\n        tests: unique\n  - description: no name\n',
    });
    const errs = await problemsOf(loadProject({ projectDir: dir, env: {} }));
    expect(errs.map((e) => [e.code, e.file, e.line, e.message])).toEqual([
      [
        'E_SCHEMA',
        'models/schema.yml',
        6,
        'models[0].columns[0].tests: expected a list, got a string',
      ],
      [
        'E_SCHEMA',
        'models/schema.yml',
        7,
        'models[1].name: is required (expected a non-empty string)',
      ],
    ]);
  });

  it('missing project.yml', async () => {
    const dir = writeProject({ 'models/a.sql': 'select 1' }, false);
    const errs = await problemsOf(loadProject({ projectDir: dir, env: {} }));
    expect(errs[0]).toMatchObject({ code: 'E_FILE_NOT_FOUND', file: 'project.yml' });
  });

  it('bad targets.yml: unknown type and unknown key', async () => {
    const dir = writeProject({
      'configs/targets.yml':
        'default: dev\ntargets:\n  dev:\n    type: oracle\n  other:\n    type: duckdb\n    pth: x.duckdb\n',
    });
    const errs = await problemsOf(loadProject({ projectDir: dir, env: {} }));
    expect(errs.map((e) => [e.code, e.file, e.line, e.message])).toEqual([
      [
        'E_SCHEMA',
        'configs/targets.yml',
        4,
        'targets.dev.type: expected one of duckdb, databricks, spark',
      ],
      ['E_SCHEMA', 'configs/targets.yml', 7, "targets.other.pth: unknown key 'pth'"],
    ]);
  });

  it('missing env var without default in the selected target (other targets are not checked)', async () => {
    const targets =
      'default: dev\ntargets:\n  dev: {type: duckdb, path: x.duckdb}\n  prod:\n    type: databricks\n    host: "{{ env_var(\'NO_SUCH_HOST\') }}"\n    http_path: /p\n    catalog: c\n';
    const dir = writeProject({ 'configs/targets.yml': targets });
    const ok = await loadProject({ projectDir: dir, env: {} });
    expect(ok.targets.targets.prod).toBeUndefined();
    const errs = await problemsOf(loadProject({ projectDir: dir, targetName: 'prod', env: {} }));
    expect(errs[0]).toMatchObject({ code: 'E_ENV_VAR', file: 'configs/targets.yml', line: 6 });
    expect(errs[0]!.message).toContain("'NO_SUCH_HOST' is not set");
    const withEnv = await loadProject({
      projectDir: dir,
      targetName: 'prod',
      env: { NO_SUCH_HOST: 'h.example' },
    });
    expect(withEnv.targets.targets.prod).toMatchObject({ host: 'h.example' });
  });

  it('unknown --target names the targets that exist', async () => {
    const dir = writeProject({});
    const errs = await problemsOf(loadProject({ projectDir: dir, targetName: 'qa', env: {} }));
    expect(errs[0]).toMatchObject({
      code: 'E_TARGET',
      file: 'configs/targets.yml',
      hint: 'use one of: dev',
    });
  });
});

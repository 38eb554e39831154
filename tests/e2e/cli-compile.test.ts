import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixture = path.join(repo, 'tests/fixtures/basic');

function mdl(
  args: readonly string[],
  cwd = os.tmpdir(),
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(repo, 'bin/mdl.mjs'), ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, MDL_SPARK_PORT: '10000' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function copyFixture(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mdl-e2e-'));
  fs.cpSync(fixture, dir, { recursive: true });
  return dir;
}

beforeAll(() => {
  const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: repo, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
});

describe('mdl compile / parse / ls (built CLI, fixture project)', () => {
  it('compile exits 0, writes manifest.json and compiled SQL, honouring --project-dir from another cwd', () => {
    const dir = copyFixture();
    const r = mdl(['compile', '--project-dir', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /Compiled 5 models, 1 snapshot, 1 seed, 8 tests, 2 sources for target 'dev'/,
    );
    const manifest = JSON.parse(
      fs.readFileSync(path.join(dir, 'target/manifest.json'), 'utf8'),
    ) as { nodes: Record<string, unknown>; metadata: Record<string, unknown> };
    expect(Object.keys(manifest.nodes)).toHaveLength(17);
    expect(manifest.metadata).toMatchObject({
      projectName: 'basic',
      target: 'dev',
      targetType: 'duckdb',
    });
    const sql = fs.readFileSync(
      path.join(dir, 'target/compiled/models/marts/customer_orders.sql'),
      'utf8',
    );
    expect(sql).toContain('from "staging"."stg_orders" o');
  });

  it('--vars values carrying SQL are rendered as one escaped literal through | sqlstring and not written to the manifest', () => {
    const dir = copyFixture();
    const r = mdl([
      'compile',
      '--project-dir',
      dir,
      '--vars',
      `{excluded_status: "x'; DROP TABLE t;--"}`,
      '--select',
      'customer_orders',
      '--resource-type',
      'model',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`and o.status <> 'x''; DROP TABLE t;--'`);
    expect(fs.readFileSync(path.join(dir, 'target/manifest.json'), 'utf8')).toContain('DROP TABLE'); // in compiledSql only…
    const m = JSON.parse(fs.readFileSync(path.join(dir, 'target/manifest.json'), 'utf8')) as {
      metadata: object;
    };
    expect(JSON.stringify(m.metadata)).not.toContain('DROP'); // …never in metadata
  });

  it('ls selects with graph operators and prints name/path/json', () => {
    const dir = copyFixture();
    const names = mdl([
      'ls',
      '--project-dir',
      dir,
      '--select',
      'stg_orders+',
      '--resource-type',
      'model',
    ]);
    expect(names.code, names.stderr).toBe(0);
    expect(names.stdout.trim().split('\n')).toEqual([
      'basic.marts.customer_orders',
      'basic.marts.orders_incremental',
      'basic.staging.stg_orders',
    ]);
    const paths = mdl([
      'ls',
      '--project-dir',
      dir,
      '--select',
      'tag:staging',
      '--resource-type',
      'model',
      '--output',
      'path',
    ]);
    expect(paths.stdout.trim().split('\n')).toEqual([
      'models/staging/int_customers.sql',
      'models/staging/stg_customers.sql',
      'models/staging/stg_orders.sql',
    ]);
    const json = mdl([
      'ls',
      '--project-dir',
      dir,
      '--select',
      'customer_orders',
      '--resource-type',
      'model',
      '--output',
      'json',
    ]);
    expect(JSON.parse(json.stdout)).toMatchObject({
      unique_id: 'model.basic.customer_orders',
      resource_type: 'model',
      config: { materialized: 'table' },
    });
  });

  it('parse writes a manifest without rendering SQL', () => {
    const dir = copyFixture();
    const r = mdl(['parse', '--project-dir', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Parsed 17 nodes');
    expect(fs.existsSync(path.join(dir, 'target/compiled'))).toBe(false);
  });

  it('project errors exit 2 and list every problem with file:line', () => {
    const dir = copyFixture();
    fs.writeFileSync(
      path.join(dir, 'models/marts/broken.sql'),
      "select *\nfrom {{ ref('stg_order') }}\n",
    );
    fs.writeFileSync(path.join(dir, 'models/marts/broken2.sql'), "select {{ var('nope') }}");
    const r = mdl(['compile', '--project-dir', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('compile failed: 2 problems found');
    expect(r.stderr).toContain(
      "E_UNKNOWN_REF models/marts/broken.sql:2: ref('stg_order'): no model, seed or snapshot named 'stg_order'. Did you mean 'stg_orders'?",
    );
    expect(r.stderr).toContain(
      "E_UNDEFINED_VAR models/marts/broken2.sql:1: var 'nope' is not defined and has no default",
    );
  });

  it('usage errors exit 2; --help exits 0', () => {
    expect(mdl(['compile', '--no-such-flag']).code).toBe(2);
    expect(mdl(['ls', '--project-dir', fixture, '--output', 'xml']).code).toBe(2);
    const help = mdl(['compile', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--project-dir');
  });
});

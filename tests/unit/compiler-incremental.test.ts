import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Flags } from '../../runner/cli/command.js';
import { compileIn } from '../helpers/compile-in.js';

// The incremental compile (snapshot + spliced manifest) must never serve stale output: after
// every kind of edit, `mdl compile` (cached) must give exactly what a fresh --no-cache compile
// of a copy of the project gives.

const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/basic');

function copyFixture(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mdl-incr-'));
  fs.cpSync(fixture, dir, {
    recursive: true,
    filter: (src) => path.relative(fixture, src).split(path.sep)[0] !== 'target',
  });
  return dir;
}

const compile = compileIn;

/** manifest.json without per-invocation metadata, plus every compiled SQL file. */
function outputs(dir: string): { manifest: unknown; compiled: Record<string, string> } {
  const m = JSON.parse(fs.readFileSync(path.join(dir, 'target/manifest.json'), 'utf8')) as {
    metadata: Record<string, unknown>;
  };
  delete m.metadata.generatedAt;
  delete m.metadata.invocationId;
  const compiled: Record<string, string> = {};
  const root = path.join(dir, 'target/compiled');
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = path.join(rel, e.name);
      if (e.isDirectory()) walk(child);
      else compiled[child] = fs.readFileSync(path.join(root, child), 'utf8');
    }
  };
  walk('');
  return { manifest: m, compiled };
}

/** Compiles `dir` incrementally and a fresh copy with --no-cache; both must be identical. */
async function expectFresh(
  dir: string,
  flags: Flags = {},
  env: Record<string, string | undefined> = {},
): Promise<{ log: string; out: ReturnType<typeof outputs> }> {
  const log = await compile(dir, flags, env);
  const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'mdl-incr-fresh-'));
  fs.cpSync(dir, fresh, {
    recursive: true,
    filter: (src) => path.relative(dir, src).split(path.sep)[0] !== 'target',
  });
  await compile(fresh, { ...flags, 'no-cache': true }, env);
  const out = outputs(dir);
  expect(out).toEqual(outputs(fresh));
  return { log, out };
}

const edit = (dir: string, rel: string, f: (s: string) => string): void => {
  const file = path.join(dir, rel);
  fs.writeFileSync(file, f(fs.readFileSync(file, 'utf8')));
};

describe('incremental compile (never stale)', () => {
  it('a SQL-only edit re-renders one node and splices it into the previous manifest', async () => {
    const dir = copyFixture();
    await compile(dir);
    const warm = await compile(dir);
    expect(warm).toMatch(/0 changed, 0 SQL files written/);
    edit(dir, 'models/staging/stg_orders.sql', (s) => s.replace('status', 'status, 42 as answer'));
    const { log, out } = await expectFresh(dir);
    expect(log).toMatch(/1 changed, 1 SQL files written/);
    expect(out.compiled[path.join('models/staging/stg_orders.sql')]).toContain('42 as answer');
    // and again on top of the spliced manifest
    edit(dir, 'models/marts/customer_orders.sql', (s) => `${s}-- trailing comment\n`);
    expect((await expectFresh(dir)).log).toMatch(/1 changed/);
  });

  it('splices by UTF-8 byte ranges when the manifest holds non-ASCII text', async () => {
    const dir = copyFixture();
    edit(dir, 'models/marts/schema.yml', (s) =>
      s.replace('Order totals per customer.', 'Übersicht — Kunden café'),
    );
    edit(dir, 'models/staging/stg_orders.sql', (s) => s.replace('status', "status, 'é' as e"));
    await compile(dir);
    edit(dir, 'models/staging/stg_orders.sql', (s) => s.replace("'é' as e", "'ü€' as e"));
    const { log, out } = await expectFresh(dir);
    expect(log).toMatch(/1 changed/);
    expect(out.compiled[path.join('models/staging/stg_orders.sql')]).toContain("'ü€' as e");
    edit(dir, 'models/marts/customer_orders.sql', (s) => `${s}-- é\n`);
    expect((await expectFresh(dir)).log).toMatch(/1 changed/);
  });

  it('a macro change recompiles the models that call it', async () => {
    const dir = copyFixture();
    await compile(dir);
    edit(dir, 'macros/money.sql', (s) => s.replace('/ 100.0', '/ 1000.0'));
    const { log, out } = await expectFresh(dir);
    expect(log).not.toMatch(/changed/);
    expect(out.compiled[path.join('models/staging/stg_orders.sql')]).toContain('/ 1000.0');
  });

  it('a project var, a --vars value and an env var all invalidate', async () => {
    const dir = copyFixture();
    await compile(dir);
    edit(dir, 'project.yml', (s) => s.replace('min_amount: 0', 'min_amount: 7'));
    let r = await expectFresh(dir);
    expect(r.out.compiled[path.join('models/marts/customer_orders.sql')]).toContain('>= 7');
    r = await expectFresh(dir, { vars: '{min_amount: 9}' });
    expect(r.out.compiled[path.join('models/marts/customer_orders.sql')]).toContain('>= 9');
    r = await expectFresh(dir);
    expect(r.out.compiled[path.join('models/marts/customer_orders.sql')]).toContain('>= 7');
    edit(dir, 'models/staging/stg_orders.sql', (s) =>
      s.replace('status', "status, '{{ env_var('MDL_INCR_X', 'none') }}' as x"),
    );
    r = await expectFresh(dir, {}, { MDL_INCR_X: 'one' });
    expect(r.out.compiled[path.join('models/staging/stg_orders.sql')]).toContain("'one' as x");
    r = await expectFresh(dir, {}, { MDL_INCR_X: 'two' });
    expect(r.out.compiled[path.join('models/staging/stg_orders.sql')]).toContain("'two' as x");
  });

  it('YAML properties and project.yml folder configs invalidate', async () => {
    const dir = copyFixture();
    await compile(dir);
    edit(dir, 'models/marts/schema.yml', (s) =>
      s.replace('description: Order totals per customer.', 'description: Changed.'),
    );
    let r = await expectFresh(dir);
    expect(JSON.stringify(r.out.manifest)).toContain('"description":"Changed."');
    edit(dir, 'project.yml', (s) => s.replace('+schema: staging', '+schema: stage2'));
    r = await expectFresh(dir);
    expect(r.out.compiled[path.join('models/marts/customer_orders.sql')]).not.toContain('staging.');
    expect(JSON.stringify(r.out.manifest)).toContain('"schema":"stage2"');
  });

  it('structural SQL edits (ref, config, ephemeral) and added/removed files fall back to a full compile', async () => {
    const dir = copyFixture();
    await compile(dir);
    edit(dir, 'models/marts/customer_orders.sql', (s) =>
      s.replace("config(alias='customer_order_totals')", "config(alias='cot2')"),
    );
    let r = await expectFresh(dir);
    expect(r.log).not.toMatch(/changed/);
    expect(JSON.stringify(r.out.manifest)).toContain('"identifier":"cot2"');
    edit(dir, 'models/staging/int_customers.sql', (s) => s.replace('upper(name)', 'lower(name)'));
    r = await expectFresh(dir);
    expect(r.out.compiled[path.join('models/marts/customer_orders.sql')]).toContain('lower(name)');
    fs.writeFileSync(
      path.join(dir, 'models/marts/extra.sql'),
      "select * from {{ ref('stg_orders') }}\n",
    );
    r = await expectFresh(dir);
    expect(r.out.compiled[path.join('models/marts/extra.sql')]).toContain('select * from');
    fs.rmSync(path.join(dir, 'models/marts/extra.sql'));
    r = await expectFresh(dir);
    expect(r.out.compiled[path.join('models/marts/extra.sql')]).toBeUndefined();
  });

  it('an edit that keeps size and mtime is still seen (racy-stamp re-hash)', async () => {
    const dir = copyFixture();
    const file = path.join(dir, 'models/staging/stg_orders.sql');
    const now = new Date();
    fs.utimesSync(file, now, now); // written "during" the compile below
    await compile(dir);
    const st = fs.statSync(file);
    edit(dir, 'models/staging/stg_orders.sql', (s) => s.replace('status', 'STATUS'));
    fs.utimesSync(file, st.atime, st.mtime);
    const r = await expectFresh(dir);
    expect(r.out.compiled[path.join('models/staging/stg_orders.sql')]).toContain('STATUS');
  });

  it('a manifest written by another command (mdl parse, --no-cache) disables the splice', async () => {
    const dir = copyFixture();
    await compile(dir);
    await compile(dir, { 'no-cache': true });
    expect(fs.existsSync(path.join(dir, 'target/.mdl-cache/snapshot.json'))).toBe(false);
    fs.writeFileSync(path.join(dir, 'target/manifest.json'), '{}');
    await compile(dir);
    edit(dir, 'models/staging/stg_orders.sql', (s) => `${s}-- x\n`);
    expect((await expectFresh(dir)).log).toMatch(/1 changed/);
  });
});

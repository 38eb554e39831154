import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuckDb } from '../../runner/connections/duckdb-connection.js';
import type { RunResults } from '../../runner/execute/run-result.js';
import {
  buildCli,
  mdl,
  queryWarehouse,
  writeOrdersLoad,
  writeShopProject,
} from './fixture-shop.js';

let dir: string;
beforeAll(async () => {
  buildCli();
  dir = writeShopProject();
  await writeOrdersLoad(dir, '1', [
    [1, 1, 10, 'placed', 1],
    [2, 1, 20, 'shipped', 1],
    [3, 2, 30, 'placed', 1],
  ]);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const results = (): RunResults =>
  JSON.parse(fs.readFileSync(path.join(dir, 'target/run_results.json'), 'utf8')) as RunResults;
const statusOf = (r: RunResults, suffix: string) =>
  r.results.find((x) => x.uniqueId.endsWith(suffix))?.status;
const hashOf = async (rel: string) =>
  (
    await queryWarehouse(
      dir,
      `SELECT count(*) AS n, md5(string_agg(CAST(t AS VARCHAR), '|' ORDER BY CAST(t AS VARCHAR))) AS h FROM ${rel} t`,
    )
  )[0];

describe('mdl seed/build/run/test/retry/show/debug on a fixture project', () => {
  it('seed then build: everything passes, artifacts carry no row values', () => {
    const s = mdl(dir, 'seed');
    expect(s.code, s.stderr + s.stdout).toBe(0);
    const b = mdl(dir, 'build');
    expect(b.code, b.stderr + b.stdout).toBe(0);
    expect(b.stdout).toMatch(/Finished in .*OK=\d+/);
    const r = results();
    expect(r.metadata.command).toBe('build');
    expect(r.results.filter((x) => x.status === 'error' || x.status === 'fail')).toEqual([]);
    expect(statusOf(r, '.orders')).toBe('success');
    expect(r.results.find((x) => x.uniqueId.endsWith('.orders'))?.rowsAffected).toBe(3);
    expect(r.results.filter((x) => x.uniqueId.startsWith('test.')).length).toBeGreaterThanOrEqual(
      7,
    );
    const artifacts = ['target/run_results.json', 'target/mdl.log']
      .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
      .join('\n');
    expect(artifacts).not.toContain('Zyxwv');
    expect(artifacts).not.toContain('Second');
    const log = fs
      .readFileSync(path.join(dir, 'target/mdl.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(log.some((e) => e.event === 'node_finish' && e.status === 'success')).toBe(true);
  });

  it('incremental merge applies a new load; a rerun over the same input changes nothing', async () => {
    await writeOrdersLoad(dir, '2', [
      [2, 1, 25, 'returned', 2],
      [4, 3, 40, 'placed', 2],
    ]);
    const r = mdl(dir, 'run', '--select', 'orders');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(results().results.find((x) => x.uniqueId.endsWith('.orders'))?.rowsAffected).toBe(2);
    expect(
      await queryWarehouse(dir, 'SELECT id, amount, status FROM silver.orders ORDER BY id'),
    ).toEqual([
      { id: 1, amount: 10, status: 'placed' },
      { id: 2, amount: 25, status: 'returned' },
      { id: 3, amount: 30, status: 'placed' },
      { id: 4, amount: 40, status: 'placed' },
    ]);
    const before = await hashOf('silver.orders');
    expect(mdl(dir, 'run', '--select', 'orders').code).toBe(0);
    expect(results().results[0]?.rowsAffected).toBe(0);
    expect(await hashOf('silver.orders')).toEqual(before);
  });

  it('a failing test skips its dependants in build; retry re-runs only what failed or was skipped', async () => {
    await writeOrdersLoad(dir, '3', [[5, 1, 50, 'bogus', 3]]);
    const b = mdl(dir, 'build', '--log-format', 'json');
    expect(b.code).toBe(1);
    const events = b.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.some((e) => e.type === 'start')).toBe(true);
    expect(events.at(-1)?.type).toBe('summary');
    const r = results();
    const failedTest = r.results.find((x) => x.uniqueId.includes('accepted_values'));
    expect(failedTest?.status).toBe('fail');
    expect(failedTest?.failures).toBe(1);
    expect(statusOf(r, '.customer_totals')).toBe('skipped');
    expect(r.results.find((x) => x.uniqueId.endsWith('.customer_totals'))?.skippedBecause).toBe(
      failedTest?.uniqueId,
    );
    expect(b.stdout).not.toContain('bogus');
    const toRetry = r.results
      .filter((x) => ['error', 'fail', 'skipped', 'cancelled'].includes(x.status))
      .map((x) => x.uniqueId)
      .sort();
    // Fix the data (the bad load is withdrawn and the row rebuilt) and retry.
    fs.rmSync(path.join(dir, 'data/bronze/orders/load_id=3'), { recursive: true });
    const fr = mdl(dir, 'run', '--select', 'orders', '--full-refresh');
    expect(fr.code, fr.stderr + fr.stdout).toBe(0);
    expect(results().results[0]?.rowsAffected).toBe(4);
    fs.writeFileSync(path.join(dir, 'target/run_results.json'), JSON.stringify(r));
    const retry = mdl(dir, 'retry');
    expect(retry.code, retry.stderr + retry.stdout).toBe(0);
    const rr = results();
    expect(rr.metadata.command).toBe('build');
    expect(rr.results.map((x) => x.uniqueId).sort()).toEqual(toRetry);
    expect(statusOf(rr, '.customer_totals')).toBe('success');
    expect(mdl(dir, 'retry').stdout).toContain('Nothing to retry');
  });

  it('show prints rows of a model on request; debug checks the connection', () => {
    const s = mdl(dir, 'show', '--select', 'customers', '--limit', '2');
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toContain('Zyxwv, Person');
    expect(s.stdout.split('\n').filter((l) => l.startsWith('| ')).length).toBe(3);
    const d = mdl(dir, 'debug');
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toMatch(/connection: OK/);
    expect(d.stdout).toMatch(/version\s+v1\./);
  });

  it('a second process on the same DuckDB file gets E_DB_LOCKED, not a crash', async () => {
    const holder = await openDuckDb({
      type: 'duckdb',
      name: 'x',
      path: path.join(dir, 'data/warehouse/shop.duckdb'),
      schema: 'main',
      threads: 1,
      settings: {},
    });
    try {
      const r = mdl(dir, 'run', '--select', 'customers');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /E_DB_LOCKED: database file .*shop\.duckdb is locked by another process \(pid \d+\)/,
      );
      expect(r.stderr).toContain('wait for it to finish or use another target');
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
      const d = mdl(dir, 'debug');
      expect(d.code).toBe(1);
      expect(d.stderr).toContain('E_DB_LOCKED');
    } finally {
      await holder.close();
    }
  });
});

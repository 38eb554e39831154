import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResults } from '../../runner/execute/run-result.js';
import { buildCli, mdl, queryWarehouse, REPO, writeShopProject } from './fixture-shop.js';

/**
 * Fault tests: the process is killed (SIGKILL) or interrupted (SIGINT) while a big statement runs;
 * the warehouse must hold the previous state or the new one — never a half-built relation,
 * duplicates, missing rows or visible temporary relations.
 */
let dir: string;
beforeAll(() => {
  buildCli();
  dir = writeShopProject({
    'models/silver/big_table.sql': `{{ config(materialized='table') }}
select range as id, md5(CAST(range + {{ var('salt', 0) }} AS VARCHAR)) as h from range({{ var('n', 1000) }})
`,
    'models/silver/big_inc.sql': `{{ config(materialized='incremental', unique_key='id') }}
select range as id, md5(CAST(range + {{ var('salt', 0) }} AS VARCHAR)) as h from range({{ var('n', 1000) }})
`,
  });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Starts `mdl run` and delivers `signal` ~1s after the node started (per the JSON progress events). */
function runAndSignal(
  model: string,
  vars: string,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; sig: NodeJS.Signals | null; finishedBeforeSignal: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        path.join(REPO, 'bin/mdl.mjs'),
        'run',
        '--select',
        model,
        '--vars',
        vars,
        '--log-format',
        'json',
        '--project-dir',
        dir,
      ],
      { cwd: dir },
    );
    let buf = '';
    let sent = false;
    let finishedBeforeSignal = false;
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      if (!sent && buf.includes('"type":"finish"')) finishedBeforeSignal = true;
      if (!sent && buf.includes('"type":"start"')) {
        sent = true;
        setTimeout(() => child.kill(signal), 1000);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, sig) => resolve({ code, sig, finishedBeforeSignal }));
  });
}

async function visibleTemps(): Promise<unknown[]> {
  return (
    await queryWarehouse(
      dir,
      "SELECT table_name FROM information_schema.tables WHERE table_name LIKE '%\\_\\_mdl\\_%' ESCAPE '\\'",
    )
  ).map((r) => r.table_name);
}
async function stats(rel: string): Promise<Record<string, unknown>> {
  return (
    await queryWarehouse(
      dir,
      `SELECT count(*) AS n, count(DISTINCT id) AS d, count(*) FILTER (WHERE h = md5(CAST(id AS VARCHAR))) AS unsalted FROM ${rel}`,
    )
  )[0]!;
}

describe('fault tolerance on DuckDB', () => {
  it('SIGKILL during a table rebuild leaves the previous table; the rerun completes', async () => {
    expect(mdl(dir, 'run', '--select', 'big_table').code).toBe(0);
    expect(await stats('silver.big_table')).toEqual({ n: 1000n, d: 1000n, unsalted: 1000n });
    const r = await runAndSignal('big_table', '{n: 30000000, salt: 1}', 'SIGKILL');
    expect(r.sig).toBe('SIGKILL');
    expect(r.finishedBeforeSignal).toBe(false);
    expect(await stats('silver.big_table')).toEqual({ n: 1000n, d: 1000n, unsalted: 1000n });
    expect(await visibleTemps()).toEqual([]);
    const again = mdl(dir, 'run', '--select', 'big_table', '--vars', '{n: 2000, salt: 1}');
    expect(again.code, again.stderr + again.stdout).toBe(0);
    expect(await stats('silver.big_table')).toEqual({ n: 2000n, d: 2000n, unsalted: 0n });
    expect(await visibleTemps()).toEqual([]);
  });

  it('SIGKILL during an incremental merge: no duplicates, no missing rows, no temp relations', async () => {
    expect(mdl(dir, 'run', '--select', 'big_inc').code).toBe(0);
    const r = await runAndSignal('big_inc', '{n: 8000000, salt: 1}', 'SIGKILL');
    expect(r.sig).toBe('SIGKILL');
    expect(r.finishedBeforeSignal).toBe(false);
    expect(await stats('silver.big_inc')).toEqual({ n: 1000n, d: 1000n, unsalted: 1000n });
    expect(await visibleTemps()).toEqual([]);
    const again = mdl(dir, 'run', '--select', 'big_inc', '--vars', '{n: 1500, salt: 1}');
    expect(again.code, again.stderr + again.stdout).toBe(0);
    expect(await stats('silver.big_inc')).toEqual({ n: 1500n, d: 1500n, unsalted: 0n });
  });

  it('Ctrl-C (SIGINT) cancels the running statement, rolls back and exits 130', async () => {
    const r = await runAndSignal('big_inc', '{n: 8000000, salt: 2}', 'SIGINT');
    expect(r.finishedBeforeSignal).toBe(false);
    expect(r.code).toBe(130);
    const res = JSON.parse(
      fs.readFileSync(path.join(dir, 'target/run_results.json'), 'utf8'),
    ) as RunResults;
    expect(res.results.find((x) => x.uniqueId.endsWith('.big_inc'))?.status).toBe('cancelled');
    expect(await stats('silver.big_inc')).toEqual({ n: 1500n, d: 1500n, unsalted: 0n });
    expect(await visibleTemps()).toEqual([]);
  });

  it('a second mdl process on the same file while a run is in progress gets E_DB_LOCKED', async () => {
    const child = spawn(
      process.execPath,
      [
        path.join(REPO, 'bin/mdl.mjs'),
        'run',
        '--select',
        'big_table',
        '--vars',
        '{n: 30000000, salt: 3}',
        '--log-format',
        'json',
        '--project-dir',
        dir,
      ],
      { cwd: dir },
    );
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    await new Promise<void>((resolve) => {
      let buf = '';
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        if (buf.includes('"type":"start"')) resolve();
      });
    });
    const second = mdl(dir, 'run', '--select', 'customers');
    child.kill('SIGKILL');
    await exited;
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(
      /E_DB_LOCKED: database file .*shop\.duckdb is locked by another process \(pid \d+\)/,
    );
    expect(second.stderr).not.toMatch(/\n\s+at /);
  });
});

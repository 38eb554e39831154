/**
 * Crash test: a snapshot of a 1M-row table is SIGKILLed at random points while a child process
 * applies it; after each kill the database must hold exactly the old or exactly the new state
 * (never keys with zero or two current rows). A final rerun completes and the invariants hold.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Connection } from '../../runner/connections/connection.js';
import { openDuckDb } from '../../runner/connections/duckdb-connection.js';
import { invariantViolations, planFor, runSnapshot, snapshotNode } from './snapshot-harness.js';

const ROWS = 1_000_000;
const here = path.dirname(fileURLToPath(import.meta.url));
const child = path.join(here, 'snapshot-crash-child.mjs');
let dir: string;
let dbPath: string;

const open = (): Promise<Connection> =>
  openDuckDb({
    type: 'duckdb',
    name: 'crash',
    path: dbPath,
    schema: 'main',
    threads: 2,
    settings: {},
  });

const node = snapshotNode({
  unique_key: 'id',
  strategy: 'timestamp',
  updated_at: 'upd',
  hard_deletes: 'invalidate',
});
const NOW = "TIMESTAMP '2024-02-01 00:00:00'";

/** Whole-table fingerprint: row count, current count and an order-independent hash. */
async function fingerprint(conn: Connection): Promise<string> {
  const r = await conn.query(
    'SELECT count(*) AS n, count(*) FILTER (WHERE is_current) AS c, sum(hash(scd_id, valid_to, is_current)) AS h FROM snapshots.snap',
  );
  return `${String(r[0]?.n)}/${String(r[0]?.c)}/${String(r[0]?.h)}`;
}

function runChild(planFile: string, killAfterMs?: number): Promise<{ done: boolean; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const p = spawn(process.execPath, [child, dbPath, planFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer =
      killAfterMs === undefined ? undefined : setTimeout(() => p.kill('SIGKILL'), killAfterMs);
    p.on('error', reject);
    p.on('exit', (code, signal) => {
      if (timer !== undefined) clearTimeout(timer);
      if (signal === null && code !== 0) reject(new Error(`child failed (${code}): ${err}`));
      else resolve({ done: out.includes('done'), ms: Date.now() - started });
    });
  });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mdl-snapshot-crash-'));
  dbPath = path.join(dir, 'crash.duckdb');
  const conn = await open();
  try {
    await conn.execute('CREATE SCHEMA src');
    await conn.execute(
      `CREATE TABLE src.day1 AS SELECT i AS id, 'name-' || i AS name, i % 97 AS grp, TIMESTAMP '2024-01-01' AS upd FROM range(${ROWS}) t(i)`,
    );
    await runSnapshot(conn, node, 'SELECT * FROM src.day1', "TIMESTAMP '2024-01-02'");
    // Day 2: 10% changed, 1% deleted, 1% new.
    await conn.execute(
      `CREATE TABLE src.day2 AS
       SELECT id, CASE WHEN id % 10 = 0 THEN name || '-v2' ELSE name END AS name, grp,
              CASE WHEN id % 10 = 0 THEN TIMESTAMP '2024-01-15' ELSE upd END AS upd
       FROM src.day1 WHERE id % 100 <> 7
       UNION ALL SELECT ${ROWS} + i, 'new-' || i, 0, TIMESTAMP '2024-01-20' FROM range(${ROWS / 100}) t(i)`,
    );
  } finally {
    await conn.close();
  }
}, 300_000);

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

test('SIGKILL at random points leaves the old or the new state; rerun completes', async () => {
  let conn = await open();
  const plan = await planFor(conn, node, 'SELECT * FROM src.day2', NOW);
  const before = await fingerprint(conn);
  await conn.close();
  const planFile = path.join(dir, 'plan.json');
  fs.writeFileSync(planFile, JSON.stringify(plan));

  // Measure a full run on a copy to choose kill times across its whole duration.
  const pristine = path.join(dir, 'pristine.duckdb');
  fs.copyFileSync(dbPath, pristine);
  const copy = path.join(dir, 'copy.duckdb');
  fs.copyFileSync(dbPath, copy);
  const saved = dbPath;
  dbPath = copy;
  const full = await runChild(planFile);
  conn = await open();
  const after = await fingerprint(conn);
  await conn.close();
  dbPath = saved;
  expect(full.done).toBe(true);
  expect(after).not.toBe(before);

  const outcomes: string[] = [];
  for (let i = 0; i < 8; i++) {
    // Spread over the whole run including the commit (and a little after it).
    const killAt = Math.floor(30 + Math.random() * full.ms * 1.15);
    // Each kill starts from the old state (a fresh copy; no WAL left from the previous round).
    fs.rmSync(`${dbPath}.wal`, { force: true });
    fs.copyFileSync(pristine, dbPath);
    const r = await runChild(planFile, killAt);
    conn = await open();
    try {
      const fp = await fingerprint(conn);
      outcomes.push(
        `${killAt}ms:${r.done ? 'committed' : 'killed'}:${fp === before ? 'old' : fp === after ? 'new' : 'MIXED'}`,
      );
      expect([before, after], `kill at ${killAt}ms`).toContain(fp);
      expect(await invariantViolations(conn, 'snapshots.snap', 'id')).toEqual([]);
    } finally {
      await conn.close();
    }
  }
  // Whatever state the kills left, the rerun converges to the new state; another rerun is a no-op.
  await runChild(planFile);
  conn = await open();
  try {
    expect(await fingerprint(conn)).toBe(after);
    expect(await invariantViolations(conn, 'snapshots.snap', 'id')).toEqual([]);
    const cur = await conn.query('SELECT count(*) AS n FROM snapshots.snap WHERE is_current');
    expect(Number(cur[0]?.n)).toBe(ROWS - ROWS / 100 + ROWS / 100);
  } finally {
    await conn.close();
  }
  await runChild(planFile);
  conn = await open();
  try {
    expect(await fingerprint(conn)).toBe(after);
  } finally {
    await conn.close();
  }
  console.log(`crash outcomes (full run ${full.ms}ms): ${outcomes.join(', ')}`);
}, 600_000);

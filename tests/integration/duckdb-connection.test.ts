import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DuckDbDatabase, openDuckDb } from '../../runner/connections/duckdb-connection.js';
import { redactDuckDbMessage } from '../../runner/connections/duckdb-errors.js';
import { MdlError } from '../../runner/errors/mdl-error.js';
import type { DuckDbTarget } from '../../runner/project/types.js';

const dirs: string[] = [];
function tmpTarget(extra: Partial<DuckDbTarget> = {}): DuckDbTarget {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mdl-duckconn-'));
  dirs.push(dir);
  return {
    type: 'duckdb',
    name: 'dev',
    path: path.join(dir, 'nested', 'dir', 'w.duckdb'),
    schema: 'main',
    threads: 2,
    memoryLimit: '512MB',
    settings: { preserve_insertion_order: false },
    ...extra,
  };
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('openDuckDb', () => {
  it('creates the parent folder, reports rows affected and converts values', async () => {
    const target = tmpTarget();
    const conn = await openDuckDb(target);
    try {
      expect(fs.existsSync(path.dirname(target.path))).toBe(true);
      expect(
        (await conn.execute('CREATE TABLE t AS SELECT range AS id FROM range(7)')).rowsAffected,
      ).toBe(7);
      expect((await conn.execute('INSERT INTO t SELECT range FROM range(3)')).rowsAffected).toBe(3);
      expect((await conn.execute('DELETE FROM t WHERE id < 2')).rowsAffected).toBe(4);
      const rows = await conn.query(
        "SELECT 2147483648::BIGINT AS npi, 12.50::DECIMAL(10,2) AS amt, DATE '2024-02-29' AS d, TIMESTAMP '2024-01-02 03:04:05' AS ts, ['a', NULL] AS l, NULL AS n, current_setting('memory_limit') AS mem",
      );
      expect(rows).toHaveLength(1);
      const r = rows[0]!;
      expect(r.npi).toBe(2147483648n);
      expect(r.amt).toBe('12.50');
      expect(r.d).toBe('2024-02-29');
      expect(r.ts).toBe('2024-01-02T03:04:05');
      expect(r.l).toEqual(['a', null]);
      expect(r.n).toBeNull();
      expect(String(r.mem)).toMatch(/MiB|MB/);
    } finally {
      await conn.close();
    }
  });

  it("leaves DuckDB's worker threads at every core: target threads are mdl's node concurrency", async () => {
    const threadsOf = async (target: DuckDbTarget): Promise<number> => {
      const conn = await openDuckDb(target);
      try {
        const rows = await conn.query("SELECT current_setting('threads') AS t");
        return Number(rows[0]!.t);
      } finally {
        await conn.close();
      }
    };
    const cores = os.availableParallelism();
    expect(await threadsOf(tmpTarget({ threads: 1 }))).toBe(cores);
    expect(await threadsOf(tmpTarget({ threads: cores + 3 }))).toBe(cores);
    // An explicit DuckDB setting still caps it.
    expect(await threadsOf(tmpTarget({ threads: 4, settings: { threads: 1 } }))).toBe(1);
  });

  it('maps SQL errors to E_SQL without the data value', async () => {
    const conn = await openDuckDb(tmpTarget());
    try {
      const err = await conn.query("SELECT 'Jane Doe'::INTEGER").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MdlError);
      expect((err as MdlError).code).toBe('E_SQL');
      expect((err as MdlError).message.split('\n\nLINE')[0]).not.toContain('Jane');
      const missing = await conn.query('SELECT * FROM nope').catch((e: unknown) => e);
      expect((missing as MdlError).message).toContain('nope');
    } finally {
      await conn.close();
    }
  });

  it('cancel interrupts a running statement', async () => {
    const conn = await openDuckDb(tmpTarget());
    try {
      const p = conn.query('SELECT count(*) FROM range(100000000000)');
      setTimeout(() => void conn.cancel(), 200);
      const err = await p.catch((e: unknown) => e);
      expect((err as MdlError).code).toBe('E_CANCELLED');
    } finally {
      await conn.close();
    }
  });

  it('a second database on the same file gets E_DB_LOCKED in another process', async () => {
    const target = tmpTarget();
    const conn = await openDuckDb(target);
    await conn.execute('CREATE TABLE x AS SELECT 1 AS a');
    try {
      const { spawnSync } = await import('node:child_process');
      const script = `import('@duckdb/node-api').then(async ({DuckDBInstance}) => { try { await DuckDBInstance.create(${JSON.stringify(target.path)}); console.log('opened'); } catch (e) { console.log(e.message); } })`;
      const out = spawnSync(process.execPath, ['-e', script], {
        cwd: process.cwd(),
        encoding: 'utf8',
      });
      const { toMdlError } = await import('../../runner/connections/duckdb-errors.js');
      const mapped = toMdlError(new Error(out.stdout.trim()));
      expect(mapped.code).toBe('E_DB_LOCKED');
      expect(mapped.message).toContain(target.path);
      expect(mapped.message).toMatch(/pid \d+/);
      expect(mapped.message).toContain('— wait for it to finish or use another target');
    } finally {
      await conn.close();
    }
    // Released after close: the file opens again.
    const again = await openDuckDb(target);
    expect(await again.query('SELECT a FROM x')).toEqual([{ a: 1 }]);
    await again.close();
  });

  it('attaches the file under the target database name for three-part names', async () => {
    const target = tmpTarget({ database: 'lake' });
    const db = await DuckDbDatabase.open(target);
    try {
      const a = await db.connect();
      const b = await db.connect();
      await a.execute('CREATE SCHEMA IF NOT EXISTS lake.silver');
      await a.execute('CREATE TABLE lake.silver.t AS SELECT 42 AS v');
      expect(await b.query('SELECT v FROM silver.t')).toEqual([{ v: 42 }]);
      expect(await b.query('SELECT current_database() AS db')).toEqual([{ db: 'lake' }]);
    } finally {
      await db.close();
    }
  });
});

describe('redactDuckDbMessage', () => {
  it('removes quoted values from data errors but keeps catalog errors', () => {
    expect(
      redactDuckDbMessage("Conversion Error: Could not convert string 'Ann' to INT32"),
    ).not.toContain('Ann');
    expect(redactDuckDbMessage('Constraint Error: Duplicate key "id: 5" violates')).not.toContain(
      'id: 5',
    );
    expect(redactDuckDbMessage('Catalog Error: Table with name foo does not exist!')).toContain(
      'foo',
    );
  });
});

describe('redaction of CSV conversion errors', () => {
  it('drops the echoed input line and the value but keeps the column name', () => {
    const raw =
      'Conversion Error: CSV Error on Line: 3\nOriginal Line: 2x,Bob Private\nError when converting column "id". Could not convert string "2x" to \'INTEGER\'\n\nColumn id is being converted as type INTEGER';
    const out = redactDuckDbMessage(raw);
    expect(out).not.toContain('Bob Private');
    expect(out).not.toContain('2x');
    expect(out).toContain('column "id"');
    expect(out).toContain('CSV Error on Line: 3');
  });
});

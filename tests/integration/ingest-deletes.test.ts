/**
 * Source deletes through incremental loads: every incremental load lands the table's full key
 * list under `<table>/_keys/load_id=<id>/`, read from the source's primary-key metadata (or the
 * `keycolumns` setting), and records it in `audit.load_keys`. A row deleted at the source is
 * absent from the next list. Runs on SQLite always, on PostgreSQL / MariaDB when their services
 * are up (MDL_PG_URL / MDL_MARIADB_URL; required with MDL_REQUIRE_SERVICES=1).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EmrSourceConfig } from '../../runner/ingest/emr-connections.js';
import type { IngestEvent } from '../../runner/ingest/ingest-events.js';
import type { IngestSandbox } from './ingest-fixtures.js';
import { loadFolders, makeSandbox } from './ingest-fixtures.js';
import type { ServerDb } from './ingest-server-db.js';
import { openServerDb, serviceUrl } from './ingest-server-db.js';

const HEADER = 'database,datasource,tablename,loadtype,watermark,is_active,targetpath,keycolumns';

/** What a case needs from its source: run SQL, and the connections.yml entry. */
interface Source {
  exec(sql: string, params?: readonly unknown[]): Promise<void>;
  q(name: string): string;
  /** `schema.table` for load_config.csv and the qualified name for SQL. */
  table(name: string): { config: string; sql: string };
  readonly ts: string;
  readonly conns: Readonly<Record<string, EmrSourceConfig>>;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Registers the delete cases for one source (call inside a describe). */
function deleteCases(open: () => Promise<{ src: Source; close: () => Promise<void> }>): void {
  let src: Source;
  let close: () => Promise<void>;
  let sb: IngestSandbox;

  beforeEach(async () => {
    sb = makeSandbox();
    ({ src, close } = await open());
    const q = (n: string): string => src.q(n);
    // Composite key declared out of column order: the key list follows the key order.
    await src.exec(
      `CREATE TABLE ${src.table('encounters').sql} (${q('EncounterID')} VARCHAR(20) NOT NULL, ${q('LineNo')} INTEGER NOT NULL, ${q('Note')} VARCHAR(50), ${q('ModifiedDate')} ${src.ts}, PRIMARY KEY (${q('LineNo')}, ${q('EncounterID')}))`,
    );
    // No primary key: the key comes from keycolumns (or there is none).
    await src.exec(
      `CREATE TABLE ${src.table('transactions').sql} (${q('TransactionID')} VARCHAR(20), ${q('Amount')} DECIMAL(10,2), ${q('ModifiedDate')} ${src.ts})`,
    );
    for (const [id, line, note, ts] of [
      ['E1', 1, 'first', '2024-01-01 10:00:00'],
      ['E1', 2, 'Zoë', '2024-01-01 10:00:00'],
      ['E2', 1, null, '2024-01-02 10:00:00'],
    ] as const)
      await src.exec(`INSERT INTO ${src.table('encounters').sql} VALUES (?,?,?,?)`, [
        id,
        line,
        note,
        ts,
      ]);
    for (const [id, amt, ts] of [
      ['T1', '10.00', '2024-01-01 10:00:00'],
      ['T2', '20.50', '2024-01-01 11:00:00'],
      ['T3', '30.25', '2024-01-02 10:00:00'],
    ] as const)
      await src.exec(`INSERT INTO ${src.table('transactions').sql} VALUES (?,?,?)`, [id, amt, ts]);
  });
  afterEach(async () => {
    await close();
    sb.cleanup();
  });

  const config = (trxKeys: string): string =>
    `${HEADER}\nsrc,hos-a,${src.table('encounters').config},Incremental,ModifiedDate,1,hosa,\nsrc,hos-a,${src.table('transactions').config},Incremental,ModifiedDate,1,hosa,${trxKeys}\n`;
  const ingest = (csv: string, listener?: (e: IngestEvent) => void) =>
    sb.ingest(csv, src.conns, {
      ...(src.env === undefined ? {} : { env: src.env }),
      ...(listener === undefined ? {} : { listener }),
    });
  const keysOf = async (table: string, loadId: string, cols: string): Promise<string[]> =>
    (
      await sb.parquet(
        `hosa/${table}/_keys/load_id=${loadId}/*.parquet`,
        `concat_ws('/', ${cols}) AS k, _load_id, datasource`,
        'k',
      )
    ).map((r) => {
      expect(r._load_id).toBe(loadId);
      expect(r.datasource).toBe('hos-a');
      return String(r.k);
    });

  it('lands the full key list on every load; a deleted row is absent from the next one', async () => {
    const first = await ingest(config('TransactionID'));
    expect(first.map((r) => [r.id.split('.').at(-1), r.status])).toEqual([
      ['encounters', 'succeeded'],
      ['transactions', 'succeeded'],
    ]);
    const [enc1, trx1] = first;
    expect(enc1?.keyList).toEqual({ columns: ['LineNo', 'EncounterID'], keys: 3 });
    expect(trx1?.keyList).toEqual({ columns: ['TransactionID'], keys: 3 });
    expect(await keysOf('encounters', enc1?.loadId ?? '', 'LineNo, EncounterID')).toEqual([
      '1/E1',
      '1/E2',
      '2/E1',
    ]);

    // Deletes at the source, plus one update so the watermark copy has something to read.
    await src.exec(
      `DELETE FROM ${src.table('encounters').sql} WHERE ${src.q('EncounterID')} = ? AND ${src.q('LineNo')} = ?`,
      ['E1', 2],
    );
    await src.exec(
      `DELETE FROM ${src.table('transactions').sql} WHERE ${src.q('TransactionID')} = ?`,
      ['T2'],
    );
    await src.exec(
      `UPDATE ${src.table('transactions').sql} SET ${src.q('Amount')} = ?, ${src.q('ModifiedDate')} = ? WHERE ${src.q('TransactionID')} = ?`,
      ['31.00', '2024-01-03 10:00:00', 'T3'],
    );
    const second = await ingest(config('TransactionID'));
    const [enc2, trx2] = second;
    expect(second.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    // The watermark copy alone cannot see the deletes: it re-reads the overlap and the update.
    expect(enc2?.rows).toBe(1);
    expect(trx2?.rows).toBe(1);
    expect(await keysOf('encounters', enc2?.loadId ?? '', 'LineNo, EncounterID')).toEqual([
      '1/E1',
      '1/E2',
    ]);
    expect(await keysOf('transactions', trx2?.loadId ?? '', 'TransactionID')).toEqual(['T1', 'T3']);
    // Each load keeps its own list; the first one is untouched.
    expect(loadFolders(sb.bronze, 'hosa/transactions/_keys')).toEqual([
      `load_id=${trx1?.loadId ?? ''}`,
      `load_id=${trx2?.loadId ?? ''}`,
    ]);
    expect(await keysOf('transactions', trx1?.loadId ?? '', 'TransactionID')).toEqual([
      'T1',
      'T2',
      'T3',
    ]);

    // The audit records every list next to its succeeded load.
    const audit = await sb.warehouse_query(
      `SELECT k.tablename, k.load_id, k.key_columns, k.key_source, k.keys_count, k.location, l.status
       FROM audit.load_keys k JOIN audit.load_logs l USING (load_id) ORDER BY k.load_id`,
    );
    const tn = (t: string): string => src.table(t).config;
    expect(audit.map((r) => ({ ...r, keys_count: Number(r.keys_count) }))).toEqual(
      (
        [
          ['encounters', enc1?.loadId, 'LineNo|EncounterID', 'primary-key', 3],
          ['transactions', trx1?.loadId, 'TransactionID', 'config', 3],
          ['encounters', enc2?.loadId, 'LineNo|EncounterID', 'primary-key', 2],
          ['transactions', trx2?.loadId, 'TransactionID', 'config', 2],
        ] as const
      )
        .map(([table, loadId = '', key_columns, key_source, keys_count]) => ({
          tablename: tn(table),
          load_id: loadId,
          key_columns,
          key_source,
          keys_count,
          location: `hosa/${table}/_keys/load_id=${loadId}`,
          status: 'succeeded',
        }))
        .sort((a, b) => (a.load_id < b.load_id ? -1 : 1)),
    );
  });

  it("moves the key list of a load killed before its audit row out of the readers' glob", async () => {
    const [, trx1] = await ingest(config('TransactionID'));
    // What a process killed between the rename and the audit insert leaves behind.
    const ghost = '29991231T000000000Z_dead00';
    const keysRoot = path.join(sb.bronze, 'hosa', 'transactions', '_keys');
    fs.cpSync(
      path.join(keysRoot, `load_id=${trx1?.loadId ?? ''}`),
      path.join(keysRoot, `load_id=${ghost}`),
      {
        recursive: true,
      },
    );
    const [, trx2] = await ingest(config('TransactionID'));
    expect(trx2?.status).toBe('succeeded');
    expect(loadFolders(sb.bronze, 'hosa/transactions/_keys')).toEqual([
      `load_id=${trx1?.loadId ?? ''}`,
      `load_id=${trx2?.loadId ?? ''}`,
    ]);
    expect(loadFolders(sb.bronze, '_orphaned/hosa/transactions/_keys')).toEqual([
      `load_id=${ghost}`,
    ]);
  });

  it('lands no key list for a table without a key, and says so', async () => {
    const events: IngestEvent[] = [];
    const res = await ingest(config(''), (e) => {
      events.push(e);
    });
    expect(res.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    expect(res[1]?.keyList).toBeUndefined();
    expect(fs.existsSync(path.join(sb.bronze, 'hosa', 'transactions', '_keys'))).toBe(false);
    expect(
      events.filter((e) => e.type === 'keys').map((e) => e.type === 'keys' && e.columns),
    ).toEqual(expect.arrayContaining([[], ['LineNo', 'EncounterID']]));
  });

  it('fails a load whose keycolumns names a missing column, before copying anything', async () => {
    const res = await ingest(config('NoSuchColumn'));
    expect(res[1]?.status).toBe('failed');
    expect(res[1]?.error?.message).toContain("key column 'NoSuchColumn' not found");
    expect(loadFolders(sb.bronze, 'hosa/transactions')).toEqual([]);
    const wm = await sb.warehouse_query(
      `SELECT count(*) AS n FROM audit.load_logs WHERE tablename = '${src.table('transactions').config}' AND status = 'succeeded'`,
    );
    expect(Number(wm[0]?.n)).toBe(0);
  });
}

describe('incremental deletes: sqlite', () => {
  deleteCases(() => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mdl-del-')), 'src.sqlite');
    const db = new Database(file);
    return Promise.resolve({
      src: {
        exec: (sql, params = []) => {
          db.prepare(sql).run(...params);
          return Promise.resolve();
        },
        q: (n) => `"${n}"`,
        table: (name) => ({ config: `dbo.${name}`, sql: `"${name}"` }),
        ts: 'DATETIME',
        conns: { src: { client: 'sqlite', database: 'src', filename: file } },
      },
      close: () => {
        db.close();
        fs.rmSync(path.dirname(file), { recursive: true, force: true });
        return Promise.resolve();
      },
    });
  });
});

for (const [client, envName, label] of [
  ['pg', 'MDL_PG_URL', 'postgres'],
  ['mysql', 'MDL_MARIADB_URL', 'mariadb'],
] as const) {
  const { url, required } = serviceUrl(envName);
  if (url === undefined) {
    if (required)
      describe(`incremental deletes: ${label}`, () => {
        it(`needs ${envName} (MDL_REQUIRE_SERVICES=1)`, () => {
          throw new Error(`${envName} is not set: run scripts/services/${label}.sh start`);
        });
      });
    else
      describe.skip(`incremental deletes: ${label} (${envName} not set)`, () =>
        it('skipped', () => undefined));
    continue;
  }
  describe(`incremental deletes: ${label}`, () => {
    let db: ServerDb;
    beforeAll(async () => {
      db = await openServerDb(client, url);
    });
    afterAll(async () => {
      await db.close();
    });
    deleteCases(async () => {
      const schema = `${db.schemaPrefix}_del_${crypto.randomBytes(4).toString('hex')}`;
      await db.exec(
        client === 'pg'
          ? `CREATE SCHEMA ${db.q(schema)}`
          : `CREATE DATABASE ${db.q(schema)} CHARACTER SET utf8mb4`,
      );
      return {
        src: {
          exec: (sql, params) => db.exec(sql, params),
          q: (n) => db.q(n),
          table: (name) => ({ config: `${schema}.${name}`, sql: `${db.q(schema)}.${db.q(name)}` }),
          ts: db.types.ts,
          conns: { src: db.source('src') },
          env: db.env,
        },
        close: () =>
          db.exec(
            client === 'pg'
              ? `DROP SCHEMA ${db.q(schema)} CASCADE`
              : `DROP DATABASE ${db.q(schema)}`,
          ),
      };
    });
  });
}

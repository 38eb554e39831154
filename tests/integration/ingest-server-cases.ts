/**
 * The acceptance cases shared by the PostgreSQL and MariaDB suites (same semantics on every
 * server source): full + incremental loads, watermark boundaries, a row committed during the
 * copy, a failed copy, a rerun, schema drift, NULL/Unicode, DATE/DECIMAL/BIGINT NPI > 2^31.
 */
import crypto from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { SourceReader, createSourceKnex } from '../../runner/ingest/source-reader.js';
import type { IngestSandbox } from './ingest-fixtures.js';
import { loadFolders, makeSandbox } from './ingest-fixtures.js';
import type { ServerDb } from './ingest-server-db.js';
import { openServerDb } from './ingest-server-db.js';

/** Registers the shared cases for one server (call inside a describe). */
export function serverIngestCases(client: 'pg' | 'mysql', url: string): void {
  let db: ServerDb;
  let sb: IngestSandbox;
  let schema: string;
  let csv: string;
  const t = (name: string): string => `${db.q(schema)}.${db.q(name)}`;

  beforeAll(async () => {
    db = await openServerDb(client, url);
  });
  afterAll(async () => {
    await db.close();
  });
  beforeEach(async () => {
    sb = makeSandbox();
    schema = `${db.schemaPrefix}_${crypto.randomBytes(4).toString('hex')}`;
    await db.exec(
      client === 'pg'
        ? `CREATE SCHEMA ${db.q(schema)}`
        : `CREATE DATABASE ${db.q(schema)} CHARACTER SET utf8mb4`,
    );
    await db.exec(
      `CREATE TABLE ${t('providers')} (${db.q('ProviderID')} VARCHAR(20), ${db.q('FirstName')} ${db.types.text}, ${db.q('NPI')} BIGINT, ${db.q('DeptID')} INTEGER)`,
    );
    await db.exec(
      `CREATE TABLE ${t('patients')} (${db.q('PatientID')} VARCHAR(20), ${db.q('FirstName')} ${db.types.text}, ${db.q('DOB')} DATE, ${db.q('Balance')} DECIMAL(14,2), ${db.q('ModifiedDate')} ${db.types.ts})`,
    );
    await db.exec(`INSERT INTO ${t('providers')} VALUES (?,?,?,?)`, [
      'P1',
      'Zoë 山田',
      '9876543210',
      7,
    ]);
    await db.exec(`INSERT INTO ${t('providers')} VALUES (?,?,?,?)`, [
      'P2',
      null,
      '2147483648',
      null,
    ]);
    await db.exec(`INSERT INTO ${t('providers')} VALUES (?,?,?,?)`, [
      'P3',
      'a "quoted", multi\nline\\x',
      '1',
      -1,
    ]);
    await db.exec(`INSERT INTO ${t('providers')} VALUES (?,?,?,?)`, ['P4', '', '0', 0]);
    for (const [id, name, dob, bal, ts] of [
      ['1', 'Ann', '1980-02-29', '123456789012.34', '2024-01-01 10:00:00'],
      ['2', 'Émile', '1975-12-31', '0.10', '2024-01-02 10:00:00'],
      ['3', null, null, null, '2024-01-02 10:00:00'],
    ] as const)
      await db.exec(`INSERT INTO ${t('patients')} VALUES (?,?,?,?,?)`, [id, name, dob, bal, ts]);
    csv = `database,datasource,tablename,loadtype,watermark,is_active,targetpath\nsrc,hos-a,${schema}.providers,Full,,1,hosa\nsrc,hos-a,${schema}.patients,Incremental,ModifiedDate,1,hosa\n`;
  });
  afterEach(async () => {
    await db.exec(
      client === 'pg' ? `DROP SCHEMA ${db.q(schema)} CASCADE` : `DROP DATABASE ${db.q(schema)}`,
    );
    sb.cleanup();
  });

  const run = (listener?: Parameters<IngestSandbox['ingest']>[2]) =>
    sb.ingest(csv, { src: db.source('src') }, { env: db.env, ...listener });

  it('full + incremental loads with exact DATE, DECIMAL, BIGINT NPI > 2^31, NULL and Unicode', async () => {
    const res = await run();
    expect(res.map((r) => [r.status, r.rows])).toEqual([
      ['succeeded', 4],
      ['succeeded', 3],
    ]);
    expect(await sb.parquetTypes('hosa/providers/load_id=*/*.parquet')).toMatchObject({
      NPI: 'BIGINT',
      DeptID: 'INTEGER',
    });
    expect(await sb.parquetTypes('hosa/patients/load_id=*/*.parquet')).toMatchObject({
      DOB: 'DATE',
      Balance: 'DECIMAL(14,2)',
      ModifiedDate: 'TIMESTAMP',
    });
    const prov = await sb.parquet(
      'hosa/providers/load_id=*/*.parquet',
      'ProviderID, FirstName, NPI, DeptID',
      'ProviderID',
    );
    expect(prov).toEqual([
      { ProviderID: 'P1', FirstName: 'Zoë 山田', NPI: 9876543210n, DeptID: 7 },
      { ProviderID: 'P2', FirstName: null, NPI: 2147483648n, DeptID: null },
      { ProviderID: 'P3', FirstName: 'a "quoted", multi\nline\\x', NPI: 1n, DeptID: -1 },
      { ProviderID: 'P4', FirstName: '', NPI: 0n, DeptID: 0 },
    ]);
    const pats = await sb.parquet(
      'hosa/patients/load_id=*/*.parquet',
      'PatientID, FirstName, CAST(DOB AS VARCHAR) AS dob, CAST(Balance AS VARCHAR) AS bal, datasource',
      'PatientID',
    );
    expect(pats).toEqual([
      {
        PatientID: '1',
        FirstName: 'Ann',
        dob: '1980-02-29',
        bal: '123456789012.34',
        datasource: 'hos-a',
      },
      { PatientID: '2', FirstName: 'Émile', dob: '1975-12-31', bal: '0.10', datasource: 'hos-a' },
      { PatientID: '3', FirstName: null, dob: null, bal: null, datasource: 'hos-a' },
    ]);
  });

  it('incremental boundaries: equal timestamps, a row committed during the copy, a rerun', async () => {
    const first = await run();
    const mark = first[1]?.newWatermark;
    expect(mark?.startsWith('2024-01-02 10:00:00')).toBe(true);
    // committed late with a watermark equal to the recorded mark
    await db.exec(`INSERT INTO ${t('patients')} VALUES (?,?,?,?,?)`, [
      '4',
      'Late',
      '2000-01-01',
      '1.00',
      '2024-01-02 10:00:00',
    ]);
    await db.exec(`INSERT INTO ${t('patients')} VALUES (?,?,?,?,?)`, [
      '5',
      'New',
      '2000-01-01',
      '1.00',
      '2024-01-03 10:00:00',
    ]);
    const second = await run({
      listener: async (ev) => {
        if (ev.type === 'watermark')
          await db.exec(`INSERT INTO ${t('patients')} VALUES (?,?,?,?,?)`, [
            '6',
            'During',
            '2000-01-01',
            '1.00',
            '2024-01-03 10:00:00',
          ]);
      },
    });
    expect(second[1]?.status).toBe('succeeded');
    expect(second[1]?.oldWatermark).toBe(mark);
    // rerun: safe, and row 6 (equal to the captured max, committed during the copy) is there
    await run();
    const ids = new Set(
      (await sb.parquet('hosa/patients/load_id=*/*.parquet', 'PatientID')).map((r) => r.PatientID),
    );
    expect(ids).toEqual(new Set(['1', '2', '3', '4', '5', '6']));
    const logs = await sb.warehouse_query(
      "SELECT count(*) AS n FROM audit.load_logs WHERE tablename LIKE '%patients' AND status = 'succeeded'",
    );
    expect(logs).toEqual([{ n: 3n }]);
  });

  it('a failed copy leaves no visible load and keeps the watermark; schema drift is picked up on rerun', async () => {
    await run();
    await db.exec(`INSERT INTO ${t('patients')} VALUES (?,?,?,?,?)`, [
      '7',
      'X',
      '2000-01-01',
      '1.00',
      '2024-02-01 00:00:00',
    ]);
    const failed = await run({
      listener: async (ev) => {
        // the table disappears between capturing MAX and reading: the copy fails
        if (ev.type === 'watermark')
          await db.exec(
            client === 'pg'
              ? `ALTER TABLE ${t('patients')} RENAME TO ${db.q('patients_gone')}`
              : `RENAME TABLE ${t('patients')} TO ${t('patients_gone')}`,
          );
      },
    });
    expect(failed[1]?.status).toBe('failed');
    expect(loadFolders(sb.bronze, 'hosa/patients')).toHaveLength(1);
    const marks = await sb.warehouse_query(
      "SELECT new_watermark FROM audit.load_logs WHERE tablename LIKE '%patients' AND status = 'succeeded'",
    );
    expect(marks).toHaveLength(1);
    await db.exec(
      client === 'pg'
        ? `ALTER TABLE ${t('patients_gone')} RENAME TO ${db.q('patients')}`
        : `RENAME TABLE ${t('patients_gone')} TO ${t('patients')}`,
    );
    await db.exec(`ALTER TABLE ${t('patients')} ADD COLUMN ${db.q('Email')} ${db.types.text}`);
    await db.exec(`INSERT INTO ${t('patients')} VALUES (?,?,?,?,?,?)`, [
      '8',
      'Drift',
      '2000-01-01',
      '3.30',
      '2024-03-01 00:00:00',
      'a@b.c',
    ]);
    const again = await run();
    expect(again[1]?.status).toBe('succeeded');
    const rows = await sb.parquet(
      'hosa/patients/load_id=*/*.parquet',
      'PatientID, Email',
      'PatientID',
    );
    expect(rows.find((r) => r.PatientID === '7')).toBeDefined();
    expect(rows.find((r) => r.PatientID === '8')?.Email).toBe('a@b.c');
    expect(rows.find((r) => r.PatientID === '1')?.Email).toBeNull();
  });

  it('streams rows as exact text in bounded batches (row API) and captures MAX before reading', async () => {
    const cfg = db.source('src');
    const reader = new SourceReader(
      cfg,
      createSourceKnex(cfg, { projectDir: sb.dir, env: db.env, secrets: () => undefined }),
    );
    try {
      const cols = await reader.columns(schema, 'providers');
      expect(cols.map((c) => [c.name, c.bronzeType])).toEqual([
        ['ProviderID', 'VARCHAR'],
        ['FirstName', 'VARCHAR'],
        ['NPI', 'BIGINT'],
        ['DeptID', 'INTEGER'],
      ]);
      expect(await reader.maxWatermark(schema, 'patients', 'ModifiedDate')).toMatch(
        /^2024-01-02 10:00:00/,
      );
      const batches = [];
      for await (const b of reader.read(
        { schema, table: 'providers', columns: ['ProviderID', 'NPI', 'FirstName'] },
        3,
      ))
        batches.push(b);
      expect(batches.map((b) => b.length)).toEqual([3, 1]);
      const rows = batches.flat().sort((a, b) => String(a[0]).localeCompare(String(b[0])));
      expect(rows).toEqual([
        ['P1', '9876543210', 'Zoë 山田'],
        ['P2', '2147483648', null],
        ['P3', '1', 'a "quoted", multi\nline\\x'],
        ['P4', '0', ''],
      ]);
    } finally {
      await reader.close();
    }
  });

  it('a load that stops mid-stream does not poison the connection for the next table', async () => {
    const res = await sb.ingest(
      csv,
      { src: db.source('src') },
      {
        env: db.env,
        concurrency: 1,
        batchSize: 1,
        listener: (ev) => {
          if (ev.type === 'progress' && ev.id.endsWith('.providers'))
            throw new Error('consumer gave up');
        },
      },
    );
    expect(res.map((r) => r.status)).toEqual(['failed', 'succeeded']);
    expect(res[0]?.error?.message).toContain('consumer gave up');
    expect(res[1]?.rows).toBe(3);
    expect(loadFolders(sb.bronze, 'hosa/providers')).toEqual([]);
  });
}

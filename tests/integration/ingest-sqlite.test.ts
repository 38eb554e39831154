/**
 * EMR ingest from a real SQLite file (the embedded default): full and incremental loads,
 * watermark boundaries, failed copies, schema drift, NULL/Unicode and exact types.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EmrSourceConfig } from '../../runner/ingest/emr-connections.js';
import type { IngestSandbox } from './ingest-fixtures.js';
import { loadFolders, makeSandbox } from './ingest-fixtures.js';

const CONFIG = `database,datasource,tablename,loadtype,watermark,is_active,targetpath
hospital_a,hos-a,dbo.providers,Full,,1,hosa
hospital_a,hos-a,dbo.patients,Incremental,ModifiedDate,1,hosa
`;

let sb: IngestSandbox;
let db: Database.Database;
let conns: Record<string, EmrSourceConfig>;

beforeEach(() => {
  sb = makeSandbox();
  const file = path.join(sb.dir, 'hospital_a.sqlite');
  db = new Database(file);
  db.exec(`
    CREATE TABLE providers (ProviderID TEXT, FirstName TEXT, LastName TEXT, Specialization TEXT, DeptID TEXT, NPI BIGINT);
    CREATE TABLE patients (PatientID TEXT, FirstName TEXT, DOB DATE, Balance DECIMAL(12,2), ModifiedDate DATETIME);
  `);
  const ins = db.prepare('INSERT INTO providers VALUES (?,?,?,?,?,?)');
  ins.run('P1', 'Zoë', 'Ødegård', 'Cardiology', 'D1', 9_876_543_210n);
  ins.run('P2', null, 'Smith', null, 'D2', 1_234_567_890n);
  const p = db.prepare('INSERT INTO patients VALUES (?,?,?,?,?)');
  p.run('1', 'Ann', '1980-02-29', '1234567890.12', '2024-01-01 10:00:00');
  p.run('2', '山田', '1975-12-31', '0.10', '2024-01-02 10:00:00');
  p.run('3', null, null, null, '2024-01-03 10:00:00');
  conns = {
    hospital_a: { client: 'sqlite', database: 'hospital_a', filename: 'hospital_a.sqlite' },
  };
});

afterEach(() => {
  db.close();
  sb.cleanup();
});

describe('sqlite ingest', () => {
  it('copies full and incremental tables with exact types, NULLs and Unicode', async () => {
    const res = await sb.ingest(CONFIG, conns);
    expect(res.map((r) => [r.id, r.status, r.rows])).toEqual([
      ['hos-a.providers', 'succeeded', 2],
      ['hos-a.patients', 'succeeded', 3],
    ]);
    const types = await sb.parquetTypes('hosa/patients/load_id=*/*.parquet');
    expect(types).toMatchObject({
      DOB: 'DATE',
      Balance: 'DECIMAL(12,2)',
      ModifiedDate: 'TIMESTAMP',
      datasource: 'VARCHAR',
      _load_id: 'VARCHAR',
      _loaded_at: 'TIMESTAMP',
    });
    expect((await sb.parquetTypes('hosa/providers/load_id=*/*.parquet')).NPI).toBe('BIGINT');
    const prov = await sb.parquet(
      'hosa/providers/load_id=*/*.parquet',
      'ProviderID, FirstName, LastName, NPI, datasource',
    );
    expect(prov.sort((a, b) => String(a.ProviderID).localeCompare(String(b.ProviderID)))).toEqual([
      {
        ProviderID: 'P1',
        FirstName: 'Zoë',
        LastName: 'Ødegård',
        NPI: 9876543210n,
        datasource: 'hos-a',
      },
      {
        ProviderID: 'P2',
        FirstName: null,
        LastName: 'Smith',
        NPI: 1234567890n,
        datasource: 'hos-a',
      },
    ]);
    const pats = await sb.parquet(
      'hosa/patients/load_id=*/*.parquet',
      'PatientID, FirstName, CAST(DOB AS VARCHAR) AS dob, CAST(Balance AS VARCHAR) AS bal',
    );
    expect(pats.sort((a, b) => String(a.PatientID).localeCompare(String(b.PatientID)))).toEqual([
      { PatientID: '1', FirstName: 'Ann', dob: '1980-02-29', bal: '1234567890.12' },
      { PatientID: '2', FirstName: '山田', dob: '1975-12-31', bal: '0.10' },
      { PatientID: '3', FirstName: null, dob: null, bal: null },
    ]);
    const logs = await sb.warehouse_query(
      'SELECT tablename, status, rows_copied, watermark_column, old_watermark, new_watermark FROM audit.load_logs ORDER BY tablename',
    );
    expect(logs).toEqual([
      {
        tablename: 'dbo.patients',
        status: 'succeeded',
        rows_copied: 3n,
        watermark_column: 'ModifiedDate',
        old_watermark: null,
        new_watermark: '2024-01-03 10:00:00',
      },
      {
        tablename: 'dbo.providers',
        status: 'succeeded',
        rows_copied: 2n,
        watermark_column: null,
        old_watermark: null,
        new_watermark: null,
      },
    ]);
  });

  it('incremental: copies only rows above the captured mark, re-reads the boundary, never loses a row committed during the copy', async () => {
    await sb.ingest(CONFIG, conns);
    // equal timestamp to the old mark (committed late) and a newer row
    db.prepare('INSERT INTO patients VALUES (?,?,?,?,?)').run(
      '4',
      'Late',
      '1990-01-01',
      '1.00',
      '2024-01-03 10:00:00',
    );
    db.prepare('INSERT INTO patients VALUES (?,?,?,?,?)').run(
      '5',
      'New',
      '1990-01-01',
      '1.00',
      '2024-01-04 10:00:00',
    );
    const res = await sb.ingest(CONFIG, conns, {
      listener: (ev) => {
        // a row committed after MAX was captured, with a watermark equal to the captured max
        if (ev.type === 'watermark' && ev.id === 'hos-a.patients')
          db.prepare('INSERT INTO patients VALUES (?,?,?,?,?)').run(
            '6',
            'During',
            '1990-01-01',
            '1.00',
            '2024-01-04 10:00:00',
          );
      },
    });
    const pat = res.find((r) => r.id === 'hos-a.patients');
    expect(pat?.oldWatermark).toBe('2024-01-03 10:00:00');
    expect(pat?.newWatermark).toBe('2024-01-04 10:00:00');
    const ids = (await sb.parquet('hosa/patients/load_id=*/*.parquet', 'PatientID'))
      .map((r) => r.PatientID)
      .sort();
    // 3 is re-read (boundary overlap), 4 (late, equal to old mark), 5 and 6 are all present.
    expect(new Set(ids)).toEqual(new Set(['1', '2', '3', '4', '5', '6']));
    expect(loadFolders(sb.bronze, 'hosa/patients')).toHaveLength(2);
    // third run: nothing new except the boundary; 6 is not lost
    await sb.ingest(CONFIG, conns);
    const all = (await sb.parquet('hosa/patients/load_id=*/*.parquet', 'DISTINCT PatientID')).map(
      (r) => r.PatientID,
    );
    expect(all).toContain('6');
  });

  it('a failed copy leaves no visible files and does not advance the watermark; the rerun succeeds', async () => {
    await sb.ingest(CONFIG, conns);
    // SQLite accepts text in a DATE column; the CAST to DATE fails the load.
    db.prepare('INSERT INTO patients VALUES (?,?,?,?,?)').run(
      '7',
      'Bad',
      'not-a-date',
      '1',
      '2024-02-01 00:00:00',
    );
    const res = await sb.ingest(CONFIG, conns);
    const pat = res.find((r) => r.id === 'hos-a.patients');
    expect(pat?.status).toBe('failed');
    expect(pat?.error?.message).not.toContain('not-a-date');
    expect(loadFolders(sb.bronze, 'hosa/patients')).toHaveLength(1);
    expect(fs.readdirSync(path.join(sb.bronze, '_staging', 'hosa', 'patients'))).toEqual([]);
    const marks = await sb.warehouse_query(
      "SELECT status, new_watermark FROM audit.load_logs WHERE tablename = 'dbo.patients' ORDER BY started_at",
    );
    expect(marks).toEqual([
      { status: 'succeeded', new_watermark: '2024-01-03 10:00:00' },
      { status: 'failed', new_watermark: null },
    ]);
    db.prepare("UPDATE patients SET DOB = '1999-09-09' WHERE PatientID = '7'").run();
    const again = await sb.ingest(CONFIG, conns);
    expect(again.find((r) => r.id === 'hos-a.patients')?.status).toBe('succeeded');
    expect(
      (await sb.parquet('hosa/patients/load_id=*/*.parquet', 'PatientID')).map((r) => r.PatientID),
    ).toContain('7');
  });

  it('schema drift: a new source column appears in the next load, old rows read as NULL', async () => {
    await sb.ingest(CONFIG, conns);
    db.exec('ALTER TABLE patients ADD COLUMN Email TEXT');
    db.prepare('INSERT INTO patients VALUES (?,?,?,?,?,?)').run(
      '8',
      'Drift',
      '1990-01-01',
      '2.50',
      '2024-03-01 00:00:00',
      'a@b.c',
    );
    await sb.ingest(CONFIG, conns);
    const rows = await sb.parquet('hosa/patients/load_id=*/*.parquet', 'PatientID, Email');
    expect(rows.find((r) => r.PatientID === '8')?.Email).toBe('a@b.c');
    expect(rows.find((r) => r.PatientID === '1')?.Email).toBeNull();
  });

  it('full loads supersede earlier loads, keep N, and write the _latest marker', async () => {
    for (let i = 0; i < 5; i++) await sb.ingest(CONFIG, conns);
    const folders = loadFolders(sb.bronze, 'hosa/providers');
    expect(folders).toHaveLength(3);
    const marker = JSON.parse(
      fs.readFileSync(path.join(sb.bronze, 'hosa/providers/_latest.json'), 'utf8'),
    ) as { load_id: string };
    expect(`load_id=${marker.load_id}`).toBe(folders[2]);
  });

  it('splits large tables into several part files', async () => {
    const ins = db.prepare('INSERT INTO providers VALUES (?,?,?,?,?,?)');
    db.transaction(() => {
      for (let i = 0; i < 2500; i++)
        ins.run(`X${i}`, 'F', 'L', 'S', 'D', 3_000_000_000n + BigInt(i));
    })();
    const res = await sb.ingest(CONFIG, conns, { rowsPerPart: 1000, batchSize: 300 });
    const prov = res.find((r) => r.id === 'hos-a.providers');
    expect(prov?.rows).toBe(2502);
    expect(prov?.parts).toBe(3);
    const sum = await sb.parquet(
      'hosa/providers/load_id=*/*.parquet',
      'count(*) AS n, max(NPI) AS m',
    );
    expect(sum).toEqual([{ n: 2502n, m: 9_876_543_210n }]);
  });

  it("a load committed but never audited (killed between rename and audit) is moved out of the readers' glob", async () => {
    await sb.ingest(CONFIG, conns);
    const orphan = path.join(sb.bronze, 'hosa', 'patients', 'load_id=20991231T000000000Z_dead00');
    fs.mkdirSync(orphan);
    fs.copyFileSync(
      path.join(
        sb.bronze,
        'hosa',
        'patients',
        loadFolders(sb.bronze, 'hosa/patients')[0] ?? '',
        'part-00000.parquet',
      ),
      path.join(orphan, 'part-00000.parquet'),
    );
    await sb.ingest(CONFIG, conns);
    expect(loadFolders(sb.bronze, 'hosa/patients')).not.toContain(
      'load_id=20991231T000000000Z_dead00',
    );
    expect(
      fs.existsSync(
        path.join(sb.bronze, '_orphaned', 'hosa', 'patients', 'load_id=20991231T000000000Z_dead00'),
      ),
    ).toBe(true);
  });

  it('a fresh or rebuilt warehouse (no audit history) never hides existing bronze loads', async () => {
    await sb.ingest(CONFIG, conns);
    fs.rmSync(sb.warehouse);
    await sb.ingest(CONFIG, conns);
    expect(loadFolders(sb.bronze, 'hosa/patients')).toHaveLength(2);
    expect(fs.existsSync(path.join(sb.bronze, '_orphaned'))).toBe(false);
  });
});

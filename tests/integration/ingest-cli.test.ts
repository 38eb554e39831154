/**
 * `mdl ingest` end to end on a temp project (SQLite sources, DuckDB warehouse, landing files),
 * plus a load killed with SIGKILL in the middle of the copy: nothing visible, watermark kept,
 * the rerun completes.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../runner/cli/main.js';
import type { CliIo } from '../../runner/cli/command.js';
import { openDuckDb } from '../../runner/connections/duckdb-connection.js';

let dir: string;

function project(rows: number): void {
  fs.mkdirSync(path.join(dir, 'configs', 'emr'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'data', 'landing', 'emr'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'data', 'landing', 'cpt'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'project.yml'), 'name: ingest_e2e\nversion: "1"\n');
  fs.writeFileSync(
    path.join(dir, 'configs', 'targets.yml'),
    'default: dev\ntargets:\n  dev:\n    type: duckdb\n    path: data/warehouse/mdl_dev.duckdb\n    schema: main\n    threads: 1\n',
  );
  fs.copyFileSync('configs/emr/load_config.csv', path.join(dir, 'configs/emr/load_config.csv'));
  fs.copyFileSync('configs/emr/connections.yml', path.join(dir, 'configs/emr/connections.yml'));
  for (const [file, patients] of [
    [
      'hospital_a.sqlite',
      'PatientID TEXT, FirstName TEXT, LastName TEXT, MiddleName TEXT, SSN TEXT, PhoneNumber TEXT, Gender TEXT, DOB DATE, Address TEXT, ModifiedDate DATETIME',
    ],
    [
      'hospital_b.sqlite',
      'ID TEXT, F_Name TEXT, L_Name TEXT, M_Name TEXT, SSN TEXT, PhoneNumber TEXT, Gender TEXT, DOB DATE, Address TEXT, Updated_Date DATETIME',
    ],
  ] as const) {
    const db = new Database(path.join(dir, 'data', 'landing', 'emr', file));
    db.exec(`
      CREATE TABLE departments (DeptID TEXT, Name TEXT);
      CREATE TABLE encounters (EncounterID TEXT, PatientID TEXT, EncounterDate DATE, EncounterType TEXT, ProviderID TEXT, DepartmentID TEXT, ProcedureCode INTEGER, InsertedDate DATE, ModifiedDate DATE);
      CREATE TABLE providers (ProviderID TEXT, FirstName TEXT, LastName TEXT, Specialization TEXT, DeptID TEXT, NPI BIGINT);
      CREATE TABLE transactions (TransactionID TEXT, EncounterID TEXT, PatientID TEXT, ProviderID TEXT, DeptID TEXT, VisitDate DATE, ServiceDate DATE, PaidDate DATE, VisitType TEXT, Amount DECIMAL(10,2), AmountType TEXT, PaidAmount DECIMAL(10,2), ClaimID TEXT, PayorID TEXT, ProcedureCode INTEGER, ICDCode TEXT, LineOfBusiness TEXT, MedicaidID TEXT, MedicareID TEXT, InsertDate DATE, ModifiedDate DATE);
      CREATE TABLE patients (${patients});
    `);
    db.prepare('INSERT INTO departments VALUES (?, ?)').run('D1', 'Cardiology');
    db.prepare('INSERT INTO providers VALUES (?,?,?,?,?,?)').run(
      'PR1',
      'A',
      'B',
      'Cardio',
      'D1',
      2_999_999_999n,
    );
    const ins = db.prepare('INSERT INTO patients VALUES (?,?,?,?,?,?,?,?,?,?)');
    db.transaction(() => {
      for (let i = 0; i < rows; i++)
        ins.run(
          `P${i}`,
          'F',
          'L',
          null,
          '000-00-0000',
          '555',
          'F',
          '1990-01-01',
          'Addr',
          `2024-01-01 00:00:${String(i % 60).padStart(2, '0')}`,
        );
    })();
    db.close();
  }
  fs.writeFileSync(
    path.join(dir, 'data', 'landing', 'cpt', 'cpt_codes.csv'),
    'Procedure Code Category,CPT Codes,Procedure Code Descriptions,Code Status\nMedicine,99213,Office visit,Active\n',
  );
}

const capture = (): { io: CliIo; out: string[]; err: string[] } => {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      stdout: (t) => out.push(t),
      stderr: (t) => err.push(t),
      isTty: false,
      cwd: dir,
      env: process.env,
    },
    out,
    err,
  };
};

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mdl-ingest-cli-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('mdl ingest', () => {
  it('loads the demo-shaped project: EMR tables of both hospitals and the landing files', async () => {
    project(50);
    const { io, out, err } = capture();
    const code = await main(['ingest', '--concurrency', '3'], io);
    expect(err.join('')).toBe('');
    expect(code).toBe(0);
    const text = out.join('');
    expect(text).toContain('Done in');
    expect(text).toMatch(/OK +hos-b\.patients +50 rows/);
    expect(text).toMatch(/OK +cpt\/cpt_codes\.csv +1 rows/);
    for (const t of [
      'hosa/patients',
      'hosb/patients',
      'hosa/providers',
      'hosb/transactions',
      'cpt/cpt_codes',
    ])
      expect(
        fs.readdirSync(path.join(dir, 'data', 'bronze', t)).some((n) => n.startsWith('load_id=')),
      ).toBe(true);
    const wh = await openDuckDb({
      type: 'duckdb',
      name: 'dev',
      path: path.join(dir, 'data/warehouse/mdl_dev.duckdb'),
      schema: 'main',
      threads: 1,
      settings: {},
    });
    try {
      const rows = await wh.query(
        "SELECT data_source, count(*) AS n FROM audit.load_logs WHERE status = 'succeeded' AND load_type <> 'File' GROUP BY 1 ORDER BY 1",
      );
      expect(rows).toEqual([
        { data_source: 'hos-a', n: 5n },
        { data_source: 'hos-b', n: 5n },
      ]);
    } finally {
      await wh.close();
    }
  });

  it('rejects a hostile load_config row before touching any source, with exit code 2', async () => {
    project(1);
    fs.appendFileSync(
      path.join(dir, 'configs/emr/load_config.csv'),
      'hospital_a,hos-a,dbo.patients;--,Full,,1,hosa\n',
    );
    const { io, err } = capture();
    expect(await main(['ingest'], io)).toBe(2);
    expect(err.join('')).toContain('row 11');
    expect(err.join('')).toContain("column 'tablename'");
    expect(fs.existsSync(path.join(dir, 'data', 'bronze'))).toBe(false);
  });

  it('a dead source connection fails its tables with a clear error, no bronze files and no watermark', async () => {
    project(5);
    // hospital_b points at a PostgreSQL port where nothing listens (loopback only).
    fs.writeFileSync(
      path.join(dir, 'configs/emr/connections.yml'),
      [
        'connections:',
        '  hospital_a:',
        '    client: sqlite',
        '    filename: data/landing/emr/hospital_a.sqlite',
        '  hospital_b:',
        '    client: pg',
        '    host: 127.0.0.1',
        '    port: 1',
        '    database: hospital_b',
        '    user: mdl',
        "    password: env_var('MDL_TEST_DEAD_PW')",
        '',
      ].join('\n'),
    );
    const { io, out, err } = capture();
    const code = await main(['ingest', '--emr-only'], {
      ...io,
      env: { ...process.env, MDL_TEST_DEAD_PW: 'not-a-real-secret-123' },
    });
    expect(code).toBe(1);
    const text = out.join('') + err.join('');
    expect(text).toMatch(/hos-b\.patients/);
    expect(text).toMatch(/FAILED/);
    expect(text).not.toContain('not-a-real-secret-123');
    // hospital A still loaded; nothing of hospital B became visible
    const bronze = path.join(dir, 'data', 'bronze');
    expect(
      fs.readdirSync(path.join(bronze, 'hosa', 'patients')).some((n) => n.startsWith('load_id=')),
    ).toBe(true);
    expect(
      fs.existsSync(path.join(bronze, 'hosb', 'patients'))
        ? fs
            .readdirSync(path.join(bronze, 'hosb', 'patients'))
            .filter((n) => n.startsWith('load_id='))
        : [],
    ).toEqual([]);
    const wh = await openDuckDb({
      type: 'duckdb',
      name: 'dev',
      path: path.join(dir, 'data/warehouse/mdl_dev.duckdb'),
      schema: 'main',
      threads: 1,
      settings: {},
    });
    try {
      const rows = await wh.query(
        "SELECT status, count(*) AS n, max(new_watermark) AS w FROM audit.load_logs WHERE data_source = 'hos-b' GROUP BY 1",
      );
      expect(rows.map((r) => r.status)).toEqual(['failed']);
      expect(rows[0]?.w ?? null).toBeNull();
    } finally {
      await wh.close();
    }
  });

  it('a load killed mid-copy leaves nothing visible and no watermark; the rerun completes', async () => {
    project(60_000);
    const child = spawn(
      process.execPath,
      ['node_modules/vite-node/vite-node.mjs', 'tests/integration/ingest-child.ts', dir],
      {
        cwd: process.cwd(),
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let seen = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => {
        seen += b.toString();
        // killed after several part files were written to staging
        if (/rows=2\d{4}/.test(seen)) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () =>
        reject(new Error(`child ended before it could be killed: ${seen.slice(-200)}`)),
      );
    });
    await new Promise((r) => child.once('close', r));
    const bronze = path.join(dir, 'data', 'bronze');
    const visible = (t: string): string[] =>
      fs.existsSync(path.join(bronze, t))
        ? fs.readdirSync(path.join(bronze, t)).filter((n) => n.startsWith('load_id='))
        : [];
    const target = {
      type: 'duckdb' as const,
      name: 'dev',
      path: path.join(dir, 'data/warehouse/mdl_dev.duckdb'),
      schema: 'main',
      threads: 1,
      settings: {},
    };
    // killed mid-copy: parts were being written in staging, nothing is visible, no watermark
    expect(fs.readdirSync(path.join(bronze, '_staging', 'hosa', 'patients')).length).toBe(1);
    expect(visible('hosa/patients')).toEqual([]);
    let wh = await openDuckDb(target);
    try {
      expect(
        await wh.query("SELECT * FROM audit.load_logs WHERE tablename = 'dbo.patients'"),
      ).toEqual([]);
    } finally {
      await wh.close();
    }
    const { io } = capture();
    expect(await main(['ingest', '--emr-only', '--only', 'hos-a.patients'], io)).toBe(0);
    wh = await openDuckDb(target);
    try {
      const logs = await wh.query(
        "SELECT status, old_watermark, new_watermark, rows_copied FROM audit.load_logs WHERE tablename = 'dbo.patients' AND data_source = 'hos-a'",
      );
      expect(logs).toEqual([
        {
          status: 'succeeded',
          old_watermark: null,
          new_watermark: '2024-01-01 00:00:59',
          rows_copied: 60_000n,
        },
      ]);
    } finally {
      await wh.close();
    }
    expect(visible('hosa/patients')).toHaveLength(1);
    expect(fs.readdirSync(path.join(bronze, '_staging', 'hosa', 'patients'))).toEqual([]);
  }, 120_000);
});

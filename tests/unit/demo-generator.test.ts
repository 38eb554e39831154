import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate, landingPaths, type DirtTruth } from '../../demo/generator/generate.js';
import { isValidNpi, luhnCheckDigit, npiFromBase } from '../../demo/generator/npi.js';
import { PAYORS } from '../../demo/generator/reference-data.js';

const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'mdl-gen-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function gen(out: string, scale: number, seed: number, dirtRate: number, day = 0): void {
  generate({ out, scale, seed, dirtRate, day, explicit: new Set() });
}

/** Hash of every landing file; SQLite databases are hashed by content (rows in rowid order). */
function landingHash(out: string): string {
  const h = createHash('sha256');
  const walk = (d: string): string[] =>
    fs
      .readdirSync(d, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]))
      .sort();
  for (const f of walk(out)) {
    h.update(path.relative(out, f));
    if (f.endsWith('.sqlite')) {
      const db = new Database(f, { readonly: true });
      for (const t of ['departments', 'providers', 'patients', 'encounters', 'transactions']) {
        for (const r of db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).raw().iterate())
          h.update(JSON.stringify(r));
      }
      db.close();
    } else h.update(fs.readFileSync(f));
  }
  return h.digest('hex');
}

function readTruth(out: string): DirtTruth {
  return JSON.parse(fs.readFileSync(landingPaths(out).truthFile, 'utf8')) as DirtTruth;
}

function ids(
  truth: DirtTruth,
  table: keyof DirtTruth['quarantined'],
  ds: 'hos-a' | 'hos-b' | 'ref',
  reason: string,
): string[] {
  return truth.quarantined[table]?.[ds]?.[reason] ?? [];
}

function readCsv(file: string): string[][] {
  // The claims files quote nothing (no commas in their values), so a split is exact here.
  return fs
    .readFileSync(file, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => l.split(','));
}

describe('NPI check digits', () => {
  it('accepts the CMS example and rejects a changed digit', () => {
    expect(isValidNpi('1234567893')).toBe(true);
    expect(isValidNpi('1234567894')).toBe(false);
    expect(luhnCheckDigit('80840123456789')).toBe(3);
    expect(npiFromBase(123456789)).toBe(1234567893);
  });
});

describe('generator determinism', () => {
  it('gives the same landing bytes for the same seed and different ones for another seed', () => {
    const a = tmp();
    const b = tmp();
    const c = tmp();
    gen(a, 600, 7, 0.05);
    gen(b, 600, 7, 0.05);
    gen(c, 600, 8, 0.05);
    expect(landingHash(a)).toBe(landingHash(b));
    expect(landingHash(a)).not.toBe(landingHash(c));
    gen(a, 600, 7, 0.05, 1);
    gen(b, 600, 7, 0.05, 1);
    expect(landingHash(a)).toBe(landingHash(b));
  });
});

describe('generated data', () => {
  let out: string;
  let truth: DirtTruth;
  let dbA: Database.Database;
  let dbB: Database.Database;

  beforeAll(() => {
    out = tmp();
    gen(out, 20_000, 11, 0.05);
    truth = readTruth(out);
    dbA = new Database(path.join(out, 'emr', 'hospital_a.sqlite'), { readonly: true });
    dbB = new Database(path.join(out, 'emr', 'hospital_b.sqlite'), { readonly: true });
  });
  afterAll(() => {
    dbA.close();
    dbB.close();
  });

  it('uses the source schemas, with hospital B’s own patient column names', () => {
    const cols = (db: Database.Database, t: string): string[] =>
      (db.prepare(`PRAGMA table_info(${t})`).all() as { name: string }[]).map((c) => c.name);
    expect(cols(dbA, 'patients')).toEqual([
      'PatientID',
      'FirstName',
      'LastName',
      'MiddleName',
      'SSN',
      'PhoneNumber',
      'Gender',
      'DOB',
      'Address',
      'ModifiedDate',
    ]);
    expect(cols(dbB, 'patients')).toEqual([
      'ID',
      'F_Name',
      'L_Name',
      'M_Name',
      'SSN',
      'PhoneNumber',
      'Gender',
      'DOB',
      'Address',
      'Updated_Date',
    ]);
    expect(cols(dbB, 'transactions')).toContain('MedicareID');
    const header = fs.readFileSync(path.join(out, 'cpt', 'cpt_codes.csv'), 'utf8').split('\n')[0];
    expect(header).toBe(
      'Procedure Code Category,CPT Codes,Procedure Code Descriptions,Code Status',
    );
  });

  it('writes Luhn-valid NPIs except the ones the truth marks invalid, hospital B above 2^31', () => {
    for (const [db, ds] of [
      [dbA, 'hos-a'],
      [dbB, 'hos-b'],
    ] as const) {
      const bad = new Set(ids(truth, 'providers', ds, 'invalid_npi'));
      const rows = db.prepare('SELECT ProviderID AS id, NPI AS npi FROM providers').all() as {
        id: string;
        npi: number;
      }[];
      expect(rows.length).toBeGreaterThan(30);
      for (const r of rows) expect(isValidNpi(r.npi)).toBe(!bad.has(r.id));
      if (ds === 'hos-b') for (const r of rows) expect(r.npi).toBeGreaterThan(2_147_483_647);
    }
    const registry = JSON.parse(
      fs.readFileSync(path.join(out, 'npi', 'npi_providers.json'), 'utf8'),
    ) as {
      result_count: number;
      results: { number: string }[];
    };
    expect(registry.results.length).toBe(registry.result_count);
    const badRegistry = new Set(ids(truth, 'npi', 'ref', 'invalid_npi'));
    expect(badRegistry.size).toBeGreaterThan(0);
    for (const r of registry.results) expect(isValidNpi(r.number)).toBe(!badRegistry.has(r.number));
  });

  it('dirties about the configured share of rows', () => {
    for (const t of ['transactions', 'claims', 'encounters', 'patients'] as const) {
      let dirty = 0;
      let total = 0;
      for (const ds of ['hos-a', 'hos-b'] as const) {
        for (const list of Object.values(truth.quarantined[t]?.[ds] ?? {})) dirty += list.length;
        dirty += truth.duplicates[t]?.[ds]?.length ?? 0;
        total += truth.generated[t]?.[ds] ?? 0;
      }
      const rate = dirty / total;
      expect(rate, t).toBeGreaterThan(0.035);
      expect(rate, t).toBeLessThan(0.065);
    }
  });

  it('has a truth file that matches the rows, and clean rows that break no rule', () => {
    // Patients: missing first names (NULL or 'null'), missing and future DOBs.
    const noFirst = (
      dbA
        .prepare(
          "SELECT PatientID AS id FROM patients WHERE FirstName IS NULL OR FirstName = 'null'",
        )
        .all() as { id: string }[]
    ).map((r) => r.id);
    expect(noFirst.sort()).toEqual(
      [...ids(truth, 'patients', 'hos-a', 'missing_first_name')].sort(),
    );
    const noDob = (
      dbB.prepare('SELECT ID AS id FROM patients WHERE DOB IS NULL').all() as { id: string }[]
    ).map((r) => r.id);
    expect(noDob.sort()).toEqual([...ids(truth, 'patients', 'hos-b', 'missing_dob')].sort());
    const future = (
      dbA.prepare("SELECT PatientID AS id FROM patients WHERE DOB > '2030-01-01'").all() as {
        id: string;
      }[]
    ).map((r) => r.id);
    expect(future.sort()).toEqual([...ids(truth, 'patients', 'hos-a', 'future_dob')].sort());
    // Transactions: orphans point at no encounter; the others do.
    const orphans = (
      dbA
        .prepare(
          'SELECT DISTINCT t.TransactionID AS id FROM transactions t LEFT JOIN encounters e ON e.EncounterID = t.EncounterID WHERE t.EncounterID IS NOT NULL AND e.EncounterID IS NULL',
        )
        .all() as { id: string }[]
    ).map((r) => r.id);
    expect(orphans.sort()).toEqual(
      [...ids(truth, 'transactions', 'hos-a', 'orphan_encounter')].sort(),
    );
    const overpaid = (
      dbB
        .prepare('SELECT DISTINCT TransactionID AS id FROM transactions WHERE PaidAmount > Amount')
        .all() as { id: string }[]
    ).map((r) => r.id);
    expect(overpaid.sort()).toEqual(
      [...ids(truth, 'transactions', 'hos-b', 'paid_exceeds_amount')].sort(),
    );
    // Duplicates: exactly the listed ids appear twice.
    const dups = (
      dbA
        .prepare(
          'SELECT TransactionID AS id FROM transactions GROUP BY TransactionID HAVING count(*) > 1',
        )
        .all() as { id: string }[]
    ).map((r) => r.id);
    expect(dups.sort()).toEqual([...(truth.duplicates.transactions?.['hos-a'] ?? [])].sort());
    // Claims: the missing service dates are exactly the truth's.
    const claims = readCsv(path.join(out, 'claims', 'hospital2_claim_data.csv'));
    const header = claims[0] ?? [];
    const svc = header.indexOf('ServiceDate');
    const noSvc = claims
      .slice(1)
      .filter((r) => r[svc] === '')
      .map((r) => r[0] ?? '');
    expect(noSvc.sort()).toEqual([...ids(truth, 'claims', 'hos-b', 'missing_service_date')].sort());
  });

  it('gives paid dates that lag service dates and all four claim statuses', () => {
    const lag = dbA
      .prepare(
        'SELECT min(julianday(PaidDate) - julianday(ServiceDate)) AS lo, avg(julianday(PaidDate) - julianday(ServiceDate)) AS avg FROM transactions WHERE PaidDate IS NOT NULL AND PaidAmount <= Amount',
      )
      .get() as { lo: number; avg: number };
    expect(lag.lo).toBeGreaterThanOrEqual(7);
    expect(lag.avg).toBeGreaterThan(30);
    const claims = readCsv(path.join(out, 'claims', 'hospital1_claim_data.csv'));
    const st = (claims[0] ?? []).indexOf('ClaimStatus');
    const statuses = new Set(claims.slice(1).map((r) => r[st]));
    expect([...statuses].sort()).toEqual(['Denied', 'Paid', 'Partially Paid', 'Pending']);
  });

  it('keeps seeds/payors.csv in step with the generator’s payors', () => {
    const seed = fs
      .readFileSync(path.join(import.meta.dirname, '..', '..', 'seeds', 'payors.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1);
    expect(seed).toEqual(PAYORS.map((p) => `${p.id},${p.name},${p.type}`));
  });
});

describe('day N changes', () => {
  it('applies updates, new rows, deletes and a code-set change on top of day N-1', () => {
    const out = tmp();
    gen(out, 3_000, 5, 0.02);
    expect(() => gen(out, 3_000, 5, 0.02, 2)).toThrow(/landing zone is at day 0/);
    const before = new Database(path.join(out, 'emr', 'hospital_a.sqlite'), { readonly: true });
    const n0 = (before.prepare('SELECT count(*) AS n FROM transactions').get() as { n: number }).n;
    before.close();
    gen(out, 3_000, 5, 0.02, 1);
    const truth = readTruth(out);
    const day1 = truth.days.find((d) => d.day === 1);
    expect(day1).toBeDefined();
    const db = new Database(path.join(out, 'emr', 'hospital_a.sqlite'), { readonly: true });
    const updated = day1?.updated.patients?.['hos-a'] ?? [];
    expect(updated.length).toBeGreaterThan(0);
    for (const id of updated) {
      const r = db
        .prepare('SELECT ModifiedDate AS m FROM patients WHERE PatientID = ?')
        .get(id) as { m: string };
      expect(r.m.startsWith('2024-07-01')).toBe(true);
    }
    const deleted = day1?.deleted.transactions?.['hos-a'] ?? [];
    expect(deleted.length).toBeGreaterThan(0);
    for (const id of deleted)
      expect(
        db.prepare('SELECT 1 FROM transactions WHERE TransactionID = ?').get(id),
      ).toBeUndefined();
    const n1 = (db.prepare('SELECT count(*) AS n FROM transactions').get() as { n: number }).n;
    const inserted = day1?.inserted.transactions?.['hos-a'] ?? 0;
    const dupsToday = (truth.duplicates.transactions?.['hos-a'] ?? []).filter(
      (id) => Number(id.slice(3)) > 1650,
    ).length;
    expect(n1).toBe(n0 + inserted + dupsToday - deleted.length);
    db.close();
    const claimsDay1 = readCsv(path.join(out, 'claims', 'hospital1_claim_data_day1.csv'));
    expect(claimsDay1.length - 1).toBeGreaterThanOrEqual(
      (day1?.updated.claims?.['hos-a'] ?? []).length,
    );
    const changedCpt = day1?.updated.cpt_codes?.ref?.[0];
    expect(changedCpt).toBeDefined();
    expect(fs.readFileSync(path.join(out, 'cpt', 'cpt_codes.csv'), 'utf8')).toContain(
      '(revised 2024-07-01)',
    );
  });
});

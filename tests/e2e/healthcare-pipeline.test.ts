/**
 * End to end: the healthcare project on a temp copy — generator day 0 → 1 → 2, `mdl ingest`,
 * `mdl seed`, `mdl build` — checked against numbers computed here, independently of the models,
 * from the generator's landing files and its ground-truth file.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate, landingPaths, type DirtTruth } from '../../demo/generator/generate.js';

const repo = path.resolve(import.meta.dirname, '..', '..');
const SCALE = 3_000;
type Ds = 'hos-a' | 'hos-b';
const DS: readonly Ds[] = ['hos-a', 'hos-b'];

interface Trx {
  amount: number;
  paid: number;
  paidDate: string | null;
  serviceDate: string;
  claimId: string;
  payorId: string;
  providerId: string;
}
interface Claim {
  status: string;
  claimDate: string;
  modified: string;
}

/**
 * What each day's build is expected to show, from the landing files. Transactions are the rows
 * present at the source today: deletes flow through the key lists, so a deleted row leaves gold.
 */
const seenTrx = new Map<string, Trx>();
/** Encounter and transaction ids present at the source on the latest day, per table. */
const liveIds = { encounters: new Set<string>(), transactions: new Set<string>() };
const seenClaims = new Map<string, Claim>();
/** Providers present at the source on the latest day (a Full load: deletes are visible). */
const liveProviders = new Set<string>();
let project: string;

function mdl(...args: string[]): string {
  const r = spawnSync(
    process.execPath,
    [path.join(repo, 'bin', 'mdl.mjs'), ...args, '--project-dir', project],
    {
      cwd: project,
      encoding: 'utf8',
    },
  );
  if (r.status !== 0)
    throw new Error(`mdl ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Source image after ingest: the current version of every row present at the source. */
function captureLanding(): void {
  const landing = path.join(project, 'data', 'landing');
  seenTrx.clear();
  liveIds.encounters.clear();
  liveIds.transactions.clear();
  for (const [i, ds] of DS.entries()) {
    const db = new Database(path.join(landing, 'emr', `hospital_${i === 0 ? 'a' : 'b'}.sqlite`), {
      readonly: true,
    });
    for (const r of db.prepare('SELECT EncounterID AS id FROM encounters').iterate() as Iterable<{
      id: string | null;
    }>)
      liveIds.encounters.add(`${ds}|${String(r.id)}`);
    for (const r of db.prepare('SELECT * FROM transactions').iterate() as Iterable<
      Record<string, unknown>
    >) {
      liveIds.transactions.add(`${ds}|${String(r.TransactionID)}`);
      seenTrx.set(`${ds}|${String(r.TransactionID)}`, {
        amount: Number(r.Amount),
        paid: Number(r.PaidAmount),
        paidDate: (r.PaidDate as string | null) ?? null,
        serviceDate: String(r.ServiceDate),
        claimId: String(r.ClaimID),
        payorId: String(r.PayorID),
        providerId: String(r.ProviderID),
      });
    }
    for (const k of [...liveProviders]) if (k.startsWith(`${ds}|`)) liveProviders.delete(k);
    for (const r of db.prepare('SELECT ProviderID AS id FROM providers').iterate() as Iterable<{
      id: string;
    }>)
      liveProviders.add(`${ds}|${r.id}`);
    db.close();
  }
  const claimsDir = path.join(landing, 'claims');
  for (const f of fs.readdirSync(claimsDir).sort()) {
    const ds: Ds = f.startsWith('hospital1') ? 'hos-a' : 'hos-b';
    const [header, ...lines] = fs
      .readFileSync(path.join(claimsDir, f), 'utf8')
      .trimEnd()
      .split('\n');
    const cols = (header ?? '').split(',');
    const at = (name: string): number => cols.indexOf(name);
    for (const line of lines) {
      const v = line.split(',');
      const key = `${ds}|${v[at('ClaimID')] ?? ''}`;
      const c = {
        status: v[at('ClaimStatus')] ?? '',
        claimDate: v[at('ClaimDate')] ?? '',
        modified: v[at('ModifiedDate')] ?? '',
      };
      const prev = seenClaims.get(key);
      if (prev === undefined || c.modified >= prev.modified) seenClaims.set(key, c);
    }
  }
}

function truth(): DirtTruth {
  return JSON.parse(
    fs.readFileSync(landingPaths(path.join(project, 'data', 'landing')).truthFile, 'utf8'),
  ) as DirtTruth;
}

function quarantinedIds(t: DirtTruth, table: keyof DirtTruth['quarantined']): Map<string, string> {
  const out = new Map<string, string>();
  for (const [ds, byReason] of Object.entries(t.quarantined[table] ?? {}))
    for (const [reason, ids] of Object.entries(byReason ?? {}))
      for (const id of ids) out.set(`${ds}|${id}`, reason);
  return out;
}

const sum = (xs: Iterable<number>): number => [...xs].reduce((a, b) => a + b, 0);
const generated = (t: DirtTruth, table: keyof DirtTruth['generated']): number =>
  sum(Object.values(t.generated[table] ?? {}).map((n) => n ?? 0));
const changed = (
  t: DirtTruth,
  kind: 'updated' | 'deleted',
  table: keyof DirtTruth['generated'],
): number =>
  sum(t.days.flatMap((d) => Object.values(d[kind][table] ?? {}).map((ids) => ids?.length ?? 0)));

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const inst = await DuckDBInstance.create(
    path.join(project, 'data', 'warehouse', 'mdl_dev.duckdb'),
    { access_mode: 'READ_ONLY' },
  );
  const con = await inst.connect();
  try {
    return (await con.runAndReadAll(sql)).getRowObjectsJson();
  } finally {
    con.closeSync();
    inst.closeSync();
  }
}

/** Runs one day through the pipeline. */
function runDay(day: number): void {
  generate({
    out: path.join(project, 'data', 'landing'),
    scale: SCALE,
    seed: 99,
    dirtRate: 0.03,
    day,
    explicit: new Set(),
  });
  captureLanding();
  mdl('ingest');
  mdl('seed');
  mdl('build');
}

const ID_COLUMN = {
  patients: 'patient_id',
  providers: 'provider_id',
  departments: 'dept_id',
  encounters: 'encounter_id',
  transactions: 'transaction_id',
  claims: 'claim_id',
  cpt_codes: 'cpt_code',
  icd_codes: 'icd_code',
  npi: 'npi_text',
} as const;

async function checkDay(day: number): Promise<void> {
  const t = truth();
  expect(t.lastDay).toBe(day);

  // Quarantine: exactly the injected dirt, with the reason it was injected for — nothing else.
  for (const [table, idc] of Object.entries(ID_COLUMN) as [keyof typeof ID_COLUMN, string][]) {
    const ds = ['cpt_codes', 'icd_codes', 'npi'].includes(table) ? "'ref'" : 'datasource';
    const rows = await query(
      `SELECT ${ds} AS ds, ${idc} AS id, array_to_string(quarantine_reasons, ',') AS r FROM silver.${table} WHERE is_current AND is_quarantined`,
    );
    const got = new Map(rows.map((r) => [`${String(r.ds)}|${String(r.id)}`, String(r.r)]));
    expect(got, `quarantine of ${table} on day ${day}`).toEqual(quarantinedIds(t, table));
  }

  // SCD2 history: one version per generated row plus one per update; a row deleted at the
  // source keeps its versions but loses its current one — providers through their Full load,
  // encounters and transactions through the key lists of their incremental loads.
  const hist = async (table: string): Promise<[number, number]> => {
    const [r] = await query(
      `SELECT count(*) AS v, count(*) FILTER (WHERE is_current) AS c FROM silver.${table}`,
    );
    return [Number(r?.v), Number(r?.c)];
  };
  for (const table of ['patients', 'encounters', 'transactions', 'claims'] as const)
    expect(await hist(table), `${table} day ${day}`).toEqual([
      generated(t, table) + changed(t, 'updated', table),
      generated(t, table) - changed(t, 'deleted', table),
    ]);
  for (const table of ['encounters', 'transactions'] as const) {
    const deleted = new Set(
      t.days.flatMap((d) =>
        Object.entries(d.deleted[table] ?? {}).flatMap(([ds, ids]) =>
          (ids ?? []).map((id) => `${ds}|${id}`),
        ),
      ),
    );
    if (day > 0) expect(deleted.size, `${table} deletes by day ${day}`).toBeGreaterThan(0);
    // The generator's truth agrees with the source files: deleted ids are gone from SQLite.
    for (const k of deleted) expect(liveIds[table].has(k), k).toBe(false);
    const idc = ID_COLUMN[table];
    const rows = await query(
      `SELECT datasource || '|' || ${idc} AS k, bool_or(is_current) AS cur, count(*) FILTER (WHERE NOT is_current AND valid_to IS NOT NULL) AS closed FROM silver.${table} GROUP BY 1`,
    );
    const current = new Set(rows.filter((r) => r.cur === true).map((r) => String(r.k)));
    expect(current, `${table} current keys on day ${day}`).toEqual(liveIds[table]);
    for (const r of rows)
      if (deleted.has(String(r.k))) {
        expect(r.cur, `${String(r.k)} closed`).toBe(false);
        expect(Number(r.closed)).toBeGreaterThan(0);
      }
  }
  expect(await hist('providers')).toEqual([
    generated(t, 'providers') + changed(t, 'updated', 'providers'),
    generated(t, 'providers') - changed(t, 'deleted', 'providers'),
  ]);
  expect(await hist('cpt_codes')).toEqual([
    generated(t, 'cpt_codes') + day,
    generated(t, 'cpt_codes'),
  ]);
  expect(await hist('icd_codes')).toEqual([
    generated(t, 'icd_codes') + day,
    generated(t, 'icd_codes'),
  ]);
  expect(await hist('npi')).toEqual([generated(t, 'npi') + day, generated(t, 'npi')]);

  // A changed code description keeps the code in gold with the new description.
  const changedCode = t.days.find((d) => d.day === day)?.updated.cpt_codes?.ref?.[0];
  if (day > 0) {
    expect(changedCode).toBeDefined();
    const [dim] = await query(
      `SELECT description FROM gold.dim_cpt_code WHERE cpt_code = '${changedCode ?? ''}'`,
    );
    expect(String(dim?.description)).toContain('(revised');
  }

  // NPIs above 2^31 survive as BIGINT, and both hospitals' rows join their dimensions (one
  // datasource code everywhere, so no join silently drops a hospital).
  const [npi] = await query(
    'SELECT max(npi) AS m, count(*) FILTER (WHERE npi > 2147483647) AS big FROM gold.dim_provider',
  );
  expect(Number(npi?.m)).toBeGreaterThan(2_147_483_647);
  expect(Number(npi?.big)).toBeGreaterThan(0);
  const joined = await query(
    `SELECT datasource, count(*) AS n, count(provider_key) AS prov, count(dept_key) AS dept
     FROM gold.fact_transactions GROUP BY datasource ORDER BY datasource`,
  );
  expect(joined.map((r) => r.datasource)).toEqual(['hos-a', 'hos-b']);
  const badProviders = quarantinedIds(t, 'providers');
  for (const r of joined) {
    const ds = String(r.datasource);
    const rows = [...seenTrx].filter(
      ([k]) => k.startsWith(`${ds}|`) && !quarantinedIds(t, 'transactions').has(k),
    );
    const withProvider = rows.filter(([, tr]) => {
      const key = `${ds}|${tr.providerId}`;
      return liveProviders.has(key) && !badProviders.has(key);
    });
    expect(Number(r.n)).toBe(rows.length);
    expect(Number(r.dept)).toBe(rows.length);
    expect(Number(r.prov)).toBe(withProvider.length);
  }

  // KPIs, recomputed here from the landing files.
  const badTrx = quarantinedIds(t, 'transactions');
  const badClaims = quarantinedIds(t, 'claims');
  const fact = [...seenTrx].filter(([k]) => !badTrx.has(k));
  expect(Number((await query('SELECT count(*) AS n FROM gold.fact_transactions'))[0]?.n)).toBe(
    fact.length,
  );
  const claimOf = (ds: string, tr: Trx): Claim | undefined => {
    const key = `${ds}|${tr.claimId}`;
    return badClaims.has(key) ? undefined : seenClaims.get(key);
  };
  let asOf = '';
  for (const [k, tr] of fact) {
    const c = claimOf(k.split('|')[0] ?? '', tr);
    for (const d of [tr.serviceDate, c?.claimDate ?? '']) if (d > asOf) asOf = d;
  }
  const days = (a: string, b: string): number =>
    Math.round((Date.parse(b) - Date.parse(a)) / 86_400_000);
  let ar = 0;
  let ar90 = 0;
  let open = 0;
  const payor = new Map<string, { adjudicated: number; denied: number }>();
  for (const [k, tr] of fact) {
    if (tr.paidDate === null) {
      ar += tr.amount;
      open++;
      if (days(tr.serviceDate, asOf) > 90) ar90 += tr.amount;
    }
    const c = claimOf(k.split('|')[0] ?? '', tr);
    if (c === undefined) continue;
    const p = payor.get(tr.payorId) ?? { adjudicated: 0, denied: 0 };
    if (c.status !== 'Pending') p.adjudicated++;
    if (c.status === 'Denied') p.denied++;
    payor.set(tr.payorId, p);
  }
  const [s] = await query(
    'SELECT CAST(as_of_date AS VARCHAR) AS d, open_items, total_ar, pct_ar_over_90 FROM gold.kpi_ar_summary',
  );
  expect(s?.d).toBe(asOf);
  expect(Number(s?.open_items)).toBe(open);
  expect(Number(s?.total_ar)).toBeCloseTo(ar, 2);
  expect(Number(s?.pct_ar_over_90)).toBeCloseTo((100 * ar90) / ar, 1);
  const payors = await query('SELECT payor_id, denial_rate_pct FROM gold.kpi_payor_performance');
  expect(payors.length).toBe(8);
  for (const r of payors) {
    const p = payor.get(String(r.payor_id));
    const want = p === undefined || p.adjudicated === 0 ? null : (100 * p.denied) / p.adjudicated;
    if (want === null) expect(r.denial_rate_pct).toBeNull();
    else expect(Number(r.denial_rate_pct)).toBeCloseTo(want, 1);
  }
}

describe('healthcare pipeline, day 0 → 1 → 2', () => {
  beforeAll(() => {
    project = fs.mkdtempSync(path.join(os.tmpdir(), 'mdl-health-'));
    for (const entry of ['project.yml', 'configs', 'models', 'macros', 'seeds', 'data-tests'])
      fs.cpSync(path.join(repo, entry), path.join(project, entry), { recursive: true });
  });
  afterAll(() => {
    fs.rmSync(project, { recursive: true, force: true });
  });

  for (const day of [0, 1, 2]) {
    it(`day ${day}: quarantine, SCD2 history and KPIs match the generator's truth`, async () => {
      runDay(day);
      await checkDay(day);
    }, 180_000);
  }
});

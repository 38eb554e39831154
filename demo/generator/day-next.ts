/**
 * Day N ≥ 1: the next day's changes on top of the existing landing files — updates (bumping the
 * modified dates), new rows, deletes, a code-set description change — so SCD2 history and
 * moving KPIs can be shown. Rows the truth marks dirty or duplicated are never touched, so the
 * ground truth stays exact.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { writeEncounter, type ActivityContext } from './activity.js';
import { writeCpt, writeIcd, writeNpi } from './code-sets.js';
import { CsvWriter } from './csv-writer.js';
import { BASE_DATE, dayNumber, isoDate, isoTimestamp } from './dates.js';
import { DirtLedger, untouchableIds, type DirtTruth } from './dirt-ledger.js';
import { EMR_COLUMNS, insertSql } from './emr-schema.js';
import {
  adjudicate,
  address,
  CLAIM_COLUMNS,
  claimFromTransaction,
  phone,
  providerDeptIndex,
  type TransactionRow,
} from './entities.js';
import { writePatient, writeProvider, type MasterContext } from './master-data.js';
import { fmtId, idNumber, makePlan, type GeneratorSettings, type HospitalPlan } from './plan.js';
import { hash32, Rng, rngFor } from './prng.js';
import { FIRST_NAMES, LAST_NAMES, PAYORS, SPECIALIZATIONS, VISIT_TYPES } from './reference-data.js';
import {
  landingPaths,
  writeJsonAtomic,
  type GeneratorState,
  type HospitalCounters,
} from './state.js';
import { MdlError } from '../../runner/errors/mdl-error.js';

/** Share of pending charges adjudicated per day. */
const RESOLVE_PER_MILLE = 150;

/** Up to `want` distinct numbers in [1, max] that pass `ok` (bounded retries). */
function pickIds(rng: Rng, max: number, want: number, ok: (n: number) => boolean): number[] {
  const out = new Set<number>();
  for (let tries = 0; out.size < want && tries < want * 20 && max > 0; tries++) {
    const n = rng.int(1, max);
    if (!out.has(n) && ok(n)) out.add(n);
  }
  return [...out].sort((x, y) => x - y);
}

interface DayContext {
  readonly s: GeneratorSettings;
  readonly day: number;
  readonly today: number;
  readonly truth: DirtTruth;
  readonly ledger: DirtLedger;
}

function changeHospital(
  out: string,
  c: DayContext,
  plan: HospitalPlan,
  before: HospitalCounters,
): HospitalCounters {
  const p = landingPaths(out);
  const { s, day, today, truth, ledger } = c;
  const h = plan.index;
  const ds = plan.datasource;
  const counters = { ...before };
  const rng = new Rng(hash32(s.seed, 'activity', h, day));
  const master: MasterContext = {
    seed: s.seed,
    plan,
    dirtRng: new Rng(hash32(s.seed, 'dirt-master', h, day)),
    dirtRate: s.dirtRate,
    ledger,
  };
  const hold = {
    patients: untouchableIds(truth, 'patients', ds),
    providers: untouchableIds(truth, 'providers', ds),
    encounters: untouchableIds(truth, 'encounters', ds),
    transactions: untouchableIds(truth, 'transactions', ds),
    claims: untouchableIds(truth, 'claims', ds),
  };
  const ts = (): string => isoTimestamp(today, rng.int(0, 86_399));
  const db = new Database(join(p.emr, plan.emrFile));
  const claims = new CsvWriter(join(p.claims, `${plan.claimsStem}_day${day}.csv`), CLAIM_COLUMNS);
  try {
    db.pragma('journal_mode = WAL');
    const [pid, pmod] = h === 0 ? ['PatientID', 'ModifiedDate'] : ['ID', 'Updated_Date'];
    const [pmid] = h === 0 ? ['MiddleName'] : ['M_Name'];
    db.transaction(() => {
      // Providers: one new, one renamed (providers have no modified date: check strategy).
      counters.providers++;
      writeProvider(
        master,
        db.prepare(insertSql('providers', EMR_COLUMNS.providers)),
        counters.providers,
      );
      const rename = db.prepare(
        'UPDATE providers SET LastName = ? WHERE ProviderID = ? AND LastName <> ?',
      );
      const renamed = new Set<number>();
      for (const n of pickIds(
        rng,
        before.providers,
        1,
        (n) => !hold.providers.has(fmtId('PROV', n)),
      )) {
        const name = rng.pick(LAST_NAMES);
        if (rename.run(name, fmtId('PROV', n), name).changes > 0) {
          renamed.add(n);
          ledger.updated('providers', ds, fmtId('PROV', n));
        }
      }
      // Another provider's specialisation goes to or comes back from NULL — the only change in
      // that row, so change detection that ignores NULLs (`<>`) would miss it.
      const toggle = db.prepare(
        'UPDATE providers SET Specialization = CASE WHEN Specialization IS NULL THEN ? ELSE NULL END WHERE ProviderID = ?',
      );
      for (const n of pickIds(
        rng,
        before.providers,
        1,
        (n) => !hold.providers.has(fmtId('PROV', n)) && !renamed.has(n),
      )) {
        if (
          toggle.run(SPECIALIZATIONS[providerDeptIndex(n)] ?? 'General', fmtId('PROV', n)).changes >
          0
        ) {
          renamed.add(n);
          ledger.updated('providers', ds, fmtId('PROV', n));
        }
      }
      // A provider leaves: providers are a Full load, so the delete is visible downstream.
      const leave = db.prepare('DELETE FROM providers WHERE ProviderID = ?');
      for (const n of pickIds(
        rng,
        before.providers,
        1,
        (n) => !hold.providers.has(fmtId('PROV', n)) && !renamed.has(n),
      )) {
        if (leave.run(fmtId('PROV', n)).changes > 0)
          ledger.deleted('providers', ds, fmtId('PROV', n));
      }

      // Patients: new registrations, then address/phone changes; the middle name toggles
      // to or from NULL so NULL-aware change detection is exercised.
      const insPat = db.prepare(
        insertSql('patients', h === 0 ? EMR_COLUMNS.patientsA : EMR_COLUMNS.patientsB),
      );
      const newPatients = Math.max(1, Math.round(before.patients * 0.003));
      for (let i = 0; i < newPatients; i++)
        writePatient(master, insPat, ++counters.patients, today);
      const getMid = db.prepare(`SELECT ${pmid} AS m FROM patients WHERE ${pid} = ?`);
      const upd = db.prepare(
        `UPDATE patients SET Address = ?, PhoneNumber = ?, ${pmid} = ?, ${pmod} = ? WHERE ${pid} = ?`,
      );
      const patientUpdates = Math.max(1, Math.round(before.patients * 0.01));
      for (const n of pickIds(
        rng,
        before.patients,
        patientUpdates,
        (n) => !hold.patients.has(fmtId('PAT', n)),
      )) {
        const id = fmtId('PAT', n);
        const cur = getMid.get(id) as { m: string | null } | undefined;
        if (cur === undefined) continue;
        const mid = cur.m === null ? rng.pick(FIRST_NAMES) : null;
        upd.run(address(rng), phone(rng), mid, ts(), id);
        ledger.updated('patients', ds, id);
      }

      // Encounters: a few reclassified.
      const updEnc = db.prepare(
        'UPDATE encounters SET EncounterType = ?, ModifiedDate = ? WHERE EncounterID = ? AND EncounterType <> ?',
      );
      const encUpdates = Math.max(1, Math.round(before.encounters * 0.001));
      for (const n of pickIds(
        rng,
        before.encounters,
        encUpdates,
        (n) => !hold.encounters.has(fmtId('ENC', n)),
      )) {
        const type = rng.pick(VISIT_TYPES);
        if (updEnc.run(type, ts(), fmtId('ENC', n), type).changes > 0)
          ledger.updated('encounters', ds, fmtId('ENC', n));
      }

      // Pending charges get adjudicated; the claim's new version lands in today's claims file.
      const touched = new Set<string>();
      const pending: string[] = [];
      for (const r of db
        .prepare('SELECT TransactionID AS id FROM transactions WHERE PaidDate IS NULL')
        .iterate() as Iterable<{ id: string }>) {
        const n = idNumber(r.id);
        if (hash32(s.seed, 'resolve', h, n, day) % 1000 < RESOLVE_PER_MILLE) pending.push(r.id);
      }
      const getTrx = db
        .prepare(
          `SELECT ${EMR_COLUMNS.transactions.join(', ')} FROM transactions WHERE TransactionID = ?`,
        )
        .raw();
      const pay = db.prepare(
        'UPDATE transactions SET PaidAmount = ?, PaidDate = ?, ModifiedDate = ? WHERE TransactionID = ?',
      );
      for (const id of pending) {
        const claimId = `CLM${id.slice(3)}`;
        if (hold.transactions.has(id) || hold.claims.has(claimId) || touched.has(id)) continue;
        const t = getTrx.get(id) as TransactionRow | undefined;
        if (t === undefined) continue;
        const n = idNumber(id);
        const payor = PAYORS.find((x) => x.id === t[13]);
        const amountCents = Math.round(t[9] * 100);
        const [, paid] = adjudicate(
          rngFor(s.seed, 'resolve-amount', h, n, day),
          payor?.denial ?? 0.1,
          amountCents,
        );
        const mod = ts();
        t[11] = paid / 100;
        t[7] = isoDate(today);
        t[20] = mod;
        pay.run(t[11], t[7], mod, id);
        touched.add(id);
        ledger.updated('transactions', ds, id);
        claims.write(claimFromTransaction(s.seed, h, n, t));
        ledger.updated('claims', ds, claimId);
      }

      // New activity of the day (with dirt), about one day's worth of the history's volume.
      const ctx: ActivityContext = {
        seed: s.seed,
        plan,
        rng,
        dirtRng: new Rng(hash32(s.seed, 'dirt-activity', h, day)),
        dirtRate: s.dirtRate,
        ledger,
        insertEncounter: db.prepare(insertSql('encounters', EMR_COLUMNS.encounters)),
        insertTransaction: db.prepare(insertSql('transactions', EMR_COLUMNS.transactions)),
        claims,
        today,
        patientCount: counters.patients,
        providerCount: counters.providers,
      };
      const newEncounters = Math.max(1, Math.round(plan.transactions / 2.15 / 540));
      for (let i = 0; i < newEncounters; i++) {
        counters.encounters++;
        counters.transactions += writeEncounter(
          ctx,
          counters.encounters,
          counters.transactions + 1,
          4,
          today,
          today,
        );
      }

      // Deletes in the source: single charges voided, and whole encounters with their charges.
      const delTrx = db.prepare('DELETE FROM transactions WHERE TransactionID = ?');
      const trxDeletes = Math.max(1, Math.round(before.transactions * 0.0005));
      for (const n of pickIds(
        rng,
        before.transactions,
        trxDeletes,
        (n) => !hold.transactions.has(fmtId('TRX', n)) && !touched.has(fmtId('TRX', n)),
      )) {
        const id = fmtId('TRX', n);
        if (delTrx.run(id).changes > 0) {
          touched.add(id);
          ledger.deleted('transactions', ds, id);
        }
      }
      const trxOfEnc = db.prepare(
        'SELECT TransactionID AS id FROM transactions WHERE EncounterID = ?',
      );
      const delEnc = db.prepare('DELETE FROM encounters WHERE EncounterID = ?');
      const encDeletes = Math.max(1, Math.round(before.encounters * 0.0002));
      for (const n of pickIds(
        rng,
        before.encounters,
        encDeletes,
        (n) => !hold.encounters.has(fmtId('ENC', n)),
      )) {
        const encId = fmtId('ENC', n);
        const lines = (trxOfEnc.all(encId) as { id: string }[]).map((r) => r.id);
        if (lines.some((id) => hold.transactions.has(id) || touched.has(id))) continue;
        if (delEnc.run(encId).changes === 0) continue;
        ledger.deleted('encounters', ds, encId);
        for (const id of lines) {
          delTrx.run(id);
          touched.add(id);
          ledger.deleted('transactions', ds, id);
        }
      }
    })();
  } finally {
    claims.close();
    db.close();
  }
  return counters;
}

/** Applies day `day` (≥ 1) on top of the landing files of day `day - 1`. */
export function generateNextDay(
  out: string,
  state: GeneratorState,
  truth: DirtTruth,
  day: number,
): GeneratorState {
  if (state.lastDay !== day - 1)
    throw new MdlError(
      'E_USAGE',
      `cannot generate day ${day}: the landing zone is at day ${state.lastDay}`,
      {
        file: landingPaths(out).stateFile,
        hint: `days are applied in order: run --day ${state.lastDay + 1} next, or --day 0 to start over`,
      },
    );
  const s: GeneratorSettings = { seed: state.seed, scale: state.scale, dirtRate: state.dirtRate };
  const p = landingPaths(out);
  const ledger = new DirtLedger(s, day, truth);
  const c: DayContext = { s, day, today: dayNumber(BASE_DATE) + day, truth, ledger };
  const [a, b] = makePlan(s);
  const counters = {
    'hos-a': changeHospital(out, c, a, state.counters['hos-a']),
    'hos-b': changeHospital(out, c, b, state.counters['hos-b']),
  };
  writeCpt(p.cpt, s, day, ledger);
  writeIcd(p.icd, s, day, ledger);
  writeNpi(p.npi, s, day, [counters['hos-a'].providers, counters['hos-b'].providers], ledger);
  ledger.inserted('npi', 'ref', 2);
  const next: GeneratorState = { ...state, lastDay: day, counters };
  writeJsonAtomic(p.truthFile, ledger.toJSON());
  writeJsonAtomic(p.stateFile, next);
  return next;
}

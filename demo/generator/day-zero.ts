/**
 * Day 0: the initial landing zone, written from scratch. Rows stream through prepared statements
 * in batched transactions and through buffered CSV writers, so memory stays flat at any scale.
 */
import Database from 'better-sqlite3';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeEncounter, type ActivityContext } from './activity.js';
import { writeCpt, writeIcd, writeNpi } from './code-sets.js';
import { CsvWriter } from './csv-writer.js';
import { BASE_DATE, dayNumber } from './dates.js';
import { DirtLedger } from './dirt-ledger.js';
import { EMR_COLUMNS, emrDdl, emrIndexes, insertSql } from './emr-schema.js';
import { CLAIM_COLUMNS } from './entities.js';
import {
  writeDepartments,
  writePatient,
  writeProvider,
  type MasterContext,
} from './master-data.js';
import { makePlan, type GeneratorSettings, type HospitalPlan } from './plan.js';
import { hash32, Rng } from './prng.js';
import {
  landingPaths,
  writeJsonAtomic,
  type GeneratorState,
  type HospitalCounters,
} from './state.js';

/** Days of history before BASE_DATE that day-0 encounters spread over. */
export const HISTORY_DAYS = 540;
const BATCH = 5_000;

function clearLanding(out: string): void {
  const p = landingPaths(out);
  for (const d of [p.emr, p.claims, p.cpt, p.npi, p.icd, p.truth])
    mkdirSync(d, { recursive: true });
  for (const f of ['hospital_a.sqlite', 'hospital_b.sqlite']) {
    for (const suffix of ['', '-journal', '-wal', '-shm'])
      rmSync(join(p.emr, f + suffix), { force: true });
  }
  for (const f of readdirSync(p.claims))
    if (/^hospital\d+_claim_data.*\.csv$/.test(f)) rmSync(join(p.claims, f), { force: true });
}

function writeHospital(
  out: string,
  s: GeneratorSettings,
  plan: HospitalPlan,
  ledger: DirtLedger,
): HospitalCounters {
  const p = landingPaths(out);
  const db = new Database(join(p.emr, plan.emrFile));
  try {
    // A fresh file that is rebuilt on failure: no journal needed, which makes bulk loads fast.
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    for (const ddl of emrDdl(plan.index)) db.exec(ddl);
    const h = plan.index;
    const today = dayNumber(BASE_DATE);
    const master: MasterContext = {
      seed: s.seed,
      plan,
      dirtRng: new Rng(hash32(s.seed, 'dirt-master', h, 0)),
      dirtRate: s.dirtRate,
      ledger,
    };
    const insDept = db.prepare(insertSql('departments', EMR_COLUMNS.departments));
    const insProv = db.prepare(insertSql('providers', EMR_COLUMNS.providers));
    const insPat = db.prepare(
      insertSql('patients', h === 0 ? EMR_COLUMNS.patientsA : EMR_COLUMNS.patientsB),
    );
    const rng = new Rng(hash32(s.seed, 'activity', h, 0));
    db.transaction(() => {
      writeDepartments(master, insDept);
      for (let n = 1; n <= plan.providers; n++) writeProvider(master, insProv, n);
    })();
    for (let start = 1; start <= plan.patients; start += BATCH) {
      db.transaction(() => {
        const end = Math.min(plan.patients, start + BATCH - 1);
        for (let n = start; n <= end; n++)
          writePatient(master, insPat, n, today - rng.int(30, 900));
      })();
    }

    const claims = new CsvWriter(join(p.claims, `${plan.claimsStem}.csv`), CLAIM_COLUMNS);
    const ctx: ActivityContext = {
      seed: s.seed,
      plan,
      rng,
      dirtRng: new Rng(hash32(s.seed, 'dirt-activity', h, 0)),
      dirtRate: s.dirtRate,
      ledger,
      insertEncounter: db.prepare(insertSql('encounters', EMR_COLUMNS.encounters)),
      insertTransaction: db.prepare(insertSql('transactions', EMR_COLUMNS.transactions)),
      claims,
      today,
      patientCount: plan.patients,
      providerCount: plan.providers,
    };
    let enc = 0;
    let trx = 0;
    const batch = db.transaction(() => {
      for (let i = 0; i < BATCH && trx < plan.transactions; i++) {
        enc++;
        trx += writeEncounter(
          ctx,
          enc,
          trx + 1,
          plan.transactions - trx,
          today - HISTORY_DAYS,
          today,
        );
      }
    });
    while (trx < plan.transactions) batch();
    claims.close();
    for (const ix of emrIndexes(plan.index)) db.exec(ix);
    return {
      patients: plan.patients,
      providers: plan.providers,
      encounters: enc,
      transactions: trx,
    };
  } finally {
    db.close();
  }
}

/** Generates day 0 into `out`, replacing any previous landing files of the generator. */
export function generateDayZero(out: string, s: GeneratorSettings): GeneratorState {
  clearLanding(out);
  const p = landingPaths(out);
  const ledger = new DirtLedger(s, 0);
  const [a, b] = makePlan(s);
  const counters = {
    'hos-a': writeHospital(out, s, a, ledger),
    'hos-b': writeHospital(out, s, b, ledger),
  };
  writeCpt(p.cpt, s, 0, ledger);
  writeIcd(p.icd, s, 0, ledger);
  writeNpi(p.npi, s, 0, [a.providers, b.providers], ledger);
  const state: GeneratorState = { version: 1, ...s, lastDay: 0, counters };
  writeJsonAtomic(p.truthFile, ledger.toJSON());
  writeJsonAtomic(p.stateFile, state);
  return state;
}

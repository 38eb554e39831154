/**
 * Clinical activity: one encounter with its transactions and claims, written straight to the
 * SQLite statements and the claims CSV (nothing accumulates in memory). Dirt is applied here
 * and recorded in the ledger under the reason the silver quarantine rules use.
 */
import type { Statement } from 'better-sqlite3';
import type { CsvWriter } from './csv-writer.js';
import { isoDate, isoTimestamp } from './dates.js';
import type { DirtLedger } from './dirt-ledger.js';
import {
  adjudicate,
  claimFromTransaction,
  deptId,
  listPriceCents,
  memberIds,
  patientPayor,
  providerDeptIndex,
  type TransactionRow,
} from './entities.js';
import { fmtId, type HospitalPlan } from './plan.js';
import type { Rng } from './prng.js';
import {
  CPT_CODES,
  ICD_CODES,
  INVALID_CPT_CODES,
  INVALID_ICD_CODES,
  VISIT_TYPES,
} from './reference-data.js';

/** Everything an encounter needs to be written. */
export interface ActivityContext {
  readonly seed: number;
  readonly plan: HospitalPlan;
  readonly rng: Rng;
  /** Decides whether a row is dirty, and which dirt (separate stream per day). */
  readonly dirtRng: Rng;
  readonly dirtRate: number;
  readonly ledger: DirtLedger;
  readonly insertEncounter: Statement;
  readonly insertTransaction: Statement;
  readonly claims: CsvWriter;
  /** The generation day ("today"): nothing is inserted, modified or paid after it. */
  readonly today: number;
  /** Patients and providers that exist on this day. */
  readonly patientCount: number;
  readonly providerCount: number;
}

const ENCOUNTER_DIRT = [
  'missing_encounter_date',
  'missing_patient_id',
  'orphan_patient',
  'duplicate',
] as const;
const TRANSACTION_DIRT = [
  'missing_encounter_id',
  'missing_patient_id',
  'missing_visit_date',
  'orphan_encounter',
  'invalid_procedure_code',
  'invalid_icd_code',
  'paid_exceeds_amount',
  'duplicate',
] as const;
const CLAIM_DIRT = [
  'missing_transaction_id',
  'missing_patient_id',
  'missing_service_date',
  'duplicate',
] as const;

/** Picks a dirt kind with probability `rate`, else null. */
export function dirtKind<K extends string>(rng: Rng, rate: number, kinds: readonly K[]): K | null {
  return rate > 0 && rng.next() < rate ? rng.pick(kinds) : null;
}

const cents = (c: number): number => Math.round(c) / 100;

/**
 * Writes encounter `encN` (dated in [fromDay, toDay]) with up to `maxTransactions` transactions
 * numbered from `firstTrxN`; returns how many transactions it wrote.
 */
export function writeEncounter(
  ctx: ActivityContext,
  encN: number,
  firstTrxN: number,
  maxTransactions: number,
  fromDay: number,
  toDay: number,
): number {
  const { rng, plan, ledger, seed } = ctx;
  const ds = plan.datasource;
  const h = plan.index;
  const encDay = rng.int(fromDay, toDay);
  const patientN = rng.int(1, ctx.patientCount);
  const providerN = rng.int(1, ctx.providerCount);
  const dept = deptId(providerDeptIndex(providerN));
  const type = rng.weighted(VISIT_TYPES.map((v, i) => [v, [55, 12, 15, 18][i] ?? 1] as const));
  const k = Math.min(
    maxTransactions,
    rng.weighted([
      [1, 35],
      [2, 30],
      [3, 20],
      [4, 15],
    ] as const),
  );
  const payor = patientPayor(seed, h, patientN);
  const [medicaid, medicare] = memberIds(seed, h, patientN, payor.type);
  const encId = fmtId('ENC', encN);
  const patientId = fmtId('PAT', patientN);
  const providerId = fmtId('PROV', providerN);
  let firstCode = 0;

  for (let j = 0; j < k; j++) {
    const n = firstTrxN + j;
    const code = rng.pick(CPT_CODES)[1];
    if (j === 0) firstCode = code;
    const serviceDay = Math.min(encDay + (type === 'Inpatient' ? j : 0), ctx.today);
    const insertDay = Math.min(serviceDay + rng.int(0, 1), ctx.today);
    const insertTs = isoTimestamp(insertDay, rng.int(0, 86_399));
    const amountCents = Math.round(listPriceCents(code) * (0.9 + rng.next() * 0.3));
    const adjDay = serviceDay + rng.int(7, 150);
    const [, paidCents] = adjudicate(rng, payor.denial, amountCents);
    const resolved = adjDay <= ctx.today;
    const t: TransactionRow = [
      fmtId('TRX', n),
      encId,
      patientId,
      providerId,
      dept,
      isoDate(encDay),
      isoDate(serviceDay),
      resolved ? isoDate(adjDay) : null,
      type,
      cents(amountCents),
      payor.type === 'Self-Pay' ? 'Self-Pay' : 'Insurance',
      resolved ? cents(paidCents) : 0,
      fmtId('CLM', n),
      payor.id,
      code,
      rng.pick(ICD_CODES)[0],
      payor.type,
      medicaid,
      medicare,
      insertTs,
      resolved ? isoTimestamp(adjDay, rng.int(0, 86_399)) : insertTs,
    ];
    const claim = claimFromTransaction(seed, h, n, t);
    ledger.inserted('transactions', ds);
    ledger.inserted('claims', ds);

    const tDirt = dirtKind(ctx.dirtRng, ctx.dirtRate, TRANSACTION_DIRT);
    const dirty: TransactionRow = [...t];
    switch (tDirt) {
      case null:
      case 'duplicate':
        break;
      case 'missing_encounter_id':
        dirty[1] = null;
        break;
      case 'missing_patient_id':
        dirty[2] = null;
        break;
      case 'missing_visit_date':
        dirty[5] = null;
        break;
      case 'orphan_encounter':
        dirty[1] = fmtId('ENCX', n);
        break;
      case 'invalid_procedure_code':
        dirty[14] = rng.pick(INVALID_CPT_CODES);
        break;
      case 'invalid_icd_code':
        dirty[15] = rng.pick(INVALID_ICD_CODES);
        break;
      case 'paid_exceeds_amount':
        dirty[7] = isoDate(Math.min(adjDay, ctx.today));
        dirty[11] = cents(amountCents * 1.25);
        break;
    }
    ctx.insertTransaction.run(dirty);
    if (tDirt === 'duplicate') {
      ctx.insertTransaction.run(dirty);
      ledger.duplicated('transactions', ds, t[0]);
    } else if (tDirt !== null) ledger.quarantined('transactions', ds, tDirt, t[0]);

    const cDirt = dirtKind(ctx.dirtRng, ctx.dirtRate, CLAIM_DIRT);
    const c = [...claim];
    switch (cDirt) {
      case null:
      case 'duplicate':
        break;
      case 'missing_transaction_id':
        c[1] = null;
        break;
      case 'missing_patient_id':
        c[2] = ctx.dirtRng.chance(0.5) ? null : 'null';
        break;
      case 'missing_service_date':
        c[6] = null;
        break;
    }
    ctx.claims.write(c);
    if (cDirt === 'duplicate') {
      ctx.claims.write(c);
      ledger.duplicated('claims', ds, String(claim[0]));
    } else if (cDirt !== null) ledger.quarantined('claims', ds, cDirt, String(claim[0]));
  }

  const encInsert = isoTimestamp(Math.min(encDay, ctx.today), rng.int(0, 86_399));
  const e: (string | number | null)[] = [
    encId,
    patientId,
    isoDate(encDay),
    type,
    providerId,
    dept,
    firstCode,
    encInsert,
    encInsert,
  ];
  ledger.inserted('encounters', ds);
  const eDirt = dirtKind(ctx.dirtRng, ctx.dirtRate, ENCOUNTER_DIRT);
  switch (eDirt) {
    case null:
    case 'duplicate':
      break;
    case 'missing_encounter_date':
      e[2] = null;
      break;
    case 'missing_patient_id':
      e[1] = ctx.dirtRng.chance(0.5) ? null : 'null';
      break;
    case 'orphan_patient':
      e[1] = fmtId('PATX', encN);
      break;
  }
  ctx.insertEncounter.run(e);
  if (eDirt === 'duplicate') {
    ctx.insertEncounter.run(e);
    ledger.duplicated('encounters', ds, encId);
  } else if (eDirt !== null) ledger.quarantined('encounters', ds, eDirt, encId);
  return k;
}

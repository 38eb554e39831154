/**
 * Row builders. Patients and providers are pure functions of (seed, hospital, number), so a
 * later day can rebuild or modify them without having kept them in memory; claims are a pure
 * function of their transaction row.
 */
import { isoDate, isoTimestamp } from './dates.js';
import { npiFromBase } from './npi.js';
import { rngFor, type Rng } from './prng.js';
import {
  CITIES,
  CPT_CODES,
  DEPARTMENTS,
  FIRST_NAMES,
  LAST_NAMES,
  PAYORS,
  SPECIALIZATIONS,
  STREETS,
} from './reference-data.js';
import { fmtId } from './plan.js';

/** Patient columns in source order (hospital B's columns are positionally the same). */
export type PatientRow = [
  id: string | null,
  first: string | null,
  last: string,
  middle: string | null,
  ssn: string,
  phone: string,
  gender: string,
  dob: string | null,
  address: string,
  modified: string,
];

export type ProviderRow = [
  id: string,
  first: string,
  last: string,
  specialization: string,
  deptId: string | null,
  npi: number,
];

/** Transaction columns in source order (see EMR_COLUMNS.transactions). */
export type TransactionRow = [
  TransactionID: string,
  EncounterID: string | null,
  PatientID: string | null,
  ProviderID: string,
  DeptID: string,
  VisitDate: string | null,
  ServiceDate: string,
  PaidDate: string | null,
  VisitType: string,
  Amount: number,
  AmountType: string,
  PaidAmount: number,
  ClaimID: string,
  PayorID: string,
  ProcedureCode: number,
  ICDCode: string,
  LineOfBusiness: string,
  MedicaidID: string | null,
  MedicareID: string | null,
  InsertDate: string,
  ModifiedDate: string,
];

/** Claims CSV header (DESIGN.md §4). */
export const CLAIM_COLUMNS = [
  'ClaimID',
  'TransactionID',
  'PatientID',
  'EncounterID',
  'ProviderID',
  'DeptID',
  'ServiceDate',
  'ClaimDate',
  'PayorID',
  'ClaimAmount',
  'PaidAmount',
  'ClaimStatus',
  'PayorType',
  'Deductible',
  'Coinsurance',
  'Copay',
  'InsertDate',
  'ModifiedDate',
] as const;

export type ClaimRow = (string | number | null)[];

function digits(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(rng.int(0, 9));
  return s;
}

/** A fresh address line (also used for day-N moves). */
export function address(rng: Rng): string {
  const [city, st, zip] = rng.pick(CITIES);
  return `${rng.int(1, 9999)} ${rng.pick(STREETS)}, ${city}, ${st} ${zip}`;
}

/** A phone number in the 555 fictional range. */
export function phone(rng: Rng): string {
  return `555-${digits(rng, 3)}-${digits(rng, 4)}`;
}

/** Patient n of a hospital, created on `createdDay` (clean). */
export function patientRow(seed: number, h: number, n: number, createdDay: number): PatientRow {
  const r = rngFor(seed, 'patient', h, n);
  const gender = r.chance(0.5) ? 'F' : 'M';
  const first = r.pick(FIRST_NAMES);
  const last = r.pick(LAST_NAMES);
  const middle = r.chance(0.6) ? r.pick(FIRST_NAMES) : null;
  // Area numbers 900–999 are never issued, so these can never be real SSNs.
  const ssn = `9${digits(r, 2)}-${digits(r, 2)}-${digits(r, 4)}`;
  const dob = isoDate(createdDay - r.int(1, 90 * 365));
  return [
    fmtId('PAT', n),
    first,
    last,
    middle,
    ssn,
    phone(r),
    gender,
    dob,
    address(r),
    isoTimestamp(createdDay, r.int(0, 86_399)),
  ];
}

/** Department code for a department index (0-based). */
export function deptId(i: number): string {
  return `DEPT${String(i + 1).padStart(2, '0')}`;
}

/** The department a provider works in (stable, so it needs no lookup). */
export function providerDeptIndex(n: number): number {
  return (n - 1) % DEPARTMENTS.length;
}

/** 9-digit NPI base: hospital A's NPIs start with 1 (< 2^31), hospital B's with 2 (> 2^31). */
export function providerNpiBase(h: number, n: number): number {
  return (h === 0 ? 150_000_000 : 250_000_000) + n * 37;
}

/** Provider n of a hospital (clean). */
export function providerRow(seed: number, h: number, n: number): ProviderRow {
  const r = rngFor(seed, 'provider', h, n);
  const d = providerDeptIndex(n);
  return [
    fmtId('PROV', n),
    r.pick(FIRST_NAMES),
    r.pick(LAST_NAMES),
    SPECIALIZATIONS[d] ?? 'General',
    deptId(d),
    npiFromBase(providerNpiBase(h, n)),
  ];
}

/** The payor of a patient (stable per patient). */
export function patientPayor(seed: number, h: number, patientN: number): (typeof PAYORS)[number] {
  return rngFor(seed, 'payor', h, patientN).weighted(PAYORS.map((p) => [p, p.weight] as const));
}

/** Member ids for the patient's line of business. */
export function memberIds(
  seed: number,
  h: number,
  patientN: number,
  type: string,
): [string | null, string | null] {
  const r = rngFor(seed, 'member', h, patientN);
  if (type === 'Medicaid') return [`MCD${digits(r, 9)}`, null];
  if (type === 'Medicare')
    return [null, `${r.int(1, 9)}EG${digits(r, 1)}TE${digits(r, 1)}MK${digits(r, 2)}`];
  return [null, null];
}

/** List price of a CPT code in cents (stable per code; surgery costs more). */
export function listPriceCents(code: number): number {
  const entry = CPT_CODES.find((c) => c[1] === code);
  const base = 8_000 + ((code * 2_654_435_761) % 40) * 2_500;
  return entry?.[0] === 'Surgery' ? base * 6 : base;
}

export type Outcome = 'Paid' | 'Partially Paid' | 'Denied';

/** Adjudicates a charge: an outcome and the paid amount in cents. */
export function adjudicate(rng: Rng, denialRate: number, amountCents: number): [Outcome, number] {
  const r = rng.next();
  if (r < denialRate) return ['Denied', 0];
  if (r < denialRate + 0.12)
    return ['Partially Paid', Math.round(amountCents * (0.3 + rng.next() * 0.4))];
  return ['Paid', Math.round(amountCents * (0.75 + rng.next() * 0.25))];
}

/** Claim status implied by a transaction's payment columns. */
export function claimStatus(t: TransactionRow): string {
  if (t[7] === null) return 'Pending';
  if (t[11] === 0) return 'Denied';
  return t[11] < t[9] * 0.745 ? 'Partially Paid' : 'Paid';
}

/** The claim for a (clean) transaction; number n is the transaction's number. */
export function claimFromTransaction(
  seed: number,
  h: number,
  n: number,
  t: TransactionRow,
): ClaimRow {
  const r = rngFor(seed, 'claim', h, n);
  const payor = PAYORS.find((p) => p.id === t[13]);
  const type = payor?.type ?? 'Commercial';
  const amount = t[9];
  const deductible = type === 'Self-Pay' ? 0 : Math.min(amount, r.int(0, 5) * 100);
  const coinsurance = type === 'Commercial' ? Math.round(amount * r.int(0, 20)) / 100 : 0;
  const copay = type === 'Commercial' ? r.pick([0, 20, 30, 40]) : 0;
  return [
    t[12],
    t[0],
    t[2],
    t[1],
    t[3],
    t[4],
    t[6],
    t[19].slice(0, 10),
    t[13],
    amount,
    t[11],
    claimStatus(t),
    type,
    deductible,
    coinsurance,
    copay,
    t[19],
    t[20],
  ];
}

/**
 * Departments, providers and patients: written row by row with dirt, recorded in the ledger.
 */
import type { Statement } from 'better-sqlite3';
import { isoDate } from './dates.js';
import type { DirtLedger } from './dirt-ledger.js';
import { dirtKind } from './activity.js';
import { deptId, patientRow, providerNpiBase, providerRow } from './entities.js';
import { invalidNpiFromBase } from './npi.js';
import type { HospitalPlan } from './plan.js';
import type { Rng } from './prng.js';
import { DEPARTMENTS } from './reference-data.js';

/** What the master-data writers share. */
export interface MasterContext {
  readonly seed: number;
  readonly plan: HospitalPlan;
  readonly dirtRng: Rng;
  readonly dirtRate: number;
  readonly ledger: DirtLedger;
}

const PATIENT_DIRT = ['missing_first_name', 'missing_dob', 'future_dob', 'duplicate'] as const;
const PROVIDER_DIRT = ['missing_dept_id', 'invalid_npi', 'duplicate'] as const;

/** The ten departments, plus one nameless department when dirt is on. */
export function writeDepartments(ctx: MasterContext, insert: Statement): void {
  const ds = ctx.plan.datasource;
  DEPARTMENTS.forEach((name, i) => insert.run(deptId(i), name));
  ctx.ledger.inserted('departments', ds, DEPARTMENTS.length);
  if (ctx.dirtRate > 0) {
    // Ten rows are too few for a rate: one dirty department per hospital, named 'null'.
    insert.run('DEPT99', ctx.plan.index === 0 ? null : 'null');
    ctx.ledger.inserted('departments', ds);
    ctx.ledger.quarantined('departments', ds, 'missing_name', 'DEPT99');
  }
}

/** Provider n, possibly dirty. */
export function writeProvider(ctx: MasterContext, insert: Statement, n: number): void {
  const ds = ctx.plan.datasource;
  const row = providerRow(ctx.seed, ctx.plan.index, n);
  ctx.ledger.inserted('providers', ds);
  const kind = dirtKind(ctx.dirtRng, ctx.dirtRate, PROVIDER_DIRT);
  switch (kind) {
    case null:
    case 'duplicate':
      break;
    case 'missing_dept_id':
      row[4] = null;
      break;
    case 'invalid_npi':
      row[5] = invalidNpiFromBase(providerNpiBase(ctx.plan.index, n));
      break;
  }
  insert.run(row);
  if (kind === 'duplicate') {
    insert.run(row);
    ctx.ledger.duplicated('providers', ds, row[0]);
  } else if (kind !== null) ctx.ledger.quarantined('providers', ds, kind, row[0]);
}

/** Patient n created on `day`, possibly dirty. */
export function writePatient(
  ctx: MasterContext,
  insert: Statement,
  n: number,
  createdDay: number,
): void {
  const ds = ctx.plan.datasource;
  const row = patientRow(ctx.seed, ctx.plan.index, n, createdDay);
  const id = row[0] ?? '';
  ctx.ledger.inserted('patients', ds);
  const kind = dirtKind(ctx.dirtRng, ctx.dirtRate, PATIENT_DIRT);
  switch (kind) {
    case null:
    case 'duplicate':
      break;
    case 'missing_first_name':
      // Both forms real feeds use: a NULL and the literal string 'null'.
      row[1] = ctx.dirtRng.chance(0.5) ? null : 'null';
      break;
    case 'missing_dob':
      row[7] = null;
      break;
    case 'future_dob':
      row[7] = isoDate(createdDay + 365 * ctx.dirtRng.int(70, 80));
      break;
  }
  insert.run(row);
  if (kind === 'duplicate') {
    insert.run(row);
    ctx.ledger.duplicated('patients', ds, id);
  } else if (kind !== null) ctx.ledger.quarantined('patients', ds, kind, id);
}

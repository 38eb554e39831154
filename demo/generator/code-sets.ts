/**
 * Code-set files (CPT CSV, ICD-10 CSV, NPPES-shaped NPI JSON). Each is a full snapshot that is a
 * pure function of (settings, day): day d applies the description changes of days 1..d, so a
 * code-set update can be shown keeping history.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { CsvWriter } from './csv-writer.js';
import { BASE_DATE, dayNumber, isoDate } from './dates.js';
import type { DirtLedger } from './dirt-ledger.js';
import { providerDeptIndex, providerNpiBase, providerRow } from './entities.js';
import { invalidNpiFromBase, npiFromBase } from './npi.js';
import type { GeneratorSettings } from './plan.js';
import { hash32, rngFor } from './prng.js';
import {
  CITIES,
  CPT_CODES,
  FIRST_NAMES,
  ICD_CODES,
  LAST_NAMES,
  SPECIALIZATIONS,
  TAXONOMIES,
} from './reference-data.js';

/** The CPT source's human column names. */
export const CPT_HEADER = [
  'Procedure Code Category',
  'CPT Codes',
  'Procedure Code Descriptions',
  'Code Status',
] as const;
export const ICD_HEADER = ['icd_code', 'icd_code_type', 'code_description'] as const;

function dirtCount(rate: number, n: number): number {
  return rate > 0 ? Math.max(1, Math.round(n * rate)) : 0;
}

/** Index of the code whose description changes on day d (d ≥ 1). */
function changedIndex(seed: number, set: string, d: number, n: number): number {
  return hash32(seed, set, d) % n;
}

/** Writes the CPT CSV for `day`; records dirt on day 0 and the day's change otherwise. */
export function writeCpt(dir: string, s: GeneratorSettings, day: number, ledger: DirtLedger): void {
  const desc = CPT_CODES.map((c) => c[2]);
  for (let d = 1; d <= day; d++) {
    const i = changedIndex(s.seed, 'cpt', d, desc.length);
    desc[i] = `${desc[i] ?? ''} (revised ${isoDate(dayNumber(BASE_DATE) + d)})`;
    if (d === day) ledger.updated('cpt_codes', 'ref', String(CPT_CODES[i]?.[1]));
  }
  const w = new CsvWriter(join(dir, 'cpt_codes.csv'), CPT_HEADER);
  CPT_CODES.forEach(([cat, code], i) => w.write([cat, String(code), desc[i] ?? '', 'Active']));
  const bad = dirtCount(s.dirtRate, CPT_CODES.length);
  for (let i = 0; i < bad; i++) {
    const code = `0${500 + i}T`;
    w.write(['Category III', code, i % 2 === 0 ? null : 'null', 'Active']);
    if (day === 0) ledger.quarantined('cpt_codes', 'ref', 'missing_description', code);
  }
  if (bad > 0) {
    const [cat, code] = CPT_CODES[0] ?? ['', 0];
    w.write([cat, String(code), desc[0] ?? '', 'Active']);
    if (day === 0) ledger.duplicated('cpt_codes', 'ref', String(code));
  }
  w.close();
  if (day === 0) ledger.inserted('cpt_codes', 'ref', CPT_CODES.length + bad);
}

/** Writes the ICD-10 CSV for `day`. */
export function writeIcd(dir: string, s: GeneratorSettings, day: number, ledger: DirtLedger): void {
  const desc = ICD_CODES.map((c) => c[1]);
  for (let d = 1; d <= day; d++) {
    const i = changedIndex(s.seed, 'icd', d, desc.length);
    desc[i] = `${desc[i] ?? ''} (revised ${isoDate(dayNumber(BASE_DATE) + d)})`;
    if (d === day) ledger.updated('icd_codes', 'ref', ICD_CODES[i]?.[0] ?? '');
  }
  const w = new CsvWriter(join(dir, 'icd10_codes.csv'), ICD_HEADER);
  ICD_CODES.forEach(([code], i) => w.write([code, 'ICD-10-CM', desc[i] ?? '']));
  const bad = dirtCount(s.dirtRate, ICD_CODES.length);
  for (let i = 0; i < bad; i++) {
    const code = `U9${i}.0`;
    w.write([code, 'ICD-10-CM', i % 2 === 0 ? null : 'null']);
    if (day === 0) ledger.quarantined('icd_codes', 'ref', 'missing_description', code);
  }
  w.close();
  if (day === 0) ledger.inserted('icd_codes', 'ref', ICD_CODES.length + bad);
}

const epoch = (day: number): string => String(day * 86_400_000);

function individual(
  seed: number,
  h: number,
  n: number,
  lastName: string,
  updatedDay: number,
): object {
  const p = providerRow(seed, h, n);
  const r = rngFor(seed, 'nppes', h, n);
  const d = providerDeptIndex(n);
  const [city, st, zip] = r.pick(CITIES);
  const enumerated = dayNumber('2006-01-01') + r.int(0, 5000);
  return {
    created_epoch: epoch(enumerated),
    enumeration_type: 'NPI-1',
    last_updated_epoch: epoch(updatedDay),
    number: String(npiFromBase(providerNpiBase(h, n))),
    addresses: [
      {
        country_code: 'US',
        country_name: 'United States',
        address_purpose: 'LOCATION',
        address_type: 'DOM',
        address_1: `${r.int(1, 999)} Hospital Way`,
        city: city.toUpperCase(),
        state: st,
        postal_code: `${zip}0000`,
        telephone_number: `555-${r.int(100, 999)}-${r.int(1000, 9999)}`,
      },
    ],
    practiceLocations: [],
    basic: {
      first_name: p[1].toUpperCase(),
      last_name: lastName.toUpperCase(),
      credential: r.pick(['MD', 'DO']),
      sole_proprietor: 'NO',
      gender: r.chance(0.5) ? 'F' : 'M',
      enumeration_date: isoDate(enumerated),
      last_updated: isoDate(updatedDay),
      status: 'A',
      name_prefix: 'Dr.',
    },
    taxonomies: [
      {
        code: TAXONOMIES[d],
        taxonomy_group: '',
        desc: SPECIALIZATIONS[d],
        state: st,
        license: `L${n}`,
        primary: true,
      },
    ],
    identifiers: [],
    endpoints: [],
    other_names: [],
  };
}

function organisation(h: number, npi: string, updatedDay: number): object {
  return {
    created_epoch: epoch(dayNumber('2007-05-23')),
    enumeration_type: 'NPI-2',
    last_updated_epoch: epoch(updatedDay),
    number: npi,
    addresses: [],
    practiceLocations: [],
    basic: {
      organization_name: h === 0 ? 'SYNTHETIC GENERAL HOSPITAL A' : 'SYNTHETIC REGIONAL HOSPITAL B',
      organizational_subpart: 'NO',
      enumeration_date: '2007-05-23',
      last_updated: isoDate(updatedDay),
      status: 'A',
      authorized_official_first_name: h === 0 ? 'MARIA' : 'OMAR',
      authorized_official_last_name: h === 0 ? 'GARCIA' : 'PATEL',
      authorized_official_title_or_position: 'CHIEF FINANCIAL OFFICER',
      authorized_official_telephone_number: h === 0 ? '5550100100' : '5550200200',
    },
    taxonomies: [
      {
        code: '282N00000X',
        taxonomy_group: '',
        desc: 'General Acute Care Hospital',
        state: 'IL',
        license: '',
        primary: true,
      },
    ],
    identifiers: [],
    endpoints: [],
    other_names: [],
  };
}

/**
 * Writes `npi_providers.json` (NPPES API v2.1 response shape) for the providers that exist on
 * `day`; `providerCounts[h]` is hospital h's provider count that day.
 */
export function writeNpi(
  dir: string,
  s: GeneratorSettings,
  day: number,
  providerCounts: readonly [number, number],
  ledger: DirtLedger,
): void {
  const base = dayNumber(BASE_DATE);
  // Day d renames one hospital-A provider in the registry (cumulative over days 1..day).
  const renamed = new Map<number, [string, number]>();
  // Hospital A's day-0 provider count (one provider joins per day): a modulus that does not
  // move, so day d renames the same provider whichever later day rebuilds the file.
  const baseA = providerCounts[0] - day;
  for (let d = 1; d <= day; d++) {
    const n = 1 + (hash32(s.seed, 'npi', d) % baseA);
    renamed.set(n, [
      LAST_NAMES[hash32(s.seed, 'npi-name', d) % LAST_NAMES.length] ?? 'Doe',
      base + d,
    ]);
    if (d === day) ledger.updated('npi', 'ref', String(npiFromBase(providerNpiBase(0, n))));
  }
  const fd = openSync(join(dir, 'npi_providers.json'), 'w');
  const bad = dirtCount(s.dirtRate, providerCounts[0] + providerCounts[1]);
  const total = providerCounts[0] + providerCounts[1] + 2 + bad;
  writeSync(fd, `{"result_count":${total},"results":[\n`);
  let first = true;
  const emit = (rec: object): void => {
    writeSync(fd, `${first ? '' : ',\n'}${JSON.stringify(rec)}`);
    first = false;
  };
  for (const h of [0, 1] as const) {
    emit(organisation(h, String(npiFromBase(h === 0 ? 199_999_999 : 299_999_999)), base - 400));
    for (let n = 1; n <= providerCounts[h]; n++) {
      const p = providerRow(s.seed, h, n);
      const change = h === 0 ? renamed.get(n) : undefined;
      const created =
        n > providerCounts[h] - day ? base + (n - (providerCounts[h] - day)) : base - 30;
      emit(individual(s.seed, h, n, change?.[0] ?? p[2], change?.[1] ?? created));
    }
  }
  for (let i = 0; i < bad; i++) {
    const npi = String(invalidNpiFromBase(170_000_000 + i * 13));
    const rec = individual(s.seed, 0, i + 1, FIRST_NAMES[i % FIRST_NAMES.length] ?? 'X', base - 30);
    emit({ ...rec, number: npi });
    if (day === 0) ledger.quarantined('npi', 'ref', 'invalid_npi', npi);
  }
  writeSync(fd, '\n]}\n');
  closeSync(fd);
  if (day === 0) ledger.inserted('npi', 'ref', total);
}

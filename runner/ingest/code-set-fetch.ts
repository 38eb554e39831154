/**
 * Drops code-set API results into the landing zone, where the landing ingest picks them up like
 * any other file (so API data gets the same exactly-once, archive and audit treatment):
 *
 *   NPPES search → landing/npi/npi_<criteria>_<time>.json   (the API's own response shape)
 *   WHO ICD-10   → landing/icd/icd10_who_<release>_<time>.csv (icd_code, icd_code_type, code_description)
 *
 * Files are written to a dot-prefixed temp name and renamed, so a half-written file is never
 * picked up.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { NppesClient, NpiQuery } from './nppes-client.js';
import type { WhoIcdClient } from './who-icd-client.js';

function stamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
}

function slug(q: NpiQuery): string {
  const parts = [q.state, q.city, q.postalCode, q.taxonomyDescription, q.enumerationType]
    .filter((v): v is string => v !== undefined && v !== '')
    .map((v) =>
      v
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, ''),
    );
  return parts.join('_').slice(0, 80) || 'all';
}

function writeAtomically(file: string, write: (fd: number) => void): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
  const fd = fs.openSync(tmp, 'w');
  try {
    write(fd);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

const csvField = (v: string): string =>
  /[",\r\n]/.test(v) || v === '' ? `"${v.replaceAll('"', '""')}"` : v;

/** Runs an NPPES search and writes the result document; returns the file and the result count. */
export async function fetchNpiToLanding(
  landingRoot: string,
  client: NppesClient,
  query: NpiQuery,
  now: Date = new Date(),
): Promise<{ readonly file: string; readonly results: number }> {
  const doc = await client.search(query);
  const file = path.join(landingRoot, 'npi', `npi_${slug(query)}_${stamp(now)}.json`);
  writeAtomically(file, (fd) => fs.writeSync(fd, JSON.stringify(doc)));
  return { file, results: doc.result_count };
}

/** Walks the WHO ICD-10 release and writes its categories as a landing CSV. */
export async function fetchIcdToLanding(
  landingRoot: string,
  client: WhoIcdClient,
  release: string,
  now: Date = new Date(),
): Promise<{ readonly file: string; readonly codes: number }> {
  const file = path.join(
    landingRoot,
    'icd',
    `icd10_who_${release.replace(/[^A-Za-z0-9]/g, '')}_${stamp(now)}.csv`,
  );
  let codes = 0;
  const lines: string[] = ['icd_code,icd_code_type,code_description'];
  for await (const row of client.codes()) {
    lines.push([row.icd_code, row.icd_code_type, row.code_description].map(csvField).join(','));
    codes++;
  }
  writeAtomically(file, (fd) => fs.writeSync(fd, `${lines.join('\n')}\n`));
  return { file, codes };
}

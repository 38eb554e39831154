/**
 * The generator's own bookkeeping between days (`_truth/state.json`) and the landing layout.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MdlError } from '../../runner/errors/mdl-error.js';
import type { DirtTruth } from './dirt-ledger.js';
import type { Datasource } from './plan.js';

/** Per-hospital high-water marks of the numbered ids. */
export interface HospitalCounters {
  patients: number;
  providers: number;
  encounters: number;
  transactions: number;
}

export interface GeneratorState {
  readonly version: 1;
  readonly seed: number;
  readonly scale: number;
  readonly dirtRate: number;
  readonly lastDay: number;
  readonly counters: Record<Datasource, HospitalCounters>;
}

/** Landing-zone paths under `--out` (the conventions' layout). */
export function landingPaths(out: string) {
  return {
    emr: join(out, 'emr'),
    claims: join(out, 'claims'),
    cpt: join(out, 'cpt'),
    npi: join(out, 'npi'),
    icd: join(out, 'icd'),
    truth: join(out, '_truth'),
    truthFile: join(out, '_truth', 'dirt.json'),
    stateFile: join(out, '_truth', 'state.json'),
  } as const;
}

/** Writes JSON atomically (temp file + rename) so a crash never leaves half a file. */
export function writeJsonAtomic(path: string, value: unknown): void {
  mkdirSync(join(path, '..'), { recursive: true });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value)}\n`);
  renameSync(tmp, path);
}

function readJson<T>(path: string, what: string): T {
  if (!existsSync(path))
    throw new MdlError('E_FILE_NOT_FOUND', `no ${what} at ${path}`, {
      file: path,
      hint: 'generate day 0 first: node dist/demo-generate.js --out <dir> --day 0',
    });
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

export function readState(out: string): GeneratorState {
  return readJson<GeneratorState>(landingPaths(out).stateFile, 'generator state');
}

export function readTruth(out: string): DirtTruth {
  return readJson<DirtTruth>(landingPaths(out).truthFile, 'dirt truth file');
}

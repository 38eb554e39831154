/** load_config.csv parsing: the typed model, and hostile values rejected before any SQL exists. */
import fs from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AggregateMdlError } from '../../runner/errors/diagnostics.js';
import { MdlError } from '../../runner/errors/mdl-error.js';
import { entryMatches, parseLoadConfig } from '../../runner/ingest/load-config.js';
import type { LoadConfigColumn } from '../../runner/ingest/load-config.js';

const HEADER = 'database,datasource,tablename,loadtype,watermark,is_active,targetpath';
const GOOD = ['hospital_a', 'hos-a', 'dbo.patients', 'Incremental', 'ModifiedDate', '1', 'hosa'];
const COLS: readonly LoadConfigColumn[] = [
  'database',
  'datasource',
  'tablename',
  'loadtype',
  'watermark',
  'is_active',
  'targetpath',
];

const csvField = (v: string): string => (/[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
const withValue = (col: LoadConfigColumn, value: string): string => {
  const row = [...GOOD];
  row[COLS.indexOf(col)] = value;
  return `${HEADER}\nhospital_b,hos-b,dbo.providers,Full,,1,hosb\n${row.map(csvField).join(',')}\n`;
};

function rejection(text: string): MdlError {
  try {
    parseLoadConfig(text, 'configs/emr/load_config.csv');
  } catch (err) {
    expect(err).toBeInstanceOf(AggregateMdlError);
    const first = (err as AggregateMdlError).errors[0];
    expect(first).toBeInstanceOf(MdlError);
    return first as MdlError;
  }
  throw new Error('expected the config to be rejected');
}

describe('parseLoadConfig', () => {
  it('parses the repository config into typed entries', () => {
    const cfg = parseLoadConfig(
      fs.readFileSync('configs/emr/load_config.csv', 'utf8'),
      'configs/emr/load_config.csv',
    );
    expect(cfg.entries).toHaveLength(10);
    const bPatients = cfg.entries.find((e) => e.datasource === 'hos-b' && e.table === 'patients');
    expect(bPatients).toMatchObject({
      loadType: 'Incremental',
      watermark: 'Updated_Date',
      targetPath: 'hosb',
      schema: 'dbo',
      row: 8,
    });
    const aDeps = cfg.entries.find((e) => e.datasource === 'hos-a' && e.table === 'departments');
    expect(aDeps?.loadType).toBe('Full');
    expect(new Set(cfg.entries.map((e) => e.datasource))).toEqual(new Set(['hos-a', 'hos-b']));
  });

  it('accepts quoted fields, CRLF and case-insensitive load types', () => {
    const cfg = parseLoadConfig(
      `${HEADER}\r\n"hospital_a",hos-a,dbo.encounters,incremental,ModifiedDate,0,"hosa/emr"\r\n`,
      'x.csv',
    );
    expect(cfg.entries[0]).toMatchObject({
      loadType: 'Incremental',
      isActive: false,
      targetPath: 'hosa/emr',
    });
  });

  const hostile: readonly [LoadConfigColumn, string][] = [
    ['database', 'hospital_a;--'],
    ['database', '../../etc'],
    ['database', ''],
    ['datasource', 'hos-a; DROP TABLE x'],
    ['datasource', "hos'a"],
    ['datasource', 'HOS A'],
    ['tablename', 'dbo.patients;--'],
    ['tablename', 'patients'],
    ['tablename', 'dbo.pat"ients'],
    ['tablename', 'a.b.c'],
    ['tablename', 'dbo.patients where 1=1'],
    ['loadtype', 'Delta'],
    ['loadtype', "Full'--"],
    ['watermark', 'Modified"Date'],
    ['watermark', "ModifiedDate'"],
    ['watermark', 'ModifiedDate) OR (1=1'],
    ['watermark', ''],
    ['is_active', 'yes'],
    ['is_active', '1;--'],
    ['targetpath', '../../etc'],
    ['targetpath', '/etc/passwd'],
    ['targetpath', 'hosa/../..'],
    ['targetpath', 'hosa\\..\\x'],
    ['targetpath', ''],
  ];
  it.each(hostile)('rejects hostile %s = %j with row and column', (col, value) => {
    const err = rejection(withValue(col, value));
    expect(err.code).toBe('E_CONFIG_ROW');
    expect(err.row).toBe(2);
    expect(err.line).toBe(3);
    expect(err.message).toContain(`'${col}'`);
    expect(err.column).toBe(COLS.indexOf(col) + 1);
    expect(err.file).toBe('configs/emr/load_config.csv');
  });

  it('rejects an unknown header column, a missing one, duplicates and ragged rows', () => {
    expect(rejection(`${HEADER},extra\n`).message).toContain('unknown header');
    expect(rejection('database,datasource\n').message).toContain("missing column 'tablename'");
    const dup = `${HEADER}\n${GOOD.join(',')}\n${GOOD.join(',')}\n`;
    expect(rejection(dup).message).toContain('duplicates row 1');
    expect(rejection(`${HEADER}\nhospital_a,hos-a\n`).message).toContain('fields');
    const sharedFolder = `${HEADER}\n${GOOD.join(',')}\nhospital_b,hos-b,dbo.patients,Full,,1,hosa\n`;
    const err = rejection(sharedFolder);
    expect(err.message).toContain('already written by row 1');
    expect(err.row).toBe(2);
  });

  it('accepts only values matching the strict patterns (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...COLS), fc.string({ maxLength: 12 }), (col, value) => {
        let ok = true;
        try {
          parseLoadConfig(withValue(col, value), 'x.csv');
        } catch {
          ok = false;
        }
        const v = value.trim();
        if (ok && col !== 'loadtype' && col !== 'is_active')
          expect(v).toMatch(/^[A-Za-z0-9_./-]*$/);
        if (ok) expect(v).not.toMatch(/\.\.|;|'|"|\s/);
      }),
      { numRuns: 400 },
    );
  });

  it('matches --only selectors', () => {
    const [e] = parseLoadConfig(`${HEADER}\n${GOOD.join(',')}\n`, 'x.csv').entries;
    if (e === undefined) throw new Error('no entry');
    expect(entryMatches(e, 'hos-a.patients')).toBe(true);
    expect(entryMatches(e, 'hos-a.dbo.Patients')).toBe(true);
    expect(entryMatches(e, 'hos-a')).toBe(true);
    expect(entryMatches(e, 'hos-b.patients')).toBe(false);
  });
});

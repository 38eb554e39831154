/** The optional `keycolumns` column of load_config.csv (key lists of incremental loads). */
import { describe, expect, it } from 'vitest';
import { AggregateMdlError } from '../../runner/errors/diagnostics.js';
import { parseLoadConfig } from '../../runner/ingest/load-config.js';

const HEADER = 'database,datasource,tablename,loadtype,watermark,is_active,targetpath';

function problems(text: string): string[] {
  try {
    parseLoadConfig(text, 'load_config.csv');
  } catch (err) {
    if (err instanceof AggregateMdlError)
      return err.errors.map((e) => `row ${e.row}: ${e.message}`);
    if (err instanceof Error) return [err.message];
  }
  return [];
}

describe('load_config.csv keycolumns', () => {
  it('is optional: files without the column parse as before, with no key columns', () => {
    const c = parseLoadConfig(
      `${HEADER}\nh,hos-a,dbo.encounters,Incremental,ModifiedDate,1,hosa\n`,
      'load_config.csv',
    );
    const [e] = c.entries;
    expect(e?.loadType).toBe('Incremental');
    expect(e?.loadType === 'Incremental' && e.keyColumns).toBeUndefined();
  });

  it('reads one or several |-separated key columns for Incremental rows; empty means none', () => {
    const c = parseLoadConfig(
      `${HEADER},keycolumns\nh,hos-a,dbo.encounters,Incremental,ModifiedDate,1,hosa,EncounterID\nh,hos-a,dbo.lines,Incremental,ModifiedDate,1,hosa, ClaimID | LineNo \nh,hos-a,dbo.patients,Incremental,ModifiedDate,1,hosa,\nh,hos-a,dbo.providers,Full,,1,hosa,\n`,
      'load_config.csv',
    );
    expect(c.entries.map((e) => (e.loadType === 'Incremental' ? e.keyColumns : 'full'))).toEqual([
      ['EncounterID'],
      ['ClaimID', 'LineNo'],
      undefined,
      'full',
    ]);
  });

  it('rejects hostile or duplicate key columns, and keys on a Full row, with the row number', () => {
    const msgs = problems(
      `${HEADER},keycolumns\nh,hos-a,dbo.a,Incremental,M,1,hosa,"Id;--"\nh,hos-a,dbo.b,Incremental,M,1,hosa,Id|id\nh,hos-a,dbo.c,Full,,1,hosa,Id\nh,hos-a,dbo.d,Incremental,M,1,hosa,"x""y"\n`,
    );
    expect(msgs).toHaveLength(4);
    expect(msgs[0]).toContain("row 1: column 'keycolumns': must be column names");
    expect(msgs[1]).toContain("row 2: column 'keycolumns': names a column twice");
    expect(msgs[2]).toContain("row 3: column 'keycolumns': only Incremental loads");
    expect(msgs[3]).toContain("row 4: column 'keycolumns': must be column names");
  });
});

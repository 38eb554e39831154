import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MdlError } from '../../runner/errors/mdl-error.js';
import { checkSeedCsv } from '../../runner/execute/seed-csv-check.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mdl-csv-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string | Buffer): string => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
};
const fail = (p: string, types?: Record<string, string>): MdlError => {
  try {
    checkSeedCsv(p, `seeds/${path.basename(p)}`, types);
  } catch (e) {
    if (e instanceof MdlError) return e;
    throw e;
  }
  throw new Error('expected an E_SEED error');
};

describe('checkSeedCsv', () => {
  it('counts rows across quoted commas, doubled quotes, CRLF, embedded newlines and a BOM', () => {
    const p = file(
      'ok.csv',
      Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from('a,b\r\n1,"x, ""y"""\r\n2,"multi\nline"\r\n\r\n'),
      ]),
    );
    expect(checkSeedCsv(p, 'seeds/ok.csv', { a: 'INTEGER' })).toEqual({
      columns: ['a', 'b'],
      rows: 2,
    });
    expect(checkSeedCsv(file('hdr.csv', 'a,b'), 'seeds/hdr.csv', undefined)).toEqual({
      columns: ['a', 'b'],
      rows: 0,
    });
  });

  it('reports the line where a ragged record starts, counting embedded newlines', () => {
    const e = fail(file('rag.csv', 'a,b\n1,"x\ny"\n2\n'));
    expect(e.code).toBe('E_SEED');
    expect(e.file).toBe('seeds/rag.csv');
    expect(e.line).toBe(4);
    expect(e.message).toBe('row at line 4 has 1 field, the header has 2');
  });

  it('rejects empty files, unclosed quotes, duplicate/blank headers and unknown column_types', () => {
    expect(fail(file('empty.csv', '  \n')).message).toBe('seed file is empty');
    expect(fail(file('open.csv', 'a\n"x\n')).line).toBe(2);
    expect(fail(file('dup.csv', 'a,A\n1,2\n')).message).toContain("names column 'A' twice");
    expect(fail(file('blank.csv', 'a,,c\n1,2,3\n')).message).toContain(
      'header column 2 has no name',
    );
    expect(fail(file('types.csv', 'a\n1\n'), { b: 'INTEGER' }).message).toContain(
      "column_types names column 'b'",
    );
  });

  it('never puts field values into messages', () => {
    const e = fail(file('phi.csv', 'name,ssn\nJane Roe,123-45-6789,extra\n'));
    expect(e.message).not.toContain('Jane');
    expect(e.message).not.toContain('123-45');
  });
});
